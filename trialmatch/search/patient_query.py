"""A search built from a patient profile: the cancer (name, primary site; else the first condition) as
the text, age and sex as filters, the patient's place and travel radius as the distance filter."""

from __future__ import annotations

from typing import Any

from trialmatch.search.query import SearchQuery

__all__ = ["query_for_patient"]


def _place(loc: Any) -> str | None:
    if loc is None:
        return None
    if loc.lat is not None and loc.lon is not None:
        return f"{loc.lat},{loc.lon}"
    if loc.postal_code and (loc.country or "US").upper() in ("US", "USA", "UNITED STATES"):
        return str(loc.postal_code)
    parts = [p for p in (loc.city, loc.state, loc.country) if p]
    return ", ".join(parts) or None


def query_for_patient(patient: Any, **overrides: Any) -> SearchQuery:
    """``SearchQuery`` for a ``Patient`` (``trialmatch.patients.model``); keyword overrides win."""
    words: list[str] = []
    c = patient.cancer
    if c is not None and c.name:
        words.append(c.name)
        if c.primary_site and c.primary_site.lower() not in c.name.lower():
            words.append(c.primary_site)
    elif patient.conditions:  # no cancer recorded: the first condition (comorbidities would over-restrict)
        words.append(str(patient.conditions[0].name))
    data: dict[str, Any] = {"q": " ".join(words)}
    if patient.age is not None:
        data["age"] = patient.age
    if patient.sex in ("female", "male"):
        data["sex"] = patient.sex
    near = _place(patient.location)
    if near:
        data["near"] = near
        if patient.location.travel_radius_km:
            data["radius_km"] = patient.location.travel_radius_km
    data.update({k: v for k, v in overrides.items() if v not in (None, "", [])})
    return SearchQuery.model_validate(data)
