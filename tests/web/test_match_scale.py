"""The web matcher screens every open trial (not only the first 300 by disease words), its cap can be
set from the environment, and the background warm-up prepares the open trials."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from trialmatch.patients.model import Patient
from trialmatch.records.model import Eligibility, Trial
from trialmatch.web.app import create_app
from trialmatch.web.backend import DEFAULT_MATCH_CAP, MATCH_CAP_ENV, Backend, match_cap
from trialmatch.web.backend_util import TTLCache
from trialmatch.web.warmup import WARMUP_ENV, WarmUp, warm_up

TARGET = "NCT09999990"
PATIENT = {"age": 60, "sex": "female", "cancer": {"name": "pancreatic neuroendocrine tumor"}}


def decoy(i: int, status: str = "RECRUITING") -> Trial:
    """A trial naming the patient's disease in every word, for people aged 80 or more."""
    return Trial(
        id=f"NCT0900{i:04d}",
        registry_id=f"NCT0900{i:04d}",
        brief_title=f"Pancreatic Neuroendocrine Tumor study {i}",
        overall_status=status,
        conditions=["Pancreatic Neuroendocrine Tumor"],
        last_update_posted="2026-01-01",
        eligibility=Eligibility(
            criteria_text="Inclusion Criteria:\n\n* Age 80 years or older\n", min_age_years=80
        ),
    )


def target() -> Trial:
    """The one trial the patient can join; it shares no word with the patient's disease name."""
    return Trial(
        id=TARGET,
        registry_id=TARGET,
        brief_title="Everolimus for adults with advanced cancer",
        overall_status="RECRUITING",
        conditions=["Advanced Cancer"],
        last_update_posted="2026-01-01",
        eligibility=Eligibility(
            criteria_text="Inclusion Criteria:\n\n* Age 18 years or older\n", min_age_years=18
        ),
    )


def many(n: int = 360) -> list[Trial]:
    return [decoy(i) for i in range(n)] + [decoy(n, "COMPLETED"), target()]


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    store_mod = pytest.importorskip("trialmatch.store.store")
    url = f"sqlite:///{tmp_path_factory.mktemp('scale') / 'tm.db'}"
    store = store_mod.Store(url)
    store.import_trials(many())
    store.close()
    return url


def test_cap_default_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MATCH_CAP_ENV, raising=False)
    assert match_cap() == DEFAULT_MATCH_CAP == 5000
    monkeypatch.setenv(MATCH_CAP_ENV, "25")
    assert match_cap() == 25
    for bad in ("", "lots", "0", "-3", "2.5"):
        monkeypatch.setenv(MATCH_CAP_ENV, bad)
        assert match_cap() == DEFAULT_MATCH_CAP


def test_fixed_trials_beyond_300_are_matched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MATCH_CAP_ENV, raising=False)
    trials = many()
    b = Backend("sqlite://", trials=trials)
    patient = Patient.model_validate(PATIENT)
    chosen = [t.id for t in b.match_candidates(patient)]
    assert len(chosen) == 361 and TARGET in chosen  # every open trial, the completed one left out
    app = create_app(f"sqlite:///{tmp_path / 'web.db'}", trials=trials)
    assert app.state.warm_up is None  # a fixed list is never warmed up in the background
    with TestClient(app) as c:
        res = c.post("/api/match", json={"patient": PATIENT}).json()["results"]
    assert len(res) == 361
    assert res[0]["trial_id"] == TARGET and res[0]["verdict"] in ("eligible", "possibly_eligible")
    assert {r["verdict"] for r in res[1:]} == {"ineligible"}


def test_cap_env_limits_by_disease_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MATCH_CAP_ENV, "300")
    patient = Patient.model_validate(PATIENT)
    chosen = Backend("sqlite://", trials=many()).match_candidates(patient)
    assert len(chosen) == 300 and TARGET not in [t.id for t in chosen]  # ranked last by words
    monkeypatch.setenv(MATCH_CAP_ENV, "5")
    chosen = Backend("sqlite://", trials=many()).match_candidates(patient)
    assert [t.id for t in chosen] == [f"NCT0900{i:04d}" for i in range(5)]


def test_store_backend_finds_trial_ranked_last(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MATCH_CAP_ENV, raising=False)
    b = Backend(store_url)
    patient = Patient.model_validate(PATIENT)
    chosen = b.match_candidates(patient)
    assert len(chosen) == 361 and chosen[-1].id == TARGET  # read in bulk, in id order
    report = b.match(patient, chosen, dt.date(2026, 6, 1))
    assert report.results[0].trial_id == TARGET
    assert report.results[0].verdict in ("eligible", "possibly_eligible")
    monkeypatch.setenv(MATCH_CAP_ENV, "300")
    assert TARGET not in [t.id for t in Backend(store_url).match_candidates(patient)]


def test_warm_up_prepares_every_open_trial(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MATCH_CAP_ENV, raising=False)
    b = Backend(store_url)
    trials = b.load_trials([t.id for t in many()])
    assert len(trials) == 362 and not any(b.has_prepared(t) for t in trials)
    assert warm_up(b, chunk=100) == 361
    assert all(b.has_prepared(t) for t in trials if t.overall_status == "RECRUITING")
    assert not b.has_prepared(trials[-2])  # the completed trial is not screened, so not prepared
    assert warm_up(b) == 0  # nothing left to do
    stop = threading.Event()
    stop.set()
    assert warm_up(Backend(store_url), stop) == 0


def test_request_during_warm_up(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A match running while the warm-up thread prepares the same trials gives the same answer."""
    monkeypatch.delenv(MATCH_CAP_ENV, raising=False)
    patient = Patient.model_validate(PATIENT)
    alone = Backend(store_url)
    expected = alone.match(patient, alone.match_candidates(patient), dt.date(2026, 6, 1))
    b = Backend(store_url)
    warm = WarmUp(b)
    warm.start()
    try:
        got = b.match(patient, b.match_candidates(patient), dt.date(2026, 6, 1))
    finally:
        warm.stop()
    assert warm.thread is not None and not warm.thread.is_alive() and warm.error is None
    assert [(r.trial_id, r.verdict) for r in got.results] == [
        (r.trial_id, r.verdict) for r in expected.results
    ]


def test_app_warms_up_on_start_and_stops(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(WARMUP_ENV, raising=False)
    monkeypatch.delenv(MATCH_CAP_ENV, raising=False)
    app = create_app(store_url)
    warm = app.state.warm_up
    assert isinstance(warm, WarmUp) and warm.thread is None  # started with the app, not before
    with TestClient(app) as c:
        assert warm.thread is not None
        warm.join()
        assert warm.prepared == 361 and warm.error is None
        res = c.post("/api/match", json={"patient": PATIENT}).json()["results"]
        assert res[0]["trial_id"] == TARGET and len(res) == 361
    assert not warm.thread.is_alive()
    assert create_app(store_url, warm_up=False).state.warm_up is None
    monkeypatch.setenv(WARMUP_ENV, "0")
    assert create_app(store_url).state.warm_up is None


def test_cache_makes_a_value_once_across_threads() -> None:
    cache = TTLCache(8, float("inf"))
    started, go = threading.Event(), threading.Event()
    calls: list[int] = []

    def make() -> str:
        calls.append(1)
        started.set()
        go.wait(5)
        return "value"

    got: list[str] = []
    first = threading.Thread(target=lambda: got.append(cache.get_or_make("k", make)))
    first.start()
    assert started.wait(5)
    second = threading.Thread(target=lambda: got.append(cache.get_or_make("k", make)))
    second.start()
    go.set()
    first.join(5)
    second.join(5)
    assert got == ["value", "value"] and len(calls) == 1
    assert cache.get_or_make("none", lambda: None) is None and "none" not in cache


def test_serve_help_names_the_cap() -> None:
    from typer.testing import CliRunner

    from trialmatch.cli.main import app

    res = CliRunner().invoke(app, ["serve", "--help"])
    assert res.exit_code == 0 and MATCH_CAP_ENV in res.output and WARMUP_ENV in res.output


def test_warm_up_can_freeze_the_collector(store_url: str) -> None:
    import gc

    warm = WarmUp(Backend(store_url), freeze_gc=True)
    try:
        warm.start()
        warm.join()
        assert warm.prepared == 361 and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_reserved_keys_are_waited_for_not_made_again() -> None:
    cache = TTLCache(8, float("inf"))
    cache.put("cached", 1)
    assert cache.reserve(["cached", "a", "b"]) == ["a", "b"]
    assert cache.reserve(["a", "c"]) == ["c"]  # "a" is someone else's
    made: list[str] = []
    got: list[int] = []
    waiter = threading.Thread(
        target=lambda: got.append(cache.get_or_make("a", lambda: made.append("a") or 9))
    )
    waiter.start()
    cache.put("a", 2)
    cache.release(["a", "b", "c"])
    waiter.join(5)
    assert got == [2] and made == []
    assert cache.get_or_make("b", lambda: 3) == 3  # released without a value: made on demand
