"""The splitter on real ClinicalTrials.gov criteria texts (../shared/data/trials)."""

from __future__ import annotations

import csv
import json
import re
import statistics
from pathlib import Path

import pytest

from trialmatch.criteria.split import split_criteria

_HEADER_ONLY = re.compile(r"^(?:key )?(?:inclusion|exclusion)(?: criteria)?:?$", re.IGNORECASE)


def test_trial_info_texts(shared: Path) -> None:
    files = sorted((shared / "data" / "trials" / "trial_info").glob("*.json"))[::3]
    assert files
    counts = []
    for f in files:
        d = json.loads(f.read_text(encoding="utf-8"))
        inc, exc = d.get("inclusion_criteria") or "", d.get("exclusion_criteria") or ""
        text = f"Inclusion Criteria:\n{inc}\nExclusion Criteria:\n{exc}"
        items = split_criteria(text)
        for it in items:
            assert it.text.strip() and not _HEADER_ONLY.match(it.text.strip())
        if len((d.get("exclusion_criteria") or "").strip()) > 120:
            assert any(i.kind == "exclusion" for i in items), f.name
        counts.append(len(items))
    assert 5 <= statistics.median(counts) <= 40
    assert max(counts) < 150


def test_hint_criteria_column(shared: Path) -> None:
    csv.field_size_limit(10**8)
    path = shared / "data" / "trials" / "hint" / "phase_II_valid.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with_exclusion = 0
    counts = []
    for r in rows:
        items = split_criteria(r["criteria"])
        assert items or not r["criteria"].strip(), r["nctid"]
        for it in items:
            assert it.text.strip() and not _HEADER_ONLY.match(it.text.strip()), r["nctid"]
        with_exclusion += any(i.kind == "exclusion" for i in items)
        counts.append(len(items))
    assert with_exclusion / len(rows) > 0.8
    assert 8 <= statistics.median(counts) <= 40


@pytest.mark.slow
def test_all_hint_rows(shared: Path) -> None:
    csv.field_size_limit(10**8)
    n = 0
    for path in sorted((shared / "data" / "trials" / "hint").glob("*.csv")):
        with path.open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                items = split_criteria(r["criteria"])
                assert all(it.text.strip() for it in items)
                n += 1
    assert n > 5000
