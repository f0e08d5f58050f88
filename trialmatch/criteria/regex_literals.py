"""Necessary-condition prefilters derived from the parsers' own regexes.

``needed(rx)`` reads a compiled pattern's syntax tree and returns lower-cased strings of which
every match of ``rx`` contains at least one (None when no such set can be derived, e.g. for
``\\d+``). A text whose ``folded`` form contains none of them cannot match, so the regex (and the
reader behind it) can be skipped with a few substring tests. The strings come from the pattern
files at import time, never from a hand-written word list.

``folded(text)`` is ``text.lower()`` with the three characters that a case-insensitive regex
matches to an ASCII letter although ``str.lower`` does not give that letter (dotted capital I,
dotless i, long s) mapped to it, so ``needed`` stays a true necessary condition on any text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as P  # type: ignore[attr-defined]
from typing import Any

from trialmatch.criteria.lexicon import _TOK as TOKEN  # the phrase matcher's tokens
from trialmatch.criteria.lexicon import _trie_regex

__all__ = ["Gate", "finder", "folded", "gate", "needed", "needed_all", "phrase_strings", "union"]

_MAX_SET = 64  # more alternatives than this: not worth testing one by one
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT))
_ZERO_WIDTH = (C.AT, C.ASSERT, C.ASSERT_NOT)
# chars that re.IGNORECASE matches to an ASCII letter which str.lower() does not give
_FOLD = str.maketrans({"\u0131": "i", "\u017f": "s", "\u0307": None})

Strs = frozenset[str]


def _plain(ch: str) -> bool:
    """A literal whose lower-cased form is one character found in the folded text wherever the
    regex matches it: ASCII, or a caseless symbol ("≥", "–")."""
    return ch.isascii() or ch.lower() == ch == ch.upper()


def _product(a: Strs, b: Strs) -> Strs | None:
    if len(a) * len(b) > _MAX_SET:
        return None
    return frozenset(x + y for x in a for y in b)


def _best(cands: Iterable[Strs]) -> Strs | None:
    """The most selective candidate: longest shortest string, then fewest strings."""
    ok = [c for c in cands if c and min(map(len, c)) > 0]
    if not ok:
        return None
    best: Strs = max(ok, key=lambda c: (min(map(len, c)), -len(c)))
    return _minimal(best)


def _node(op: Any, av: Any) -> tuple[Strs | None, Strs | None]:
    """(every string the node can match, or None; a set one of which each match contains, or None)."""
    if op is C.LITERAL:
        ch = chr(av)
        if not _plain(ch):
            return None, None
        s = frozenset({ch.lower()})
        return s, s
    if op in _ZERO_WIDTH:
        return frozenset({""}), None
    if op is C.IN:
        chars: set[str] = set()
        for iop, iav in av:
            if iop is C.LITERAL:
                chars.add(chr(iav))
            elif iop is C.RANGE and iav[1] - iav[0] < 16:
                chars.update(chr(c) for c in range(iav[0], iav[1] + 1))
            else:
                return None, None
        if not all(_plain(c) for c in chars) or len(chars) > 16:
            return None, None
        s = frozenset(c.lower() for c in chars)
        return s, s
    if op is C.SUBPATTERN or op is getattr(C, "ATOMIC_GROUP", None):
        return _seq(av[-1])
    if op is C.BRANCH:
        parts = [_seq(b) for b in av[1]]
        exact: Strs | None = None
        if all(e is not None for e, _ in parts):
            exact = frozenset().union(*(e for e, _ in parts if e is not None))
            exact = exact if len(exact) <= _MAX_SET else None
        needs = [n for _, n in parts]
        need = None
        if all(n is not None for n in needs):
            need = frozenset().union(*(n for n in needs if n is not None))
            need = need if len(need) <= _MAX_SET else None
        return exact, need
    if op in _REPEATS:
        lo, hi, sub = av
        e, n = _seq(sub)
        if lo == 0:
            return (e | {""} if e is not None and hi == 1 else None), None
        return (e if lo == hi == 1 else None), n
    return None, None


def _seq(items: Any) -> tuple[Strs | None, Strs | None]:
    whole, cands = _seq_cands(items)
    return whole, _best(cands)


def _seq_cands(items: Any) -> tuple[Strs | None, list[Strs]]:
    """A sequence: (every string it can match, or None; candidate sets, each necessary). Runs of
    nodes with finite match sets are multiplied out into one candidate."""
    cands: list[Strs] = []
    run: Strs | None = frozenset({""})
    whole: Strs | None = frozenset({""})
    for op, av in items:
        e, n = _node(op, av)
        if n is not None:
            cands.append(n)
        if e is None:
            if run is not None:
                cands.append(run)
            run, whole = frozenset({""}), None
            continue
        nxt = _product(run, e) if run is not None else None
        if nxt is None:
            if run is not None:
                cands.append(run)
            nxt = e
        run = nxt
        whole = _product(whole, e) if whole is not None else None
    if run is not None:
        cands.append(run)
    if whole is not None:
        cands.append(whole)
    return whole, cands


def needed(rx: re.Pattern[str]) -> frozenset[str] | None:
    """Lower-cased strings one of which ``folded(text)`` contains whenever ``rx.search(text)``
    matches (None: no such set derived, every text may match)."""
    tree = P.parse(rx.pattern, rx.flags & ~re.UNICODE)
    return _seq(tree.data if hasattr(tree, "data") else tree)[1]


def needed_all(rx: re.Pattern[str], most: int = 3) -> list[frozenset[str]]:
    """Up to ``most`` sets of strings, each necessary like ``needed`` (so all of them together):
    the parts of the pattern's top-level sequence, most selective first ("any" and a tumour word
    for ``any ... tumours``). Empty when none is derived."""
    tree = P.parse(rx.pattern, rx.flags & ~re.UNICODE)
    cands = _seq_cands(tree.data if hasattr(tree, "data") else tree)[1]
    out: list[frozenset[str]] = []
    for c in sorted(cands, key=lambda c: (min(map(len, c), default=0), -len(c)), reverse=True):
        m = _minimal(c) if c and min(map(len, c)) > 0 else None
        # a set each string of a chosen set holds one of ("a" after "any") tests nothing more
        if m is None or len(out) >= most or any(all(any(t in x for t in m) for x in o) for o in out):
            continue
        out.append(m)
    return out


def _minimal(strs: Iterable[str]) -> frozenset[str]:
    """``strs`` without those holding another of them (the shorter one is found wherever they are)."""
    ss = set(strs)
    return frozenset(s for s in ss if not any(t != s and t in s for t in ss))


def phrase_strings(words: Iterable[str]) -> frozenset[str] | None:
    """Strings one of which ``folded(text)`` contains whenever the token matcher of
    ``criteria.lexicon`` finds one of the phrases ``words`` in ``text``: each phrase's longest
    token (a phrase's tokens are tokens of the lower-cased text). None when a phrase has no ASCII
    token to test."""
    out: list[str] = []
    for w in words:
        toks = [t for t in TOKEN.findall(str(w).lower()) if t.isascii()]
        if not toks:
            return None
        out.append(max(toks, key=len))
    return _minimal(out)


@lru_cache(maxsize=8192)
def folded(text: str) -> str:
    """``text.lower()``, with dotless i and long s as i and s and the combining dot dropped
    (memoised: the readers of one item look at the same text)."""
    low = text.lower()
    if low.isascii() or ("\u0131" not in low and "\u017f" not in low and "\u0307" not in low):
        return low
    return low.translate(_FOLD)


def _always(_: str) -> bool:
    return True


def finder(strs: frozenset[str] | None) -> Callable[[str], object]:
    """A test of a ``folded`` text, false only when it contains none of ``strs``: one search of
    their trie regex (one C call, faster than a loop of ``in`` tests past a few strings)."""
    if strs is None:
        return _always
    return re.compile(_trie_regex(sorted(strs))).search


def _all_of(tests: list[Callable[[str], object]]) -> Callable[[str], object]:
    """One test that passes when each of ``tests`` does (the first, most selective, first)."""
    if len(tests) == 1:
        return tests[0]
    first, rest = tests[0], _all_of(tests[1:])
    return lambda low: first(low) and rest(low)


class Gate:
    """A regex with its necessary strings: ``search`` is ``rx.search`` but skips the regex when
    the folded text cannot match (``may`` is that test: every set of ``sets`` has a string in the
    text; ``strs`` is the first, most selective set, or None when there is none). The strings are
    derived on first use, so importing a reader costs no parse of its patterns."""

    __slots__ = ("_sets", "may", "rx")

    def __init__(self, rx: re.Pattern[str]) -> None:
        self.rx = rx
        self._sets: list[frozenset[str]] | None = None
        self.may: Callable[[str], object] = self._first_may

    def _first_may(self, low: str) -> object:
        sets = self.sets
        self.may = _all_of([finder(s) for s in sets]) if sets else _always
        return self.may(low)

    @property
    def sets(self) -> list[frozenset[str]]:
        if self._sets is None:
            self._sets = needed_all(self.rx)
        return self._sets

    @property
    def strs(self) -> frozenset[str] | None:
        return self.sets[0] if self.sets else None

    def search(self, text: str, low: str | None = None) -> re.Match[str] | None:
        """``rx.search(text)``; ``low`` is ``folded`` of ``text`` or of a text holding it."""
        if not self.may(folded(text) if low is None else low):
            return None
        return self.rx.search(text)


def gate(rx: re.Pattern[str]) -> Gate:
    """``rx`` with the necessary strings ``needed_all`` derives from it (on first use)."""
    return Gate(rx)


def union(parts: Iterable[frozenset[str] | None]) -> frozenset[str] | None:
    """Strings one of which a text holds when it can match any of ``parts`` (None if one is)."""
    out: set[str] = set()
    for p in parts:
        if p is None:
            return None
        out |= p
    return _minimal(out)
