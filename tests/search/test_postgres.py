"""A store on PostgreSQL: the FTS5 index is kept in a side file keyed by the URL (the documented
fallback until a tsvector backend exists) and searches behave as on SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pg import new_database, pg_url  # noqa: F401
from trialmatch.search.engine import search
from trialmatch.search.index import index_path_for
from trialmatch.search.query import SearchQuery
from trialmatch.store import Store

from .conftest import small_trials

pytestmark = pytest.mark.postgres


def test_search_over_a_postgres_store(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setenv("TRIALMATCH_INDEX_DIR", str(tmp_path))
    url = new_database(pg_url)
    store = Store(url)
    try:
        store.import_trials(small_trials())
        res = search(store, SearchQuery(q="carcinoid", status=["any"]))
        assert "NCT00000002" in {h.trial_id for h in res.hits}
        assert Path(index_path_for(store.url)).parent == tmp_path
        assert Path(index_path_for(store.url)).exists()
    finally:
        store.close()
