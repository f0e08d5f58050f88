"""Writing one import batch: rows for the trials table, version rows, import progress.

Internal to :mod:`trialmatch.store.store`.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, delete, insert, select, update

from trialmatch.records.model import Trial
from trialmatch.store.tables import ImportProgressRow, TrialRow, TrialVersionRow
from trialmatch.store.types import ImportSummary, record_json

__all__ = ["prepare_row", "reason", "save_progress", "write_group"]

T = cast(Table, TrialRow.__table__)
V = cast(Table, TrialVersionRow.__table__)
P = cast(Table, ImportProgressRow.__table__)


def reason(exc: Exception) -> str:
    return f"not stored ({type(exc).__name__}: {str(exc).splitlines()[0][:300]})"


def _col(value: str | None, limit: int | None = None) -> str | None:
    """A value for an indexed text column: no NUL (PostgreSQL refuses it), at most ``limit`` long."""
    if value is None:
        return None
    value = value.replace("\x00", "")
    return value[:limit] if limit else value


def prepare_row(trial: Trial, when: dt.datetime) -> dict[str, Any]:
    prov = trial.provenance
    data, (c_hash, crit_hash, p_hash) = record_json(trial)
    return {
        "id": trial.id,
        "registry_id": _col(trial.registry_id, 128),
        "title": _col(trial.title),
        "status": _col(trial.overall_status, 64),
        "phases": json.dumps(trial.phases),
        "conditions": json.dumps(trial.conditions),
        "study_type": _col(trial.study_type, 64),
        "last_update": _col(trial.last_update_posted, 32),
        "source": _col((prov.source_url or prov.source) if prov else None),
        "source_format": _col(prov.source_format, 32) if prov else None,
        "content_hash": c_hash,
        "criteria_hash": crit_hash,
        "parse_hash": p_hash,
        "data": data,
        "_index": prov.record_index if prov and prov.record_index is not None else None,
        "_trial": trial,
    }


_TRIAL_COLS = (
    "registry_id",
    "title",
    "status",
    "phases",
    "conditions",
    "study_type",
    "last_update",
    "source",
    "source_format",
    "content_hash",
    "criteria_hash",
    "parse_hash",
    "data",
)


def write_group(
    conn: Connection, group: list[dict[str, Any]], when: dt.datetime, part: ImportSummary
) -> list[Trial]:
    ids = [r["id"] for r in group]
    q = select(T.c.id, T.c.content_hash, T.c.criteria_hash, T.c.status, T.c.version).where(T.c.id.in_(ids))
    existing = {r.id: r for r in conn.execute(q)}
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    versions: list[dict[str, Any]] = []
    written: list[Trial] = []
    for r in group:
        ex = existing.get(r["id"])
        base = {k: r[k] for k in _TRIAL_COLS}
        if ex is None:
            inserts.append({"id": r["id"], **base, "version": 1, "created_at": when, "updated_at": when})
            change, version, prev_status = "new", 1, None
            part.new += 1
            part.new_ids.append(r["id"])
        elif ex.content_hash == r["content_hash"]:
            part.unchanged += 1
            continue
        else:
            kinds = []
            if (ex.status or None) != (r["status"] or None):
                kinds.append("status")
            if ex.criteria_hash != r["criteria_hash"]:
                kinds.append("criteria")
            change = ",".join(kinds) or "content"
            version, prev_status = ex.version + 1, ex.status
            updates.append({"b_id": r["id"], **base, "version": version, "updated_at": when})
            part.updated += 1
            part.updated_ids.append(r["id"])
        versions.append(
            {
                "trial_id": r["id"],
                "version": version,
                "recorded_at": when,
                "change": change,
                "status": r["status"],
                "previous_status": prev_status,
                "content_hash": r["content_hash"],
                "criteria_hash": r["criteria_hash"],
                "source": r["source"],
                "data": None,
            }
        )
        written.append(r["_trial"])
    if updates:
        upd_ids = [u["b_id"] for u in updates]
        # keep the outgoing record in its version row before overwriting it
        conn.execute(
            update(V)
            .where(V.c.trial_id.in_(upd_ids), V.c.data.is_(None))
            .values(data=select(T.c.data).where(T.c.id == V.c.trial_id).scalar_subquery())
        )
        conn.execute(update(T).where(T.c.id == bindparam("b_id")), updates)
    if inserts:
        conn.execute(insert(T), inserts)
    if versions:
        conn.execute(insert(V), versions)
    return written


def save_progress(conn: Connection, key: str, last_index: int, done: bool, when: dt.datetime) -> None:
    if done:  # finished: forget it, so the next import of the same source starts from the beginning
        conn.execute(delete(P).where(P.c.key == key))
        return
    n = conn.execute(
        update(P).where(P.c.key == key).values(last_index=last_index, done=done, updated_at=when)
    ).rowcount
    if not n:
        conn.execute(insert(P).values(key=key, last_index=last_index, done=done, updated_at=when))
