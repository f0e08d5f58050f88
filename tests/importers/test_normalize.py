"""Legacy wording to API v2 values."""

from __future__ import annotations

import pytest

from trialmatch.importers.ctgov_xml import split_masking
from trialmatch.importers.normalize import (
    age_years,
    enum_value,
    iso_date,
    phases,
    reflow_textblock,
    registry_kind,
    sex_value,
    status_value,
    to_bool,
    vocab,
)


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("18 Years", 18),
        ("6 Months", 0.5),
        ("N/A", None),
        (None, None),
        ("2 Weeks", 0.0383),
        ("30 Days", 0.0821),
        ("65 years", 65),
        ("1 Year", 1),
        ("18", 18),
        ("12 Fortnights", None),
    ],
)
def test_age_years(text: str | None, years: float | None) -> None:
    got = age_years(text)
    assert got == (pytest.approx(years, abs=1e-3) if years is not None else None)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("January 2010", "2010-01"),
        ("January 15, 2010", "2010-01-15"),
        ("2023-12", "2023-12"),
        ("2024-02-01", "2024-02-01"),
        ("Sept 2019", "2019-09"),
        ("2019", "2019"),
        ("", None),
        ("soon", None),
    ],
)
def test_iso_date(text: str, iso: str | None) -> None:
    assert iso_date(text) == iso


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Phase 1/Phase 2", ["PHASE1", "PHASE2"]),
        ("N/A", ["NA"]),
        ("Early Phase 1", ["EARLY_PHASE1"]),
        (["PHASE2", "PHASE3"], ["PHASE2", "PHASE3"]),
        ("Phase II", ["PHASE2"]),
        ("Phase 4", ["PHASE4"]),
        (None, []),
    ],
)
def test_phases(text: object, want: list[str]) -> None:
    assert phases(text) == want


def test_enums() -> None:
    assert status_value("Recruiting") == "RECRUITING"
    assert status_value("Active, not recruiting") == "ACTIVE_NOT_RECRUITING"
    assert status_value("Not yet recruiting") == "NOT_YET_RECRUITING"
    assert status_value("Unknown status") == "UNKNOWN"
    assert status_value("Available for expanded access") == "AVAILABLE"
    assert enum_value("Single Group Assignment") == "SINGLE_GROUP"
    assert enum_value("None (Open Label)") == "NONE"
    assert enum_value("N/A") == "NA"
    assert enum_value("Anticipated", "date_type") == "ESTIMATED"
    assert enum_value("Registry Identifier", "secondary_id_type") == "REGISTRY"
    assert sex_value("Both") == "ALL" and sex_value("Female") == "FEMALE" and sex_value("robot") is None
    assert to_bool("Accepts Healthy Volunteers") is True and to_bool("No") is False and to_bool("?") is None
    assert split_masking("Double (Participant, Investigator)") == ("Double", ["Participant", "Investigator"])
    assert split_masking("Double Blind (Subject, Caregiver)")[0] == "Double"
    assert split_masking("None (Open Label)") == ("None (Open Label)", [])


def test_registry_kinds() -> None:
    assert registry_kind("2014-005181-30") == ("EudraCT", "EUDRACT_NUMBER")
    assert registry_kind("ACTRN12620000123456") == ("ANZCTR", "REGISTRY")
    assert registry_kind("ChiCTR2000029308") == ("ChiCTR", "REGISTRY")
    assert registry_kind("hello") is None


def test_vocab_is_versioned() -> None:
    assert vocab()["version"] >= 1


def test_reflow_textblock() -> None:
    block = """
        Inclusion Criteria:

          -  Age 18 or
             older

               -  nested item

          1. Numbered
             item

        A paragraph
        on two lines.
    """
    assert reflow_textblock(block) == (
        "Inclusion Criteria:\n\n* Age 18 or older\n  * nested item\n1. Numbered item"
        "\n\nA paragraph on two lines."
    )
    assert reflow_textblock("   ") is None
