"""Incremental sync from the local replay server into a store, and the `trialmatch sync` command."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.ctgov.replay import ReplayServer, load_v2_studies
from trialmatch.ctgov import CtgovClient, CtgovError, sync
from trialmatch.store import Store


@pytest.fixture()
def server(shared: Path) -> Iterator[ReplayServer]:
    with ReplayServer(load_v2_studies(shared)) as srv:
        yield srv


def client(srv: ReplayServer) -> CtgovClient:
    return CtgovClient(srv.base_url, rate_limit=0, backoff=0.01, jitter=False)


def test_incremental_sync(server: ReplayServer, tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    t1 = dt.datetime(2024, 1, 10, 12, tzinfo=dt.UTC)
    with client(server) as c:
        first = sync(store, c, term="a", statuses=["COMPLETED", "NOT_YET_RECRUITING"], page_size=2, now=t1)
    assert first.since is None and first.fetched == 7 and first.summary.new == 7
    assert "filter.advanced" not in server.requests[0][2]
    n_before = len(server.requests)
    # one study changes status after the first sync; the next sync asks only for what changed
    server.set_study("NCT03418623", "NOT_YET_RECRUITING", "2024-02-01")
    t2 = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    with client(server) as c:
        second = sync(store, c, term="a", statuses=["NOT_YET_RECRUITING", "COMPLETED"], page_size=2, now=t2)
    params = server.requests[n_before][2]
    assert params["filter.advanced"] == "AREA[LastUpdatePostDate]RANGE[2024-01-09,MAX]"
    assert second.since == t1 and second.fetched == 1
    assert (second.summary.updated, second.summary.new) == (1, 0)
    changes = store.changes_since(t2)
    assert [(c.trial_id, c.kind, c.old_status, c.new_status) for c in changes] == [
        ("NCT03418623", "status", "COMPLETED", "NOT_YET_RECRUITING")
    ]
    t = store.get_trial("NCT03418623")
    assert t is not None and t.provenance is not None
    assert t.provenance.source_url == f"{server.base_url}/study/NCT03418623"
    # nothing changed since: an empty page, nothing written, the sync time moves on
    t3 = dt.datetime(2024, 4, 1, tzinfo=dt.UTC)
    with client(server) as c:
        third = sync(store, c, term="a", statuses=["COMPLETED", "NOT_YET_RECRUITING"], now=t3)
    assert third.fetched == 0 and third.since == t2


def test_failed_sync_does_not_advance(server: ReplayServer, tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    server.fail_next = [503] * 20
    with (
        CtgovClient(server.base_url, rate_limit=0, backoff=0.001, max_retries=1, jitter=False) as c,
        pytest.raises(CtgovError),
    ):
        sync(store, c, condition="breast")
    with client(server) as c:
        server.fail_next = []
        r = sync(store, c, condition="breast")
    assert r.since is None and r.summary.new == 1


def test_sync_command(server: ReplayServer, tmp_path: Path) -> None:
    from trialmatch.cli.main import app

    db = str(tmp_path / "cli.db")
    runner = CliRunner()
    args = ["sync", "--condition", "breast", "--base-url", server.base_url, "--rate", "0", "--db", db]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    assert "1 new" in r.output
    r = runner.invoke(app, args)
    assert r.exit_code == 0 and "since" in r.output and "0 new" in r.output
    r = runner.invoke(app, ["sync", "--db", db])
    assert r.exit_code == 2
    server.fail_next = [500] * 10
    r = runner.invoke(app, [*args[:-2], "--full", "--retries", "1", "--db", db])
    assert r.exit_code == 1


def test_sync_makes_its_own_client(server: ReplayServer, tmp_path: Path) -> None:
    store = Store(str(tmp_path / "plain-path.db"))  # a file path works as well as a URL
    r = sync(store, condition="breast", base_url=server.base_url, rate_limit=0)
    assert r.summary.new == 1 and store.get_trial("NCT02513394") is not None


def test_recorded_covid_search_paged_sync(shared: Path, tmp_path: Path) -> None:
    from tests.ctgov.replay import load_covid_search_as_v2

    studies = load_covid_search_as_v2(shared)
    assert len(studies) == 100
    store = Store(f"sqlite:///{tmp_path / 'covid.db'}")
    with ReplayServer(studies) as srv, client(srv) as c:
        r = sync(
            store, c, condition="covid", statuses=["RECRUITING"], page_size=10, now=dt.datetime(2023, 1, 1)
        )
        pages = [p for _, path, p in srv.requests if path == "/api/v2/studies"]
        assert r.fetched == r.summary.new == 26 and len(pages) == 3
        assert {t.overall_status for t in store.iter_trials()} == {"RECRUITING"}
        r2 = sync(
            store, c, condition="covid", statuses=["RECRUITING"], page_size=10, now=dt.datetime(2023, 2, 1)
        )
        assert r2.fetched == 0 and srv.requests[-1][2]["filter.advanced"].startswith(
            "AREA[LastUpdatePostDate]"
        )
