"""ClinicalTrials.gov API v2 study -> Trial, through the importers (H1's ``study_to_trial``), with
a minimal fallback used only when the importers are not installed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from trialmatch.records.model import Eligibility, Provenance, Trial

__all__ = ["FallbackError", "read_json_fallback", "study_to_trial"]


class FallbackError:
    """A record the fallback reader could not use (same shape as the importers' RecordError)."""

    def __init__(self, file: str, record: int | str | None, reason: str) -> None:
        self.file, self.record, self.reason = file, record, reason

    def __str__(self) -> str:
        return f"{self.file} [{self.record}]: {self.reason}"


def _minimal(study: dict[str, Any], source: str | None, index: int | None, source_url: str | None) -> Any:
    ps = study.get("protocolSection", study) if isinstance(study, dict) else None
    if not isinstance(ps, dict):
        return FallbackError(source or "<api>", index, "not a study object")
    ident = ps.get("identificationModule") or {}
    nct = ident.get("nctId")
    if not nct:
        return FallbackError(source or "<api>", index, "record without id (no nctId)")
    status = ps.get("statusModule") or {}
    elig = ps.get("eligibilityModule") or {}
    design = ps.get("designModule") or {}
    return Trial(
        id=nct,
        registry_id=nct,
        brief_title=ident.get("briefTitle"),
        official_title=ident.get("officialTitle"),
        overall_status=status.get("overallStatus"),
        last_update_posted=(status.get("lastUpdatePostDateStruct") or {}).get("date"),
        phases=list(design.get("phases") or []),
        study_type=design.get("studyType"),
        conditions=list((ps.get("conditionsModule") or {}).get("conditions") or []),
        eligibility=Eligibility(criteria_text=elig.get("eligibilityCriteria")),
        provenance=Provenance(
            source_format="ctgov-json", source=source, record_index=index, source_url=source_url
        ),
    )


def study_to_trial(
    study: dict[str, Any],
    *,
    source: str | None = None,
    record_index: int | None = None,
    source_url: str | None = None,
) -> Any:
    """A Trial (or a RecordError-like object) for one API v2 study."""
    try:
        from trialmatch.importers.ctgov_json import study_to_trial as real
    except ImportError:
        return _minimal(study, source, record_index, source_url)
    return real(study, source=source, record_index=record_index, source_url=source_url)


def read_json_fallback(path: Path, source_url: str | None = None) -> Iterator[Any]:
    """Read one API v2 study or a list response (used only without the importers)."""
    src = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        yield FallbackError(src, None, f"cannot read JSON: {exc}")
        return
    studies = data.get("studies") if isinstance(data, dict) and "studies" in data else [data]
    for i, s in enumerate(studies if isinstance(studies, list) else []):
        yield study_to_trial(s, source=src, record_index=i, source_url=source_url)
