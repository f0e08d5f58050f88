"""Phrase lists from ``vocab/data/criteria_phrases.yaml`` and a fast matcher for them.

Phrases are matched on tokens (runs of letters/digits, or single symbols), case-insensitively,
through a first-token index: one pass over the text, no large regex alternations.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache, reduce
from itertools import compress, count
from operator import or_
from typing import Any

from trialmatch.vocab._load import load_data
from trialmatch.vocab.concepts import locate
from trialmatch.vocab.prefilter import minimal, trie_regex

__all__ = [
    "PhraseHit",
    "alternation",
    "find_all",
    "find_phrase",
    "has_phrase",
    "op_of",
    "phrase_re",
    "phrase_strings",
    "phrases",
]

_TOK = re.compile(r"[^\W_]+|[^\w\s]")
# the same tokens in an ASCII text (there ``\w`` is ``[A-Za-z0-9_]`` and ``\s`` these six and
# ``\x1c-\x1f``), found ~1.6x faster
_ASCII_TOK = re.compile(r"[A-Za-z0-9]+|[^A-Za-z0-9_ \t\n\r\x0b\x0c\x1c-\x1f]")
# the same tokens in a lower-cased ASCII text (no "A"-"Z" there), ~10% faster (smaller classes)
_LOW_TOK = re.compile(r"[a-z0-9]+|[^a-z0-9_ \t\n\r\x0b\x0c\x1c-\x1f]")


def phrases() -> dict[str, Any]:
    return load_data("criteria_phrases")


def alternation(items: list[str]) -> str:
    """One regex alternation (trie-compiled, greedy so the longest phrase wins) with word
    boundaries around phrases that start / end with a word character."""
    uniq = sorted({str(x) for x in items if str(x)}, key=len, reverse=True)
    ww = [w for w in uniq if w[0].isalnum() and w[-1].isalnum()]
    other = [w for w in uniq if not (w[0].isalnum() and w[-1].isalnum())]
    parts = []
    if ww:
        parts.append(r"(?<![\w])" + trie_regex(ww) + r"(?![\w])")
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


class _Lists:
    """The token index of the phrase lists asked about so far, and what each text offers them.

    ``bit``: a list's bit. ``bits_of``: for a token, the bits of the lists with a phrase starting
    with it and (shifted by ``_SHIFT``) of those with a phrase whose longest token it is. ``known``:
    those tokens. ``texts``: per text, the bits of the lists that can occur in it, emptied when
    full; an int, no object for the garbage collector (the tokens are kept for the last texts
    read, ``_RECENT``, and read again for an earlier text that may hold a phrase). A list asked
    for the first time makes a new ``_Lists`` (texts are read again), published in one step: a
    thread reading the previous one never mixes the two."""

    __slots__ = ("bit", "bits_of", "known", "texts")

    def __init__(self, bit: dict[str, int], bits_of: dict[str, int]) -> None:
        self.bit, self.bits_of, self.known = bit, bits_of, frozenset(bits_of)
        self.texts: dict[str, int] = {}


_SHIFT = 256
_TEXTS_MAX = 16384
_LISTS = [_Lists({}, {})]
# the tokens of the texts whose lists were read last (the readers ask about one item and its pieces
# in turn), emptied when full: a few tuples at a time, not one per text read
_RECENT: dict[str, tuple[str, ...]] = {}
_RECENT_MAX = 32
_LOCK = threading.Lock()


def _register(key: str) -> _Lists:
    """The index with list ``key`` added."""
    with _LOCK:
        old = _LISTS[0]
        if key in old.bit:
            return old
        if len(old.bit) >= _SHIFT:
            raise ValueError("criteria_phrases: too many phrase lists for the token index")
        bit_of, bits_of = dict(old.bit), dict(old.bits_of)
        bit = bit_of[key] = 1 << len(bit_of)
        for cands in _index(key)[0].values():
            for c in cands:
                bits_of[c[0]] = bits_of.get(c[0], 0) | bit
                longest = max(c, key=len)
                bits_of[longest] = bits_of.get(longest, 0) | bit << _SHIFT
        new = _LISTS[0] = _Lists(bit_of, bits_of)
        return new


def _bits(lists: _Lists, toks: Iterable[str]) -> int:
    return reduce(or_, map(lists.bits_of.__getitem__, lists.known.intersection(toks)), 0)  # in C


def _toks(text: str) -> tuple[str, ...]:
    """The lower-cased tokens of ``text`` (``_info``'s)."""
    low = text.lower()
    if len(low) == len(text):
        return tuple((_LOW_TOK if low.isascii() else _TOK).findall(low))
    return _tokens(text)[0]


def _info(lists: _Lists, text: str) -> tuple[tuple[str, ...], int]:
    """The tokens of ``text`` and the lists that can occur in it, read once for every list (a
    phrase occurs only where its first token and its longest token are tokens of the text): when
    no character lower-cases to several, lower-casing first gives the same tokens (no character
    changes class; checked over all of Unicode), in one C call. Otherwise the tokens are those of
    the text, lower-cased, and a list must also start with a token of the lower-cased text."""
    if len(lists.texts) >= _TEXTS_MAX:
        lists.texts.clear()
    low = text.lower()
    if len(low) == len(text):
        toks = tuple((_LOW_TOK if low.isascii() else _TOK).findall(low))
        m = _bits(lists, toks)
        mask = m & (m >> _SHIFT)
    else:
        toks = _tokens(text)[0]
        m = _bits(lists, toks)
        mask = m & (m >> _SHIFT) & _bits(lists, _tokset(text))  # the low bits: lists starting there
    lists.texts[text] = mask
    _remember(text, toks)
    return toks, mask


def _remember(text: str, toks: tuple[str, ...]) -> None:
    if len(_RECENT) >= _RECENT_MAX:
        _RECENT.clear()
    _RECENT[text] = toks


def _candidate(key: str, text: str) -> tuple[tuple[str, ...], bool]:
    """The tokens of ``text`` (when it may hold a phrase) and whether a phrase of ``key`` can
    occur in it."""
    lists = _LISTS[0]
    bit = lists.bit.get(key)
    if bit is None:
        lists = _register(key)
        bit = lists.bit[key]
    mask = lists.texts.get(text)
    if mask is None:
        toks, mask = _info(lists, text)
        return toks, bool(mask & bit)
    if not mask & bit:
        return (), False
    kept = _RECENT.get(text)
    if kept is None:
        kept = _toks(text)
        _remember(text, kept)
    return kept, True


@cache
def _tables(key: str) -> tuple[dict[str, tuple[tuple[str, ...], ...]], frozenset[str], frozenset[str]]:
    """List ``key``'s first-token index, its first tokens, and those that are a phrase by themselves."""
    idx = _index(key)[0]
    return idx, frozenset(idx), frozenset(t for t, cands in idx.items() if len(cands[-1]) == 1)


def _occurrences(toks: tuple[str, ...], common: frozenset[str]) -> list[int]:
    """Positions of the tokens in ``common``, in order (in C; one token, the usual case: by
    ``tuple.index``, ~1.4x faster than testing every token)."""
    if len(common) != 1:
        return list(compress(count(), map(common.__contains__, toks)))
    (t,) = common
    out, i = [], -1
    for _ in range(toks.count(t)):
        i = toks.index(t, i + 1)
        out.append(i)
    return out


def _match_at(idx: dict[str, tuple[tuple[str, ...], ...]], toks: tuple[str, ...], i: int) -> int:
    """Length of the longest phrase starting at token ``i`` (0: none)."""
    for c in idx[toks[i]]:  # longest first
        L = len(c)
        if L == 1 or toks[i : i + L] == c:
            return L
    return 0


class _Spans:
    """Offsets of tokens of a text, found left to right as hits ask for them: the tokens are those
    of the lower-cased text, at the same offsets when it has the text's length, and a token is
    the first occurrence of its word after the previous one (``locate``: the characters between
    two tokens, white space and "_", are none of a token's). Otherwise from ``_tokens``."""

    __slots__ = ("k", "low", "pos", "text", "toks")

    def __init__(self, text: str, toks: tuple[str, ...]) -> None:
        self.text, self.toks, self.low, self.k, self.pos = text, toks, text.lower(), 0, 0

    def span(self, i: int, n: int) -> tuple[int, int]:
        """(start, end) of tokens ``i .. i + n - 1``, ``i`` not before the last span's end."""
        if len(self.low) != len(self.text):
            _, starts, ends = _tokens(self.text)
            return starts[i], ends[i + n - 1]
        s, e, self.pos = locate(self.low, self.toks, i, n, self.k, self.pos)
        self.k = i + n
        return s, e


def find_all(key: str, text: str) -> list[PhraseHit]:
    """Every (non-overlapping, longest) occurrence of a phrase of list ``key`` in ``text``."""
    lists = _LISTS[0]
    info, bit = lists.texts.get(text), lists.bit.get(key)
    if info is not None and bit is not None and not info & bit:
        return []  # ``_candidate``'s no for a text read before, without its calls
    toks, can = _candidate(key, text)
    if not can:  # no phrase of the list has both its first and its longest token here
        return []
    idx, firsts, _ = _tables(key)
    out: list[PhraseHit] = []
    nxt = 0
    spans: _Spans | None = None
    for i in _occurrences(toks, firsts.intersection(toks)):
        if i < nxt:
            continue
        L = _match_at(idx, toks, i)
        if L:
            if spans is None:
                spans = _Spans(text, toks)
            out.append(PhraseHit(text, *spans.span(i, L)))
            nxt = i + L
    return out


def find_phrase(key: str, text: str) -> PhraseHit | None:
    """The first phrase of list ``key`` in ``text`` (or None)."""
    lists = _LISTS[0]
    info, bit = lists.texts.get(text), lists.bit.get(key)
    if info is not None and bit is not None and not info & bit:
        return None  # ``_candidate``'s no for a text read before, without its calls
    toks, can = _candidate(key, text)
    if not can:  # no phrase of the list has both its first and its longest token here
        return None
    idx, firsts, _ = _tables(key)
    for i in _occurrences(toks, firsts.intersection(toks)):
        L = _match_at(idx, toks, i)
        if L:
            return PhraseHit(text, *_Spans(text, toks).span(i, L))
    return None


def has_phrase(key: str, text: str) -> bool:
    """Whether a phrase of list ``key`` occurs in ``text``."""
    lists = _LISTS[0]
    info, bit = lists.texts.get(text), lists.bit.get(key)
    if info is not None and bit is not None and not info & bit:
        return False  # ``_candidate``'s no for a text read before, without its calls
    toks, can = _candidate(key, text)
    if not can:  # no phrase of the list has both its first and its longest token here
        return False
    idx, firsts, ones = _tables(key)
    common = firsts.intersection(toks)
    if not ones.isdisjoint(common):
        return True  # a token of the text is a phrase of the list by itself
    for t in common:  # each phrase starting with ``t`` has two tokens or more: try each occurrence
        cands, i = idx[t], -1
        for _ in range(toks.count(t)):
            i = toks.index(t, i + 1)
            for c in cands:
                if toks[i : i + len(c)] == c:
                    return True
    return False


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


def phrase_strings(words: Iterable[str]) -> frozenset[str] | None:
    """Strings one of which ``folded(text)`` contains whenever the token matcher of
    ``criteria.lexicon`` finds one of the phrases ``words`` in ``text``: each phrase's longest
    token (a phrase's tokens are tokens of the lower-cased text). None when a phrase has no ASCII
    token to test."""
    out: list[str] = []
    for w in words:
        toks = [t for t in _TOK.findall(str(w).lower()) if t.isascii()]
        if not toks:
            return None
        out.append(max(toks, key=len))
    return minimal(out)
