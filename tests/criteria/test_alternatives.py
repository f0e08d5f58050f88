"""Items enumerating alternative diseases, each with conditions of its own (criteria/alternatives.py):
an Or over the entries, each entry's conditions inside it, never the rule of the whole item."""

from __future__ import annotations

import datetime as dt
from typing import Any

from trialmatch.criteria import parse_criteria
from trialmatch.criteria.alternatives import alternatives_rule, list_entries
from trialmatch.criteria.parse import parse_item
from trialmatch.criteria.rules import And, Compare, Has, Is, Not, Or, Review, Rule
from trialmatch.matching.evaluate import compile_rule
from trialmatch.patients.derive import PatientFacts
from trialmatch.patients.model import Patient

#: the item of NCT05000294 (atezolizumab + tivozanib), abridged only where marked
NCT05000294 = (
    "A clinical diagnosis consistent with stage IV immunogenically cold or otherwise incurable cancer "
    "of one of the following histologies: i) bile duct or gallbladder cancer ii) Metastatic breast "
    "cancer, HR-negative HER2-positive, who have received at least 3 lines of therapy for disease "
    "progression that includes: trastuzumab, pertuzumab/trastuzumab, and ado-trastuzumab emtansine "
    "iii) neuroendocrine cancer with the following pathological characteristics: grade 2 or 3; well- "
    "or moderately- differentiated (Grades 1, 4, and poorly differentiated neuroendocrine pathologies "
    "are not eligible) iv) pancreatic adenocarcinoma v) soft tissue sarcoma vi) prostate cancer "
    "subjects who are castrate-resistant (testosterone ≤ 50 ng/dL) and have progressed on, declined, "
    "or are intolerant to other standard of care therapies. vii) vulvar cancer"
)

AS_OF = dt.date(2026, 11, 1)


def _value(rule: Rule, **cancer: Any) -> bool | None:
    p = {"age": 61, "sex": "male", "cancer": {"stage": {"group": "IV"}, "metastatic": True, **cancer}}
    return compile_rule(rule, True)(PatientFacts.build(Patient.model_validate(p), AS_OF))


def _leaves(rule: Rule) -> list[Rule]:
    if isinstance(rule, (And, Or)):
        return [x for a in rule.args for x in _leaves(a)]
    if isinstance(rule, Not):
        return [rule, *_leaves(rule.arg)]
    return [rule]


def test_entries_inline_in_sequence() -> None:
    found = list_entries(NCT05000294)
    assert found is not None
    lead, entries, tail = found
    assert lead.endswith("one of the following histologies:")
    assert [e.split()[0] for e in entries] == [
        "bile",
        "Metastatic",
        "neuroendocrine",
        "pancreatic",
        "soft",
        "prostate",
        "vulvar",
    ]
    assert tail == ""
    # "(i.e. ..." and "Grades 1, 4" are no markers; a lone "i)" makes no list
    assert list_entries("Cancer of one of the following types: i) melanoma") is None


def test_conditions_stay_in_their_entry() -> None:
    crit = parse_item(NCT05000294, "inclusion")
    rule = crit.rule
    assert not isinstance(rule, Compare)  # it was read as lab.testosterone <= 50 for everyone
    assert crit.status == "needs_review"  # the unread entries and conditions stay for a person
    leaves = _leaves(rule)
    assert Not(Is("cancer.grade", ("G1", "G4"))) in leaves
    assert Not(Is("cancer.differentiation", ("poorly",))) in leaves
    # the testosterone limit is And-ed with the prostate diagnosis, not with the whole item
    prostate = next(a for a in _leaves_and(rule) if Has("prostate_cancer", kinds=("diagnosis",)) in a.args)
    assert any(isinstance(x, Compare) and x.var == "lab.testosterone" for x in prostate.args)


def _leaves_and(rule: Rule) -> list[And]:
    out: list[And] = []
    if isinstance(rule, And):
        out.append(rule)
    if isinstance(rule, (And, Or)):
        for a in rule.args:
            out.extend(_leaves_and(a))
    return out


def test_verdicts_per_entry() -> None:
    whole = parse_item(NCT05000294, "inclusion").rule
    assert isinstance(whole, And) and isinstance(whole.args[-1], Or)
    # the lead ("immunogenically cold or otherwise incurable") is left to a person
    assert _value(whole, name="pancreatic neuroendocrine tumour", differentiation="well", grade="G2") is None
    rule = whole.args[-1]  # the entries
    net = {"name": "pancreatic neuroendocrine tumour", "differentiation": "well"}
    assert _value(rule, **net, grade="G2") is True
    assert _value(rule, **net, grade="G1") is False  # grade 1 is not eligible
    nec = {"name": "neuroendocrine carcinoma", "differentiation": "poorly", "grade": "G3"}
    assert _value(rule, **nec) is False  # poorly differentiated is not eligible
    assert _value(rule, name="cholangiocarcinoma") is True  # no testosterone asked of it
    assert _value(rule, name="vulvar squamous cell carcinoma") is None  # an unread entry: unknown
    assert _value(rule, name="prostate adenocarcinoma") is None  # its conditions are left to a person


def test_sub_items_as_entries() -> None:
    text = (
        "Inclusion Criteria:\n- Histologically confirmed cancer of one of the following histologies:\n"
        "    - a) biliary tract cancer\n"
        "    - b) neuroendocrine tumour grade 2 or 3 (grade 1 is not eligible)\n"
        "    - c) prostate cancer with testosterone <= 50 ng/dL\n"
    )
    (crit,) = parse_criteria(text)
    assert isinstance(crit.rule, Or)
    assert Has("biliary_cancer", kinds=("diagnosis",)) in crit.rule.args
    assert any(Not(Is("cancer.grade", ("G1",))) in _leaves(a) for a in crit.rule.args)
    assert all(not isinstance(a, Compare) for a in crit.rule.args)


def test_near_misses_unchanged() -> None:
    # a list of non-diseases, a list with one cancer, an exclusion list: not read here
    assert (
        alternatives_rule("Any of the following laboratory parameters: 1. ANC < 1.5 2. platelets < 100")
        is None
    )
    assert alternatives_rule("One of the following: a) melanoma b) prior surgery within 4 weeks") is None
    assert alternatives_rule("Diagnosis of melanoma, NSCLC or renal cell carcinoma") is None
    crit = parse_item("History of one of the following cancers: a) melanoma b) breast cancer", "exclusion")
    assert not any(
        isinstance(x, Review) and x.reason == "conditions of a list entry" for x in _leaves(crit.rule)
    )


def test_markers_must_run_in_sequence() -> None:
    text = "Cancer of one of the following types: a) melanoma (stage 3) c) NSCLC b) renal cell carcinoma"
    found = list_entries(text)
    assert found is not None
    # a) then b): "c)" is out of sequence and stays inside entry a
    assert found[1] == ["melanoma (stage 3) c) NSCLC", "renal cell carcinoma"]
    assert list_entries("One of the following (i.e. a) melanoma)") is None


def test_limit_of_one_alternative_is_not_the_whole_item() -> None:
    text = (
        "Evidence of progression by one of the following: (a) PSA progression with PSA >= 2 ng/mL; "
        "(b) new bone lesions on bone scan; (c) soft tissue progression by RECIST"
    )
    crit = parse_item(text, "inclusion")
    assert crit.status == "needs_review"
    assert isinstance(crit.rule, And) and isinstance(crit.rule.args[0], Review)  # the lead
    either = crit.rule.args[-1]
    assert isinstance(either, Or) and len(either.args) == 3
    psa = either.args[0]
    assert isinstance(psa, And) and any(isinstance(x, Compare) and x.var == "lab.psa" for x in psa.args)
    # the same limits as an exclusion list, or a list whose every entry is a limit, read as before
    every = "One of the following: 1) PSA >= 2 ng/mL 2) testosterone <= 50 ng/dL"
    assert parse_item(every, "inclusion").note != "limits of one alternative"
    assert all(not isinstance(x, Review) for x in _leaves(parse_item(text, "exclusion").rule))


def test_lead_after_the_cue_binds_every_entry() -> None:
    text = (
        "Patients must have one of the following diagnoses which has not responded to at least one prior "
        "chemotherapy regimen: glioblastoma; primary CNS lymphoma; anaplastic astrocytoma"
    )
    sub = text.replace(": ", ":\n    - ").replace("; ", "\n    - ")
    crit = parse_criteria(f"Inclusion Criteria:\n- {sub}\n")[0]
    assert len(crit.parts) == 3
    assert isinstance(crit.rule, And)
    lead = crit.rule.args[0]
    assert isinstance(lead, Review) and "not responded" in (lead.question or "")
    # a glioma patient is not confidently eligible: the prior-therapy condition is left to a person
    assert _value(crit.rule, name="glioblastoma") is None
    assert _value(crit.rule, name="pancreatic adenocarcinoma") is False

    # the first entry on the lead's line is an entry, not a condition of the lead
    first_inline = parse_criteria(f"Inclusion Criteria:\n- {text.replace('; ', chr(10) + '    - ')}\n")[0]
    assert len(first_inline.parts) == 2
    assert _value(first_inline.rule, name="primary CNS lymphoma") is None  # not False: lymphoma is an entry


def test_a_list_lead_is_no_header() -> None:
    text = (
        "Inclusion Criteria:\n- Patients must have one of the following diagnoses:\n"
        "    - glioblastoma\n    - primary CNS lymphoma\n"
    )
    # the lead is an item, not a header making each diagnosis a requirement of its own
    (crit,) = parse_criteria(text)
    assert crit.parts == ["glioblastoma", "primary CNS lymphoma"]
    assert isinstance(crit.rule, Or)
    # a sentence header that asks for all of its items stays a header
    every = "Inclusion Criteria:\n- Patients must have:\n    - glioblastoma\n    - ECOG 0-1\n"
    assert [c.text for c in parse_criteria(every)] == ["glioblastoma", "ECOG 0-1"]


def test_entries_joined_by_semicolons() -> None:
    text = "Cancer of one of the following types: melanoma; renal cell carcinoma (clear cell); vulvar cancer"
    found = list_entries(text)
    assert found is not None
    assert found[1] == ["melanoma", "renal cell carcinoma (clear cell)", "vulvar cancer"]
    rule = parse_item(text, "inclusion").rule
    assert _value(rule, name="melanoma") is True
    assert _value(rule, name="vulvar squamous cell carcinoma") is None


def test_a_review_inside_a_cohort_condition_makes_the_item_needs_review() -> None:
    """An item whose rule is If(cohort, ... Review ...) has a part no reader understood: its status
    says so, like a Review anywhere else in the rule."""
    from trialmatch.criteria.parse import parse_item
    from trialmatch.criteria.rules import If

    text = (
        "The patient has one of the following types of indolent B-cell lymphoma: follicular lymphoma "
        "grade 1, 2, or 3A; marginal zone lymphoma; small lymphocytic lymphoma"
    )
    crit = parse_item(text, "inclusion", [], scope="Lymphoma cohort")
    assert isinstance(crit.rule, If) and "Review(" in repr(crit.rule.then)
    assert crit.status == "needs_review"
