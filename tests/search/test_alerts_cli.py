"""Saved searches and alerts through the Store's version history; the search CLI."""

from __future__ import annotations

import datetime as dt
import email
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trialmatch.records.model import Location
from trialmatch.search.alerts import list_saved_searches, run_alerts, save_search, unsubscribe
from trialmatch.search.query import SearchQuery
from trialmatch.store import Store

from .conftest import make, small_trials

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'tm.db'}")
    store.import_trials(small_trials(), now=T0)
    return store


def test_alerts_new_and_status_change_write_one_message(tmp_path: Path) -> None:
    store = _store(tmp_path)
    saved = save_search(
        store, SearchQuery(q="neuroendocrine"), email="pat@example.org", now=T0 + dt.timedelta(days=1)
    )
    other = save_search(
        store, SearchQuery(q="glioblastoma"), email="other@example.org", now=T0 + dt.timedelta(days=1)
    )
    t2 = T0 + dt.timedelta(days=2)
    new = make(
        "NCT00000099",
        brief_title="Cabozantinib in neuroendocrine tumors",
        conditions=["Carcinoid Tumor"],
        locations=[Location(city="Boston", country="United States", status="RECRUITING")],
    )
    changed = next(t for t in small_trials() if t.id == "NCT00000002").model_copy(
        update={"overall_status": "RECRUITING"}
    )  # was NOT_YET_RECRUITING
    untouched_status = next(t for t in small_trials() if t.id == "NCT00000005")
    store.import_trials([new, changed, untouched_status], now=t2)
    outbox = tmp_path / "outbox"
    digests = run_alerts(store, outbox, now=T0 + dt.timedelta(days=3))
    assert [d.saved_search_id for d in digests] == [saved.id]  # nothing for the glioblastoma subscriber
    files = sorted(outbox.glob("*.eml"))
    assert len(files) == 1
    msg = email.message_from_bytes(files[0].read_bytes())
    assert msg["To"] == "pat@example.org"
    body = msg.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "NCT00000099" in body and "new trial" in body
    assert "NCT00000002" in body and "now recruiting" in body
    assert "NCT00000005" not in body  # re-imported unchanged: no change recorded
    assert saved.unsubscribe_token in body and saved.unsubscribe_token in msg["List-Unsubscribe"]
    # a second run reports nothing new
    assert run_alerts(store, outbox, now=T0 + dt.timedelta(days=4)) == []
    assert len(list(outbox.glob("*.eml"))) == 1
    assert unsubscribe(store, saved.unsubscribe_token)
    assert not unsubscribe(store, "nope")
    assert [s.id for s in list_saved_searches(store)] == [other.id]


def test_save_search_validates_email_and_accepts_web_filters(tmp_path: Path) -> None:
    store = _store(tmp_path)
    try:
        save_search(store, "carcinoid", email="not an email")
        raise AssertionError("accepted a bad e-mail")
    except ValueError:
        pass
    s = save_search(
        str(tmp_path / "tm.db"), "carcinoid", email="a@b.org", filters={"status": "open", "age": "60"}
    )
    assert s.query.q == "carcinoid" and s.query.age == 60 and "NOT_YET_RECRUITING" in s.query.status


def test_cli_search_similar_and_alerts(tmp_path: Path) -> None:
    from trialmatch.cli.main import app

    _store(tmp_path)
    db = str(tmp_path / "tm.db")
    runner = CliRunner()
    r = runner.invoke(app, ["search", "carcinoid", "--db", db, "--format", "json", "--status", "any"])
    assert r.exit_code == 0, r.output
    ids = [h["trial_id"] for h in json.loads(r.output)["hits"]]
    assert "NCT00000002" in ids and "NCT00000003" not in ids
    r = runner.invoke(
        app, ["search", "--near", "Boston", "--radius-km", "30", "--db", db, "--format", "json"]
    )
    hits = json.loads(r.output)["hits"]
    assert {h["trial_id"] for h in hits} >= {"NCT00000001"} and all(h["distance_km"] <= 30 for h in hits)
    r = runner.invoke(app, ["search", "--status", "bogus", "--db", db])
    assert r.exit_code == 2
    r = runner.invoke(app, ["search", "cancer", "--age", "30", "--sex", "female", "--phase", "3", "--db", db])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["similar", "NCT00000001", "--db", db, "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.output)
    r = runner.invoke(app, ["similar", "NCT09999999", "--db", db])
    assert r.exit_code == 1
    r = runner.invoke(app, ["alerts", "save", "neuroendocrine", "--email", "x@y.org", "--db", db])
    assert r.exit_code == 0 and json.loads(r.output)["unsubscribe_token"]
    r = runner.invoke(app, ["alerts", "run", "--outbox", str(tmp_path / "out"), "--db", db])
    assert r.exit_code == 0 and "0 message(s)" in r.output
    token = json.loads(runner.invoke(app, ["alerts", "save", "x", "--email", "z@y.org", "--db", db]).output)[
        "unsubscribe_token"
    ]
    assert "z@y.org" in runner.invoke(app, ["alerts", "list", "--db", db]).output
    assert runner.invoke(app, ["alerts", "unsubscribe", token, "--db", db]).exit_code == 0
    assert "z@y.org" not in runner.invoke(app, ["alerts", "list", "--db", db]).output
    r = runner.invoke(app, ["summary", "NCT00000001", "--db", db, "--format", "json"])
    assert r.exit_code == 0 and "Everolimus" in json.loads(r.output)["text"]


def test_index_refreshes_when_store_changes(tmp_path: Path) -> None:
    from trialmatch.search.engine import search_ids

    store = _store(tmp_path)
    assert "NCT00000077" not in search_ids(store, SearchQuery(q="zebrafish", status=["any"]))
    store.import_trials([make("NCT00000077", brief_title="Zebrafish study")])
    assert search_ids(store, SearchQuery(q="zebrafish", status=["any"])) == ["NCT00000077"]


def test_refresh_is_incremental_from_the_store_history(tmp_path: Path) -> None:
    from trialmatch.search.index import SearchIndex

    store = _store(tmp_path)
    idx = SearchIndex(store)
    assert idx.refresh() == "rebuilt"
    assert idx.refresh() == "fresh"
    changed = next(t for t in small_trials() if t.id == "NCT00000003").model_copy(
        update={"overall_status": "RECRUITING", "brief_title": "Pembrolizumab in okapi cancer"}
    )
    store.import_trials([changed, make("NCT00000088", brief_title="Okapi registry")])
    assert idx.refresh() == "updated"
    assert idx.count() == 11
    from trialmatch.search.engine import search_ids

    assert set(search_ids(idx, SearchQuery(q="okapi"))) == {"NCT00000003", "NCT00000088"}


def test_query_for_patient_and_cli_patient_option(tmp_path: Path) -> None:
    from trialmatch.cli.main import app
    from trialmatch.patients.model import Patient
    from trialmatch.search.patient_query import query_for_patient

    p = Patient.model_validate(
        {
            "age": 58,
            "sex": "female",
            "cancer": {"name": "carcinoid", "primary_site": "ileum"},
            "location": {"city": "Paris", "country": "France", "travel_radius_km": 50},
        }
    )
    q = query_for_patient(p)
    assert (q.q, q.age, q.sex, q.near, q.radius_km) == ("carcinoid ileum", 58, "FEMALE", "Paris, France", 50)
    _store(tmp_path)
    prof = tmp_path / "p.json"
    prof.write_text(
        json.dumps(
            {
                "age": 58,
                "sex": "female",
                "cancer": {"name": "carcinoid"},
                "location": {"city": "Paris", "country": "France", "travel_radius_km": 50},
            }
        )
    )
    r = CliRunner().invoke(
        app, ["search", "--patient", str(prof), "--db", str(tmp_path / "tm.db"), "--format", "json"]
    )
    assert r.exit_code == 0, r.output
    assert [h["trial_id"] for h in json.loads(r.output)["hits"]] == ["NCT00000002"]  # female-only, Paris, NYR


def test_alert_with_saved_patient_carries_the_matcher_verdict(tmp_path: Path, shared: Path) -> None:
    from trialmatch.importers import read_path
    from trialmatch.records.model import Trial

    store = Store(f"sqlite:///{tmp_path / 'tm.db'}")
    patient = {
        "age": 58,
        "sex": "female",
        "performance_status": {"ecog": 2},
        "cancer": {"name": "neuroendocrine carcinoma", "primary_site": "pancreas", "metastatic": True},
    }
    save_search(store, SearchQuery(q="neuroendocrine"), email="p@example.org", patient=patient, now=T0)
    seed = [t for t in read_path(shared / "seeds/000_d127006f2dea0e11.txt") if isinstance(t, Trial)]
    store.import_trials(seed, now=T0 + dt.timedelta(hours=1))
    digests = run_alerts(store, tmp_path / "out", now=T0 + dt.timedelta(days=1))
    assert len(digests) == 1 and digests[0].items[0]["trial_id"] == "NCT07077551"
    assert digests[0].items[0]["verdict"] == "ineligible"  # ECOG 2 against "ECOG 0 or 1"
    body = Path(digests[0].path or "").read_text()
    assert "For your saved profile: ineligible" in body


def test_one_message_per_subscriber_and_smtp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import smtplib

    from trialmatch.search.alerts import SmtpConfig

    store = _store(tmp_path)
    day1 = T0 + dt.timedelta(days=1)
    a = save_search(store, SearchQuery(q="carcinoid"), email="same@example.org", now=day1)
    b = save_search(store, SearchQuery(q="zebrafish"), email="same@example.org", now=day1)
    store.import_trials(
        [make("NCT00000055", brief_title="Zebrafish carcinoid model")], now=day1 + dt.timedelta(hours=1)
    )
    sent: list[object] = []

    class FakeSMTP:
        def __init__(self, host: str, port: int, timeout: float) -> None:
            assert (host, port) == ("mail.invalid", 2525)

        def __enter__(self) -> FakeSMTP:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def send_message(self, msg: object) -> None:
            sent.append(msg)

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    out = tmp_path / "outbox"
    digests = run_alerts(
        store, out, now=day1 + dt.timedelta(days=1), smtp=SmtpConfig(host="mail.invalid", port=2525)
    )
    assert len(digests) == 1 and len(sent) == 1 and digests[0].sent_smtp
    assert set(digests[0].saved_search_ids) == {a.id, b.id}
    body = sent[0].get_body().get_content()  # type: ignore[attr-defined]
    assert body.count("NCT00000055") >= 2 and a.unsubscribe_token in body and b.unsubscribe_token in body
    assert not out.exists()  # SMTP configured: nothing in the outbox


def test_alert_on_criteria_change(tmp_path: Path) -> None:
    store = _store(tmp_path)
    day1 = T0 + dt.timedelta(days=1)
    save_search(store, SearchQuery(q="everolimus"), email="c@example.org", now=day1)
    t = next(t for t in small_trials() if t.id == "NCT00000001")
    t2 = t.model_copy(
        update={
            "eligibility": t.eligibility.model_copy(
                update={
                    "criteria_text": "Inclusion Criteria:\n- Adults\n- Ki-67 <= 20%\n"
                    "Exclusion Criteria:\n- Pregnancy"
                }
            )
        }
    )
    store.import_trials([t2], now=day1 + dt.timedelta(hours=2))
    digests = run_alerts(store, tmp_path / "out", now=day1 + dt.timedelta(days=1))
    assert len(digests) == 1
    assert digests[0].items[0]["trial_id"] == "NCT00000001"
    assert "eligibility criteria changed" in digests[0].items[0]["change"]
