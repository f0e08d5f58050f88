"""The judge's plain explanations: terms named as the criterion writes them, long lists shortened at a
word boundary, and a missing measurement named with its source and what exactly is missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trialmatch.matching.judge import context_for, judge
from trialmatch.matching.judge_base import shorten, term_label, term_labels
from trialmatch.patients.load import load_patient

NOTE = (
    "A 65-year-old man with metastatic colorectal cancer. He has progressive disease after "
    "chemotherapy. No history of myocardial infarction."
)


def test_concept_explanation_names_whole_words_not_stems() -> None:
    r = judge(NOTE, "Progressive disease after chemotherapy", "inclusion")
    assert r.verdict == "met"
    assert "chemotherapy" in r.explanation and "chemotherapi" not in r.explanation
    assert "progressive" in r.explanation
    r = judge(NOTE, "No prior chemotherapy regimens", "inclusion")
    assert "chemotherapy regimens" in r.explanation


def test_term_label_keeps_abbreviations_and_other_keys() -> None:
    assert term_label("w:chemotherapi", "Prior Chemotherapy") == "chemotherapy"
    assert term_label("w:uln", "ALT <= 2.5 x ULN") == "ULN"
    assert term_label("w:chemotherapi") == "chemotherapi"  # without the text there is only the key
    assert term_label("c:mi|syn:myocardial infarction") == "myocardial infarction"
    assert term_label("syn:heart_failure") == "heart failure"


def test_shorten_cuts_at_a_word_boundary_with_an_ellipsis() -> None:
    text = "alpha beta gamma delta epsilon"
    assert shorten(text, 100) == text
    out = shorten(text, 14)
    assert out == "alpha beta…"
    assert len(out) <= 14
    assert shorten("alpha, beta, gamma", 13) == "alpha, beta…"  # no dangling comma
    long = ", ".join(f"condition{i}" for i in range(40))
    named = term_labels([f"w:condition{i}" for i in range(40)], long)
    assert named.endswith("…") and len(named) <= 120
    assert named[:-1].split(", ")[-1].startswith("condition")  # the last word shown is whole
    assert all(w in long.split(", ") for w in named[:-1].split(", "))


@pytest.fixture()
def profile(tmp_path: Path) -> Path:
    path = tmp_path / "p.json"
    path.write_text(
        json.dumps({"age": 60, "sex": "female", "labs": [{"name": "ALT", "value": 40, "unit": "U/L"}]})
    )
    return path


def test_lab_without_uln_names_the_profile_the_lab_and_the_missing_limit(profile: Path) -> None:
    r = judge(load_patient(profile), "ALT <= 2.5 x ULN", "inclusion")
    assert r.verdict == "unknown"
    assert r.rule == "measurement_reference_missing"
    assert r.explanation.startswith("The patient profile gives ALT (40 U/L)")
    assert "upper limit of normal" in r.explanation
    assert "note" not in r.explanation and "alt value" not in r.explanation


def test_lab_with_uln_is_compared(profile: Path) -> None:
    data = json.loads(profile.read_text())
    data["labs"][0]["uln"] = 40
    r = judge(data, "ALT <= 2.5 x ULN", "inclusion")
    assert r.verdict == "met" and "ULN" in r.explanation


def test_missing_value_names_the_source(profile: Path) -> None:
    r = judge(load_patient(profile), "Hemoglobin >= 9 g/dL", "inclusion")
    assert (r.verdict, r.explanation) == ("unknown", "The patient profile gives no hemoglobin value.")
    r = judge("A 60-year-old woman with breast cancer.", "ALT <= 2.5 x ULN", "inclusion")
    assert (r.verdict, r.explanation) == ("unknown", "The note gives no ALT value.")


def test_source_of_a_fhir_patient_is_the_record(profile: Path) -> None:
    ctx = context_for(load_patient(profile))
    assert ctx.source == "the patient profile"
    ctx.patient.source_format = "fhir"
    assert ctx.source == "the patient record"
    assert context_for(NOTE).source == "the note"


def test_every_explanation_names_a_profile_as_the_profile() -> None:
    p = {"age": 60, "sex": "female", "source_format": "profile", "conditions": [{"name": "hypertension"}]}
    cases = [
        ("Hypertension", "inclusion", "The patient profile describes hypertension."),
        ("BMI < 30", "inclusion", "The patient profile gives no BMI."),
        ("Measurable disease per RECIST", "inclusion", "The patient profile does not show whether"),
        ("Active hepatitis B", "exclusion", "The patient profile does not mention this excluding condition"),
    ]
    for criterion, kind, start in cases:
        r = judge(p, criterion, kind)  # type: ignore[arg-type]
        assert r.explanation.startswith(start), (criterion, r.explanation)
        assert "note" not in r.explanation
    r = judge("A 60-year-old woman with hypertension.", "Hypertension", "inclusion")
    assert r.explanation == "The note describes hypertension."
