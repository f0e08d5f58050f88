"""Local / locoregional therapy: a treatment of the tumour where it is, not liver-directed therapy;
named with the forms it takes ("with surgery and/or radiation"), it is those forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from trialmatch.criteria import parse_item
from trialmatch.criteria.rules import Has, Rule
from trialmatch.matching.evaluate import compile_rule
from trialmatch.patients.derive import PatientFacts
from trialmatch.patients.model import Patient
from trialmatch.vocab.concepts import is_a

LOCOREGIONAL = (
    "Patients with locoregional disease that have not received appropriate standard locoregional therapy "
    "with surgery and/or radiation therapy"
)


def _has(rule: Rule | None) -> list[Has]:
    if isinstance(rule, Has):
        return [rule]
    if rule is None:
        return []
    subs = list(getattr(rule, "args", ())) + [
        getattr(rule, k, None) for k in ("arg", "cond", "then", "else_")
    ]
    return [h for a in subs if isinstance(a, Rule) for h in _has(a)]


def _concepts(text: str, kind: str = "exclusion") -> set[str]:
    return {h.concept for h in _has(parse_item(text, kind).rule)}


def _value(text: str, **patient: Any) -> bool | None:
    base: dict[str, Any] = {
        "age": 72,
        "sex": "male",
        "cancer": {"name": "Merkel cell carcinoma", "metastatic": False},
        "treatments": [],
        "procedures": [],
    }
    facts = PatientFacts.build(Patient.model_validate({**base, **patient}), dt.date(2026, 11, 1))
    rule = parse_item(text, "exclusion").rule
    assert rule is not None
    return compile_rule(rule)(facts)


def test_local_therapy_with_its_forms_is_those_forms() -> None:
    assert _concepts(LOCOREGIONAL) == {"surgery", "radiotherapy"}
    surgery = [h for h in _has(parse_item(LOCOREGIONAL, "exclusion").rule) if h.concept == "surgery"]
    assert surgery[0].kinds[0] == "procedure"  # surgery is among the patient's procedures
    assert _concepts("Local treatment (e.g., surgery, cryotherapy) to any study lesion within 4 weeks") >= {
        "surgery"
    }


def test_a_patient_treated_by_surgery_alone_is_not_excluded() -> None:
    excision = {"name": "wide local excision", "kind": "surgery", "date": "2025-06-10"}
    radiation = {"name": "adjuvant radiotherapy", "kind": "radiotherapy", "date": "2025-08-01"}
    assert _value(LOCOREGIONAL, procedures=[excision]) is False
    assert _value(LOCOREGIONAL, procedures=[radiation]) is False
    assert _value(LOCOREGIONAL) is True  # locoregional disease never treated locally: excluded
    metastatic = {"name": "Merkel cell carcinoma", "metastatic": True}
    assert _value(LOCOREGIONAL, cancer=metastatic) is False


def test_local_therapy_alone_is_not_liver_directed_but_includes_it() -> None:
    assert _concepts("Local therapy to liver within 28 days prior to initiation of study treatment") == {
        "local_therapy"
    }
    assert is_a("liver_directed_therapy", "local_therapy")
    # another local therapy beside named ones is not defined by them (near miss)
    text = "Have received radiation therapy, major surgery, other locoregional therapy, within 4 weeks"
    assert "local_therapy" in _concepts(text)
    assert "liver_directed_therapy" not in _concepts(LOCOREGIONAL)
    assert _concepts("Prior TACE within 4 weeks") == {"liver_directed_therapy"}


def test_a_failure_named_only_in_a_permission_is_no_requirement() -> None:
    text = (
        "At least 1 measurable lesion that has not been previously treated with locoregional therapy. A "
        "participant with a lesion that has previously been treated with locoregional therapy is also "
        "eligible, if the lesion has documented progression after locoregional treatment."
    )
    rule = parse_item(text, "inclusion").rule
    assert "permission with conditions" in repr(rule)
    assert not any(h.qualifiers for h in _has(rule))  # no "progressed on local therapy" required
