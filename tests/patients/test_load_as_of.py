"""A note's relative times ("two years ago") count back from the judging date given to the loader."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from trialmatch.patients.load import load_patient


def test_note_relative_dates_use_the_loader_as_of(tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("A 61-year-old man with a pancreatic neuroendocrine tumour. "
                    "He was treated with lanreotide two years ago.\n")
    for as_of in (dt.date(2026, 11, 1), dt.date(2020, 3, 1)):
        p = load_patient(note, as_of=as_of)
        assert p.as_of == as_of
        assert p.age == 61
        [t] = p.treatments or []
        assert t.name == "lanreotide" and t.start_date is not None
        assert abs((as_of - t.start_date).days - 730) <= 2  # two years before the judging date
