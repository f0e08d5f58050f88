"""Store behaviour on SQLite and PostgreSQL: idempotent imports, history, lookups, rollback."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import IntegrityError

from tests.store.conftest import make_trial
from trialmatch.records.model import Trial
from trialmatch.store import Store, register_write_hook, unregister_write_hook
from trialmatch.store.tables import TrialRow, TrialVersionRow


def _n_versions(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(TrialVersionRow)).scalar_one())


def test_import_is_idempotent(store: Store) -> None:
    trials = [make_trial(i) for i in range(20)]
    first = store.import_trials(trials, batch_size=7)
    assert (first.new, first.updated, first.unchanged, first.rejected) == (20, 0, 0, [])
    again = store.import_trials([make_trial(i) for i in range(20)], batch_size=7)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 20)
    assert store.count() == 20
    assert _n_versions(store) == 20


def test_provenance_change_alone_is_not_an_update(store: Store) -> None:
    store.import_trials([make_trial(1)])
    t = make_trial(1)
    assert t.provenance is not None
    t.provenance.source = "another-file.json"
    s = store.import_trials([t])
    assert s.unchanged == 1 and s.updated == 0


def test_status_and_criteria_changes_make_versions(store: Store) -> None:
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    store.import_trials([make_trial(1), make_trial(2), make_trial(3)], now=t0)
    t1 = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    s = store.import_trials(
        [
            make_trial(1, status="COMPLETED"),
            make_trial(2, criteria="Inclusion Criteria:\n- Age >= 21"),
            make_trial(3, acronym="NEW-ACRONYM"),
        ],
        now=t1,
    )
    assert s.updated == 3 and sorted(s.updated_ids) == ["NCT00000001", "NCT00000002", "NCT00000003"]
    v = store.versions("NCT00000001")
    assert [x.version for x in v] == [1, 2]
    assert v[0].change == ["new"] and v[1].change == ["status"]
    assert v[0].trial.overall_status == "RECRUITING" and v[1].trial.overall_status == "COMPLETED"
    assert v[1].previous_status == "RECRUITING"
    assert store.versions("NCT00000002")[1].change == ["criteria"]
    assert store.versions("NCT00000003")[1].change == ["content"]
    changes = store.changes_since(dt.datetime(2026, 1, 15, tzinfo=dt.UTC))
    kinds = {(c.trial_id, c.kind) for c in changes}
    assert kinds == {("NCT00000001", "status"), ("NCT00000002", "criteria"), ("NCT00000003", "content")}
    status_change = next(c for c in changes if c.kind == "status")
    assert (status_change.old_status, status_change.new_status) == ("RECRUITING", "COMPLETED")
    assert len(store.changes_since(t0)) == 6  # three new + three changes
    current = store.get_trial("NCT00000001")
    assert current is not None and current.overall_status == "COMPLETED"


def test_same_id_twice_in_one_batch(store: Store) -> None:
    s = store.import_trials([make_trial(5), make_trial(5), make_trial(5, status="SUSPENDED")])
    assert (s.new, s.unchanged, s.updated) == (1, 1, 1)
    assert store.count() == 1
    assert [v.trial.overall_status for v in store.versions("NCT00000005")] == ["RECRUITING", "SUSPENDED"]


def test_lookup_by_registry_id_and_case(store: Store) -> None:
    local = Trial(id="LOCAL-abc123", brief_title="A hospital page without registry id")
    other = make_trial(7).model_copy(update={"id": "LOCAL-x7", "registry_id": "NCT00000007"})
    store.import_trials([local, other])
    assert store.get_trial("local-ABC123") is not None
    t = store.get_trial("nct00000007")
    assert t is not None and t.id == "LOCAL-x7"
    assert store.get_trial("NCT99999999") is None
    assert store.resolve_id("  ") is None


def test_iter_list_count(store: Store) -> None:
    store.import_trials(
        [make_trial(i, status="COMPLETED" if i % 3 == 0 else "RECRUITING") for i in range(30)]
    )
    assert store.count() == 30 and store.count(["COMPLETED"]) == 10
    ids = ["NCT00000004", "NCT00000001", "NCT00000404", "NCT00000002"]
    assert [t.id for t in store.iter_trials(ids=ids)] == ["NCT00000004", "NCT00000001", "NCT00000002"]
    assert {t.overall_status for t in store.iter_trials(statuses=["COMPLETED"])} == {"COMPLETED"}
    assert sum(1 for _ in store.iter_trials()) == 30
    rows = store.list_trials()
    assert len(rows) == 30
    r = rows[0].to_dict()
    assert r["id"] == "NCT00000000" and r["registry_id"] == "NCT00000000" and r["status"] == "COMPLETED"
    assert r["title"].startswith("Study 0") and r["phases"] == ["PHASE2"]
    assert r["conditions"] == ["Neuroendocrine Tumors"] and r["source"] == "generated.json"


def test_non_trials_and_bad_ids_are_rejected(store: Store) -> None:
    class Err:
        file = "broken.xml"
        record = 3
        reason = "HTML error page, not XML"

    bad = make_trial(9).model_copy(update={"id": ""})
    s = store.import_trials([make_trial(1), Err(), bad, ValueError("truncated download")])
    assert s.new == 1 and len(s.rejected) == 3
    assert str(s.rejected[0]) == "broken.xml [3]: HTML error page, not XML"
    reasons = sorted(r.reason for r in s.rejected[1:])
    assert "no usable id" in reasons[0] and reasons[1] == "truncated download"


def test_reader_exception_keeps_what_was_read(store: Store) -> None:
    def items():  # type: ignore[no-untyped-def]
        yield make_trial(1)
        yield make_trial(2)
        raise ValueError("unexpected end of file")

    s = store.import_trials(items())
    assert s.new == 2 and "reading stopped" in s.rejected[0].reason
    assert store.count() == 2


def test_failing_batch_is_rolled_back_and_the_rest_imports(store: Store) -> None:
    def hook(conn: Connection, trials: list[Trial]) -> None:
        if any(t.id == "NCT00000013" for t in trials):
            raise IntegrityError("hook", {}, Exception("simulated failure"))

    register_write_hook(hook)
    try:
        s = store.import_trials([make_trial(i) for i in range(30)], batch_size=10)
    finally:
        unregister_write_hook(hook)
    assert s.failed_batches == 1 and s.new == 29
    assert len(s.rejected) == 1 and "simulated failure" in s.rejected[0].reason
    assert s.rejected[0].source == "generated.json" and s.rejected[0].record == 13
    # nothing half-written: no trial row and no version row for the failed record
    assert store.count() == 29 and _n_versions(store) == 29
    assert store.get_trial("NCT00000013") is None and store.get_trial("NCT00000014") is not None
    s2 = store.import_trials([make_trial(i) for i in range(30)], batch_size=10)
    assert (s2.new, s2.unchanged) == (1, 29)


def test_hostile_values_do_not_sink_a_batch(store: Store) -> None:
    odd = make_trial(2, status="X" * 500).model_copy(
        update={"brief_title": "nul\x00inside", "study_type": "Y" * 99}
    )
    bad_id = make_trial(3).model_copy(update={"id": "NCT\x00"})
    s = store.import_trials([make_trial(1), odd, bad_id, make_trial(4)])
    assert s.new == 3 and len(s.rejected) == 1 and "no usable id" in s.rejected[0].reason
    t = store.get_trial("NCT00000002")
    assert t is not None and t.brief_title == "nul\x00inside" and t.overall_status == "X" * 500
    row = next(r for r in store.list_trials() if r.id == "NCT00000002")
    assert row.title == "nulinside" and row.status == "X" * 64


def test_sync_state(store: Store) -> None:
    assert store.get_sync_state("q") is None
    when = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    store.set_sync_state("q", when, 12)
    store.set_sync_state("q", when + dt.timedelta(days=1), 3)
    assert store.get_sync_state("q") == when + dt.timedelta(days=1)


def test_session_and_from_db_option(
    tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "opt.db"  # type: ignore[operator]
    s = Store.from_db_option(str(path))
    s.import_trials([make_trial(1)])
    with s.session() as sess:
        assert sess.get(TrialRow, "NCT00000001") is not None
    with s.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    monkeypatch.setenv("TRIALMATCH_DB", str(path))
    assert Store.from_db_option(None).count() == 1
    # a second store on the same file sees the same data (WAL, several processes/workers)
    assert Store(f"sqlite:///{path}").get_trial("NCT00000001") is not None


def test_record_json_is_the_full_record(shared: object) -> None:
    from trialmatch.store.types import content_hash, record_json

    for t in (make_trial(1), Trial(id="LOCAL-1"), make_trial(2).model_copy(update={"provenance": None})):
        data, (c_hash, _, _) = record_json(t)
        assert Trial.model_validate_json(data) == t
        assert c_hash == content_hash(t)


def test_a_buggy_write_hook_rejects_records_instead_of_crashing(store: Store) -> None:
    def hook(conn: Connection, trials: list[Trial]) -> None:
        raise ValueError("search index bug")

    register_write_hook(hook)
    try:
        s = store.import_trials([make_trial(1), make_trial(2)])
    finally:
        unregister_write_hook(hook)
    assert s.new == 0 and len(s.rejected) == 2 and "search index bug" in s.rejected[0].reason
    assert store.count() == 0 and _n_versions(store) == 0


def test_lone_surrogates_are_rejected_not_fatal(store: Store) -> None:
    s = store.import_trials(
        [Trial(id="NCT1", brief_title="bad \udc80 text"), Trial(id="NCT\udc802"), make_trial(3)]
    )
    assert s.new == 1 and len(s.rejected) == 2 and all("surrogates" in r.reason for r in s.rejected)
