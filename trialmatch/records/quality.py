"""Data-quality flags shown with a record. Pure: ``today`` is a parameter, never the clock.

Codes:

* ``stale_status`` - the (primary) completion date has passed while the status still says
  RECRUITING or NOT_YET_RECRUITING;
* ``stale_update`` - an open trial (recruiting, not yet recruiting, by invitation, available)
  whose last update (else its status verification date) is more than a year old;
* ``no_criteria`` - no eligibility criteria text;
* ``no_registry_id`` - no registry id (the trial has a local id only).

A partial date ("2025-10") counts as passed only once its whole period is over.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from trialmatch.records.model import OPEN_STATUSES, Trial

__all__ = ["FLAG_CODES", "QualityFlag", "period_end", "quality_flags"]

FLAG_CODES = ("stale_status", "stale_update", "no_criteria", "no_registry_id")
_STALE_STATUSES = ("RECRUITING", "NOT_YET_RECRUITING")


@dataclass(frozen=True, slots=True)
class QualityFlag:
    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def _parts(value: str | None) -> tuple[int, int | None, int | None] | None:
    if not value:
        return None
    bits = value.strip()[:10].split("-")
    try:
        y = int(bits[0])
        m = int(bits[1]) if len(bits) > 1 and bits[1] else None
        d = int(bits[2]) if len(bits) > 2 and bits[2] else None
    except ValueError:
        return None
    if not 1 <= y <= 9999 or (m is not None and not 1 <= m <= 12):
        return None
    return y, m, d


def period_end(value: str | None) -> dt.date | None:
    """The last day a partial ISO date covers: "2025" -> 2025-12-31, "2025-02" -> 2025-02-28."""
    p = _parts(value)
    if p is None:
        return None
    y, m, d = p
    if m is None:
        return dt.date(y, 12, 31)
    last = calendar.monthrange(y, m)[1]
    if d is None or not 1 <= d <= last:
        return dt.date(y, m, last)
    return dt.date(y, m, d)


def quality_flags(trial: Trial, today: dt.date) -> list[QualityFlag]:
    """The data-quality problems of ``trial`` as of ``today`` (empty when none)."""
    flags: list[QualityFlag] = []
    status = trial.overall_status
    if status in _STALE_STATUSES:
        for label, value in (
            ("completion date", trial.completion_date),
            ("primary completion date", trial.primary_completion_date),
        ):
            end = period_end(value)
            if end is not None and end < today:
                flags.append(
                    QualityFlag(
                        "stale_status",
                        f"status is {status} but the {label} ({value}) has passed; the status may be stale",
                    )
                )
                break
    if status in OPEN_STATUSES:
        label, value = "last update", trial.last_update_posted
        if not value:
            label, value = "status verification", trial.status_verified_date
        end = period_end(value)
        if end is not None and (today - end).days > 365:
            flags.append(
                QualityFlag(
                    "stale_update", f"open trial ({status}) with no update for over a year ({label} {value})"
                )
            )
    if not (trial.eligibility.criteria_text or "").strip():
        flags.append(QualityFlag("no_criteria", "no eligibility criteria text"))
    if not trial.registry_id:
        flags.append(QualityFlag("no_registry_id", f"no registry id; stored under the local id {trial.id}"))
    return flags
