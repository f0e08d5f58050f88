"""Plain result types returned by :class:`trialmatch.store.Store`."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, runtime_checkable

from trialmatch.records.model import Trial

__all__ = [
    "Change",
    "ImportSummary",
    "RecordErrorLike",
    "Rejection",
    "TrialSummary",
    "TrialVersion",
    "content_hash",
    "criteria_hash",
    "diff_trials",
    "parse_hash",
    "record_hashes",
    "record_json",
    "rejection_from",
]


@runtime_checkable
class RecordErrorLike(Protocol):
    """What an importer yields for a record it could not read (duck-typed)."""

    @property
    def reason(self) -> str: ...


@dataclass(slots=True)
class Rejection:
    source: str | None
    record: str | int | None
    reason: str

    def __str__(self) -> str:
        where = self.source or "?"
        if self.record is not None:
            where += f" [{self.record}]"
        return f"{where}: {self.reason}"


def rejection_from(item: object) -> Rejection:
    """A :class:`Rejection` from an importer error object or exception, whatever its attributes."""
    src = None
    for name in ("source", "file", "path"):
        v = getattr(item, name, None)
        if v is not None and not callable(v):
            src = str(v)
            break
    rec: str | int | None = None
    for name in ("record", "record_index", "index", "record_id"):
        v = getattr(item, name, None)
        if v is not None and not callable(v):
            rec = v if isinstance(v, int) else str(v)
            break
    reason = None
    for name in ("reason", "message"):
        v = getattr(item, name, None)
        if v and not callable(v):
            reason = str(v)
            break
    return Rejection(src, rec, reason or str(item) or type(item).__name__)


@dataclass(slots=True)
class ImportSummary:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    skipped: int = 0  # items already committed by an interrupted import (resume)
    failed_batches: int = 0
    new_ids: list[str] = field(default_factory=list)
    updated_ids: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged + len(self.rejected)

    @property
    def stored(self) -> int:
        return self.new + self.updated + self.unchanged

    def merge(self, other: ImportSummary) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rejected.extend(other.rejected)
        self.skipped += other.skipped
        self.failed_batches += other.failed_batches
        self.new_ids.extend(other.new_ids)
        self.updated_ids.extend(other.updated_ids)
        self.seconds += other.seconds

    def to_dict(self) -> dict[str, Any]:
        return {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [asdict(r) for r in self.rejected],
            "skipped": self.skipped,
            "failed_batches": self.failed_batches,
            "seconds": round(self.seconds, 3),
        }


@dataclass(slots=True)
class TrialSummary:
    id: str
    registry_id: str | None
    title: str | None
    status: str | None
    phases: list[str]
    conditions: list[str]
    last_update: str | None
    source: str | None
    study_type: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class TrialVersion:
    trial_id: str
    version: int
    recorded_at: dt.datetime
    change: list[str]  # ["new"] or some of "status", "criteria", "content"
    status: str | None
    previous_status: str | None
    content_hash: str
    source: str | None
    trial: Trial

    def to_dict(self) -> dict[str, Any]:
        return {
            "trial_id": self.trial_id,
            "version": self.version,
            "recorded_at": self.recorded_at.isoformat(),
            "change": list(self.change),
            "status": self.status,
            "previous_status": self.previous_status,
            "content_hash": self.content_hash,
            "source": self.source,
        }


@dataclass(slots=True)
class Change:
    """Something that happened to a trial: ``kind`` is ``new``, ``status`` (status changed),
    ``criteria`` (eligibility changed) or ``content`` (anything else changed)."""

    trial_id: str
    kind: str
    at: dt.datetime
    version: int
    old_status: str | None = None
    new_status: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["at"] = self.at.isoformat()
        return d


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def content_hash(trial: Trial) -> str:
    """Hash of the record's content, provenance (file, import time) left out."""
    return _sha(trial.model_dump_json(exclude={"provenance"}))


def criteria_hash(trial: Trial) -> str:
    """Hash of the eligibility section only (a change here is a "criteria changed" alert)."""
    return _sha(trial.eligibility.model_dump_json())


def parse_hash(trial: Trial, eligibility_json: str | None = None) -> str:
    """Hash of everything the criteria parser reads: eligibility, titles, conditions, keywords."""
    import json

    elig = eligibility_json if eligibility_json is not None else trial.eligibility.model_dump_json()
    extra = json.dumps([trial.brief_title, trial.official_title, trial.conditions, trial.keywords])
    return _sha(elig + extra)


def record_hashes(trial: Trial) -> tuple[str, str, str]:
    """(content, criteria, parse) hashes with one serialisation of the eligibility section."""
    elig = trial.eligibility.model_dump_json()
    return content_hash(trial), _sha(elig), parse_hash(trial, elig)


def record_json(trial: Trial) -> tuple[str, tuple[str, str, str]]:
    """The record's JSON and its (content, criteria, parse) hashes, serialising it only once:
    the content JSON (provenance left out) plus the provenance object is the full record."""
    content = trial.model_dump_json(exclude={"provenance"})
    prov = trial.provenance.model_dump_json() if trial.provenance is not None else "null"
    data = content[:-1] + ("," if content != "{}" else "") + '"provenance":' + prov + "}"
    elig = trial.eligibility.model_dump_json()
    return data, (_sha(content), _sha(elig), parse_hash(trial, elig))


def diff_trials(old: Trial, new: Trial) -> list[str]:
    """Top-level field names whose values differ between two versions (provenance ignored)."""
    a = old.model_dump(exclude={"provenance"})
    b = new.model_dump(exclude={"provenance"})
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
