"""Incremental sync of a ClinicalTrials.gov query into the store.

The last successful sync time of each query (condition, term, location, statuses) is kept in the
store; the next sync asks only for studies whose last update was posted since then (one day of
overlap: the registry posts dates, not times; re-imports of unchanged records are no-ops).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trialmatch.ctgov.client import DEFAULT_BASE_URL, CtgovClient, CtgovError
from trialmatch.ctgov.convert import study_to_trial

if TYPE_CHECKING:
    from trialmatch.store import ImportSummary, Store

__all__ = ["SyncResult", "query_key", "sync"]


@dataclass(slots=True)
class SyncResult:
    query_key: str
    since: dt.datetime | None  # the previous sync (None: full fetch)
    fetched: int
    summary: ImportSummary
    synced_at: dt.datetime


def query_key(
    condition: str | None,
    term: str | None,
    location: str | None,
    statuses: Sequence[str] | None,
    base_url: str = "",
) -> str:
    return json.dumps(
        {
            "base": base_url.rstrip("/"),
            "cond": (condition or "").strip().lower(),
            "term": (term or "").strip().lower(),
            "locn": (location or "").strip().lower(),
            "status": sorted({s.strip().upper() for s in statuses or [] if s.strip()}),
        },
        sort_keys=True,
    )


def sync(
    store: Store,
    client: CtgovClient | None = None,
    *,
    condition: str | None = None,
    term: str | None = None,
    location: str | None = None,
    statuses: Sequence[str] | None = None,
    full: bool = False,
    max_pages: int | None = None,
    page_size: int = 100,
    now: dt.datetime | None = None,
    base_url: str = DEFAULT_BASE_URL,
    rate_limit: float = 3.0,
) -> SyncResult:
    """Fetch what changed since the last sync of this query and import it.

    Raises :class:`CtgovError` when the API fails; what was imported before the failure stays
    (imports are idempotent) but the sync time is not advanced, so the next sync retries.
    Without ``client`` one is made for ``base_url`` (and closed afterwards).
    """
    if client is None:
        with CtgovClient(base_url, rate_limit=rate_limit) as own:
            return sync(
                store,
                own,
                condition=condition,
                term=term,
                location=location,
                statuses=statuses,
                full=full,
                max_pages=max_pages,
                page_size=page_size,
                now=now,
            )
    key = query_key(condition, term, location, statuses, client.base_url)
    since = None if full else store.get_sync_state(key)
    started = now or dt.datetime.now(dt.UTC)
    updated_since = (since - dt.timedelta(days=1)).date() if since else None
    failure: list[CtgovError] = []
    fetched = [0]

    def items() -> Iterator[Any]:
        try:
            for i, study in enumerate(
                client.iter_studies(
                    condition=condition,
                    term=term,
                    location=location,
                    statuses=statuses,
                    updated_since=updated_since,
                    page_size=page_size,
                    max_pages=max_pages,
                )
            ):
                fetched[0] += 1
                nct = (study.get("protocolSection") or {}).get("identificationModule", {}).get("nctId")
                url = f"{client.base_url}/study/{nct}" if nct else None
                yield study_to_trial(
                    study, source=f"{client.base_url}/api/v2/studies", record_index=i, source_url=url
                )
        except CtgovError as exc:
            failure.append(exc)

    summary = store.import_trials(items(), now=started)
    if failure:
        raise CtgovError(
            f"{failure[0]} (imported before the failure: {summary.new} new, {summary.updated} updated)"
        )
    store.set_sync_state(key, started, fetched[0])
    return SyncResult(key, since, fetched[0], summary, started)
