"""Hard-wrapped notes (lines broken mid-sentence, as copied from a record) read like unwrapped ones."""

from __future__ import annotations

import datetime as dt

from trialmatch.patients.load import load_patient
from trialmatch.patients.notes import read_note
from trialmatch.patients.notes_extract import unwrap_lines

AS_OF = dt.date(2026, 11, 1)
WRAPPED = (
    "58-year-old woman with metastatic poorly differentiated neuroendocrine carcinoma of the\n"
    "pancreas, Ki-67 70%, liver metastases. Progressed on first-line etoposide/cisplatin in\n"
    "August 2026. ECOG 1.\n"
)


def test_unwrap_keeps_every_offset() -> None:
    u = unwrap_lines(WRAPPED)
    assert len(u) == len(WRAPPED)
    assert "of the pancreas" in u and "cisplatin in August" in u
    assert u.endswith("ECOG 1.\n")


def test_lists_headers_and_numbered_lines_stay_apart() -> None:
    for text in (
        "Medications\nMetformin 500 mg",
        "History of\n1. appendectomy",
        "Plan:\ncontinue octreotide",
        "ECOG 1.\nlabs pending",
    ):
        assert unwrap_lines(text) == text


def test_a_lower_case_continuation_or_comma_joins() -> None:
    assert unwrap_lines("liver and bone\nmetastases") == "liver and bone metastases"
    assert unwrap_lines("ANC 2.5,\nPlatelets 180") == "ANC 2.5, Platelets 180"


def test_primary_site_across_a_line_break() -> None:
    p = read_note(WRAPPED, AS_OF)
    assert p.cancer is not None and p.cancer.primary_site == "pancreas"
    one_line = read_note(WRAPPED.replace("\n", " "), AS_OF)
    assert one_line.cancer is not None and one_line.cancer.primary_site == p.cancer.primary_site


def test_wrapped_note_file_loads_with_its_site(tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "note.txt"
    f.write_text(WRAPPED, encoding="utf-8")
    p = load_patient(f, as_of=AS_OF)
    assert p.cancer is not None and p.cancer.primary_site == "pancreas"
