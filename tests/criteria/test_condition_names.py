"""Condition names as registries write them: MeSH-style inversions and cancer/carcinoma variants."""

from __future__ import annotations

import pytest

from trialmatch.criteria import trial_criteria
from trialmatch.criteria.trial import _disease_concepts
from trialmatch.records.model import Trial


@pytest.mark.parametrize(
    ("name", "concept"),
    [
        ("Renal Cell Cancer", "renal_cancer"),
        ("carcinoma, renal cell", "renal_cancer"),
        ("carcinoma, hepatocellular", "hepatocellular_carcinoma"),
        ("hepatocellular cancer", "hepatocellular_carcinoma"),
        ("Breast Cancer", "breast_cancer"),
    ],
)
def test_specific_reading_wins_over_generic_cancer(name: str, concept: str) -> None:
    assert _disease_concepts([name]) == [concept]


def test_generic_conditions_stay_generic() -> None:
    assert _disease_concepts(["Advanced Solid Tumors"]) == ["cancer"]


def test_a_renal_trial_restricts_the_diagnosis() -> None:
    trial = Trial(id="NCT00000001", registry_id="NCT00000001", brief_title="Sunitinib in kidney cancer",
                  conditions=["Renal Cell Cancer"])
    dx = [c for c in trial_criteria(trial) if c.source == "title" and c.category == "diagnosis"]
    assert len(dx) == 1 and "renal_cancer" in str(dx[0].to_dict()["rule"])


def test_an_unknown_condition_is_an_open_question() -> None:
    """A trial of a disease the vocabulary does not know must not look 'eligible' for everyone."""
    trial = Trial(id="NCT00000002", registry_id="NCT00000002", brief_title="Drug X in adults",
                  conditions=["Rheumatoid Arthritis"])
    [dx] = [c for c in trial_criteria(trial) if c.source == "title" and c.category == "diagnosis"]
    assert dx.text == "Condition studied: Rheumatoid Arthritis"
    assert dx.status == "needs_review" and dx.rule is not None and dx.rule.op == "review"


def test_unknown_condition_makes_the_verdict_possibly_eligible() -> None:
    import datetime as dt

    from trialmatch.matching.match import match_patient
    from trialmatch.patients.model import Patient

    trial = Trial(id="NCT00000003", registry_id="NCT00000003", brief_title="Drug X in adults",
                  conditions=["Rheumatoid Arthritis"])
    patient = Patient(id="p", age=50, sex="female", conditions=[])
    pairs = [(trial, trial_criteria(trial))]
    report = match_patient(patient, pairs, dt.date(2026, 11, 1), trial_ids=["NCT00000003"])
    assert report.results[0].verdict == "possibly_eligible"
