"""A store on PostgreSQL: text matching and ranking by PostgreSQL's full-text search (tsvector,
ts_rank); filters, sites and distances from the side index (in $TRIALMATCH_INDEX_DIR)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg import new_database, pg_url  # noqa: F401
from trialmatch.search.engine import search, search_ids
from trialmatch.search.index import SearchIndex, index_path_for
from trialmatch.search.query import SearchQuery
from trialmatch.store import Store

from .conftest import make, small_trials

pytestmark = pytest.mark.postgres


@pytest.fixture()
def pg_store(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:  # noqa: F811
    monkeypatch.setenv("TRIALMATCH_INDEX_DIR", str(tmp_path))
    store = Store(new_database(pg_url))
    store.import_trials(small_trials())
    yield store
    store.close()


def test_postgres_ranks_with_tsvector(pg_store: Store, tmp_path: Path) -> None:
    from sqlalchemy import text

    res = search(pg_store, SearchQuery(q="carcinoid", status=["any"]))
    got = [h.trial_id for h in res.hits]
    assert "NCT00000002" in got and "NCT00000003" not in got  # NET excluded only in exclusion criteria
    assert Path(index_path_for(pg_store.url)).parent == tmp_path
    with pg_store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM search_fts")).scalar() == 10
    idx = SearchIndex(pg_store)
    assert idx.pg is not None


def test_postgres_filters_fields_and_refresh(pg_store: Store) -> None:
    def ids(**kw: object) -> set[str]:
        return set(search_ids(pg_store, SearchQuery(**kw)))  # type: ignore[arg-type]

    assert ids(q="small cell lung cancer", status=["any"]) == {"NCT00000005"}  # not the NSCLC trial
    assert ids(condition="carcinoid", status=["any"]) >= {"NCT00000001", "NCT00000002"}
    assert ids(intervention="everolimus", status=["any"]) == {"NCT00000001"}
    assert ids(q="neuroendocrine", phase=["3"], status=["any"]) == {"NCT00000002"}
    hits = search(pg_store, SearchQuery(q="neuroendocrine", near="Boston", radius_km=30, status=["any"])).hits
    assert "NCT00000001" in {h.trial_id for h in hits}
    pg_store.import_trials([make("NCT00000066", brief_title="Okapi neuroendocrine study")])
    assert "NCT00000066" in ids(q="okapi")
