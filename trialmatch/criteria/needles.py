"""Necessary-condition prefilters for regex and phrase-list scans.

A *needle set* is a set of lower-case words such that every match of a regex (or of a phrase list)
contains one of them: when ``text.lower()`` contains none, the scan can be skipped. Needles are
derived from the patterns and phrase lists themselves (never written by hand), and are made only
of characters for which ``str.lower()`` agrees with ``re.IGNORECASE`` (see ``SAFE``); when no
such set can be derived the helpers return None, meaning "no prefilter, scan".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache

from trialmatch.criteria.lexicon import phrases
from trialmatch.vocab.prefilter import LOWER_SAFE, Cue, caseless, finder, folded, minimal, needed

__all__ = [
    "SAFE",
    "group_needles",
    "has_needle",
    "pattern_needles",
    "phrase_list_may",
    "phrase_needles",
    "phrase_piece_may",
    "phrase_words",
    "slice_may",
    "top_alternatives",
]

#: ASCII letters and digits except i and s: under re.IGNORECASE those two also match non-ASCII
#: letters (ı and İ, ſ long s) that ``str.lower()`` does not turn into them (``prefilter``).
SAFE = LOWER_SAFE
_MIN = 2  # shorter needles would hardly ever reject a text


def _safe_run(literal: str) -> str:
    """The longest run of SAFE characters of a literal (every match of it contains that run)."""
    best, cur = "", ""
    for c in literal.lower():
        cur = cur + c if c in SAFE else ""
        if len(cur) > len(best):
            best = cur
    return best


def phrase_needles(items: Iterable[str]) -> frozenset[str] | None:
    """Needles of a phrase list as ``lexicon.alternation`` compiles it (each phrase a literal whose
    spaces match any whitespace): for each phrase its longest SAFE run within a word."""
    out: set[str] = set()
    for p in items:
        runs = [_safe_run(w) for w in str(p).split(" ")]
        best = max(runs, key=len, default="")
        if len(best) < _MIN:
            return None
        out.add(best)
    return frozenset(out)


def _scan(src: str) -> Iterable[tuple[int, str, int]]:
    """(index, character, parenthesis depth before it) of the unescaped characters outside
    character classes."""
    depth, j, in_class = 0, 0, False
    while j < len(src):
        c = src[j]
        if c == "\\":
            j += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if src[j + 1 : j + 2] == "]":  # "[]...]": a leading ']' is a literal
                j += 1
        else:
            yield j, c, depth
            depth += (c == "(") - (c == ")")
        j += 1


def top_alternatives(src: str) -> list[str]:
    """The top-level alternatives of the regex source ``src`` (``src`` itself when it has none):
    a search for ``src`` matches exactly when a search for one of them does."""
    cuts = [j for j, c, depth in _scan(src) if c == "|" and depth == 0]
    return [src[a + 1 : b] for a, b in zip([-1, *cuts], [*cuts, len(src)], strict=True)]


def _required_group(src: str, name: str) -> str | None:
    """The source of named group ``name`` when every match of ``src`` contains a match of it: the
    group is at the top level, not quantified, and the pattern has no top-level alternation."""
    head = f"(?P<{name}>"
    start = src.find(head)
    if start < 0:
        return None
    end, opened = None, False
    for j, c, depth in _scan(src):
        if c == "|" and depth == 0:
            return None
        if j == start:
            if depth != 0:
                return None
            opened = True
        if c == ")" and depth == 1 and opened and end is None:
            end = j
    if end is None or src[end + 1 : end + 2] in ("?", "*", "{"):
        return None
    return src[start + len(head) : end]


def group_needles(rx: re.Pattern[str] | Cue, name: str) -> frozenset[str] | None:
    """Needles of a regex from its named group ``name``: for each top-level alternative of the
    group, the longest SAFE run of the literal text it starts with."""
    if rx.flags & re.VERBOSE:
        return None
    body = _required_group(rx.pattern, name)
    if body is None:
        return None
    cuts = [j for j, c, depth in _scan(body) if c == "|" and depth == 0]
    out: set[str] = set()
    for a, b in zip([-1, *cuts], [*cuts, len(body)], strict=True):
        alt = body[a + 1 : b]
        lit = ""
        for k, c in enumerate(alt):
            if not (c.isascii() and c.isalnum()):
                break
            if alt[k + 1 : k + 2] in ("?", "*", "{"):
                break  # an optional character ends the required literal
            lit += c
        run = _safe_run(lit)
        if len(run) < _MIN:
            return None
        out.add(run)
    return frozenset(out)


def pattern_needles(rx: re.Pattern[str] | Cue) -> frozenset[str] | None:
    """Needles of a whole regex: its ``needed`` strings when each is made of SAFE characters and
    of characters that are neither letters nor digits and have no case (then ``text.lower()``
    holds one wherever a match is; ``needed`` speaks of the folded text); else None."""
    strs = needed(rx.rx if isinstance(rx, Cue) else rx)
    if strs is None:
        return None
    ok = all(c in SAFE or (not c.isalnum() and caseless(c)) for s in strs for c in s)
    return strs if ok else None


def has_needle(low: str, needles: frozenset[str] | None) -> bool:
    """False only when ``needles`` is a needle set and the lower-cased text contains none of them."""
    return needles is None or any(map(low.__contains__, needles))  # (in C: no generator frame)


@cache
def slice_may(p: Cue) -> Callable[[str], bool]:
    """``p.may`` for a text the shared index has not seen (a slice of an item, asked about once):
    False only when the ``folded`` text lacks every string of one of the sets every match of ``p``
    needs (``Cue.sets``), tested by a search for each set (``in`` for a set of one string), cheaper
    than the text's bits, which look up each of its chunks. (Memoised per Cue: built on first use.)"""
    tests: list[Callable[[str], object]] = []
    for strs in p.sets:
        tests.append(_holds(next(iter(strs))) if len(strs) == 1 else finder(strs))
    found = tuple(tests)

    def may(low: str) -> bool:
        for t in found:  # noqa: SIM110 (a loop: cheaper than all() over a generator)
            if not t(low):
                return False
        return True

    return may


def _holds(needle: str) -> Callable[[str], bool]:
    """A test of a text for ``needle`` anywhere in it."""
    return lambda low: needle in low


# ------------------------------------------------------------------ phrase lists by their words

_PHRASE_WORD = re.compile(r"[^\W_]+")


@cache
def phrase_words(key: str) -> tuple[tuple[str, ...], ...] | None:
    """The words of each phrase of list ``key`` (lower-cased, longest first); None when a phrase
    is not ASCII or has no word."""
    out: list[tuple[str, ...]] = []
    for p in phrases()[key]:
        ws = _PHRASE_WORD.findall(str(p).lower())
        if not ws or not str(p).isascii():
            return None
        out.append(tuple(sorted(set(ws), key=len, reverse=True)))
    return tuple(out)


@cache
def _phrase_longest(key: str) -> Callable[[str], object]:
    """A test of a folded text: it holds the longest word of some phrase of list ``key``."""
    groups = phrase_words(key)
    return finder(minimal(ws[0] for ws in groups) if groups else None)


def phrase_list_may(key: str, text: str) -> bool:
    """A necessary condition for a phrase of list ``key`` in any piece of ``text``: every word of
    some phrase is in the folded text (a phrase matches lower-cased tokens of the piece, which
    are substrings of the lower-cased text, hence of the folded one, for ASCII phrases)."""
    groups = phrase_words(key)
    if groups is None:
        return True
    low = folded(text)
    if not _phrase_longest(key)(low):
        return False  # (one search: every phrase needs its longest word)
    for ws in groups:
        for w in ws:
            if w not in low:
                break
        else:
            return True
    return False


def phrase_piece_may(key: str, text: str, low: str, a: int, b: int) -> bool:
    """False only when no phrase of list ``key`` can be in the piece ``text[a:b]``: a phrase there
    has its longest word in the piece lower-cased, which is ``low[a:b]`` (``low``: ``folded(text)``)
    when folding kept every character in place; one search instead of tokenising the piece."""
    return len(low) != len(text) or bool(_phrase_longest(key)(low[a:b]))
