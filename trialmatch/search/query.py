"""Search request and result models, and normalisation of filter values (status, phase, sex ...)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from trialmatch.records.model import OVERALL_STATUSES

__all__ = [
    "DEFAULT_STATUSES",
    "SearchHit",
    "SearchQuery",
    "SearchResults",
    "SiteHit",
    "normalise_phase",
    "normalise_status",
]

#: Statuses searched when the query names none (ClinicalTrials.gov vocabulary).
DEFAULT_STATUSES: tuple[str, ...] = ("RECRUITING", "NOT_YET_RECRUITING")

_PHASES = {
    "EARLY_PHASE1": "EARLY_PHASE1",
    "EARLY1": "EARLY_PHASE1",
    "0": "EARLY_PHASE1",
    "PHASE0": "EARLY_PHASE1",
    "1": "PHASE1",
    "I": "PHASE1",
    "PHASE1": "PHASE1",
    "2": "PHASE2",
    "II": "PHASE2",
    "PHASE2": "PHASE2",
    "3": "PHASE3",
    "III": "PHASE3",
    "PHASE3": "PHASE3",
    "4": "PHASE4",
    "IV": "PHASE4",
    "PHASE4": "PHASE4",
    "NA": "NA",
    "N/A": "NA",
    "NOT_APPLICABLE": "NA",
}


def normalise_status(value: str) -> list[str]:
    """``"recruiting"`` -> ``["RECRUITING"]``; ``"any"``/``"all"`` -> every status. Exact values only:
    RECRUITING never matches NOT_YET_RECRUITING. Raises ValueError on an unknown status."""
    v = re.sub(r"[\s\-]+", "_", value.strip().upper()).replace(",", "")
    if v in ("ANY", "ALL", "*"):
        return list(OVERALL_STATUSES)
    if v in ("OPEN",):
        return ["RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "AVAILABLE"]
    if v not in OVERALL_STATUSES:
        raise ValueError(f"unknown status {value!r} (use ClinicalTrials.gov values, e.g. RECRUITING)")
    return [v]


def normalise_phase(value: str) -> str:
    """``"2"``, ``"phase 2"``, ``"II"``, ``"PHASE2"`` -> ``"PHASE2"``. Raises ValueError."""
    v = re.sub(r"[\s_\-]+", "", value.strip().upper())
    if v.startswith("EARLYPHASE"):
        v = "EARLY1"
    elif v.startswith("PHASE"):
        v = v[5:] or v
    key = v if v in _PHASES else value.strip().upper()
    if key not in _PHASES:
        raise ValueError(f"unknown phase {value!r}")
    return _PHASES[key]


class SearchQuery(BaseModel):
    """Free text plus filters. Empty filters do not restrict; ``status`` defaults to recruiting and
    not yet recruiting (pass ``["any"]`` for every status)."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field("", max_length=20_000)
    condition: str | None = None
    intervention: str | None = None
    status: list[str] = Field(default_factory=lambda: list(DEFAULT_STATUSES))
    phase: list[str] = Field(default_factory=list)
    study_type: str | None = None
    age: float | None = Field(None, ge=0, le=130)
    sex: str | None = None  # MALE | FEMALE
    healthy_volunteers: bool | None = None
    country: str | None = None
    sponsor: str | None = None
    updated_since: str | None = None  # ISO date, possibly partial
    near: str | None = None  # place name, postal code or "lat,lon"
    radius_km: float = Field(100.0, gt=0, le=20_000)
    limit: int = Field(20, ge=1, le=1000)
    offset: int = Field(0, ge=0)

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, v: object) -> list[str]:
        if v is None:
            return list(DEFAULT_STATUSES)
        items = [v] if isinstance(v, str) else list(v)  # type: ignore[call-overload]
        out: list[str] = []
        for item in items:
            for part in str(item).split(","):
                if part.strip():
                    out.extend(s for s in normalise_status(part) if s not in out)
        return out or list(DEFAULT_STATUSES)

    @field_validator("phase", mode="before")
    @classmethod
    def _phase(cls, v: object) -> list[str]:
        if v is None:
            return []
        items = [v] if isinstance(v, str) else list(v)  # type: ignore[call-overload]
        out: list[str] = []
        for item in items:
            for part in str(item).split(","):
                if part.strip() and normalise_phase(part) not in out:
                    out.append(normalise_phase(part))
        return out

    @field_validator("sex")
    @classmethod
    def _sex(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        s = v.strip().upper()
        s = {"M": "MALE", "F": "FEMALE", "MAN": "MALE", "WOMAN": "FEMALE"}.get(s, s)
        if s not in ("MALE", "FEMALE", "ALL"):
            raise ValueError("sex must be MALE or FEMALE")
        return None if s == "ALL" else s

    @field_validator("study_type")
    @classmethod
    def _study_type(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        return re.sub(r"[\s\-]+", "_", v.strip().upper())


class SiteHit(BaseModel):
    facility: str | None = None
    city: str | None = None
    state: str | None = None
    country: str | None = None
    status: str | None = None
    lat: float
    lon: float
    distance_km: float


class SearchHit(BaseModel):
    trial_id: str
    id: str | None = None  # the same as trial_id (for readers that expect ``id``)
    title: str | None = None
    status: str | None = None
    phases: list[str] = Field(default_factory=list)
    conditions: list[str] = Field(default_factory=list)
    score: float
    snippet: str | None = None
    nearest_site: SiteHit | None = None
    distance_km: float | None = None


class SearchResults(BaseModel):
    query: SearchQuery
    total: int
    hits: list[SearchHit]
    expanded: list[str] = Field(default_factory=list)  # the concept labels the query was expanded to
    place: str | None = None  # how ``near`` was resolved
    took_ms: float = 0.0
