"""The trial store: SQLite (default, WAL) or PostgreSQL through SQLAlchemy 2.

Imports are idempotent (a record is compared with the stored one by content hash), written per
batch in one transaction (a failing batch is rolled back and reported), keep a version history
(status, criteria or any other content change adds a version), and can resume after an
interruption (``resume_key``). Parsed criteria are cached per parser version.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, delete, func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from trialmatch.records.model import Trial
from trialmatch.store.base import Base
from trialmatch.store.connection import (
    as_aware_utc,
    as_naive_utc,
    load_table_modules,
    make_engine,
    normalise_url,
    utcnow,
)
from trialmatch.store.importing import prepare_row, reason, save_progress, write_group
from trialmatch.store.tables import (
    ImportProgressRow,
    SyncStateRow,
    TrialRow,
    TrialVersionRow,
)
from trialmatch.store.types import (
    Change,
    ImportSummary,
    Rejection,
    TrialSummary,
    TrialVersion,
    rejection_from,
)

__all__ = ["Store", "WriteHook", "normalise_url", "register_write_hook", "unregister_write_hook", "utcnow"]


T = cast(Table, TrialRow.__table__)
V = cast(Table, TrialVersionRow.__table__)
P = cast(Table, ImportProgressRow.__table__)
S = cast(Table, SyncStateRow.__table__)

#: Called inside each import batch's transaction with the trials written (new or updated).
WriteHook = Callable[[Connection, list[Trial]], None]
_WRITE_HOOKS: list[WriteHook] = []


def register_write_hook(hook: WriteHook) -> None:
    """Have ``hook(connection, trials)`` called for every batch of new/updated trials (e.g. to
    keep a search index current). It runs in the batch's transaction: raising rolls it back."""
    if hook not in _WRITE_HOOKS:
        _WRITE_HOOKS.append(hook)


def unregister_write_hook(hook: WriteHook) -> None:
    if hook in _WRITE_HOOKS:
        _WRITE_HOOKS.remove(hook)


class Store:
    """Trials, their versions and parsed criteria in one database. ``url`` is a SQLAlchemy URL."""

    def __init__(self, url: str, *, create: bool = True) -> None:
        self.url = normalise_url(url)
        self.engine: Engine = make_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if create:
            self.create_tables()

    @classmethod
    def from_db_option(cls, db: str | None) -> Store:
        """A store for a CLI ``--db`` value (path or URL; default $TRIALMATCH_DB, else per-user)."""
        from trialmatch.cli.common import db_url

        return cls(db_url(db))

    def create_tables(self) -> None:
        load_table_modules()
        for attempt in range(3):
            try:
                Base.metadata.create_all(self.engine)
                return
            except (OperationalError, ProgrammingError, IntegrityError):  # another process created them first
                if attempt == 2:
                    raise
                time.sleep(0.2)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """An ORM session committed on success, rolled back on error."""
        s = self._sessions()
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    # ------------------------------------------------------------------ import
    def import_trials(
        self,
        items: Iterable[Any],
        batch_size: int = 500,
        progress: Callable[[int], None] | None = None,
        *,
        resume_key: str | None = None,
        now: dt.datetime | None = None,
        source: str | None = None,
    ) -> ImportSummary:
        """Store trials (``Trial``); anything else an importer yields counts as a rejection.

        ``progress(n)`` is called with the number of items handled since the last call.
        With ``resume_key`` the index of the last committed item is recorded with every batch,
        and a later call with the same key skips what an interrupted run already committed.
        ``source`` names the input in rejections that have no file of their own.
        """
        t0 = time.perf_counter()
        when = as_naive_utc(now) if now else utcnow()
        summary = ImportSummary()
        start_after = self._progress_start(resume_key) if resume_key else -1
        batch: list[tuple[int, Trial]] = []
        pending = 0
        index = -1
        it = iter(items)
        while True:
            try:
                item = next(it)
            except StopIteration:
                break
            except Exception as exc:  # the reader broke: keep what was read
                summary.rejected.append(Rejection(source, index + 1, f"reading stopped: {exc}"))
                break
            index += 1
            pending += 1
            if index <= start_after:
                summary.skipped += 1
            elif isinstance(item, Trial):
                batch.append((index, item))
            else:
                summary.rejected.append(rejection_from(item))
            if len(batch) >= batch_size:
                self._write_batch(batch, summary, when, resume_key, index)
                batch = []
            if progress and pending >= 50:
                progress(pending)
                pending = 0
        if batch or resume_key:
            self._write_batch(batch, summary, when, resume_key, index, done=True)
        if progress and pending:
            progress(pending)
        summary.seconds = time.perf_counter() - t0
        return summary

    def _progress_start(self, key: str) -> int:
        with self.engine.connect() as conn:
            row = conn.execute(select(P.c.last_index, P.c.done).where(P.c.key == key)).first()
        if row is None or row.done:  # (rows are deleted when done; older ones may say done)
            return -1
        return int(row.last_index)

    def _write_batch(
        self,
        batch: list[tuple[int, Trial]],
        summary: ImportSummary,
        when: dt.datetime,
        resume_key: str | None,
        last_index: int,
        done: bool = False,
    ) -> None:
        part = ImportSummary()
        prepared: list[dict[str, Any]] = []
        for index, trial in batch:
            try:
                if not trial.id or len(trial.id) > 128 or "\x00" in trial.id:
                    raise ValueError("record has no usable id")
                row = prepare_row(trial, when)
                if row["_index"] is None:
                    row["_index"] = index
                prepared.append(row)
            except Exception as exc:
                src = trial.provenance.source if trial.provenance else None
                part.rejected.append(Rejection(src, index, f"cannot store record: {exc}"))
        # a record id seen twice with different content in one batch: write in order, in parts
        groups: list[list[dict[str, Any]]] = [[]]
        seen: dict[str, str] = {}
        for row in prepared:
            prev = seen.get(row["id"])
            if prev is not None:
                if prev == row["content_hash"]:
                    part.unchanged += 1
                    continue
                groups.append([])
                seen = {}
            seen[row["id"]] = row["content_hash"]
            groups[-1].append(row)
        counts = ImportSummary()
        error = self._try_write(groups, when, counts, resume_key, last_index, done)
        if error is None:
            part.merge(counts)
            summary.merge(part)
            return
        # the batch was rolled back as a whole; write its records one by one so that only the
        # records that fail are rejected (each record is still all-or-nothing)
        summary.failed_batches += 1
        for row in (r for g in groups for r in g):
            one = ImportSummary()
            err = self._try_write([[row]], when, one, None, last_index, done)
            if err is None:
                part.merge(one)
            else:
                part.rejected.append(Rejection(row["source"], row["_index"], reason(err)))
        if resume_key:
            with self.engine.begin() as conn:
                save_progress(conn, resume_key, last_index, done, when)
        summary.merge(part)

    def _try_write(
        self,
        groups: list[list[dict[str, Any]]],
        when: dt.datetime,
        counts: ImportSummary,
        resume_key: str | None,
        last_index: int,
        done: bool,
    ) -> Exception | None:
        """Write groups in one transaction; the error if it was rolled back."""
        for attempt in range(3):
            fresh = ImportSummary()
            try:
                with self.engine.begin() as conn:
                    written: list[Trial] = []
                    for group in groups:
                        if group:
                            written.extend(write_group(conn, group, when, fresh))
                    if written:
                        for hook in _WRITE_HOOKS:
                            hook(conn, written)
                    if resume_key:
                        save_progress(conn, resume_key, last_index, done, when)
            except IntegrityError as exc:
                if attempt < 2:  # another worker wrote the same ids meanwhile: compare again
                    time.sleep(0.05 * (attempt + 1))
                    continue
                return exc
            except Exception as exc:  # database error or a failing write hook: rolled back
                return exc
            counts.merge(fresh)
            return None
        return None  # pragma: no cover

    # ------------------------------------------------------------------ read
    def resolve_id(self, any_id: str) -> str | None:
        """The stored trial id for an id, registry id or local id (case-insensitive)."""
        key = (any_id or "").strip()
        if not key:
            return None
        with self.engine.connect() as conn:
            for cond in (
                T.c.id == key,
                T.c.registry_id == key,
                func.upper(T.c.id) == key.upper(),
                func.upper(T.c.registry_id) == key.upper(),
            ):
                row = conn.execute(select(T.c.id).where(cond).limit(1)).first()
                if row is not None:
                    return str(row.id)
        return None

    def get_trial(self, trial_id: str) -> Trial | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(T.c.data).where(T.c.id == trial_id)).first()
        if row is None:
            real = self.resolve_id(trial_id)
            if real is None:
                return None
            with self.engine.connect() as conn:
                row = conn.execute(select(T.c.data).where(T.c.id == real)).first()
            if row is None:
                return None
        return Trial.model_validate_json(row.data)

    def iter_trials(
        self, ids: Sequence[str] | None = None, statuses: Sequence[str] | None = None, chunk: int = 500
    ) -> Iterator[Trial]:
        """Stream trials (ordered by id, or in the order of ``ids``), optionally by status."""
        if ids is not None:
            ids = list(ids)
            for i in range(0, len(ids), chunk):
                part = ids[i : i + chunk]
                q = select(T.c.id, T.c.data).where(T.c.id.in_(part))
                if statuses:
                    q = q.where(T.c.status.in_(list(statuses)))
                with self.engine.connect() as conn:
                    found = {r.id: r.data for r in conn.execute(q)}
                for tid in part:
                    if tid in found:
                        yield Trial.model_validate_json(found.pop(tid))
            return
        q = select(T.c.data).order_by(T.c.id)
        if statuses:
            q = q.where(T.c.status.in_(list(statuses)))
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=chunk).execute(q)
            for row in result:
                yield Trial.model_validate_json(row.data)

    def list_trials(self, statuses: Sequence[str] | None = None) -> list[TrialSummary]:
        q = select(
            T.c.id,
            T.c.registry_id,
            T.c.title,
            T.c.status,
            T.c.phases,
            T.c.conditions,
            T.c.last_update,
            T.c.source,
            T.c.study_type,
        ).order_by(T.c.id)
        if statuses:
            q = q.where(T.c.status.in_(list(statuses)))
        with self.engine.connect() as conn:
            return [
                TrialSummary(
                    id=r.id,
                    registry_id=r.registry_id,
                    title=r.title,
                    status=r.status,
                    phases=json.loads(r.phases or "[]"),
                    conditions=json.loads(r.conditions or "[]"),
                    last_update=r.last_update,
                    source=r.source,
                    study_type=r.study_type,
                )
                for r in conn.execute(q)
            ]

    def ids(self) -> list[str]:
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(select(T.c.id).order_by(T.c.id))]

    def count(self, statuses: Sequence[str] | None = None) -> int:
        q = select(func.count()).select_from(T)
        if statuses:
            q = q.where(T.c.status.in_(list(statuses)))
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar_one())

    # ------------------------------------------------------------------ history
    def versions(self, trial_id: str) -> list[TrialVersion]:
        """Every stored version of a trial, oldest first (empty for an unknown id)."""
        real = self.resolve_id(trial_id)
        if real is None:
            return []
        with self.engine.connect() as conn:
            current = conn.execute(select(T.c.data).where(T.c.id == real)).scalar_one()
            rows = conn.execute(select(V).where(V.c.trial_id == real).order_by(V.c.version)).all()
        return [
            TrialVersion(
                trial_id=r.trial_id,
                version=r.version,
                recorded_at=as_aware_utc(r.recorded_at),
                change=r.change.split(","),
                status=r.status,
                previous_status=r.previous_status,
                content_hash=r.content_hash,
                source=r.source,
                trial=Trial.model_validate_json(r.data if r.data is not None else current),
            )
            for r in rows
        ]

    def changes_since(self, when: dt.datetime, trial_ids: Sequence[str] | None = None) -> list[Change]:
        """What happened since ``when``: new trials, status changes, criteria changes, other edits."""
        q = select(
            V.c.trial_id, V.c.version, V.c.recorded_at, V.c.change, V.c.status, V.c.previous_status
        ).where(V.c.recorded_at >= as_naive_utc(when))
        if trial_ids is not None:
            q = q.where(V.c.trial_id.in_(list(trial_ids)))
        q = q.order_by(V.c.recorded_at, V.c.trial_id, V.c.version)
        out: list[Change] = []
        with self.engine.connect() as conn:
            for r in conn.execute(q):
                for kind in r.change.split(","):
                    out.append(
                        Change(
                            trial_id=r.trial_id,
                            kind=kind,
                            at=as_aware_utc(r.recorded_at),
                            version=r.version,
                            old_status=r.previous_status,
                            new_status=r.status,
                        )
                    )
        return out

    # ------------------------------------------------------------------ sync state
    def get_sync_state(self, query_key: str) -> dt.datetime | None:
        with self.engine.connect() as conn:
            v = conn.execute(select(S.c.last_sync).where(S.c.query_key == query_key)).scalar()
        return as_aware_utc(v) if v is not None else None

    def set_sync_state(self, query_key: str, when: dt.datetime, count: int = 0) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(S).where(S.c.query_key == query_key))
            conn.execute(
                insert(S).values(query_key=query_key, last_sync=as_naive_utc(when), last_count=count)
            )

    # ------------------------------------------------------------------ parsed criteria
    def get_criteria(
        self,
        trial_id: str,
        parser: Callable[[Trial], list[Any]] | None = None,
        parser_version: str | None = None,
    ) -> list[Any]:
        """The trial's parsed criteria (``list[Criterion]``), parsed once per text and parser
        version. Raises ``KeyError`` for an unknown trial."""
        from trialmatch.store.criteria_cache import get_criteria

        return get_criteria(self, trial_id, parser, parser_version)

    def load_all_criteria(
        self,
        parser: Callable[[Trial], list[Any]] | None = None,
        parser_version: str | None = None,
        ids: Sequence[str] | None = None,
        *,
        as_dicts: bool = False,
    ) -> dict[str, list[Any]]:
        """Parsed criteria of many trials (all by default): cached ones are read in one query,
        missing or stale ones parsed and stored. ``as_dicts`` skips building Criterion objects."""
        from trialmatch.store.criteria_cache import load_all_criteria

        return load_all_criteria(self, parser, parser_version, ids, as_dicts=as_dicts)
