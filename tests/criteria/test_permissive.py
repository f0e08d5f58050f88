"""The permissive prefilter (``clinical.permissive_hint``) is a necessary condition of the
``permissive_cues`` phrase list: every phrase passes it, so no permissive wording is skipped."""

from __future__ import annotations

import pytest

from trialmatch.criteria.clinical import split_exceptions
from trialmatch.criteria.lexicon import phrases
from trialmatch.vocab.patterns import pattern


@pytest.mark.parametrize("key", ["permissive_cues"])
def test_every_permissive_phrase_passes_the_hint(key: str) -> None:
    hint = pattern("clinical.permissive_hint")
    missed = [p for p in phrases()[key] if not hint.search(p.lower())]
    assert not missed, f"permissive_hint misses {missed}"


@pytest.mark.parametrize(
    ("text", "permissive"),
    [
        (
            "Prior chemotherapy for metastatic disease is required; there is no limit on the number of"
            " prior regimens",
            "no limit",
        ),
        ("Unlimited prior lines of endocrine therapy", "Unlimited"),
        ("Patients may have received any number of prior lines of therapy", "any number of"),
        ("Patients with prior hormone therapy will not be excluded", "will not be excluded"),
    ],
)
def test_phrases_once_missed_are_read_as_permissive(text: str, permissive: str) -> None:
    main, exc = split_exceptions(text)
    assert permissive in exc
    assert permissive not in main


def test_a_drug_to_be_used_with_caution_is_not_a_requirement() -> None:
    from trialmatch.criteria.parse import parse_item

    text = (
        "Current use of warfarin. Heparin and factor Xa inhibitors are allowed."
        " Rivaroxaban should be used with caution."
    )
    main, exc = split_exceptions(text)
    assert "Rivaroxaban" not in main and "used with caution" in exc
    rule = repr(parse_item(text, "exclusion").rule)
    assert "doac" not in rule  # a rivaroxaban user is not excluded by an advice to be careful


def test_an_exception_in_brackets_runs_to_its_own_closing_bracket() -> None:
    text = (
        "Prior malignancy within 5 years (except carcinoma in situ (CIS) of the cervix and"
        " non-melanoma skin cancer)."
    )
    main, exc = split_exceptions(text)
    assert "non-melanoma skin cancer" in exc and "skin" not in main
    assert main.startswith("Prior malignancy within 5 years")
