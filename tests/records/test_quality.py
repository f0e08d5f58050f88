"""Data-quality flags: stale status, no update for a year, no criteria, no registry id."""

from __future__ import annotations

import datetime as dt

import pytest

from trialmatch.records.model import Eligibility, Trial
from trialmatch.records.quality import period_end, quality_flags

TODAY = dt.date(2026, 11, 22)


def _codes(t: Trial, today: dt.date = TODAY) -> list[str]:
    return [f.code for f in quality_flags(t, today)]


def _trial(**kw: object) -> Trial:
    base: dict[str, object] = {
        "id": "NCT00000001",
        "registry_id": "NCT00000001",
        "eligibility": Eligibility(criteria_text="Inclusion Criteria: adults"),
        "last_update_posted": "2026-10-01",
    }
    base.update(kw)
    return Trial(**base)  # type: ignore[arg-type]


def test_clean_record_has_no_flags() -> None:
    assert _codes(_trial(overall_status="RECRUITING", completion_date="2028-01")) == []


@pytest.mark.parametrize("status", ["RECRUITING", "NOT_YET_RECRUITING"])
def test_completion_passed_while_open_is_stale(status: str) -> None:
    t = _trial(overall_status=status, completion_date="2025-10-01")
    flags = quality_flags(t, TODAY)
    assert [f.code for f in flags] == ["stale_status"]
    assert "2025-10-01" in flags[0].message and status in flags[0].message


def test_primary_completion_counts_too_and_partial_dates_wait_for_period_end() -> None:
    assert _codes(_trial(overall_status="RECRUITING", primary_completion_date="2026-03")) == ["stale_status"]
    assert _codes(_trial(overall_status="RECRUITING", completion_date="2026-11")) == []
    assert _codes(_trial(overall_status="RECRUITING", completion_date="2026")) == []
    assert _codes(_trial(overall_status="COMPLETED", completion_date="2020-01")) == []


def test_no_update_for_a_year_while_open() -> None:
    old = _trial(overall_status="RECRUITING", last_update_posted="2025-06-30")
    assert _codes(old) == ["stale_update"]
    assert _codes(_trial(overall_status="COMPLETED", last_update_posted="2015-01-01")) == []
    verified = _trial(
        overall_status="ENROLLING_BY_INVITATION", last_update_posted=None, status_verified_date="2024-01"
    )
    assert _codes(verified) == ["stale_update"]
    assert _codes(_trial(overall_status="RECRUITING", last_update_posted="2025-12-01")) == []


def test_no_criteria_and_no_registry_id() -> None:
    t = Trial(id="LOCAL-1a2b", overall_status="NOT_YET_RECRUITING", completion_date="2025-10-01")
    flags = quality_flags(t, TODAY)
    assert [f.code for f in flags] == ["stale_status", "no_criteria", "no_registry_id"]
    assert "LOCAL-1a2b" in flags[-1].message
    assert flags[0].to_dict()["code"] == "stale_status"
    assert _codes(_trial(eligibility=Eligibility(criteria_text="   "))) == ["no_criteria"]


def test_pure_on_today() -> None:
    t = _trial(overall_status="RECRUITING", completion_date="2027-06-30")
    assert _codes(t, dt.date(2027, 6, 30)) == []
    assert _codes(t, dt.date(2027, 7, 1)) == ["stale_status"]


def test_period_end() -> None:
    assert period_end("2024-02") == dt.date(2024, 2, 29)
    assert period_end("2025") == dt.date(2025, 12, 31)
    assert period_end("2025-06-15") == dt.date(2025, 6, 15)
    assert period_end("garbage") is None and period_end(None) is None and period_end("2025-13") is None
