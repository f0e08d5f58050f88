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
