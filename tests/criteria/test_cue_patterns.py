"""The numeric, clinical and history readers with their cue patterns in ``patterns/*.yaml``: the
fragments splice into the comparison regexes, and each cue still does its job in context."""

from __future__ import annotations

import pytest

from trialmatch.criteria import numeric, numeric_values
from trialmatch.criteria.clinical import disease_state_rule
from trialmatch.criteria.history import cns_rule, other_malignancy_rule, therapy_rule
from trialmatch.criteria.lab_mentions import lab_mentions
from trialmatch.criteria.numeric import comparisons, lab_rules
from trialmatch.criteria.rules import And, Compare, Flag, Has, If, Is, Not, Or
from trialmatch.vocab.patterns import pattern

# ------------------------------------------------------------------ numeric


def test_numeric_still_exports_what_callers_import() -> None:
    for name in numeric.__all__:
        assert hasattr(numeric, name), name
    assert numeric.comparisons is numeric_values.comparisons
    assert numeric.parse_number is numeric_values.parse_number
    assert numeric.NUM == numeric_values.NUM
    assert numeric.lab_mentions is lab_mentions


@pytest.mark.parametrize(
    ("name", "whole", "not_whole"),
    [
        ("numeric.op_glue", ["to ", "than  ", "of ", ":", ": "], ["than", "x ", "to the "]),
        ("numeric.range_sep", ["-", "–", "to"], ["x", "/"]),
        ("numeric.value_glue", ["of ", ":", "= ", "is "], ["is", "x "]),
        (
            "numeric.multiple_lead",
            ["", " x ", "times the institutional ", "-fold ", " × normal "],
            ["x x ", "upper "],
        ),
    ],
)
def test_fragments_cover_exactly_their_glue(name: str, whole: list[str], not_whole: list[str]) -> None:
    """The fragments are spliced into larger regexes, so what they consume in full is what counts."""
    rx = pattern(name)
    for s in whole:
        assert rx.fullmatch(s), (name, s)
    for s in not_whole:
        assert not rx.fullmatch(s), (name, s)


def test_comparisons_read_uln_bare_multiple_and_glued() -> None:
    (bare,) = comparisons("Total bilirubin =< upper limit of normal (ULN)")
    assert (bare.op, bare.value, bare.ref) == ("<=", 1.0, "uln")
    (mult,) = comparisons("ALT <= 2.5 times the institutional ULN")
    assert (mult.op, mult.value, mult.ref) == ("<=", 2.5, "uln")
    (glued,) = comparisons("AST <= 3xULN")
    assert (glued.value, glued.ref) == (3.0, "uln")
    (rng,) = comparisons("ANC > 1.5 - 2")
    assert (rng.value, rng.high) == (1.5, 2.0)
    (glue,) = comparisons("a creatinine clearance greater than or equal to 60 mL/min")
    assert (glue.op, glue.value, glue.unit) == (">=", 60.0, "mL/min")


def test_plain_value_with_a_trailing_operator() -> None:
    text = "hemoglobin of 9 g/dL or more"
    (c,) = numeric_values.plain_values(text, lab_mentions(text), [])
    assert (c.op, c.value, c.unit) == (">=", 9.0, "g/dL")


def test_or_makes_an_alternative_and_and_both_limits() -> None:
    r_or, _ = lab_rules("creatinine <= 1.5 x ULN or creatinine clearance > 60 mL/min")
    r_and, _ = lab_rules("creatinine <= 1.5 x ULN and creatinine clearance > 60 mL/min")
    assert isinstance(r_or, Or) and len(r_or.args) == 2
    assert isinstance(r_and, And) and len(r_and.args) == 2


def test_conditional_limits_name_their_condition() -> None:
    r, keys = lab_rules("Total bilirubin <= 1.5 x ULN (<= 3 x ULN in patients with Gilbert's syndrome)")
    assert keys == ["bilirubin"]
    assert isinstance(r, If) and r.cond == Has("gilbert_syndrome", kinds=("condition",))
    assert isinstance(r.then, Compare) and r.then.value == 3.0 and r.then.ref == "uln"
    r2, _ = lab_rules("ALT, AST <= 2.5 x ULN (<= 5 x ULN if liver metastases are present)")
    assert isinstance(r2, And) and all(isinstance(x, If) for x in r2.args)
    assert {x.cond for x in r2.args if isinstance(x, If)} == {Has("liver_metastases", kinds=("metastasis",))}


def test_a_lab_named_as_a_condition_is_not_a_limit() -> None:
    r, keys = lab_rules("Direct bilirubin <= ULN for patients with total bilirubin > 1.5 x ULN")
    assert keys == ["direct_bilirubin"]
    assert isinstance(r, Compare) and r.var == "lab.direct_bilirubin"


# ------------------------------------------------------------------ clinical


def test_examples_and_any_solid_tumour_are_not_restrictions() -> None:
    assert disease_state_rule("Any advanced solid tumour (e.g. colorectal cancer, breast cancer)") is None


def test_unresectable_or_metastatic_is_either() -> None:
    got = disease_state_rule("Histologically confirmed metastatic or unresectable neuroendocrine tumour")
    assert got is not None
    r, _ = got
    assert isinstance(r, And)
    assert Or((Flag("cancer.metastatic"), Not(Flag("cancer.resectable")))) in r.args


def test_metastatic_as_one_alternative_is_not_required() -> None:
    alt = disease_state_rule("Metastatic MCC or locoregional MCC that has recurred")
    req = disease_state_rule("Metastatic Merkel cell carcinoma")
    assert alt is not None and "cancer.metastatic" not in repr(alt[0])
    assert req is not None and Flag("cancer.metastatic") in getattr(req[0], "args", ())


def test_grade_and_ki67_with_their_disease() -> None:
    got = disease_state_rule("Well-differentiated NET G2 with Ki-67 < 20%")
    assert got is not None
    r, _ = got
    assert isinstance(r, And)
    assert Is("cancer.grade", ("G2",)) in r.args
    assert Compare("cancer.ki67_percent", "<", 20.0, "%") in r.args
    got2 = disease_state_rule("Poorly differentiated neuroendocrine carcinoma or Ki-67 > 55%")
    assert got2 is not None and isinstance(got2[0], Or)  # "NEC or Ki-67 > 55%"


def test_non_measurable_is_not_a_measurable_requirement() -> None:
    assert disease_state_rule("Measurable or non-measurable disease per RECIST 1.1") is None
    assert disease_state_rule("Measurable disease per RECIST 1.1") == (
        Flag("cancer.measurable_disease"),
        "measurable_disease",
    )


# ------------------------------------------------------------------ history


def test_lines_and_ordinal_lines() -> None:
    assert therapy_rule("At least two prior lines of systemic therapy", "inclusion") == (
        Compare("prior_lines", ">=", 2.0),
        "prior_therapy",
    )
    assert therapy_rule("No more than two prior chemotherapy regimens", "inclusion") == (
        Compare("prior_lines", "<=", 2.0),
        "prior_therapy",
    )
    assert therapy_rule("2 prior lines of therapy", "inclusion") == (  # no operator: at least
        Compare("prior_lines", ">=", 2.0),
        "prior_therapy",
    )
    got = therapy_rule("Disease progression after second-line chemotherapy", "inclusion")
    assert got == (Compare("prior_lines_failed", ">=", 2.0), "prior_therapy")


def test_unknown_drug_by_its_stem() -> None:
    got = therapy_rule("No prior lurbinectedin", "inclusion")
    assert got is not None
    assert got[0] == Not(Has("lurbinectedin", kinds=("treatment", "medication")))


def test_cns_metastases_active_only_when_treated_ones_are_allowed() -> None:
    allowed = cns_rule(
        "Untreated brain metastases; patients with treated, stable brain metastases are eligible"
    )
    plain = cns_rule("Known brain metastases")
    assert allowed is not None and plain is not None
    assert isinstance(allowed[0], Has) and allowed[0].status == "active"
    assert isinstance(plain[0], Has) and plain[0].status == "any"


def test_other_malignancy_remission_window_and_activity() -> None:
    got = other_malignancy_rule("Other malignancy unless disease free for at least 5 years", "exclusion")
    assert got is not None and isinstance(got[0], Has)
    w = got[0].window
    assert w is not None and (w.amount, w.unit, w.relation) == (5.0, "year", "within")
    act = other_malignancy_rule("Active second malignancy requiring treatment", "exclusion")
    assert act is not None and isinstance(act[0], Has) and act[0].status == "active"
    assert other_malignancy_rule("Histologically confirmed breast cancer", "inclusion") is None
