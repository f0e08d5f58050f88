"""Match results: per criterion, per trial, per patient. The JSON of ``trialmatch match``."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

__all__ = ["CriterionResult", "MatchReport", "NextQuestion", "TrialResult", "TrialVerdict", "Verdict"]

Verdict = Literal["met", "not_met", "unknown", "not_applicable"]
TrialVerdict = Literal["eligible", "possibly_eligible", "ineligible"]


class CriterionResult(BaseModel):
    kind: Literal["inclusion", "exclusion"]
    text: str
    category: str = "other"
    verdict: Verdict
    explanation: str = ""
    evidence: list[dict[str, Any]] = Field(default_factory=list)  # facts used, after conversion
    missing: list[str] = Field(default_factory=list)  # facts that would settle an unknown
    source: str = "text"
    index: int = 0


class NextQuestion(BaseModel):
    fact: str  # e.g. "lab.creatinine", "SSTR PET result"
    question: str  # plain words: "What is the serum creatinine?"
    trials: list[str] = Field(default_factory=list)  # trial ids it would decide

    @property
    def decides(self) -> int:
        return len(self.trials)


class TrialResult(BaseModel):
    trial_id: str
    registry_id: str | None = None
    title: str | None = None
    status: str | None = None
    verdict: TrialVerdict
    score: float
    disease_fit: float = 0.0
    known_share: float = 0.0
    distance_km: float | None = None
    nearest_site: str | None = None
    criteria: list[CriterionResult] = Field(default_factory=list)


class MatchReport(BaseModel):
    patient_id: str | None
    as_of: dt.date
    results: list[TrialResult] = Field(default_factory=list)
    next_questions: list[NextQuestion] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
