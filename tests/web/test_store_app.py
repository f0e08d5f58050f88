"""The app on a real store (trials imported through trialmatch.store) and the serve command."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.web.fixtures import trials
from trialmatch.web.app import create_app


def test_app_on_store(tmp_path: Path) -> None:
    store_mod = pytest.importorskip("trialmatch.store.store")
    url = f"sqlite:///{tmp_path / 'tm.db'}"
    store = store_mod.Store(url)
    store.import_trials(trials())
    store.close()
    with TestClient(create_app(url)) as c:
        assert "NCT07077551" in c.get("/search", params={"q": "neuroendocrine"}).text
        page = c.get("/trials/NCT07077551")
        assert page.status_code == 200 and "NALIRIFOX" in page.text
        again = c.get("/trials/NCT07077551")  # served from the page cache, fresh CSRF token
        assert again.text.count('name="csrf_token"') == page.text.count('name="csrf_token"') > 0
        assert "tm-" not in again.text.split('name="csrf_token" value="')[1][:3]
        assert c.get("/api/trials/NCT07077551/criteria").json()["criteria"]
        r = c.post("/api/match", json={"patient": {"age": 50}, "trial_ids": ["NCT07077551"]})
        assert r.status_code == 200 and r.json()["results"][0]["trial_id"] == "NCT07077551"
        assert c.get("/trials/NCT00000000").status_code == 404


def test_serve_command_registered() -> None:
    from trialmatch.cli.main import app

    res = CliRunner().invoke(app, ["serve", "--help"])
    assert res.exit_code == 0 and "--team-user" in res.output and "--port" in res.output
