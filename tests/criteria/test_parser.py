# ruff: noqa: E501
"""Parser behaviour on general (non-seed) phrasings, trial-level criteria, and hostile input."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialmatch.criteria import parse_criteria, parse_item, trial_criteria
from trialmatch.criteria.numeric import extract_numeric
from trialmatch.criteria.rules import render_rule
from trialmatch.criteria.temporal import find_windows
from trialmatch.records.model import Eligibility, Trial


def rule_of(text: str, kind: str = "inclusion") -> str:
    c = parse_item(text, kind)
    assert c.rule is not None
    return render_rule(c.rule)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("ANC ≥ 1,500/mm3", "lab.anc >= 1500 /uL"),
        ("Platelet count >= 100 x 10^9/L", "lab.platelets >= 100 10*9/L"),
        ("Hemoglobin of at least 9 g/dL", "lab.hemoglobin >= 9 g/dL"),
        ("Total bilirubin no greater than 1.5 times the upper limit of normal", "lab.bilirubin <= 1.5 x ULN"),
        ("AST/ALT ≤ 3 x ULN", "(lab.ast <= 3 x ULN AND lab.alt <= 3 x ULN)"),
        ("QTcF > 470 msec", "vital.qtc_ms > 470 ms"),
        ("Creatinine clearance of 50 mL/min or more", "lab.crcl >= 50 mL/min"),
        ("HbA1c < 8%", "lab.hba1c < 8 %"),
        ("LVEF below 50%", "vital.lvef_percent < 50 %"),
    ],
)
def test_labs(text: str, want: str) -> None:
    assert rule_of(text) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Age ≥ 18 years", "age >= 18 a"),
        ("Patients aged between 18 and 70 years", "age between 18-70 a"),
        ("18 years of age or older", "age >= 18 a"),
        ("ECOG performance status 0-2", "ecog <= 2"),
        ("Karnofsky performance status ≥ 70%", "karnofsky >= 70"),
        ("Life expectancy of more than 12 weeks", "life_expectancy_months > 2.77 mo"),
        ("Measurable disease per RECIST 1.1", "cancer.measurable_disease"),
        (
            "Well-differentiated, grade 1 or 2 neuroendocrine tumour",
            "(has nen.net AND cancer.grade in {G1, G2} AND cancer.differentiation in {well})",
        ),
        (
            "Locally advanced unresectable or metastatic pancreatic NET",
            "(has nen.pnet AND (cancer.metastatic OR NOT cancer.resectable))",
        ),
        ("Progression on everolimus", "has everolimus [outcome=('progression', 'intolerance')]"),
        ("At least one prior line of systemic therapy", "prior_lines >= 1"),
    ],
)
def test_other_facets(text: str, want: str) -> None:
    assert rule_of(text) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "Myocardial infarction or stroke within the past 6 months",
            "(has mi within 6 months OR has stroke within 6 months)",
        ),
        ("Known HIV infection", "has hiv"),
        ("Active hepatitis B or C infection", "(has hbv (active) OR has hcv (active))"),
        ("Prior treatment with lutetium Lu 177 dotatate", "has prrt"),
        ("Known hypersensitivity to octreotide", "has octreotide"),
        ("Participation in another clinical trial within 30 days", "has trial_participation within 30 days"),
        ("Symptomatic brain metastases", "has cns_metastases (active)"),
        ("Uncontrolled diabetes mellitus", "has diabetes [uncontrolled=True]"),
    ],
)
def test_exclusions(text: str, want: str) -> None:
    assert rule_of(text, "exclusion") == want


def test_contraception_never_fails_and_pregnancy_applies_to_women() -> None:
    c = parse_item("Women of childbearing potential must use effective contraception", "inclusion")
    assert c.rule is not None and c.rule.op == "admin" and c.category == "reproductive"
    p = parse_item("Pregnant or lactating women", "exclusion")
    assert p.applies_if is not None and render_rule(p.applies_if) == "sex in {female}"


def test_unknown_item_kept_for_review() -> None:
    c = parse_item("Subjects must be able to swallow a small purple elephant", "inclusion")
    assert c.status == "needs_review" and c.rule is not None and c.rule.op == "review"
    assert c.text.startswith("Subjects must")


def test_windows() -> None:
    got = [
        (w.amount, w.unit, w.relation)
        for w, _, _ in find_windows("within 28 days prior to first dose; at least 2 years prior")
    ]
    assert got == [(28, "day", "within"), (2, "year", "before")]


def test_extract_numeric_flat() -> None:
    assert ("lab.platelets", ">=", 100.0, "10*9/L", None) in extract_numeric("platelets ≥100×10⁹/L")


def test_trial_criteria_fields_and_title() -> None:
    t = Trial(
        id="NCTX",
        brief_title="Surufatinib in Extrapulmonary High-grade Neuroendocrine Carcinoma in MEN-1 carriers",
        conditions=["Neuroendocrine Carcinoma"],
        eligibility=Eligibility(
            criteria_text="Inclusion Criteria:\n- ECOG 0-1\n",
            min_age_years=18,
            max_age_years=80,
            sex="FEMALE",
        ),
    )
    cs = trial_criteria(t)
    by_src = {c.source for c in cs}
    assert by_src == {"text", "fields", "title"}
    texts = " | ".join(c.text for c in cs)
    assert "80 Years" in texts
    rules = [render_rule(c.rule) for c in cs if c.rule is not None]
    assert "age between 18-80 a" in rules and "sex in {female}" in rules
    assert "NOT cancer.primary_site in {lung}" in rules
    assert "has nen.nec" in rules and "has men1" in rules


def test_trial_without_criteria_keeps_fields() -> None:
    t = Trial(
        id="X",
        conditions=["Pancreatic Neuroendocrine Neoplasm"],
        eligibility=Eligibility(min_age_years=18, max_age_years=80),
    )
    cs = trial_criteria(t)
    assert [c.source for c in cs] == ["fields", "title", "fields"]
    assert render_rule(cs[1].rule) == "has nen.pnen"
    # no criteria text is not "no criteria": the study team decides the rest
    assert cs[2].status == "needs_review" and "no eligibility criteria" in cs[2].text


def test_trial_with_criteria_text_has_no_unpublished_item() -> None:
    t = Trial(id="Y", eligibility=Eligibility(criteria_text="Inclusion Criteria:\n- Age >= 18 years"))
    assert all("publishes no" not in c.text for c in trial_criteria(t))


def test_parse_criteria_empty() -> None:
    assert parse_criteria("") == [] and parse_criteria("   \n ") == []


_PIECES = [
    *list("aeiou xyz0123456789<>=≥≤×x/.,;:()[]-\n•*%"),
    "ULN",
    "ANC",
    " or ",
    " and ",
    "within ",
    " months",
    "Inclusion Criteria:",
    "Exclusion Criteria:",
    "\\>",
    "10^9/L",
    "liver metastases",
    "except ",
    "if ",
]
_HOSTILE = st.lists(st.sampled_from(_PIECES), max_size=200).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_HOSTILE)
def test_hostile_text_never_crashes(text: str) -> None:
    for c in parse_criteria(text):
        assert c.kind in ("inclusion", "exclusion") and c.rule is not None


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=2000))
def test_random_unicode_never_crashes(text: str) -> None:
    c = parse_item(text, "exclusion")
    assert c.status in ("parsed", "needs_review")


def test_huge_and_pathological_text_is_bounded() -> None:
    cases = [
        "ANC " + "≥ 1.5 " * 20000,
        "(" * 50000 + "platelets > 100" + ")" * 50000,
        "1" * 200000,
        ("Hemoglobin > 9 g/dL, " * 3000),
        "- within " + "1-" * 30000 + " months\n" * 10,
        "x" * 500000,
    ]
    for text in cases:
        t0 = time.perf_counter()
        parse_criteria(text)
        parse_item(text, "inclusion")
        assert time.perf_counter() - t0 < 5.0


@pytest.mark.parametrize(
    ("kind", "text", "want"),
    [
        ("exclusion", "Prior PRRT is not allowed", "has prrt"),
        ("inclusion", "Patients may have received prior somatostatin analog therapy", "admin: allowed"),
        (
            "exclusion",
            "Patients with neuroendocrine carcinoma (NEC) or Ki-67 > 55%",
            "(has nen.nec OR cancer.ki67_percent > 55 %)",
        ),
        ("inclusion", "Patients with CNS metastases are ineligible", "NOT has cns_metastases"),
        ("inclusion", "Note: newly obtained biopsy is preferable", "review: a note, not a criterion"),
        (
            "inclusion",
            "Serum total bilirubin =< 1.5 x ULN OR direct bilirubin =< ULN for patients with total bilirubin levels > 1.5 ULN",
            "(lab.bilirubin <= 1.5 x ULN OR lab.direct_bilirubin <= 1 x ULN)",
        ),
        (
            "inclusion",
            "AST (SGOT) and ALT (serum glutamic pyruvate transaminase [SGPT]) =< 2.5 x ULN",
            "(lab.ast <= 2.5 x ULN AND lab.alt <= 2.5 x ULN)",
        ),
        (
            "exclusion",
            "Toxicity from prior radiation therapy has not resolved to grade 1 or less",
            "has toxicity_unresolved",  # not "has radiotherapy": that would exclude anyone ever irradiated
        ),
        (
            "exclusion",
            "History of myocardial infarction, unstable angina, or stroke within 6 months",
            "(has mi within 6 months OR has unstable_angina within 6 months OR has stroke within 6 months)",
        ),
    ],
)
def test_generalisation_guards(kind: str, text: str, want: str) -> None:
    assert rule_of(text, kind) == want


def test_conditions_any_of_keeps_the_general_disease() -> None:
    t = Trial(id="Y", conditions=["Lung Cancer", "Small Cell Lung Carcinoma"], eligibility=Eligibility())
    rules = [render_rule(c.rule) for c in trial_criteria(t) if c.rule is not None and c.source == "title"]
    assert rules == ["has lung_cancer"]


def test_cohort_labels_bind_only_their_cohort() -> None:
    c = parse_item("Gastric Cancer: Must have failed a platinum-containing chemotherapy regime.", "inclusion")
    assert render_rule(c.rule).startswith("IF has gastric_cancer THEN")
    e = parse_item("For Cohort 2: Active autoimmune disease that might deteriorate", "exclusion")
    assert render_rule(e.rule) == "(has autoimmune_disease AND review: cohort-specific)"
