"""Value readers for copied pages: dates, statuses, phases, sex, ages, ids, investigator names."""

from __future__ import annotations

import pytest

from trialmatch.importers.page_layout import label_of
from trialmatch.importers.page_vocab import (
    age_range,
    date_value,
    enrollment_value,
    investigator_names,
    phase_values,
    registry_ids,
    sex_word,
    status_word,
    yes_no,
)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Jul 20, 2025", "2025-07-20"),
        ("July 26, 2025", "2025-07-26"),
        ("21 October 2025", "2025-10-21"),
        ("2025-10-01", "2025-10-01"),
        ("2025/10/01", "2025-10-01"),
        ("5/02/2021", "2021-02-05"),
        ("12/31/2030", "2030-12-31"),
        ("March 2023", "2023-03"),
        ("Not reported", None),
        ("", None),
    ],
)
def test_dates(text: str, iso: str | None) -> None:
    assert date_value(text) == iso


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("NOT_YET_RECRUITING", "NOT_YET_RECRUITING"),
        ("Not yet recruiting", "NOT_YET_RECRUITING"),
        ("Recruiting", "RECRUITING"),
        ("Active, not recruiting", "ACTIVE_NOT_RECRUITING"),
        ("Ongoing, recruiting", "RECRUITING"),
        ("Closed: follow-up continuing", "ACTIVE_NOT_RECRUITING"),
        ("Stopped early", "TERMINATED"),
        ("Pending", "NOT_YET_RECRUITING"),
        ("Banana", None),
    ],
)
def test_statuses(text: str, status: str | None) -> None:
    assert status_word(text) == status


def test_standalone_status_is_strict() -> None:
    assert status_word("Recruiting", standalone=True) == "RECRUITING"
    assert status_word("Open", standalone=True) is None
    assert status_word("Open") == "RECRUITING"


@pytest.mark.parametrize(
    ("text", "phases"),
    [
        ("PHASE2", ["PHASE2"]),
        ("Phase 2", ["PHASE2"]),
        ("Phase II", ["PHASE2"]),
        ("Phase 1/Phase 2", ["PHASE1", "PHASE2"]),
        ("Phase Ib/II", ["PHASE1", "PHASE2"]),
        ("Early Phase 1", ["EARLY_PHASE1"]),
        ("N/A", ["NA"]),
        ("2", ["PHASE2"]),
        ("Therapeutic confirmatory (Phase III)", ["PHASE3"]),
        ("Recruiting", []),
    ],
)
def test_phases(text: str, phases: list[str]) -> None:
    assert phase_values(text) == phases


@pytest.mark.parametrize(
    ("text", "sex"),
    [
        ("ALL", "ALL"),
        ("All", "ALL"),
        ("Both", "ALL"),
        ("Both males and females", "ALL"),
        ("Female, Male", "ALL"),
        ("Female", "FEMALE"),
        ("Men only", "MALE"),
        ("gender unlimited", "ALL"),
    ],
)
def test_sex(text: str, sex: str) -> None:
    assert sex_word(text) == sex


@pytest.mark.parametrize(
    ("text", "ages"),
    [
        ("18 Years - 80 Years", ("18 Years", "80 Years")),
        ("18-75 years", ("18 Years", "75 Years")),
        ("18 Years and older", ("18 Years", None)),
        ("12 Years to 17 Years (Child)", ("12 Years", "17 Years")),
        ("Min age 18 years, Max age 75 years", ("18 Years", "75 Years")),
        ("18-64 years, 65+ years", ("18 Years", None)),
        ("6 Months", ("6 Months", None)),
        ("No limit", (None, None)),
    ],
)
def test_age_ranges(text: str, ages: tuple[str | None, str | None]) -> None:
    assert age_range(text) == ages


def test_counts_flags_and_names() -> None:
    assert enrollment_value("35 participants") == (35, None)
    assert enrollment_value("100 (Estimated)") == (100, "ESTIMATED")
    assert enrollment_value("1,200 Actual") == (1200, "ACTUAL")
    assert (yes_no("No"), yes_no("Yes"), yes_no("maybe")) == (False, True, None)
    assert investigator_names("Jiuliang Yan, M.D.Jiang Long, M.D.") == ["Jiuliang Yan", "Jiang Long"]
    assert investigator_names("Dr. Anna Berg; Prof. Carl Diaz, PhD") == ["Anna Berg", "Carl Diaz"]


def test_registry_ids() -> None:
    text = (
        "NCT07077551 EudraCT 2020-002379-13, EU CT 2023-503456-12-00, ACTRN12621000123456, "
        "ChiCTR2100045678, ChiCTR-IOR-17011234, ISRCTN12345678, CTRI/2020/01/012345"
    )
    ids = [i for i, _, _ in registry_ids(text)]
    assert ids == [
        "NCT07077551",
        "2020-002379-13",
        "2023-503456-12-00",
        "ACTRN12621000123456",
        "ChiCTR2100045678",
        "ChiCTR-IOR-17011234",
        "ISRCTN12345678",
        "CTRI/2020/01/012345",
    ]
    assert registry_ids("org study id 2025-1173") == []


@pytest.mark.parametrize(
    ("line", "field", "inline"),
    [
        ("Recruitment Status", "status", None),
        ("Status:", "status", None),
        ("Overall Status | Recruiting |", "status", "Recruiting"),
        ("Eligible Ages | 18 Years - 80 Years |", "age_range", "18 Years - 80 Years"),
        ("Participant gender:", "sex", None),
        ("Accepts Healthy Volunteers?", "healthy_volunteers", None),
        ("Launched by ACME · Jul 20, 2025", "launched_by", "ACME · Jul 20, 2025"),
        ("Study Start (Actual)", "start_date", None),
        ("Phase: Phase 3", "phase", "Phase 3"),
    ],
)
def test_labels(line: str, field: str, inline: str | None) -> None:
    hit = label_of(line)
    assert hit is not None and (hit.field, hit.inline) == (field, inline)


@pytest.mark.parametrize(
    "line", ["Group Type EXPERIMENTAL", "Age ≥18 years", "The status of the trial is open."]
)
def test_not_labels(line: str) -> None:
    assert label_of(line) is None


@pytest.mark.parametrize(
    ("item", "ages"),
    [
        ("18 years of age or older", ("18 Years", None)),
        ("Men or women aged 18-75.", ("18 Years", "75 Years")),
        ("Patients aged between 18 and 75 years", ("18 Years", "75 Years")),
        ("Aged over 18 years and under 80 years", ("18 Years", "80 Years")),
        ("Age: 18~75 years old", ("18 Years", "75 Years")),
        ("Adults (age >18 years) with ECOG 0-1", ("18 Years", None)),
        ("ECOG 0-1", (None, None)),
    ],
)
def test_ages_from_criteria_items(item: str, ages: tuple[str | None, str | None]) -> None:
    from trialmatch.importers.text_page import _criteria_ages

    assert _criteria_ages(f"Inclusion Criteria:\n- {item}\n") == ages
    assert _criteria_ages(f"Exclusion Criteria:\n- {item}\n") == (None, None)
