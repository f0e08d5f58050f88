"""``vocab.concepts.ascii_words`` (bytes translated, then split) finds the tokens of an ASCII text that
the token regex finds, and ``normed_words`` reads it only for ASCII texts."""

from __future__ import annotations

import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.vocab.concepts import ascii_words, norm_token, normed_words

C = sys.modules["trialmatch.vocab.concepts"]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_ascii_words_are_the_regex_tokens(text: str) -> None:
    assert ascii_words(text) == C._TOKEN.findall(text) == C._ASCII_TOKEN.findall(text)


def test_ascii_words_examples() -> None:
    assert ascii_words("ANC >= 1.5x10^9/L; no_HBV\tor HCV-RNA") == [
        "ANC",
        "1",
        "5x10",
        "9",
        "L",
        "no",
        "HBV",
        "or",
        "HCV",
        "RNA",
    ]
    assert ascii_words("") == []
    assert ascii_words(" .,; ") == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_normed_words_match_the_token_regex(text: str) -> None:
    words, normed = normed_words(text)
    assert list(words) == C._TOKEN.findall(text)
    assert normed == tuple(norm_token(w) for w in words)
