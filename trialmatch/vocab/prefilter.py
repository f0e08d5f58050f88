"""Cheap necessary conditions for regular expressions: the literals a match must contain.

Most cue patterns fail on most criteria (an age cue on a lab item, a stage cue on a consent item),
and a failing regex search still walks every position of the text. ``necessary_literals(regex)``
reads the pattern's parse tree and returns lower-cased strings of which **any match contains at
least one** (``\\bage[ds]?\\b|\\byears?\\b`` -> ``("age", "year")``), or None when it cannot tell.
``Cue`` wraps a compiled pattern and answers "no match" from a substring test on the lower-cased
text when none of them occurs, without running the regex; otherwise it is the regex.

Why the substring test is exact: under IGNORECASE a text character matches a pattern letter when
their simple lower-case forms agree, or through one of the extra Unicode equivalences (``ſ`` for
``s``, dotless ``ı`` for ``i``). Letters with extra equivalences end a literal run, so every letter
kept is matched by a character whose ``str.lower()`` is that letter (``str.lower`` and the simple
mapping differ only for ``İ``, whose simple lower case ``i`` is not kept).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["Cue", "necessary_literals"]

try:  # CPython's regex parser (``sre_parse`` before 3.11); without it, no prefilter is derived
    from re import _casefix, _parser  # type: ignore[attr-defined]
    from re._constants import (  # type: ignore[import-not-found]
        ASSERT,
        AT,
        ATOMIC_GROUP,
        BRANCH,
        IN,
        LITERAL,
        MAX_REPEAT,
        MIN_REPEAT,
        POSSESSIVE_REPEAT,
        SUBPATTERN,
    )

    _EXTRA: frozenset[int] = frozenset(_casefix._EXTRA_CASES)
except ImportError:  # pragma: no cover - other interpreters
    _parser = None
    _EXTRA = frozenset()

_MAX_LITERALS = 24  # more alternatives than this and the substring tests cost about what the regex does


def _char(op: Any, av: Any, icase: bool) -> str | None:
    """The lower-cased character a single-character node always matches, or None."""
    if op is LITERAL:
        codes = [av]
    elif op is IN and av and all(o is LITERAL for o, _ in av):
        codes = [a for _, a in av]
    else:
        return None
    lows = {chr(c).lower() for c in codes}
    if len(lows) != 1:
        return None
    ch = lows.pop()
    if len(ch) != 1 or (icase and ord(ch) in _EXTRA):
        return None  # "İ" lowers to two characters; "s" and "i" have extra case equivalents
    return ch


def _best(cands: list[frozenset[str]]) -> frozenset[str] | None:
    """The most selective requirement: the longest shortest literal, then the fewest literals."""
    if not cands:
        return None
    return max(cands, key=lambda s: (min(len(x) for x in s), -len(s)))


def _seq(items: Any, icase: bool) -> frozenset[str] | None:
    """Literals of which any match of the sequence ``items`` contains one (None: unknown)."""
    cands: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            cands.append(frozenset({"".join(run)}))
            run.clear()

    for op, av in items:
        ch = _char(op, av, icase)
        if ch is not None:
            run.append(ch)
            continue
        if op is AT:
            continue  # zero-width: the characters either side are adjacent in the text
        flush()
        sub: frozenset[str] | None = None
        if op is SUBPATTERN:
            _group, add, dele, body = av
            sub = _seq(body, (icase or bool(add & re.IGNORECASE)) and not dele & re.IGNORECASE)
        elif op is BRANCH:
            alts = [_seq(b, icase) for b in av[1]]
            if all(a is not None for a in alts):
                sub = frozenset().union(*[a for a in alts if a is not None])
        elif op in (MAX_REPEAT, MIN_REPEAT, POSSESSIVE_REPEAT):
            lo, _hi, body = av
            sub = _seq(body, icase) if lo >= 1 else None
        elif op is ASSERT:
            sub = _seq(av[1], icase)  # a lookaround's text is in the string too
        elif op is ATOMIC_GROUP:
            sub = _seq(av, icase)
        if sub is not None:
            cands.append(sub)
    flush()
    return _best(cands)


def necessary_literals(rx: re.Pattern[str]) -> tuple[str, ...] | None:
    """Lower-cased literals of which every match of ``rx`` contains one, or None when the pattern
    gives none worth testing (no literal, or too many alternatives)."""
    if _parser is None or not isinstance(rx.pattern, str):
        return None
    try:
        tree = _parser.parse(rx.pattern, rx.flags)
    except Exception:  # pragma: no cover - the pattern compiled, so it parses
        return None
    lits = _seq(tree.data, bool(tree.state.flags & re.IGNORECASE))
    if not lits or len(lits) > _MAX_LITERALS or min(len(x) for x in lits) < 2:
        return None  # a one-letter literal is in nearly every text: the test would only cost
    return tuple(sorted(lits, key=lambda s: (-len(s), s)))


_LAST: tuple[str, str] = ("", "")  # the last text lowered, and its lower case (one atomic slot)


def _lower(text: str) -> str:
    """``text.lower()``, remembered for the last text: the cues of an item run one after another."""
    global _LAST
    last = _LAST
    if last[0] is text:
        return last[1]
    low = text.lower()
    _LAST = (text, low)
    return low


class Cue:
    """A compiled pattern that skips the regex when none of its necessary literals occurs in the
    lower-cased text. It has the ``re.Pattern`` methods the parsers use, with the same results."""

    __slots__ = ("_lits", "_rx", "flags", "groupindex", "groups", "pattern")

    def __init__(self, rx: re.Pattern[str]) -> None:
        self._rx = rx
        self._lits = necessary_literals(rx)
        self.pattern = rx.pattern
        self.flags = rx.flags
        self.groups = rx.groups
        self.groupindex = rx.groupindex

    @property
    def literals(self) -> tuple[str, ...] | None:
        """The literals tested before the regex (None: the regex always runs)."""
        return self._lits

    @property
    def regex(self) -> re.Pattern[str]:
        return self._rx

    def possible(self, text: str) -> bool:
        """False only when the pattern cannot match anywhere in ``text``."""
        lits = self._lits
        if lits is None:
            return True
        low = _lower(text)
        for lit in lits:  # noqa: SIM110 - a loop costs less than any() over a generator
            if lit in low:
                return True
        return False

    def search(self, text: str, *args: int) -> re.Match[str] | None:
        return self._rx.search(text, *args) if self.possible(text) else None

    def match(self, text: str, *args: int) -> re.Match[str] | None:
        return self._rx.match(text, *args) if self.possible(text) else None

    def fullmatch(self, text: str, *args: int) -> re.Match[str] | None:
        return self._rx.fullmatch(text, *args) if self.possible(text) else None

    def finditer(self, text: str, *args: int) -> Iterator[re.Match[str]]:
        return self._rx.finditer(text, *args) if self.possible(text) else iter(())

    def findall(self, text: str, *args: int) -> list[Any]:
        return self._rx.findall(text, *args) if self.possible(text) else []

    def split(self, text: str, maxsplit: int = 0) -> list[str | Any]:
        return self._rx.split(text, maxsplit) if self.possible(text) else [text]

    def sub(self, repl: str | Callable[[re.Match[str]], str], text: str, count: int = 0) -> str:
        return self._rx.sub(repl, text, count) if self.possible(text) else text

    def subn(self, repl: str | Callable[[re.Match[str]], str], text: str, count: int = 0) -> tuple[str, int]:
        return self._rx.subn(repl, text, count) if self.possible(text) else (text, 0)

    def __repr__(self) -> str:
        return f"Cue({self._rx!r}, literals={self._lits!r})"
