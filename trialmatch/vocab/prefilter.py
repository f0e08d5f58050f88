"""Cheap necessary conditions for regular expressions: strings every match must contain.

Most cue patterns fail on most criteria (an age cue on a lab item, a stage cue on a consent item),
and a failing regex search still walks every position of the text. ``needed(rx)`` reads a compiled
pattern's syntax tree and returns lower-cased strings of which every match contains at least one
(``\\bage[ds]?\\b|\\byears?\\b`` -> ``{"age", "year"}``), or None when it cannot tell; ``needed_all``
gives several such sets, each necessary. ``Cue`` wraps a compiled pattern and answers "no match"
when the ``folded`` text lacks every string of one of its sets, without running the regex;
otherwise it is the regex. Every named pattern (``vocab.patterns.pattern``) is a ``Cue``;
``gate(rx)`` makes one of any compiled regex. The sets of all Cues share one index (``_Index``):
a text is scanned once, however many Cues test it, for the bits of the sets it holds a string of.

``folded(text)`` is ``text.lower()`` with the three characters that a case-insensitive regex
matches to an ASCII letter although ``str.lower`` does not give that letter (dotless i, long s,
and the combining dot ``İ`` lowers to) mapped to it, so ``needed`` stays a true necessary
condition on any text. The strings come from the patterns at first use, never from a word list.
"""

from __future__ import annotations

import re
import string
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache, reduce
from operator import or_
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as P  # type: ignore[attr-defined]
from typing import Any

__all__ = [
    "LOWER_SAFE",
    "Cue",
    "WordEnd",
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
    "trie_regex",
    "union",
]

_MAX_SET = 64  # more alternatives than this: not worth testing one by one
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT))
_ZERO_WIDTH = (C.AT, C.ASSERT, C.ASSERT_NOT)

# The Unicode case facts the prefilters rest on, in one place (tests check them over Unicode).
# (1) ``caseless`` characters, ASCII or without case ("≥", "–": neither lower- nor upper-casing
# changes them): a text of them, lower-cased, matches a pattern without upper-case letters
# case-sensitively where the text matches it case-insensitively. (2) The ASCII letters that
# re.IGNORECASE matches to a character which str.lower() does not turn into them are i and s:
# dotless i, long s, and "İ" (lower-cased to "i" and a combining dot); ``folded`` maps those, so
# a caseless literal of a pattern is in the folded text wherever the pattern matches it.
_ODD_CASE = {"\u0131": "i", "\u017f": "s", "\u0307": ""}  # what ``folded`` maps them to
_FOLD = str.maketrans({k: v or None for k, v in _ODD_CASE.items()})
#: ASCII letters and digits that ``str.lower()`` gives wherever re.IGNORECASE matches them
LOWER_SAFE = frozenset(string.ascii_lowercase + string.digits) - set(_ODD_CASE.values())

Strs = frozenset[str]

class _Caseless(dict[str, bool]):
    def __missing__(self, ch: str) -> bool:
        ok = self[ch] = ch.isascii() or ch.lower() == ch == ch.upper()
        return ok


_CASELESS = _Caseless()


def caseless(ch: str) -> bool:
    """A character re.IGNORECASE matches exactly where ``str.lower()`` gives it: ASCII, or one
    without case ("≥", "–")."""
    return _CASELESS[ch]


def caseless_safe(text: str) -> bool:
    """True when every character of ``text`` is ``caseless``: then ``text.lower()`` matched
    case-sensitively is the same as ``text`` matched case-insensitively by a pattern without
    upper-case letters."""
    return text.isascii() or all(map(_CASELESS.__getitem__, set(text)))


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
    return minimal(best)


def _node(op: Any, av: Any) -> tuple[Strs | None, Strs | None]:
    """(every string the node can match, or None; a set one of which each match contains, or None)."""
    if op is C.LITERAL:
        ch = chr(av)
        if not caseless(ch):
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
        if not all(map(caseless, chars)) or len(chars) > 16:
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
        m = minimal(c) if c and min(map(len, c)) > 0 else None
        # a set each string of a chosen set holds one of ("a" after "any") tests nothing more
        if m is None or len(out) >= most or any(all(any(t in x for t in m) for x in o) for o in out):
            continue
        out.append(m)
    return out


def minimal(strs: Iterable[str]) -> frozenset[str]:
    """``strs`` without those holding another of them (the shorter one is found wherever they are)."""
    ss = set(strs)
    return frozenset(s for s in ss if not any(t != s and t in s for t in ss))


def trie_regex(words: list[str], lower: bool = True) -> str:
    """A regex for a set of literal phrases built as a trie (shared prefixes are tried once;
    ``lower=False``: the phrases as they are)."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w.lower() if lower else w:
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


@lru_cache(maxsize=8192)
def folded(text: str) -> str:
    """``text.lower()``, with dotless i and long s as i and s and the combining dot dropped
    (memoised: the readers of one item look at the same text)."""
    return _fold(text.lower())


def _fold(low: str) -> str:
    """A lower-cased text with the three characters mapped as ``folded`` maps them."""
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
    return re.compile(trie_regex(sorted(strs))).search


class Cue:
    """A compiled pattern that skips the regex when the ``folded`` text lacks the strings every
    match needs (every set of ``sets`` must have a string in the text; ``may`` is that test). It
    has the ``re.Pattern`` methods the parsers use, with the same results; ``search`` also takes
    ``low``, the folded text or that of a text holding it, when the caller has it.

    The test is two int operations: ``_need`` has one bit per set (``cue_index``), and the index
    gives each text, once, the bits of the sets it holds a string of. The strings are derived when
    the index is first built, so importing a reader parses none of its patterns."""

    __slots__ = ("_need", "_sets", "rx")

    def __init__(self, rx: re.Pattern[str]) -> None:
        self.rx = rx
        self._sets: list[frozenset[str]] | None = None
        self._need = 0  # set by the index before any text's bits are computed
        _INDEX.add(self)

    @property
    def sets(self) -> list[frozenset[str]]:
        if self._sets is None:
            self._sets = needed_all(self.rx)
        return self._sets

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
        return bits & self._need == self._need

    def admits(self, text: str, low: str | None = None) -> bool:
        """False only when the pattern cannot match anywhere in ``text`` (``low`` as for ``search``)."""
        bits = _TEXT_BITS[text] if low is None else _LOW_BITS[low]
        return bits & self._need == self._need

    def search(
        self, text: str, pos: int = 0, endpos: int = sys.maxsize, *, low: str | None = None
    ) -> re.Match[str] | None:
        """``rx.search``; ``low`` is ``text.lower()`` or ``folded(text)`` when the caller has it
        (or that of a text holding ``text``)."""
        bits = _TEXT_BITS[text] if low is None else _LOW_BITS[low]
        if bits & self._need != self._need:
            return None
        return self.rx.search(text, pos, endpos)

    def match(
        self, text: str, pos: int = 0, endpos: int = sys.maxsize, *, low: str | None = None
    ) -> re.Match[str] | None:
        """``rx.match``; ``low`` as for ``search``."""
        bits = _TEXT_BITS[text] if low is None else _LOW_BITS[low]
        if bits & self._need != self._need:
            return None
        return self.rx.match(text, pos, endpos)

    def _admits(self, text: str) -> bool:
        bits = _TEXT_BITS[text]
        return bits & self._need == self._need

    def fullmatch(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.rx.fullmatch(text, pos, endpos) if self._admits(text) else None

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        return self.rx.finditer(text, pos, endpos) if self._admits(text) else iter(())

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


def max_width(rx: re.Pattern[str] | Cue) -> int | None:
    """The most characters a match of ``rx`` can span (None when unbounded): a text longer than
    that (plus one, for a ``$`` before a final newline) cannot be matched whole."""
    pat = rx.rx if isinstance(rx, Cue) else rx
    hi = int(P.parse(pat.pattern, pat.flags & ~re.UNICODE).getwidth()[1])
    return None if hi >= C.MAXREPEAT else hi


def final_words_of(rx: re.Pattern[str]) -> frozenset[str] | None:
    """The plain words one of which ends every match of ``rx`` just before a word boundary, for
    an ``IGNORECASE`` pattern whose top-level sequence ends in a group of ASCII words and ``\\b``
    (``\\b[a-z]{3,}(?:mab|nib)\\b`` -> ``{"mab", "nib"}``), lower-cased; None otherwise."""
    if not rx.flags & re.IGNORECASE:
        return None
    tree = P.parse(rx.pattern, rx.flags & ~re.UNICODE)
    items = list(tree.data if hasattr(tree, "data") else tree)
    if len(items) < 2 or items[-1] != (C.AT, C.AT_BOUNDARY):
        return None
    words = _node(*items[-2])[0]
    if not words or not all(w.isascii() and w.isalpha() for w in words):
        return None
    return frozenset(words)


class WordEnd:
    """A pattern ending in a group of plain words and ``\\b`` (``history.drug_stem``:
    ``...(?:mab|nib)\\b``) behind the necessary condition that one of those words ends a word of
    the lower-cased text (one search, much stronger than the words anywhere: "stat" is in
    "status"). ``pattern`` is the ``Cue``; ``search`` and ``finditer`` give its results."""

    __slots__ = ("_ends", "pattern")

    def __init__(self, rx: re.Pattern[str] | Cue) -> None:
        self.pattern = gate(rx)
        words = final_words_of(self.pattern.rx)
        # a word ending in another is implied by it
        ends = sorted(w for w in words or () if not any(o != w and w.endswith(o) for o in words or ()))
        self._ends = re.compile("(?:" + "|".join(ends) + r")(?!\w)").search if ends else None

    def possible(self, text: str) -> bool:
        """False only when no match can end in ``text`` (the words are searched in its lower-cased
        form: for an ASCII text that is the memoised ``folded``; a cased non-ASCII one is not tested)."""
        if self._ends is None:
            return True
        if text.isascii():
            return self._ends(folded(text)) is not None
        if not caseless_safe(text):
            return True  # "ſ", "K" (Kelvin) match ASCII letters case-insensitively
        return self._ends(text.lower()) is not None

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text) if self.possible(text) else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(text) if self.possible(text) else iter(())


# The index: each Cue's sets get one bit, and each text, once, the bits of the sets it holds a
# string of. A string found in a text has its longest whitespace-free piece inside one of the
# text's whitespace-separated chunks, so a text's bits are the union of its chunks' bits, and a
# chunk's come from one scan for every piece (the longest piece at each position; the pieces
# inside it are found with it). Chunks recur across texts far more than texts do.

_TEXTS = 8192  # texts (and lower-cased texts) whose bits are remembered, as ``folded`` does
_CHUNKS = 1 << 16  # chunks whose bits are remembered


class _Index:
    """The bit of every set of every Cue made so far, and the scan that gives texts their bits."""

    def __init__(self) -> None:
        self.fresh: list[Cue] = []  # made, not yet given their bits
        self.bit: dict[frozenset[str], int] = {}
        self.always = 0  # sets with a string that is all whitespace: every text may hold one
        self.holds: dict[str, int] = {}  # piece -> bits of the sets with a piece it holds
        self.scan: Callable[[str], list[str]] = lambda _: []

    def add(self, cue: Cue) -> None:
        """A new Cue: it gets its bits before any text's bits are looked up again."""
        self.fresh.append(cue)
        _TEXT_BITS.clear()
        _LOW_BITS.clear()

    def update(self) -> None:
        """Give the fresh Cues their bits (a new set rebuilds the scan)."""
        fresh, self.fresh = self.fresh, []
        grown = False
        for cue in fresh:
            need = 0
            for s in cue.sets:
                b = self.bit.get(s)
                if b is None:
                    b = self.bit[s] = 1 << len(self.bit)
                    grown = True
                need |= b
            cue._need = need
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
        bits = self[chunk] = reduce(or_, map(_INDEX.holds.__getitem__, set(_INDEX.scan(chunk))), 0)
        return bits


class _LowBits(dict[str, int]):
    """Bits of lower-cased texts, computed on first look-up (bounded)."""

    def __missing__(self, low: str) -> int:
        if _INDEX.fresh:
            _INDEX.update()
        if len(self) >= _TEXTS:
            self.clear()
        bits = self[low] = _INDEX.bits(_fold(low))
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
