"""The note reader records every anticancer drug or regimen it finds (through the shared concepts
vocabulary), so the matcher's is-a ("cisplatin is a platinum") applies to what the note says."""

from __future__ import annotations

import datetime as dt

import pytest

from trialmatch.criteria.rules import Has
from trialmatch.matching.evaluate import compile_rule
from trialmatch.patients.derive import PatientFacts
from trialmatch.patients.notes import read_note
from trialmatch.vocab.concepts import is_a

AS_OF = dt.date(2025, 6, 1)
HEAD = "A 60-year-old man with small cell lung cancer. "


def _treatment_concepts(note: str) -> set[str]:
    f = PatientFacts.build(read_note(HEAD + note, AS_OF), AS_OF)
    return {c for it in f.items["treatment"] for c in it.concepts}


@pytest.mark.parametrize(
    "note",
    [
        "He was treated with cisplatin/etoposide in 2023 with partial response.",
        "Previously treated with cisplatin-etoposide, then progressed.",
        "Status post carboplatin-etoposide for small cell lung cancer.",
        "She received carboplatin and paclitaxel in 2022.",
        "Past treatment: CDDP/VP-16 x 4 cycles.",
        "Received nedaplatin in 2020.",
        "Treated with platinum-based chemotherapy last year.",
        "He completed 6 cycles of oxaliplatin-based chemotherapy.",
    ],
)
def test_platinum_drugs_in_a_note_are_platinum_for_the_matcher(note: str) -> None:
    cs = _treatment_concepts(note)
    assert any(is_a(c, "platinum") for c in cs), cs
    f = PatientFacts.build(read_note(HEAD + note, AS_OF), AS_OF)
    assert compile_rule(Has("platinum", ("treatment",)), True)(f) is True


@pytest.mark.parametrize(
    ("note", "drug"),
    [
        ("He completed 4 cycles of carboplatin/pemetrexed.", "pemetrexed"),
        ("Previously treated with cisplatin-etoposide.", "etoposide"),
        ("Past treatment: CDDP/VP-16.", "etoposide"),
    ],
)
def test_each_drug_of_a_combination_is_recorded(note: str, drug: str) -> None:
    assert any(is_a(c, drug) for c in _treatment_concepts(note))


def test_negated_drug_is_not_a_treatment() -> None:
    p = read_note(HEAD + "He has never received cisplatin or any platinum-based chemotherapy.", AS_OF)
    assert not p.treatments
    f = PatientFacts.build(p, AS_OF)
    assert compile_rule(Has("platinum", ("treatment",)), True)(f) is not True


def test_supportive_drugs_are_not_anticancer_treatments() -> None:
    p = read_note(HEAD + "He takes omeprazole and insulin daily.", AS_OF)
    assert not p.treatments
