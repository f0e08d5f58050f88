"""``sentence_kind`` (the sentence phrases filed by first word) answers as ``sentence_re`` does, and
the header vocabulary's lowered searches (``Lowered``) find what the case-insensitive ones find."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.criteria.lowre import caseless_safe
from trialmatch.criteria.split_headers import header_vocab, norm, sentence_kind


def _regex_kind(nbody: str) -> str | None:
    sm = header_vocab().sentence_re.match(nbody)
    if sm is None or not sm.lastgroup:
        return None
    return "inclusion" if sm.lastgroup[0] == "i" else "exclusion"


def _samples() -> list[str]:
    out = []
    for phrase, _ in header_vocab().sentences:
        out += [phrase, phrase + " any of these", phrase + "x", phrase[:-1], phrase.upper(), " " + phrase]
        out += [phrase.partition(" ")[0], phrase.partition(" ")[0] + "s " + phrase.partition(" ")[2]]
    return [*out, "", " ", "patients", "to be", "inclusion criteria"]


def test_sentence_index_is_built() -> None:
    assert header_vocab().sentence_index is not None  # (every corpus sentence has two words)


def test_sentence_kind_matches_the_regex_on_the_phrases() -> None:
    hits = 0
    for s in _samples():
        assert sentence_kind(s, header_vocab()) == _regex_kind(s), s
        hits += _regex_kind(s) is not None
    assert hits >= len(header_vocab().sentences)


def test_sentence_kind_without_index_is_the_regex() -> None:
    v = dataclasses.replace(header_vocab(), sentence_index=None)
    for s in _samples():
        assert sentence_kind(s, v) == _regex_kind(s), s


_WORDS = [*sorted({w for p, _ in header_vocab().sentences for w in p.split()}), "", "x", ":", "  "]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=8), st.text(max_size=6))
def test_sentence_kind_matches_the_regex(words: list[str], tail: str) -> None:
    nbody = norm(" ".join(words) + tail)
    assert sentence_kind(nbody, header_vocab()) == _regex_kind(nbody)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="PhaseCohortONLYpart İı ΣK:-2", max_size=30))
def test_lowered_searches_find_what_the_patterns_find(text: str) -> None:
    v = header_vocab()
    for low in (v.scope_re, v.clear_scope_re, v.leadin_re):
        assert (low.search(text) is None) == (low.pattern.search(text) is None)


_HEADER_BITS = ["Inclusion", "EXCLUSION", "criteria", "Criteria", " ", "\n", ":", "x", "İ", "K", "-"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(_HEADER_BITS),
        max_size=12,
    )
)
def test_any_header_twin_finds_the_same_spans(words: list[str]) -> None:
    """unflow searches a caseless-safe line's lower-cased form with ``any_header_low``."""
    v = header_vocab()
    assert v.any_header_low is not None
    line = " ".join(words)
    if caseless_safe(line):
        low = line.lower()
        for pos in range(len(line) + 1):
            a, b = v.any_header_re.search(line, pos), v.any_header_low.search(low, pos)
            assert (a and a.span()) == (b and b.span())
