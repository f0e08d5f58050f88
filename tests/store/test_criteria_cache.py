"""Parsed criteria are stored once per (criteria text, parser version)."""

from __future__ import annotations

from sqlalchemy import select

from tests.store.conftest import make_trial
from trialmatch.criteria.model import Criterion
from trialmatch.records.model import Trial
from trialmatch.store import Store
from trialmatch.store.tables import TrialCriteriaRow


class CountingParser:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, trial: Trial) -> list[Criterion]:
        self.calls.append(trial.id)
        text = trial.eligibility.criteria_text or ""
        return [
            Criterion(kind="inclusion", text=line.strip("- "), category="age", index=i)
            for i, line in enumerate(text.splitlines()[1:])
        ]


def test_parsed_once_then_reparsed_on_change(store: Store) -> None:
    store.import_trials([make_trial(1), make_trial(2)])
    p = CountingParser()
    first = store.get_criteria("NCT00000001", p, "v1")
    assert [c.text for c in first] == ["Age >= 18"] and first[0].kind == "inclusion"
    again = store.get_criteria("nct00000001", p, "v1")
    assert [c.text for c in again] == ["Age >= 18"] and isinstance(again[0], Criterion)
    assert p.calls == ["NCT00000001"]
    store.get_criteria("NCT00000001", p, "v2")  # new parser version: parse again
    assert p.calls == ["NCT00000001", "NCT00000001"]
    with store.engine.connect() as conn:  # only the newest parser version's rows are kept
        assert conn.execute(select(TrialCriteriaRow.parser_version)).scalars().all() == ["v2"]
    store.import_trials([make_trial(1, criteria="Inclusion Criteria:\n- Age >= 21")])
    changed = store.get_criteria("NCT00000001", p, "v1")
    assert [c.text for c in changed] == ["Age >= 21"] and len(p.calls) == 3
    store.import_trials([make_trial(1, status="COMPLETED", criteria="Inclusion Criteria:\n- Age >= 21")])
    store.get_criteria("NCT00000001", p, "v1")  # status change only: cached criteria still valid
    assert len(p.calls) == 3


def test_load_all_parses_only_missing(store: Store) -> None:
    store.import_trials([make_trial(i) for i in range(12)])
    p = CountingParser()
    store.get_criteria("NCT00000003", p, "v1")
    everything = store.load_all_criteria(p, "v1")
    assert len(everything) == 12 and len(p.calls) == 12
    assert store.load_all_criteria(p, "v1", as_dicts=True)["NCT00000005"][0]["text"] == "Age >= 18"
    assert len(p.calls) == 12
    some = store.load_all_criteria(p, "v1", ids=["NCT00000007", "NCT00000002", "NCT00009999"])
    assert list(some) == ["NCT00000007", "NCT00000002"]


def test_parser_failure_is_contained(store: Store) -> None:
    store.import_trials([make_trial(1)])

    def broken(trial: Trial) -> list[Criterion]:
        raise RuntimeError("parser bug")

    assert store.get_criteria("NCT00000001", broken, "v1") == []
    try:
        store.get_criteria("NCT404", broken, "v1")
    except KeyError:
        pass
    else:  # pragma: no cover
        raise AssertionError("unknown trial must raise KeyError")
