"""The vitals rule names the patient's own source when a vital sign is missing, as the lab rule does
(not "the note" for a profile or a FHIR record)."""

from __future__ import annotations

import pytest

from trialmatch.matching.judge import context_for, judge
from trialmatch.matching.judge_vitals import rule_vitals


@pytest.mark.parametrize(
    ("source_format", "source"),
    [("profile", "The patient profile"), ("fhir", "The patient record")],
)
def test_missing_vital_names_the_patients_source(source_format: str, source: str) -> None:
    ctx = context_for({"age": 60, "sex": "female", "source_format": source_format})
    for criterion, name in (("BMI < 30", "BMI"), ("Systolic blood pressure < 160 mmHg", "systolic")):
        d = rule_vitals(ctx, criterion, "inclusion")
        assert d is not None and d.verdict == "unknown" and d.rule == "vital_missing"
        assert d.explanation.startswith(f"{source} gives no "), d.explanation
        assert name.lower() in d.explanation.lower() and "note" not in d.explanation
    assert rule_vitals(ctx, "BMI < 30", "exclusion") is None  # a missing vital does not exclude


def test_missing_vital_in_a_note_names_the_note() -> None:
    ctx = context_for("A 60-year-old woman with breast cancer.")
    d = rule_vitals(ctx, "BMI < 30", "inclusion")
    assert d is not None and d.explanation == "The note gives no BMI."
    assert judge(ctx, "BMI < 30", "inclusion").explanation == "The note gives no BMI."


def test_a_given_vital_is_compared() -> None:
    r = judge("A 60-year-old woman. BMI 27.", "BMI < 30", "inclusion")
    assert r.verdict == "met" and "27" in r.explanation
