"""A scale corpus built from the real records in ../shared/data/trials: imported twice
(idempotent) and once interrupted (resumes without duplicates)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from trialmatch.records.model import Eligibility, Provenance, Trial
from trialmatch.store import Store
from trialmatch.store.tables import TrialVersionRow

COPIES = 3  # ~3,000 studies from 990 real records


class Interrupted(BaseException):
    """Like Ctrl-C: not an Exception, so the store cannot swallow it."""


def corpus(shared: Path, copies: int = COPIES) -> Iterator[Trial]:
    files = sorted((shared / "data/trials/trial_info").glob("*.json"))
    base = [json.loads(f.read_text()) for f in files]
    n = 0
    for c in range(copies):
        for i, d in enumerate(base):
            nct = d["NCT_ID"] if c == 0 else f"NCT9{c:02d}{i:05d}"
            inc, exc = d.get("inclusion_criteria") or "", d.get("exclusion_criteria") or ""
            crit = f"Inclusion Criteria:\n{inc}\nExclusion Criteria:\n{exc}"
            yield Trial(
                id=nct,
                registry_id=nct,
                brief_title=d.get("brief_title"),
                overall_status="RECRUITING",
                conditions=list(d.get("diseases_list") or []),
                brief_summary=d.get("brief_summary"),
                eligibility=Eligibility(criteria_text=crit),
                provenance=Provenance(source_format="ctgov-json", source="scale.json", record_index=n),
            )
            n += 1


def interrupt_after(items: Iterator[Trial], n: int) -> Iterator[Trial]:
    for i, t in enumerate(items):
        if i == n:
            raise Interrupted()
        yield t


def _versions(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(TrialVersionRow)).scalar_one())


@pytest.mark.slow
def test_scale_corpus_twice_and_resumed(store: Store, shared: Path) -> None:
    total = sum(1 for _ in corpus(shared))
    t = time.perf_counter()
    first = store.import_trials(corpus(shared), batch_size=500)
    rate = total / (time.perf_counter() - t)
    print(f"\n{store.engine.dialect.name}: {total} trials imported at {rate:.0f} trials/s")
    assert first.new == total and store.count() == total
    second = store.import_trials(corpus(shared), batch_size=500)
    assert second.unchanged == total and second.new == second.updated == 0
    assert store.count() == total and _versions(store) == total


def test_interrupted_import_resumes_without_duplicates(store: Store, shared: Path) -> None:
    key = "scale.json:resume-test"
    total = sum(1 for _ in corpus(shared, copies=2))
    with pytest.raises(Interrupted):
        store.import_trials(interrupt_after(corpus(shared, copies=2), 1234), batch_size=200, resume_key=key)
    committed = store.count()
    assert committed == 1200  # six whole batches; the seventh was never committed
    resumed = store.import_trials(corpus(shared, copies=2), batch_size=200, resume_key=key)
    assert resumed.skipped == 1200 and resumed.new == total - 1200 and resumed.unchanged == 0
    assert store.count() == total and _versions(store) == total
    # finished: the same key starts from the beginning again, and everything is unchanged
    again = store.import_trials(corpus(shared, copies=2), batch_size=200, resume_key=key)
    assert again.skipped == 0 and again.unchanged == total
