"""Cheap necessary conditions for regular expressions, derived from the patterns themselves.

``required_literals(rx)`` reads a compiled pattern's syntax tree and returns a set of literal
strings one of which every match contains (None when no such set can be read). ``gate(rx)`` wraps
the pattern: ``search`` / ``match`` answer exactly as the pattern does, but skip the regex when the
text contains none of the literals (a substring test is far cheaper than a failing scan).

Case-insensitive patterns: the literals are lower-cased ASCII and are looked for in the lower-cased
text, and only when the text is ASCII (under ``re.I`` a few non-ASCII letters match ASCII ones:
``ſ`` matches ``s``, ``K`` matches ``k``); any other text goes straight to the regex. Literals hold no
white space, so a text built by joining substrings of another with spaces can only hold a literal
that the other holds.
"""

from __future__ import annotations

import re
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser as _p  # type: ignore[attr-defined]
from typing import Any

__all__ = ["Gate", "gate", "required_literals"]

_MAX_LITERALS = 32  # beyond this many alternatives the substring tests cost about what the regex does
_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT))


def _score(lits: frozenset[str]) -> float:
    """How likely a text is to hold one of ``lits`` (lower is a sharper condition)."""
    return sum(26.0 ** -len(x) for x in lits)


def _literal_char(op: Any, av: Any, fold: bool) -> str | None:
    """The one character a node matches, as looked for in the text (None: not a plain literal)."""
    if op is _c.LITERAL:
        code = av
    elif op is _c.IN and len(av) == 1 and av[0][0] is _c.LITERAL:
        code = av[0][1]
    else:
        return None
    ch = chr(code)
    if ch.isspace() or (fold and not ch.isascii()):
        return None
    return ch.lower() if fold else ch


def _sequence(items: Any, fold: bool) -> frozenset[str] | None:
    """The sharpest required set among the elements of a sequence (runs of literals joined)."""
    best: frozenset[str] | None = None
    run: list[str] = []
    cands: list[frozenset[str] | None] = []
    for op, av in items:
        ch = _literal_char(op, av, fold)
        if ch is not None:
            run.append(ch)
            continue
        if run:
            cands.append(frozenset({"".join(run)}))
            run = []
        cands.append(_node(op, av, fold))
    if run:
        cands.append(frozenset({"".join(run)}))
    for c in cands:
        if c and (best is None or _score(c) < _score(best)):
            best = c
    return best


def _node(op: Any, av: Any, fold: bool) -> frozenset[str] | None:
    if op is _c.SUBPATTERN:
        _group, add, drop, sub = av
        if (add | drop) & re.IGNORECASE:
            return None  # a scoped case flag: not worth reading
        return _sequence(sub, fold)
    if op is _c.BRANCH:
        out: set[str] = set()
        for alt in av[1]:
            s = _sequence(alt, fold)
            if not s:
                return None  # an alternative with no literal of its own
            out |= s
        return frozenset(out)
    if op in _REPEATS:
        lo, _hi, sub = av
        return _sequence(sub, fold) if lo >= 1 else None
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _sequence(av, fold)
    return None  # anchors, look-arounds, classes, back references: nothing required


def required_literals(rx: re.Pattern[str]) -> frozenset[str] | None:
    """Literals one of which every match of ``rx`` contains (lower-cased ASCII for ``re.I``)."""
    if not isinstance(rx.pattern, str):
        return None
    try:
        tree = _p.parse(rx.pattern, rx.flags)
    except Exception:  # pragma: no cover - a pattern that compiled parses
        return None
    lits = _sequence(list(tree), bool(rx.flags & re.IGNORECASE))
    if not lits:
        return None
    # a literal holding another is implied by it: the shorter one alone is still required
    lits = frozenset(x for x in lits if not any(y != x and y in x for y in lits))
    return lits if len(lits) <= _MAX_LITERALS else None


class Gate:
    """A compiled pattern with a literal prefilter; ``search`` / ``match`` give what the pattern gives.
    ``low`` is ``text.lower()`` when the caller has it (read only for a case-insensitive pattern)."""

    __slots__ = ("fold", "lits", "rx")

    def __init__(self, rx: re.Pattern[str]) -> None:
        self.rx = rx
        self.fold = bool(rx.flags & re.IGNORECASE)
        lits = required_literals(rx)
        self.lits: tuple[str, ...] | None = tuple(sorted(lits)) if lits else None

    def admits(self, text: str, low: str | None = None) -> bool:
        """False only when no match is possible (the text holds none of the literals)."""
        lits = self.lits
        if lits is None:
            return True
        if self.fold:
            if not text.isascii():
                return True
            hay = text.lower() if low is None else low
        else:
            hay = text
        for x in lits:  # noqa: SIM110 - a loop allocates no generator (this runs per regex call)
            if x in hay:
                return True
        return False

    # ``search`` / ``match`` repeat ``admits`` inline: they run a few hundred thousand times a corpus

    def search(self, text: str, low: str | None = None) -> re.Match[str] | None:
        lits = self.lits
        if lits is not None and (not self.fold or text.isascii()):
            hay = text if not self.fold else text.lower() if low is None else low
            for x in lits:
                if x in hay:
                    break
            else:
                return None
        return self.rx.search(text)

    def match(self, text: str, low: str | None = None) -> re.Match[str] | None:
        lits = self.lits
        if lits is not None and (not self.fold or text.isascii()):
            hay = text if not self.fold else text.lower() if low is None else low
            for x in lits:
                if x in hay:
                    break
            else:
                return None
        return self.rx.match(text)


def gate(rx: re.Pattern[str]) -> Gate:
    """``rx`` behind its literal prefilter."""
    return Gate(rx)
