"""The one place the CLI turns search options into a query (``search``, ``alerts save``, ``sync``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trialmatch.cli.main import app
from trialmatch.cli.search_opts import QueryError, build_query, statuses
from trialmatch.search.query import DEFAULT_STATUSES, SearchQuery


def test_statuses_repeatable_comma_lists_any_case_without_repeats() -> None:
    assert statuses(["recruiting, Not yet recruiting", "RECRUITING"]) == ["RECRUITING", "NOT_YET_RECRUITING"]
    assert statuses(None) == [] and statuses([" , "]) == []
    assert "COMPLETED" in statuses(["any"])
    with pytest.raises(QueryError, match="unknown status 'bogus'"):
        statuses(["recruiting,bogus"])


def test_build_query_takes_the_commands_parameters_by_name() -> None:
    params = {"query": "carcinoid", "status": [], "phase": ["3"], "near": None, "db": "x.db", "fmt": "json"}
    q = build_query(params)
    assert q == SearchQuery(q="carcinoid", phase=["PHASE3"])
    assert q.status == list(DEFAULT_STATUSES)  # no --status: the query's default
    assert build_query(params, sex="f", query="nets").model_dump(include={"q", "sex"}) == {
        "q": "nets",
        "sex": "FEMALE",
    }


def test_build_query_errors_are_one_line() -> None:
    with pytest.raises(QueryError) as err:
        build_query({"age": -1, "sex": "x"})
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith("age:") and "sex:" in msg


def test_search_and_alerts_save_read_options_alike(tmp_path: Path) -> None:
    db = str(tmp_path / "tm.db")
    runner = CliRunner()
    opts = ["--status", "recruiting,not yet recruiting", "--phase", "2", "--sex", "female", "--db", db]
    r = runner.invoke(app, ["alerts", "save", "nets", "--email", "a@b.org", *opts])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["alerts", "list", "--db", db])
    assert r.exit_code == 0 and "'nets'" in r.output
    from trialmatch.search.alerts import list_saved_searches
    from trialmatch.store import Store

    saved = list_saved_searches(Store(f"sqlite:///{db}"))[0].query
    assert saved.status == ["RECRUITING", "NOT_YET_RECRUITING"] and saved.phase == ["PHASE2"]
    assert saved.sex == "FEMALE"
    r = runner.invoke(app, ["search", "nets", "--format", "json", *opts])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["total"] == 0  # an empty database; the options were accepted
    for cmd in (["search", "x"], ["alerts", "save", "x", "--email", "a@b.org"]):
        r = runner.invoke(app, [*cmd, "--sex", "other", "--db", db])
        assert r.exit_code == 2 and "error: sex: " in r.output, r.output
        r = runner.invoke(app, [*cmd, "--status", "bogus", "--db", db])
        assert r.exit_code == 2 and "unknown status 'bogus'" in r.output, r.output


def test_sync_reads_statuses_the_same_way(tmp_path: Path) -> None:
    r = CliRunner().invoke(
        app, ["sync", "--condition", "x", "--status", "bogus", "--db", str(tmp_path / "tm.db")]
    )
    assert r.exit_code == 2 and "unknown status 'bogus'" in r.output, r.output
