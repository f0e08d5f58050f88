"""The record commands as the black-box checks call them: import, list, show, export, history."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.pg import new_database, pg_url  # noqa: F401
from trialmatch.cli.main import app

runner = CliRunner()
STUDIES = ("NCT03418623.json", "NCT02513394_with_results.json", "NCT06171568.json")


def tm(*args: str) -> tuple[int, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.output


def _studies(shared: Path) -> list[str]:
    return [str(shared / "data/ctgov_api_v2" / n) for n in STUDIES]


def test_import_summary_and_idempotency(shared: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "tm.db")
    html = tmp_path / "error.xml"
    html.write_text("<html><head><title>502 Bad Gateway</title></head><body>oops</body></html>")
    code, out = tm("import", *_studies(shared), str(html), str(tmp_path / "missing.json"), "--db", db)
    assert code == 0, out
    assert "3 new, 0 updated, 0 unchanged, 2 rejected" in out
    assert "error.xml" in out and "missing.json: no such file or folder" in out
    code, out = tm("import", *_studies(shared), "--db", db)
    assert code == 0 and "0 new, 0 updated, 3 unchanged, 0 rejected" in out


def test_nothing_readable_exits_non_zero(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"studies": [')
    code, out = tm("import", str(bad), "--db", str(tmp_path / "tm.db"))
    assert code == 1 and "rejected" in out


def test_list_show_export(shared: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "tm.db")
    assert tm("import", *_studies(shared), "--db", db)[0] == 0
    code, out = tm("list", "--format", "json", "--db", db)
    listing = json.loads(out)
    assert code == 0 and [x["id"] for x in listing] == ["NCT02513394", "NCT03418623", "NCT06171568"]
    first = listing[1]
    assert first["registry_id"] == "NCT03418623" and first["status"] == "COMPLETED"
    assert first["title"].startswith("Effect of GET73")
    code, out = tm("list", "--db", db)
    assert code == 0 and "NCT06171568" in out and "3 trial(s)" in out
    code, out = tm("list", "--format", "json", "--status", "completed", "--db", db)
    assert [x["id"] for x in json.loads(out)] == ["NCT03418623"]
    code, out = tm("show", "nct03418623", "--db", db)
    assert code == 0 and "Effect of GET73" in out and "Laboratorio Farmaceutico" in out
    code, out = tm("show", "NCT03418623", "--format", "json", "--today", "2026-11-01", "--db", db)
    shown = json.loads(out)
    assert code == 0 and shown["id"] == "NCT03418623" and isinstance(shown["quality_flags"], list)
    assert shown["versions"][0]["change"] == ["new"]
    code, out = tm("export", "NCT03418623", "--format", "ctgov-json", "--db", db)
    assert code in (0, 1)
    if code == 0:  # the exporter (records area) is present
        ps = json.loads(out)["protocolSection"]
        assert ps["identificationModule"]["nctId"] == "NCT03418623"
        assert ps["statusModule"]["overallStatus"] == "COMPLETED"
    code, out = tm("export", "NCT03418623", "--format", "json", "--db", db)
    assert code == 0 and json.loads(out)["registry_id"] == "NCT03418623"


def test_unknown_id(tmp_path: Path) -> None:
    db = str(tmp_path / "tm.db")
    for cmd in ("show", "export", "history"):
        code, out = tm(cmd, "NCT00000000", "--db", db)
        assert code == 1 and "No trial with id 'NCT00000000'" in out


def test_history_after_change(shared: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "tm.db")
    src = json.loads((shared / "data/ctgov_api_v2/NCT06171568.json").read_text())
    f = tmp_path / "study.json"
    f.write_text(json.dumps(src))
    assert tm("import", str(f), "--db", db)[0] == 0
    src["protocolSection"]["statusModule"]["overallStatus"] = "RECRUITING"
    f.write_text(json.dumps({"studies": [src]}))
    code, out = tm("import", str(f), "--db", db)
    assert code == 0 and "1 updated" in out
    code, out = tm("history", "NCT06171568", "--format", "json", "--db", db)
    rows = json.loads(out)
    assert [r["change"] for r in rows] == [["new"], ["status"]]
    assert rows[1]["previous_status"] == "NOT_YET_RECRUITING" and rows[1]["status"] == "RECRUITING"
    assert "overall_status" in rows[1]["fields"]
    code, out = tm("history", "NCT06171568", "--db", db)
    assert "NOT_YET_RECRUITING -> RECRUITING" in out
    code, out = tm("changes", "--since", "2000-01-01", "--format", "json", "--db", db)
    assert code == 0 and [(c["kind"], c["version"]) for c in json.loads(out)] == [("new", 1), ("status", 2)]
    code, out = tm("changes", "--since", "2000-01-01", "--kind", "status", "--db", db)
    assert code == 0 and "NOT_YET_RECRUITING -> RECRUITING" in out and "1 change(s)" in out
    code, out = tm("changes", "--since", "yesterday", "--db", db)
    assert code == 2
    code, out = tm("import", str(f), "--format", "json", "--db", db)
    assert code == 0 and json.loads(out)["unchanged"] == 1


def test_installed_command_with_env_db(shared: Path, tmp_path: Path) -> None:
    """Like ../shared/tools/tm.py: the installed script, --db after the arguments, TRIALMATCH_DB set."""
    exe = Path(sys.executable).parent / "trialmatch"
    db = tmp_path / "env.db"
    env = dict(os.environ, TRIALMATCH_DB=str(db))
    r = subprocess.run(
        [str(exe), "import", *_studies(shared)], capture_output=True, text=True, env=env, timeout=120
    )
    assert r.returncode == 0, r.stderr
    r = subprocess.run(
        [str(exe), "list", "--format", "json", "--db", str(db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert r.returncode == 0 and len(json.loads(r.stdout)) == 3


@pytest.mark.postgres
def test_commands_on_postgresql(shared: Path, pg_url: str) -> None:  # noqa: F811
    url = new_database(pg_url)
    code, out = tm("import", *_studies(shared), "--db", url)
    assert code == 0 and "3 new" in out, out
    code, out = tm("list", "--format", "json", "--db", url.replace("postgresql+psycopg://", "postgresql://"))
    assert code == 0 and len(json.loads(out)) == 3
    code, out = tm("show", "NCT06171568", "--db", url)
    assert code == 0 and "NOT_YET_RECRUITING" in out


def test_import_parse_fills_the_criteria_cache(shared: Path, tmp_path: Path) -> None:
    from sqlalchemy import select

    from trialmatch.store import Store
    from trialmatch.store.tables import TrialCriteriaRow

    db = str(tmp_path / "tm.db")
    code, out = tm("import", *_studies(shared), "--parse", "--db", db)
    assert code == 0 and "Parsed criteria of 3 trial(s)" in out
    with Store(f"sqlite:///{db}").engine.connect() as conn:
        ids = conn.execute(select(TrialCriteriaRow.trial_id)).scalars().all()
    assert sorted(ids) == ["NCT02513394", "NCT03418623", "NCT06171568"]
