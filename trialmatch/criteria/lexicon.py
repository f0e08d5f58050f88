"""Phrase lists from ``vocab/data/criteria_phrases.yaml`` and a fast matcher for them.

Phrases are matched on tokens (runs of letters/digits, or single symbols), case-insensitively,
through a first-token index: one pass over the text, no large regex alternations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from trialmatch.vocab._load import load_data

__all__ = [
    "PhraseHit",
    "alternation",
    "find_all",
    "find_phrase",
    "has_phrase",
    "op_of",
    "phrase_re",
    "phrases",
]

_TOK = re.compile(r"[^\W_]+|[^\w\s]")


def phrases() -> dict[str, Any]:
    return load_data("criteria_phrases")


def _trie_regex(words: list[str]) -> str:
    """A regex for a set of literal phrases built as a trie (shared prefixes are tried once)."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w.lower():
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict[str, Any]) -> str:
        alts = []
        end = "" in node
        for ch in sorted(k for k in node if k):
            sub = emit(node[ch])
            piece = r"\s+" if ch == " " else re.escape(ch)
            alts.append(piece + sub)
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if end:
            return "(?:" + body + ")?"
        return body

    return emit(trie)


def alternation(items: list[str]) -> str:
    """One regex alternation (trie-compiled, greedy so the longest phrase wins) with word
    boundaries around phrases that start / end with a word character."""
    uniq = sorted({str(x) for x in items if str(x)}, key=len, reverse=True)
    ww = [w for w in uniq if w[0].isalnum() and w[-1].isalnum()]
    other = [w for w in uniq if not (w[0].isalnum() and w[-1].isalnum())]
    parts = []
    if ww:
        parts.append(r"(?<![\w])" + _trie_regex(ww) + r"(?![\w])")
    for p in other:
        e = re.escape(p).replace(r"\ ", r"\s+")
        if p[0].isalnum():
            e = r"(?<![\w])" + e
        if p[-1].isalnum():
            e = e + r"(?![\w])"
        parts.append(e)
    return "(?:" + "|".join(parts) + ")"


@cache
def phrase_re(key: str) -> re.Pattern[str]:
    """The compiled alternation of phrase list ``key`` (case-insensitive)."""
    return re.compile(alternation(list(phrases()[key])), re.I)


@dataclass(frozen=True, slots=True)
class PhraseHit:
    """A phrase found in a text (``start()``, ``end()``, ``group()`` like a regex match)."""

    text: str
    s: int
    e: int

    def start(self) -> int:
        return self.s

    def end(self) -> int:
        return self.e

    def group(self, _: int = 0) -> str:
        return self.text[self.s : self.e]


@cache
def _index(key: str) -> tuple[dict[str, tuple[tuple[str, ...], ...]], int]:
    idx: dict[str, list[tuple[str, ...]]] = {}
    for p in phrases()[key]:
        toks = tuple(t.lower() for t in _TOK.findall(str(p)))
        if toks:
            idx.setdefault(toks[0], []).append(toks)
    out = {k: tuple(sorted(v, key=len, reverse=True)) for k, v in idx.items()}
    return out, max((len(t) for v in out.values() for t in v), default=0)


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[tuple[str, ...], tuple[int, ...], tuple[int, ...]]:
    toks, starts, ends = [], [], []
    for m in _TOK.finditer(text):
        toks.append(m.group().lower())
        starts.append(m.start())
        ends.append(m.end())
    return tuple(toks), tuple(starts), tuple(ends)


@lru_cache(maxsize=4096)
def _tokset(text: str) -> frozenset[str]:
    return frozenset(_TOK.findall(text.lower()))


_WORDS: dict[str, tuple[tuple[str, ...], frozenset[str], frozenset[str]]] = {}
_WORDS_MAX = 16384


def _words(text: str) -> tuple[tuple[str, ...], frozenset[str], frozenset[str]]:
    """(lower-cased tokens, the set ``_tokset`` prefilters on, the set of the tokens), without
    positions (read only for a hit), memoised in ``_WORDS`` (emptied when full). When no character
    lower-cases to several, lower-casing first gives the same tokens (no character changes class;
    checked over all of Unicode), in one C call, and both sets are one."""
    w = _WORDS.get(text)
    if w is not None:
        return w
    if len(_WORDS) >= _WORDS_MAX:
        _WORDS.clear()
    low = text.lower()
    if len(low) == len(text):
        toks = tuple(_TOK.findall(low))
        tset = frozenset(toks)
        w = (toks, tset, tset)
    else:
        toks = _tokens(text)[0]
        w = (toks, _tokset(text), frozenset(toks))
    _WORDS[text] = w
    return w


@cache
def _required(key: str) -> re.Pattern[str]:
    """A cheap necessary condition for list ``key`` to occur in a text not tokenised yet: the
    longest token of some phrase is a substring of the lower-cased text (a phrase's tokens are
    tokens of the lower-cased text, so each is a substring of it)."""
    longest = {max(c, key=len) for cands in _index(key)[0].values() for c in cands}
    return re.compile("|".join(re.escape(t) for t in sorted(longest, key=len, reverse=True)))


def _common(key: str, text: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """The tokens of ``text`` and those of them that start a phrase of ``key`` (empty when the
    first-token prefilter rules the list out)."""
    w = _WORDS.get(text)
    if w is None:
        if not _required(key).search(text.lower()):
            return (), frozenset()
        w = _words(text)
    toks, pre, tset = w
    firsts = _firsts(key)
    if firsts.isdisjoint(pre):
        return toks, frozenset()
    return toks, firsts & tset


@cache
def _firsts(key: str) -> frozenset[str]:
    return frozenset(_index(key)[0])


def _occurrences(toks: tuple[str, ...], common: frozenset[str]) -> list[int]:
    """Positions of the tokens in ``common``, in order."""
    out: list[int] = []
    for t in common:
        i = toks.index(t)
        while True:
            out.append(i)
            try:
                i = toks.index(t, i + 1)
            except ValueError:
                break
    if len(common) > 1:
        out.sort()
    return out


def _match_at(idx: dict[str, tuple[tuple[str, ...], ...]], toks: tuple[str, ...], i: int) -> int:
    """Length of the longest phrase starting at token ``i`` (0: none)."""
    for c in idx[toks[i]]:
        L = len(c)
        if L == 1 or toks[i : i + L] == c:
            return L
    return 0


def find_all(key: str, text: str) -> list[PhraseHit]:
    """Every (non-overlapping, longest) occurrence of a phrase of list ``key`` in ``text``."""
    toks, common = _common(key, text)
    if not common:
        return []
    idx, _ = _index(key)
    out: list[PhraseHit] = []
    nxt = 0
    spans: tuple[tuple[int, ...], tuple[int, ...]] | None = None
    for i in _occurrences(toks, common):
        if i < nxt:
            continue
        hit = _match_at(idx, toks, i)
        if hit:
            if spans is None:
                spans = _tokens(text)[1:]
            out.append(PhraseHit(text, spans[0][i], spans[1][i + hit - 1]))
            nxt = i + hit
    return out


def _first_match(key: str, text: str) -> tuple[int, int] | None:
    """(token index, token length) of the first phrase of ``key`` in ``text``."""
    toks, common = _common(key, text)
    if not common:
        return None
    idx, _ = _index(key)
    for i in _occurrences(toks, common):
        hit = _match_at(idx, toks, i)
        if hit:
            return i, hit
    return None


def find_phrase(key: str, text: str) -> PhraseHit | None:
    """The first phrase of list ``key`` in ``text`` (or None)."""
    m = _first_match(key, text)
    if m is None:
        return None
    _, starts, ends = _tokens(text)
    return PhraseHit(text, starts[m[0]], ends[m[0] + m[1] - 1])


def has_phrase(key: str, text: str) -> bool:
    return _first_match(key, text) is not None


@cache
def _op_table() -> dict[str, str]:
    out: dict[str, str] = {}
    for op, words in phrases()["operators"].items():
        for w in words:
            out[re.sub(r"\s+", " ", str(w).lower())] = str(op)
    return out


def op_of(phrase: str) -> str | None:
    """The operator (``>=``, ``>``, ``<=``, ``<``) a phrase means."""
    return _op_table().get(re.sub(r"\s+", " ", phrase.strip().lower()))
