"""Metastasis sites a note says are absent ("No brain metastases") are recorded as absent."""

from __future__ import annotations

import pytest

from trialmatch.patients.notes import read_note

BASE = "A 60-year-old woman with a pancreatic neuroendocrine tumour. "


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("Liver metastases. No brain metastases.", ["liver"], ["brain"]),
        ("No brain metastases.", [], ["brain"]),
        ("MRI shows no brain metastases but liver metastases are present.", ["liver"], ["brain"]),
        ("CT: without evidence of bone metastases; liver metastases seen.", ["liver"], ["bone"]),
        ("There are no brain, bone or lung metastases.", [], ["brain", "bone", "lung"]),
        ("Bone and liver metastases.", ["bone", "liver"], []),
    ],
)
def test_negated_sites(text: str, present: list[str], absent: list[str]) -> None:
    p = read_note(BASE + text)
    sites = (p.cancer.metastasis_sites if p.cancer else None) or []
    assert sites == present
    facts = {(f.name, f.status) for f in p.facts or [] if f.kind == "metastasis"}
    assert {(s, "absent") for s in absent} <= facts
    assert bool(p.cancer and p.cancer.metastatic) == bool(present)
