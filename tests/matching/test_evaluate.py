"""Three-valued evaluation with hand-built rules: labs, ULN, absence, windows, admin, applies_if."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from trialmatch.criteria.model import Criterion
from trialmatch.criteria.rules import Admin, And, Compare, Flag, Has, If, Is, Not, Or, Review, Window
from trialmatch.matching.evaluate import compile_rule, evaluate_criterion, explain_rule
from trialmatch.patients.derive import PatientFacts
from trialmatch.patients.model import Patient

AS_OF = dt.date(2026, 11, 1)
BASE: dict[str, Any] = {
    "age": 58,
    "sex": "female",
    "cancer": {
        "name": "neuroendocrine carcinoma",
        "grade": "G3",
        "primary_site": "pancreas",
        "metastasis_sites": ["lymph nodes"],
        "stage": {"group": "IIIB"},
    },
    "performance_status": {"ecog": 1},
    "vitals": {"weight_kg": 65},
    "labs": [
        {"name": "ALT", "value": 150, "unit": "U/L", "uln": 40},
        {"name": "AST", "value": 30, "unit": "U/L"},
        {"name": "creatinine", "value": 1.8, "unit": "mg/dL", "uln": 1.1},
        {"name": "hemoglobin", "value": 75, "unit": "g/L"},
    ],
    "conditions": [
        {"name": "deep vein thrombosis", "onset_date": "2026-08-01"},
        {"name": "myocardial infarction", "onset_date": "2023-10-01", "status": "resolved"},
    ],
    "medications": [{"name": "dexamethasone", "ongoing": False, "end_date": "2026-10-22"}],
    "treatments": [
        {
            "name": "etoposide + cisplatin",
            "kind": "chemotherapy",
            "line": 1,
            "outcome": "progression",
            "end_date": "2026-08-20",
        }
    ],
    "other_cancers": [],
}


def facts(**change: Any) -> PatientFacts:
    return PatientFacts.build(Patient.model_validate({**BASE, **change}), AS_OF)


def both(rule: Any, f: PatientFacts, admin: bool = True) -> Any:
    fast = compile_rule(rule, admin)(f)
    full = explain_rule(rule, f, admin).value
    assert fast == full, (fast, full)
    return fast


def test_labs_units_and_uln() -> None:
    f = facts()
    assert both(Compare("lab.hemoglobin", ">=", 8, "g/dL"), f) is False  # 75 g/L = 7.5 g/dL
    assert both(Compare("lab.alt", "<=", 2.5, ref="uln"), f) is False  # 3.75 x ULN
    assert both(Compare("lab.alt", "<=", 5, ref="uln"), f) is True
    assert both(Compare("lab.ast", "<=", 2.5, ref="uln"), f) is None  # no ULN given -> unknown
    assert both(Compare("lab.platelets", ">=", 100, "10*9/L"), f) is None  # missing lab
    out = explain_rule(Compare("lab.ast", "<=", 2.5, ref="uln"), f)
    assert out.missing and "uln" in out.missing[0].lower()


def test_or_with_cockcroft_gault() -> None:
    crea = Or((Compare("lab.creatinine", "<=", 1.5, ref="uln"), Compare("lab.crcl", ">", 60, "mL/min")))
    assert both(crea, facts()) is False  # 1.64 x ULN and CrCl ~ 35
    assert both(crea, facts(age=40, sex="male", vitals={"weight_kg": 110})) is True  # CrCl ~ 85


def test_conditional_limit() -> None:
    rule = If(
        Has("liver_metastases", kinds=("metastasis",)),
        Compare("lab.alt", "<=", 5, ref="uln"),
        Compare("lab.alt", "<=", 2.5, ref="uln"),
    )
    assert both(rule, facts()) is False
    liver = {**BASE["cancer"], "metastasis_sites": ["liver"]}
    assert both(rule, facts(cancer=liver)) is True


def test_absence_known_only_when_list_given() -> None:
    hiv = Has("hiv", kinds=("condition",))
    assert both(hiv, facts()) is False  # conditions given, none matching
    assert both(hiv, facts(conditions=None)) is None  # not given: unknown
    assert both(Has("cancer", kinds=("other_cancer",)), facts()) is False
    assert both(Has("penicillin", kinds=("allergy",)), facts()) is None  # allergies not given


def test_windows() -> None:
    f = facts()
    assert both(Has("dvt", kinds=("condition",), window=Window(6, "month")), f) is True
    assert both(Has("mi", kinds=("condition",), window=Window(1, "year")), f) is False
    steroids = Has("corticosteroid", kinds=("medication",), window=Window(28, "day"))
    assert both(steroids, f) is True  # stopped 10 days ago
    f2 = facts(medications=[{"name": "dexamethasone", "ongoing": False, "end_date": "2026-09-22"}])
    assert both(steroids, f2) is False


def test_categorical_flags_and_scales() -> None:
    f = facts()
    assert both(Is("sex", ("female",)), f) is True
    assert both(Is("cancer.stage_group", ("III", "IV")), f) is True  # IIIB counts as III
    assert both(Is("cancer.grade", ("G1", "G2")), f) is False
    assert both(Compare("ecog", "<=", 1), f) is True
    assert both(Compare("karnofsky", ">=", 70), f) is True  # ECOG 1 -> KPS 80-90
    assert both(Compare("karnofsky", ">=", 90), f) is None  # range straddles
    assert both(Flag("pregnant"), f) is None
    assert both(Flag("pregnant"), facts(sex="male")) is False
    assert both(Compare("prior_lines", ">=", 1), f) is True
    assert both(Not(Review("investigator judges fit", investigator=True)), f) is None


def test_admin_is_satisfied_in_either_kind() -> None:
    f = facts()
    inc = evaluate_criterion(Criterion("inclusion", "Signed informed consent", rule=Admin("consent")), f)
    exc = evaluate_criterion(Criterion("exclusion", "Unable to comply", rule=Admin("compliance")), f)
    assert inc.verdict == "met" and exc.verdict == "not_met"
    assert "enrolment" in inc.explanation


def test_applies_if_and_unparsed() -> None:
    crit = Criterion(
        "exclusion", "Women who are pregnant", rule=Flag("pregnant"), applies_if=Is("sex", ("female",))
    )
    assert evaluate_criterion(crit, facts(sex="male")).verdict == "not_applicable"
    r = evaluate_criterion(crit, facts(pregnant=True))
    assert r.verdict == "met" and r.explanation.startswith("Excluded")
    un = evaluate_criterion(Criterion("inclusion", "Something odd", rule=None), facts())
    assert un.verdict == "unknown" and un.missing


def test_evidence_carries_converted_values() -> None:
    r = evaluate_criterion(
        Criterion("inclusion", "Hb >= 8 g/dL", rule=Compare("lab.hemoglobin", ">=", 8, "g/dL")), facts()
    )
    assert r.verdict == "not_met"
    assert r.evidence[0]["value"] == pytest.approx(7.5) and r.evidence[0]["unit"] == "g/dL"


def test_and_three_valued() -> None:
    f = facts()
    assert both(And((Compare("age", ">=", 18), Compare("lab.platelets", ">=", 100))), f) is None
    assert both(And((Compare("age", ">=", 80), Compare("lab.platelets", ">=", 100))), f) is False
    assert both(Or((Compare("age", ">=", 80), Compare("lab.platelets", ">=", 100))), f) is None


def test_note_absence_and_partial_lists() -> None:
    p = Patient.model_validate(
        {
            "source_format": "note",
            "conditions": [{"name": "hypertension"}],
            "facts": [
                {
                    "kind": "condition",
                    "name": "deep vein thrombosis",
                    "status": "absent",
                    "value": {"as_written": "deep vein thrombosis"},
                }
            ],
        }
    )
    f = PatientFacts.build(p, AS_OF)
    assert both(Has("dvt", kinds=("condition",)), f) is False  # the note says no DVT
    assert both(Has("hypertension", kinds=("condition",)), f) is True
    assert both(Has("hiv", kinds=("condition",)), f) is None  # a note's list is not complete


def test_malformed_rules_are_unknown_not_crashes() -> None:
    from trialmatch.matching.match import PreparedTrial

    f = facts()
    bad = Compare("age", ">=", None)  # type: ignore[arg-type]
    assert both(bad, f) is None
    pt = PreparedTrial.from_parts(
        "T1", None, "t", "RECRUITING", [], [{"kind": "inclusion", "text": "x", "rule": {"op": "??"}}]
    )
    assert pt.criterion(0).rule is None and pt.criterion(0).note


def test_age_limits_in_months() -> None:
    f = facts(age=1.0)
    assert both(Compare("age", ">=", 6, "months"), f) is True
    assert both(Compare("age", ">=", 18, "months"), f) is False
