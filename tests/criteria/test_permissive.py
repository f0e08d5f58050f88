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
