"""The matcher's lab explanations name the lab as the judge does ("ALT", not the key "alt"), show a
value without a unit as just the value (no stray " :"), and keep the evidence fields unchanged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from trialmatch.criteria.model import Criterion
from trialmatch.criteria.rules import Compare
from trialmatch.matching.evaluate import evaluate_criterion
from trialmatch.matching.evaluate_leaves import compare_leaf
from trialmatch.patients.derive import PatientFacts
from trialmatch.patients.model import Patient

AS_OF = dt.date(2026, 11, 1)
ULN = Compare("lab.alt", "<=", 2.5, ref="uln")


def facts(*labs: dict[str, Any]) -> PatientFacts:
    return PatientFacts.build(Patient.model_validate({"age": 60, "sex": "female", "labs": list(labs)}), AS_OF)


@pytest.mark.parametrize(
    "lab",
    [{"name": "alt", "value": 50}, {"name": "ALT", "value": 50}, {"loinc": "1742-6", "value": 50}],
)
def test_no_uln_without_a_unit_names_the_lab_and_has_no_stray_colon(lab: dict[str, Any]) -> None:
    out = compare_leaf(ULN, facts(lab))
    assert out.value is None
    assert out.explanation == "ALT 50: no ULN given"
    assert out.evidence == [{"fact": "lab.alt", "value": 50.0, "unit": None}]
    assert out.missing == ["lab.alt.uln"]


def test_no_uln_with_a_unit() -> None:
    out = compare_leaf(ULN, facts({"name": "alt", "value": 50, "unit": "U/L"}))
    assert out.explanation == "ALT 50 U/L: no ULN given"


def test_multiple_of_uln_and_conversion_name_the_lab() -> None:
    out = compare_leaf(ULN, facts({"name": "alt", "value": 50, "unit": "U/L", "uln": 40}))
    assert out.value is True
    assert out.explanation == "ALT 50 U/L = 1.25 x ULN (40); required ≤ 2.5 x ULN"
    assert set(out.evidence[0]) == {"fact", "value", "unit", "how"} and out.evidence[0]["unit"] == "x ULN"
    out = compare_leaf(
        Compare("lab.alt", "<=", 100, "g/dL"), facts({"name": "alt", "value": 50, "unit": "U/L"})
    )
    assert out.explanation == "ALT 50 U/L: cannot convert to g/dL"
    out = compare_leaf(
        Compare("lab.hemoglobin", ">=", 8, "g/dL"), facts({"name": "hgb", "value": 75, "unit": "g/L"})
    )
    assert (
        out.value is False and out.explanation == "HGB 7.5 g/dL; required ≥ 8 g/dL"
    )  # as the judge writes hgb
    assert compare_leaf(Compare("lab.alt", "<=", 100, "U/L"), facts()).explanation == "ALT not known"


def test_a_name_the_patient_wrote_is_kept() -> None:
    lab = {"name": "alanine aminotransferase", "value": 50, "unit": "U/L", "uln": 40}
    assert compare_leaf(ULN, facts(lab)).explanation.startswith(
        "alanine aminotransferase 50 U/L = 1.25 x ULN"
    )


def test_unitless_rule_and_value_have_no_trailing_space() -> None:
    out = compare_leaf(Compare("lab.inr", "<=", 1.5), facts({"name": "INR", "value": 1.2}))
    assert out.value is True and out.explanation == "INR 1.2; required ≤ 1.5"


def test_criterion_result_fields_are_unchanged() -> None:
    r = evaluate_criterion(
        Criterion("inclusion", "ALT <= 2.5 x ULN", rule=ULN), facts({"name": "alt", "value": 50})
    )
    assert r.verdict == "unknown"
    assert "ALT 50: no ULN given" in r.explanation and " :" not in r.explanation
    assert r.evidence == [{"fact": "lab.alt", "value": 50.0, "unit": None}]
