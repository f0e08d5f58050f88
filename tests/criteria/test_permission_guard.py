"""An exclusion item that allows its patients under conditions the rule does not read excludes none
of them for sure: a patient without what it names stays unaffected, one with it is a question
(``criteria/permission.py``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from trialmatch.criteria import parse_criteria, parse_item
from trialmatch.criteria.permission import PERMISSION_REASON, permission_span
from trialmatch.criteria.rules import And, Has, Not, Or, Review, Rule
from trialmatch.matching.evaluate import compile_rule
from trialmatch.patients.derive import PatientFacts
from trialmatch.patients.model import Patient

CNS_JOINED = "\n\n ".join(
    [
        "Exclusion Criteria:",
        "The patient has central nervous system (CNS) involvement. If the patient fulfills the "
        "following 3 criteria, she/he is eligible for the study:",
        "Completed prior therapy (including radiation and/or surgery) for CNS metastases, and",
        "CNS tumor is radiologically stable for ≥28 days prior to study start, and",
        "The patient is not receiving steroids and enzyme-inducing antiepileptic medications for brain "
        "metastases.",
        "Type 1 diabetes mellitus.\n",
    ]
)
HEPATITIS = (
    "Known HIV infection, hepatitis B or hepatitis C. Patients positive for hepatitis C virus (HCV) "
    "antibody are eligible only if polymerase chain reaction (PCR) is negative for HCV RNA."
)
SUBGROUP = (
    "Known brain or CNS metastases. Patients with brain metastases are eligible if they completed "
    "radiotherapy at least 4 weeks before and are off steroids."
)


def _questions(rule: Rule | None) -> list[Review]:
    if isinstance(rule, Review):
        return [rule] if rule.reason == PERMISSION_REASON else []
    if isinstance(rule, Not):
        return _questions(rule.arg)
    return [q for a in getattr(rule, "args", ()) for q in _questions(a)]


def _value(rule: Rule, **patient: Any) -> bool | None:
    base: dict[str, Any] = {"age": 60, "sex": "female", "conditions": [], "treatments": []}
    facts = PatientFacts.build(Patient.model_validate({**base, **patient}), dt.date(2026, 11, 1))
    return compile_rule(rule)(facts)


def test_joined_conditions_make_the_permitted_patients_a_question() -> None:
    cns, diabetes = parse_criteria(CNS_JOINED)
    assert cns.status == "needs_review" and isinstance(cns.rule, And)
    (q,) = _questions(cns.rule)
    assert q.question is not None and "radiologically stable" in q.question  # it names the conditions
    assert Has("cns_metastases", kinds=("metastasis", "condition")) in cns.rule.args
    # no CNS involvement: not excluded; CNS metastases: a question, never "excluded"
    assert _value(cns.rule, cancer={"name": "breast cancer", "metastasis_sites": ["liver"]}) is False
    assert _value(cns.rule, cancer={"name": "breast cancer", "metastasis_sites": ["brain"]}) is None
    assert diabetes.status == "parsed" and not _questions(diabetes.rule)


def test_only_the_part_the_permission_names_is_lifted() -> None:
    rule = parse_item(HEPATITIS, "exclusion").rule
    assert isinstance(rule, Or)
    guarded = [a for a in rule.args if _questions(a)]
    assert len(guarded) == 1 and isinstance(guarded[0], And)
    assert guarded[0].args[0] == Has("hcv", kinds=("condition",))
    assert _value(rule, conditions=[{"name": "HIV infection"}]) is True  # still excluded
    assert _value(rule, conditions=[{"name": "hepatitis C"}]) is None
    assert _value(rule, cancer={"name": "lung cancer", "metastasis_sites": ["liver"]}) is False


def test_a_kind_of_what_is_excluded_is_lifted_for_that_kind_only() -> None:
    rule = parse_item(SUBGROUP, "exclusion").rule
    assert _questions(rule)
    assert _value(rule, cancer={"name": "lung cancer", "metastasis_sites": ["brain"]}) is None
    assert _value(rule, conditions=[{"name": "leptomeningeal disease"}]) is not False
    assert _value(rule, cancer={"name": "lung cancer", "metastasis_sites": ["liver"]}) is False


def test_permissions_read_into_the_rule_or_about_the_rest_stay() -> None:
    # the rule already excludes only active metastases; the permission is about the others
    active = parse_item(
        "Known active CNS metastases. Participants with previously treated brain metastases may "
        "participate provided they are stable.",
        "exclusion",
    )
    assert not _questions(active.rule) and active.status == "parsed"
    # a window narrows the rule to recent malignancies; the permission is about older ones
    window = parse_item(
        "Prior malignancy within 5 years. Participants with malignancies occurring more than 5 years "
        "prior to study entry are permitted if curatively treated",
        "exclusion",
    )
    assert not _questions(window.rule)
    # no condition: a plain permission is no question of this kind
    plain = parse_item("Known brain metastases. Treated, stable brain metastases are allowed.", "exclusion")
    assert not _questions(plain.rule)
    # a permission about something the rule does not test (and no pronoun for the item's subject)
    other = parse_item(
        "Known leptomeningeal disease. Patients with discrete pulmonary parenchymal metastases are "
        "eligible, provided their respiratory function is not compromised.",
        "exclusion",
    )
    assert not _questions(other.rule)


def test_the_permission_sentence_is_found_after_the_first() -> None:
    assert permission_span("Patients with HIV are eligible if CD4 > 350.") is None  # the first sentence
    t = "Known HIV infection. Patients with HIV are eligible if CD4 count > 350; other infections are not."
    span = permission_span(t)
    assert span is not None and t[span[0] : span[1]].startswith("Patients with HIV are eligible if")
    assert permission_span("Known HIV infection. Patients with HIV are not eligible if CD4 < 200.") is None
    assert permission_span("Known HIV infection. Patients with treated HIV are eligible.") is None
    assert parse_item("Known HIV infection (eligible if CD4 > 350)", "exclusion").status == "parsed"
