"""Inclusions by kind of item: subgroup requirements, symptom durations."""

from __future__ import annotations

from trialmatch.matching.judge import context_for, judge
from trialmatch.matching.judge_inclusion import duration_days

ALERT = (
    "A 45-year-old man is admitted after a fall from a ladder. He is awake and talking. "
    "He has had a cough for 3 days."
)


def test_subgroup_requirement() -> None:
    c = context_for(ALERT)
    r = judge(c, "Patients who have had a kidney transplant must be on stable immunosuppression", "inclusion")
    assert r.verdict == "not_applicable" and r.rule == "conditional_na"
    assert judge(c, "If female, must use contraception", "inclusion").verdict == "not_applicable"
    kt = context_for("A 50-year-old man who had a kidney transplant in 2019.")
    r2 = judge(
        kt, "Patients who have had a kidney transplant must be on stable immunosuppression", "inclusion"
    )
    assert r2.rule != "conditional_na"


def test_symptom_duration() -> None:
    c = context_for(ALERT)
    assert judge(c, "Cough for more than two weeks", "inclusion").verdict == "not_met"
    assert judge(c, "Cough for at least 48 hours", "inclusion").verdict == "met"
    assert duration_days("two", "week") == 14


def test_duration_without_a_note_duration_is_left_alone() -> None:
    c = context_for("A 30-year-old man with a cough.")
    assert judge(c, "Cough for more than two weeks", "inclusion").rule != "duration"
