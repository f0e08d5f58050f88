"""``vocab.prefilter.WordEnd``: the word-final prefilter of a pattern ending in plain words and
``\\b`` never rejects a text the pattern matches, so its searches equal the pattern's."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.vocab.patterns import pattern
from trialmatch.vocab.prefilter import WordEnd, final_words_of

_STEM = pattern("history.drug_stem")
_PIECES = [
    "trastuzumab", "MAB", "status", "stat", "peptide", "imatinib", "lurbinectedin", "no prior", "with",
    "ſtat", "\u212amab", "İ", "ı", "\u0307", "≥", "–", "Σ", "é", "_", "-", ",", ".", " ", "x", "3",
]  # fmt: skip
_TEXTS = st.lists(st.sampled_from(_PIECES), max_size=10).map("".join) | st.text(max_size=40)


@pytest.mark.parametrize(
    ("regex", "flags", "expected"),
    [
        (r"\b[a-z]{3,}(?:mab|nib)\b", re.I, {"mab", "nib"}),
        (r"x(?:Ab|cD)\b", re.I, {"ab", "cd"}),
        (r"(?:mab|nib)\b", 0, None),  # case-sensitive: not lower-cased text's words
        (r"x|\b[a-z]{3,}(?:mab|nib)\b", re.I, None),  # a top-level alternation
        (r"[a-z]+(?:mab|nib)?\b", re.I, None),  # an optional group: no word ends every match
        (r"[a-z]+(?:mab|\d)\b", re.I, None),  # not words only
        (r"[a-z]+(?:mab|nib)", re.I, None),  # no boundary
    ],
)
def test_final_words_of(regex: str, flags: int, expected: set[str] | None) -> None:
    got = final_words_of(re.compile(regex, flags))
    assert (set(got) if got is not None else None) == expected


def test_drug_stem_words_and_examples() -> None:
    w = WordEnd(_STEM)
    assert w.pattern is _STEM
    assert final_words_of(_STEM.rx) is not None
    assert not w.possible("ECOG performance status 0-1")  # "stat" inside a word is not a stem
    m = w.search("No prior lurbinectedin")
    assert m is not None and m.group() == "lurbinectedin"
    assert [m.group() for m in w.finditer("trastuzumab or imatinib")] == ["trastuzumab", "imatinib"]


@settings(max_examples=500, deadline=None)
@given(_TEXTS)
def test_word_end_searches_equal_the_pattern(text: str) -> None:
    w = WordEnd(_STEM)
    want = _STEM.rx.search(text)
    got = w.search(text)
    assert (got and got.span()) == (want and want.span())
    if want is not None:
        assert w.possible(text)
    assert [m.span() for m in w.finditer(text)] == [m.span() for m in _STEM.rx.finditer(text)]
