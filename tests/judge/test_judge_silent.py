"""Silent exclusions by kind of item (judge_rules.yaml ``silent_exclusion``), on hand-written pairs."""

from __future__ import annotations

import pytest

from trialmatch.matching.judge import context_for, judge
from trialmatch.matching.judge_silent import measured_head

NOTE = (
    "A 55-year-old man presents with a painful swollen knee for two days. "
    "He has a history of gout and takes allopurinol. "
    "The patient will provide informed consent."
)


@pytest.fixture(scope="module")
def ctx():  # type: ignore[no-untyped-def]
    return context_for(NOTE)


@pytest.mark.parametrize(
    "text",
    [
        "Serum potassium above 5.5 mmol/L",
        "Patients with an estimated glomerular filtration rate below 45 mL/min",
        "Body weight over 150 kg or under 40 kg" + " (> 150 kg)",
        "The patient has total bilirubin greater than 2 times the upper limit of normal",
        "Abnormal blood counts (hemoglobin < 9 g/dl)",
    ],
)
def test_bare_measured_value_silent_is_unknown(ctx, text) -> None:  # type: ignore[no-untyped-def]
    r = judge(ctx, text, "exclusion")
    assert r.verdict == "unknown", (text, r)
    assert r.rule == "silent_measured_value"


@pytest.mark.parametrize(
    "text",
    [
        "Severe liver disease (bilirubin > 3 mg/dl)",  # a named condition defined by a value
        "Chronic kidney failure requiring dialysis",
        "Hemoglobinopathy",  # no bound: a diagnosis
    ],
)
def test_named_condition_silent_is_not_excluded(ctx, text) -> None:  # type: ignore[no-untyped-def]
    assert judge(ctx, text, "exclusion").verdict == "not_met"


def test_inclusions_and_reported_values_untouched() -> None:
    assert measured_head("Platelets < 50,000/uL") == "platelets"
    assert measured_head("Platelet transfusion in the last week") is None
    noted = context_for("A 40-year-old woman. Her potassium is normal.")
    assert judge(noted, "Serum potassium above 5.5 mmol/L", "exclusion").rule != "silent_measured_value"
    assert judge(NOTE, "Serum potassium above 5.5 mmol/L", "inclusion").rule != "silent_measured_value"


def test_empty_exclusion_excludes_no_one(ctx) -> None:  # type: ignore[no-untyped-def]
    assert judge(ctx, "None", "exclusion").verdict == "not_met"
    assert judge(ctx, "", "exclusion").verdict == "not_met"
    assert judge(ctx, "", "inclusion").verdict == "unknown"


def test_a_mass_is_not_a_diagnosed_cancer() -> None:
    c = context_for("A 61-year-old man with cough; chest x-ray shows a right lung mass.")
    assert judge(c, "Patients with lung cancer", "inclusion").verdict == "unknown"
    c2 = context_for("A 61-year-old man with biopsy-proven adenocarcinoma of the lung.")
    assert judge(c2, "Patients with lung cancer", "inclusion").verdict == "met"


def test_emergency_room_is_the_emergency_department() -> None:
    c = context_for(
        "A 19-year-old man presents to the ER with right lower quadrant pain; the appendix is inflamed."
    )
    assert (
        judge(c, "Referred from the emergency department for suspected appendicitis", "inclusion").verdict
        == "met"
    )


def test_initial_value_is_the_first_the_note_gives() -> None:
    note = "A 27-year-old woman has a hemoglobin of 9.5 g/dL. A week later her hemoglobin is 8.1 g/dL."
    assert judge(note, "Initial hemoglobin < 90 g/L", "exclusion").verdict == "not_met"
    assert judge(note, "Hemoglobin < 90 g/L", "exclusion").verdict == "met"  # the latest value
