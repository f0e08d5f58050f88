"""The concept scanner (``vocab.concepts.concepts_in``) against a plain scan of the text's tokens,
with their offsets: names on normalised tokens, abbreviations as written, longest first, left to
right, without overlap (a name wins over an abbreviation of the same length)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.vocab.concepts import (
    concepts,
    concepts_in,
    locate_in,
    norm_token,
    normed_words,
    spaced_words,
)

_TOKEN = re.compile(r"[^\W_]+")


@cache
def _plain_index() -> tuple[dict[tuple[str, ...], str], dict[tuple[str, ...], str]]:
    names: dict[tuple[str, ...], str] = {}
    abbrs: dict[tuple[str, ...], str] = {}
    for c in concepts().values():
        for n in (*c.names, *c.codes):
            names.setdefault(tuple(norm_token(t) for t in _TOKEN.findall(n)), c.id)
        for a in c.abbr:
            abbrs.setdefault(tuple(_TOKEN.findall(a)), c.id)
    return names, abbrs


def plain_scan(
    text: str, names: dict[tuple[str, ...], Any], abbrs: dict[tuple[str, ...], Any]
) -> list[tuple[Any, int, int]]:
    """(value, start, end) of each mention: ``names`` keyed by normalised tokens, ``abbrs`` by tokens
    as written, longest first, left to right, without overlap (a name wins a tie). The plain
    reading the concept and lab scanners are checked against."""
    ms = list(_TOKEN.finditer(text))
    words = [m.group() for m in ms]
    normed = [norm_token(w) for w in words]
    top = max(len(k) for k in (*names, *abbrs))
    out, i = [], 0
    while i < len(ms):
        best = next(
            (
                (L, names[k])
                for L in range(top, 0, -1)
                if i + L <= len(ms) and (k := tuple(normed[i : i + L])) in names
            ),
            (0, None),
        )
        for L in range(top, best[0], -1):
            k = tuple(words[i : i + L])
            if i + L <= len(ms) and k in abbrs:
                best = (L, abbrs[k])
                break
        if best[0]:
            out.append((best[1], ms[i].start(), ms[i + best[0] - 1].end()))
            i += best[0]
        else:
            i += 1
    return out


def _plain(text: str) -> list[tuple[str, int, int, str]]:
    return [(cid, s, e, text[s:e]) for cid, s, e in plain_scan(text, *_plain_index())]


def _pieces() -> list[str]:
    out = set()
    for c in list(concepts().values())[:400]:
        out.update(c.names[:2])
        out.update(c.abbr[:1])
    return sorted(x for x in out if x)


PIECES = _pieces()
OTHER = ["of", "and", "the", "-", ",", "(", "_", "  ", "Tumours", "oesophageal", "İ", "x"]


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(
        st.one_of(st.sampled_from(PIECES), st.sampled_from(PIECES).map(str.upper), st.sampled_from(OTHER)),
        max_size=10,
    )
)
def test_scanner_equals_a_plain_scan(parts: list[str]) -> None:
    text = " ".join(parts)
    assert [(h.concept, h.start, h.end, h.text) for h in concepts_in(text)] == _plain(text)


@given(
    st.lists(
        st.sampled_from(["Tumours", "tumour", "ANAEMIA", "analogues", "cases", "Aids", "x1s", "İs"]),
        max_size=8,
    )
)
def test_normed_words_are_norm_token_of_each_word(ws: list[str]) -> None:
    words, normed = normed_words(" ".join(ws))
    assert normed == tuple(norm_token(w) for w in words)
    assert words == tuple(_TOKEN.findall(" ".join(ws)))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["in", "IN", "in2", "sin", "x", "İn", "é", " ", "  ", "-", ",", "_", "\n"]),
        max_size=14,
    ),
    st.data(),
)
def test_locate_in_finds_each_token_where_it_is(parts: list[str], data: st.DataObject) -> None:
    """From any earlier token's place, ``locate_in`` finds a run of tokens where the tokenizer does."""
    text = "".join(parts)
    at, words, normed = spaced_words(text)
    ms = list(_TOKEN.finditer(text))
    assert words == tuple(m.group() for m in ms) and normed == tuple(norm_token(w) for w in words)
    assert normed_words(text) == (words, normed)
    k, pos = 0, 0
    while k < len(ms):
        i = data.draw(st.integers(k, len(ms) - 1))
        n = data.draw(st.integers(1, len(ms) - i))
        s, e, pos = locate_in(text, at, words, k, i, n, pos)
        assert (s, e) == (ms[i].start(), ms[i + n - 1].end())
        k = i + n
