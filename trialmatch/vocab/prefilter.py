"""Cheap necessary conditions for regular expressions: a pattern behind the strings every match
must contain.

Most cue patterns fail on most criteria (an age cue on a lab item, a stage cue on a consent item),
and a failing regex search still walks every position of the text. ``Cue`` wraps a compiled
pattern and answers "no match" when the ``folded`` text lacks every string of one of its sets
(``regex_facts.needed_all``, read from the pattern's syntax tree), without running the regex;
otherwise it is the regex. Every named pattern (``vocab.patterns.pattern``) is a ``Cue``;
``gate(rx)`` makes one of any compiled regex. The sets of all Cues share one index (``_Index``):
a text is scanned once, however many Cues test it, for the bits of the sets it holds a string of.
``WordEnd`` tests that one of a pattern's final words ends a word of the text; ``finder`` is one
search for any of a set of strings. The regex readings and the Unicode case facts they rest on
live in ``regex_facts`` and are re-exported here.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import reduce
from operator import or_
from typing import Any

from trialmatch.vocab.regex_facts import (
    LOWER_SAFE,
    caseless,
    caseless_safe,
    final_words_of,
    fold_lowered,
    folded,
    max_width,
    minimal,
    needed,
    needed_all,
    needed_alts,
    search_twin,
    trie_regex,
)

__all__ = [
    "LOWER_SAFE",
    "AnyOf",
    "Cue",
    "WordEnd",
    "any_may",
    "caseless",
    "caseless_safe",
    "final_words_of",
    "finder",
    "folded",
    "gate",
    "max_width",
    "minimal",
    "needed",
    "needed_all",
    "needed_alts",
    "trie_regex",
    "union",
]


def _always(_: str) -> bool:
    return True


def finder(strs: frozenset[str] | None) -> Callable[[str], object]:
    """A test of a ``folded`` text, false only when it contains none of ``strs``: one search of
    their trie regex (one C call, faster than a loop of ``in`` tests past a few strings)."""
    if strs is None:
        return _always
    return re.compile(trie_regex(sorted(strs))).search


class Cue:
    """A compiled pattern that skips the regex when the ``folded`` text lacks the strings every
    match needs (every set of ``sets`` must have a string in the text; ``may`` is that test). It
    has the ``re.Pattern`` methods the parsers use, with the same results; ``search`` also takes
    ``low``, the folded text or that of a text holding it, when the caller has it.

    The test is two int operations: ``_need`` has one bit per set (``cue_index``), and the index
    gives each text, once, the bits of the sets it holds a string of. The strings are derived when
    the index is first built, so importing a reader parses none of its patterns. An IGNORECASE
    pattern's ``search`` and ``finditer`` find where the first match starts with its faster
    case-sensitive ``search_twin`` on the lower-cased text (their matches are the pattern's; only
    ``Match.pos`` is that start)."""

    __slots__ = ("_alts", "_need", "_sets", "_twin", "rx")

    def __init__(self, rx: re.Pattern[str]) -> None:
        self.rx = rx
        self._sets: list[frozenset[str]] | None = None
        self._need = 0  # set by the index before any text's bits are computed
        self._alts: tuple[int, ...] | None = None  # (the same) one mask per alternative
        self._twin: re.Pattern[str] | None = None  # (the same) ``search_twin(rx)``, for ``search``
        _INDEX.add(self)

    @property
    def sets(self) -> list[frozenset[str]]:
        if self._sets is None:
            self._sets = needed_all(self.rx)
        return self._sets

    @property
    def alternatives(self) -> list[list[frozenset[str]]] | None:
        """For a pattern that is one alternation, each alternative's sets (``needed_alts``, without
        sets of strings shorter than 3 characters, which nearly every text holds, unless that is
        all it has); a text passes when it holds a string of every set of one of them. None: no
        such test."""
        alts = needed_alts(self.rx)
        if alts is None:
            return None
        alts = [[s for s in a if min(map(len, s)) >= 3] or a[:1] for a in alts]
        # a test only when some alternative needs two sets (else it is the sets' own union)
        return alts if any(len(a) > 1 for a in alts) else None

    @property
    def strs(self) -> frozenset[str] | None:
        """The most selective set of strings (None: the regex always runs)."""
        return self.sets[0] if self.sets else None

    @property
    def pattern(self) -> str:
        return self.rx.pattern

    @property
    def flags(self) -> int:
        return self.rx.flags

    @property
    def groupindex(self) -> Any:
        return self.rx.groupindex

    def may(self, low: str) -> bool:
        """False only when the pattern cannot match a text whose lower-cased form holds ``low``."""
        # the text's bits first: looking them up indexes a new Cue (sets _need)
        bits = _LOW_BITS[low]
        return bits & self._need == self._need and (self._alts is None or _any_alt(bits, self._alts))

    def admits(self, text: str, low: str | None = None) -> bool:
        """False only when the pattern cannot match anywhere in ``text`` (``low`` as for ``search``)."""
        bits = _TEXT_BITS[text] if low is None else _LOW_BITS[low]
        return bits & self._need == self._need and (self._alts is None or _any_alt(bits, self._alts))

    def search(
        self, text: str, pos: int = 0, endpos: int = sys.maxsize, *, low: str | None = None
    ) -> re.Match[str] | None:
        """``rx.search``; ``low`` is ``text.lower()`` or ``folded(text)`` when the caller has it
        (or that of a text holding ``text``)."""
        bits = _TEXT_BITS[text] if low is None else _LOW_BITS[low]
        if bits & self._need != self._need or (self._alts is not None and not _any_alt(bits, self._alts)):
            return None
        twin = self._twin
        if twin is None:
            return self.rx.search(text, pos, endpos)
        # The case-sensitive twin (``search_twin``) on the lower-cased text is the same search,
        # about twice as fast as IGNORECASE (its first characters skip ahead): it finds where the
        # first match starts, and the pattern, searching from there, gives it (only ``Match.pos``
        # tells the difference).
        # (``folded`` is the memoised ``lower`` of an ASCII text; a ``caseless_safe`` one lower-cases
        # character by character, so the positions are the text's.)
        if text.isascii():
            m = twin.search(folded(text), pos, endpos)
        elif caseless_safe(text):
            m = twin.search(text.lower(), pos, endpos)
        else:
            return self.rx.search(text, pos, endpos)
        return None if m is None else self.rx.search(text, m.start(), endpos)

    def match(
        self, text: str, pos: int = 0, endpos: int = sys.maxsize, *, low: str | None = None
    ) -> re.Match[str] | None:
        """``rx.match``; ``low`` as for ``search``."""
        bits = _TEXT_BITS[text] if low is None else _LOW_BITS[low]
        if bits & self._need != self._need or (self._alts is not None and not _any_alt(bits, self._alts)):
            return None
        return self.rx.match(text, pos, endpos)

    def _admits(self, text: str) -> bool:
        bits = _TEXT_BITS[text]
        return bits & self._need == self._need and (self._alts is None or _any_alt(bits, self._alts))

    def fullmatch(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.rx.fullmatch(text, pos, endpos) if self._admits(text) else None

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        if not self._admits(text):
            return iter(())
        if self._twin is not None and text.isascii():
            # the twin finds where the first match starts (as for ``search``): none, no matches;
            # else the pattern's matches from there are its matches from ``pos``
            m = self._twin.search(folded(text), pos, endpos)
            return iter(()) if m is None else self.rx.finditer(text, m.start(), endpos)
        return self.rx.finditer(text, pos, endpos)

    def findall(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> list[Any]:
        return self.rx.findall(text, pos, endpos) if self._admits(text) else []

    def split(self, text: str, maxsplit: int = 0) -> list[str | Any]:
        return self.rx.split(text, maxsplit) if self._admits(text) else [text]

    def sub(self, repl: str | Callable[[re.Match[str]], str], text: str, count: int = 0) -> str:
        return self.rx.sub(repl, text, count) if self._admits(text) else text

    def subn(self, repl: str | Callable[[re.Match[str]], str], text: str, count: int = 0) -> tuple[str, int]:
        return self.rx.subn(repl, text, count) if self._admits(text) else (text, 0)

    def __repr__(self) -> str:
        return f"Cue({self.rx!r})"


def _any_alt(bits: int, alts: tuple[int, ...]) -> bool:
    """The text (``bits``) holds a string of every set of one alternative (``alts``: their masks)."""
    for m in alts:  # noqa: SIM110 (a loop: half the time of any() over a generator)
        if bits & m == m:
            return True
    return False


def any_may(cues: Iterable[Cue]) -> Callable[[str], bool]:
    """A test of a ``folded`` text, False only when none of ``cues`` can match a text whose
    lower-cased form holds it: ``any(c.may(low) for c in cues)`` with one look-up of its bits."""
    tests = tuple(cues)

    def may(low: str) -> bool:
        bits = _LOW_BITS[low]  # first: looking the bits up gives new Cues their masks
        for c in tests:  # (a loop: cheaper than any() over a generator)
            need = c._need
            if bits & need == need and (c._alts is None or _any_alt(bits, c._alts)):
                return True
        return False

    return may


class AnyOf:
    """A test of a ``folded`` text, False only when it holds none of ``strs`` (as ``finder``, but
    one bit of the shared index: no scan of a text whose bits are known; a string with whitespace
    is tested by its longest piece, weaker and still necessary)."""

    __slots__ = ("_alts", "_need", "sets")

    alternatives = None

    def __init__(self, strs: Iterable[str]) -> None:
        self.sets = [minimal(strs)]
        self._need = 0
        self._alts = None
        _INDEX.add(self)

    def __call__(self, low: str) -> bool:
        bits = _LOW_BITS[low]  # first: looking the bits up gives a new one its bit
        return bits & self._need == self._need


def gate(rx: re.Pattern[str] | Cue) -> Cue:
    """``rx`` behind the necessary strings ``needed_all`` derives from it (a ``Cue`` as it is)."""
    return rx if isinstance(rx, Cue) else Cue(rx)


def union(parts: Iterable[frozenset[str] | None]) -> frozenset[str] | None:
    """Strings one of which a text holds when it can match any of ``parts`` (None if one is)."""
    out: set[str] = set()
    for p in parts:
        if p is None:
            return None
        out |= p
    return minimal(out)


class WordEnd:
    """A pattern ending in a group of plain words and ``\\b`` (``history.drug_stem``:
    ``...(?:mab|nib)\\b``) behind the necessary condition that one of those words ends a word of
    the lower-cased text (one search, much stronger than the words anywhere: "stat" is in
    "status"). ``pattern`` is the ``Cue``; ``search`` and ``finditer`` give its results."""

    __slots__ = ("_anywhere", "_ends", "pattern")

    def __init__(self, rx: re.Pattern[str] | Cue) -> None:
        self.pattern = gate(rx)
        words = final_words_of(self.pattern.rx)
        # a word ending in another is implied by it
        ends = sorted(w for w in words or () if not any(o != w and w.endswith(o) for o in words or ()))
        self._ends = re.compile("(?:" + "|".join(ends) + r")(?!\w)").search if ends else None
        # a word ending in one of them holds it: one bit of the index before the search
        self._anywhere = AnyOf(ends) if ends else None

    def possible(self, text: str) -> bool:
        """False only when no match can end in ``text`` (the words are searched in its lower-cased
        form: for an ASCII text that is the memoised ``folded``; a cased non-ASCII one is not tested)."""
        if self._ends is None or self._anywhere is None:
            return True
        if text.isascii():
            low = folded(text)
        elif not caseless_safe(text):
            return True  # "ſ", "K" (Kelvin) match ASCII letters case-insensitively
        else:
            low = text.lower()
        # the bit test first: the text's bits are nearly always known already (its item's), and
        # ~89% of the corpus texts asked (history._DRUGLIKE) hold none of the words anywhere
        # (1,440 of 12,781 in 1,500 trials), so the search (~3 us a text) is mostly skipped
        return self._anywhere(low) and self._ends(low) is not None

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text) if self.possible(text) else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(text) if self.possible(text) else iter(())


# The index: each Cue's sets get one bit, and each text, once, the bits of the sets it holds a
# string of. A string found in a text has its longest whitespace-free piece inside one of the
# text's whitespace-separated chunks, so a text's bits are the union of its chunks' bits, and a
# chunk's come from one scan for every piece (the longest piece at each position; the pieces
# inside it are found with it). Chunks recur across texts far more than texts do.

# (the whole corpus, 5,836 trials: 71k distinct chunks, which a bound of 1 << 16 made re-scan
# 15k times; 16k texts halve the texts whose bits are computed again after a clear)
_TEXTS = 1 << 14  # texts (and lower-cased texts) whose bits are remembered
_CHUNKS = 1 << 17  # chunks whose bits are remembered


class _Index:
    """The bit of every set of every Cue made so far, and the scan that gives texts their bits."""

    def __init__(self) -> None:
        self.fresh: list[Cue | AnyOf] = []  # made, not yet given their bits
        self.bit: dict[frozenset[str], int] = {}
        self.always = 0  # sets with a string that is all whitespace: every text may hold one
        self.holds: dict[str, int] = {}  # piece -> bits of the sets with a piece it holds
        self.scan: Callable[[str], list[str]] = lambda _: []

    def add(self, cue: Cue | AnyOf) -> None:
        """A new Cue: it gets its bits before any text's bits are looked up again."""
        self.fresh.append(cue)
        _TEXT_BITS.clear()
        _LOW_BITS.clear()

    def update(self) -> None:
        """Give the fresh Cues their bits (a new set rebuilds the scan)."""
        fresh, self.fresh = self.fresh, []
        grown = False

        def mask(sets: list[frozenset[str]]) -> int:
            nonlocal grown
            need = 0
            for s in sets:
                b = self.bit.get(s)
                if b is None:
                    b = self.bit[s] = 1 << len(self.bit)
                    grown = True
                need |= b
            return need

        for cue in fresh:
            cue._need = mask(cue.sets)
            alts = cue.alternatives
            cue._alts = None if alts is None else tuple(mask(a) for a in alts)
            if isinstance(cue, Cue):
                cue._twin = search_twin(cue.rx)
        if grown:
            self._rebuild()

    def _rebuild(self) -> None:
        by_piece: dict[str, int] = {}
        always = 0
        for s, b in self.bit.items():
            for n in s:
                parts = n.split()
                if not parts:
                    always |= b
                    continue
                p = max(parts, key=len)
                by_piece[p] = by_piece.get(p, 0) | b
        self.always = always
        self.holds = {p: reduce(or_, (by_piece.get(q, 0) for q in _substrings(p))) for p in by_piece}
        self.scan = re.compile("(?=(" + trie_regex(sorted(by_piece), lower=False) + "))").findall
        _CHUNK_BITS.clear()
        _TEXT_BITS.clear()
        _LOW_BITS.clear()

    def bits(self, low: str) -> int:
        """The bits of the sets the ``folded`` text ``low`` holds a string of (or may)."""
        return reduce(or_, map(_CHUNK_BITS.__getitem__, low.split()), self.always)


def _substrings(s: str) -> set[str]:
    return {s[i:j] for i in range(len(s)) for j in range(i + 1, len(s) + 1)}


class _ChunkBits(dict[str, int]):
    """Bits of whitespace-free chunks, computed on first look-up (bounded)."""

    def __missing__(self, chunk: str) -> int:
        if len(self) >= _CHUNKS:
            self.clear()
        # (no set() of the pieces: ORing a repeated piece's bits again is cheaper than the set)
        bits = self[chunk] = reduce(or_, map(_INDEX.holds.__getitem__, _INDEX.scan(chunk)), 0)
        return bits


class _LowBits(dict[str, int]):
    """Bits of lower-cased texts, computed on first look-up (bounded)."""

    def __missing__(self, low: str) -> int:
        index = _INDEX
        if index.fresh:
            index.update()
        if len(self) >= _TEXTS:
            self.clear()
        # = index.bits(fold_lowered(low)), inlined: this runs once for each of ~150k texts
        text = low if low.isascii() else fold_lowered(low)
        bits = self[low] = reduce(or_, map(_CHUNK_BITS.__getitem__, text.split()), index.always)
        return bits


class _TextBits(dict[str, int]):
    """Bits of texts: those of their lower-cased form, which the readers often look up too."""

    def __missing__(self, text: str) -> int:
        bits = _LOW_BITS[text.lower()]  # (a new Cue empties both: this indexes it)
        if len(self) >= _TEXTS:
            self.clear()
        self[text] = bits
        return bits


_INDEX = _Index()
_CHUNK_BITS = _ChunkBits()
_TEXT_BITS = _TextBits()
_LOW_BITS = _LowBits()
