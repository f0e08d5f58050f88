"""Cheaper, exactly equivalent forms of case-insensitive regex searches.

Python's ``re`` cannot skip ahead on an ``IGNORECASE`` alternation (every branch is tried at every
position), so the same pattern compiled case-sensitively and run on the lower-cased text is several
times faster. That is the same search when the text lower-cases character by character without
changing its class (``caseless_safe``: ASCII, or non-ASCII characters without any case, like
"≥" or "–") and the pattern has no upper-case letter (``lowered``). Matches of the lowered search
have lower-cased groups; the spans are the text's.

``tail_from`` and ``final_words`` derive necessary conditions from a pattern's source: a search
for the pattern can only succeed when its mandatory tail (or one of its final words) is found.
"""

from __future__ import annotations

import re
import re._constants as C  # (the standard library's own regex syntax tree: ``re._parser``)
import re._parser as P
from typing import Any

from trialmatch.vocab.prefilter import Cue, caseless_safe
from trialmatch.vocab.regex_facts import lowered

__all__ = [
    "Lowered",
    "caseless_safe",
    "final_words",
    "first_char_gated",
    "first_chars",
    "lowered",
    "tail_from",
    "top_level_cut",
]


class Lowered:
    """A case-insensitive pattern whose ``search`` runs the ``lowered`` pattern on the lower-cased
    text when that is the same search: spans are the same, groups come lower-cased."""

    __slots__ = ("_low", "pattern")

    def __init__(self, p: re.Pattern[str] | Cue) -> None:
        self.pattern = p
        self._low = lowered(p)

    def search(self, text: str) -> re.Match[str] | None:
        if self._low is not None and caseless_safe(text):
            return self._low.search(text.lower())
        return self.pattern.search(text)


def top_level_cut(src: str, at: int) -> bool:
    """True when the regex source ``src`` is the concatenation ``src[:at]`` + ``src[at:]`` at
    its top level: ``at`` is outside any group or class and ``src`` has no top-level ``|``."""
    depth = 0
    in_class = False
    i = 0
    depth_at = -1
    while i < len(src):
        if i == at:
            depth_at = 0 if depth == 0 and not in_class else 1
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
        elif c == "[":
            in_class = True
            if src[i + 1 : i + 2] == "^":
                i += 1
            if src[i + 1 : i + 2] == "]":
                i += 1  # a leading "]" is a literal
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return False
        i += 1
    return depth_at == 0 and depth == 0


def tail_from(p: re.Pattern[str] | Cue, marker: str) -> re.Pattern[str] | None:
    """The part of ``p`` from ``marker`` on, when ``p`` is a top-level concatenation there: every
    match of ``p`` ends with a match of it, so its search failing rules ``p`` out. Compiled
    like ``lowered(p)`` (for lower-cased text); None when that cannot be derived."""
    low = lowered(p)
    at = p.pattern.find(marker)
    if low is None or at <= 0 or not top_level_cut(p.pattern, at):
        return None
    return re.compile(p.pattern[at:], low.flags)


_FINAL_WORDS = re.compile(r"\(\?:([a-z]+(?:\|[a-z]+)*)\)\\b$")


def final_words(p: re.Pattern[str] | Cue) -> re.Pattern[str] | None:
    """For a pattern ending in a group of plain lower-case words and a word boundary
    (``...(?:mab|nib|stat)\\b``): a search for one of those words ending a word, for the
    lower-cased text, which every match of ``p`` contains; None when ``p`` does not end so."""
    m = _FINAL_WORDS.search(p.pattern)
    if m is None or not p.flags & re.IGNORECASE or not top_level_cut(p.pattern, m.start()):
        return None
    words = m.group(1).split("|")
    # a word ending in another is implied by it
    words = [w for w in words if not any(o != w and w.endswith(o) for o in words)]
    return re.compile("(?:" + "|".join(words) + r")(?!\w)")


_CATEGORY = {
    C.CATEGORY_DIGIT: r"\d",
    C.CATEGORY_NOT_DIGIT: r"\D",
    C.CATEGORY_SPACE: r"\s",
    C.CATEGORY_NOT_SPACE: r"\S",
    C.CATEGORY_WORD: r"\w",
    C.CATEGORY_NOT_WORD: r"\W",
}
_ZERO_WIDTH = (C.AT, C.ASSERT, C.ASSERT_NOT)


def _first(items: Any) -> tuple[set[str], bool] | None:
    """(class items one of which the first character of a match of the sequence ``items`` is,
    whether the sequence can match nothing), or None when that is not read (an "any character",
    a negated class, a back-reference ...)."""
    out: set[str] = set()
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue  # consumes nothing: the first character comes after it
        if op is C.LITERAL:
            out.add(f"\\U{av:08x}")
            return out, False
        if op is C.IN:
            for o, a in av:
                if o is C.LITERAL:
                    out.add(f"\\U{a:08x}")
                elif o is C.RANGE:
                    out.add(f"\\U{a[0]:08x}-\\U{a[1]:08x}")
                elif o is C.CATEGORY and a in _CATEGORY:
                    out.add(_CATEGORY[a])
                else:
                    return None
            return out, False
        if op is C.SUBPATTERN:
            if av[1] & re.IGNORECASE:
                return None  # (?i:...): its letters match their other cases too
            alts = [av[3]]
        elif op is C.BRANCH:
            alts = av[1]
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            alts = [av[2]]
        else:
            return None
        nullable = op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] == 0
        for alt in alts:
            got = _first(alt)
            if got is None:
                return None
            out |= got[0]
            nullable = nullable or got[1]
        if not nullable:
            return out, False
    return out, True


def first_chars(rx: re.Pattern[str]) -> str | None:
    """A character class (``[...]``) holding the first character of every match of the
    case-sensitive pattern ``rx``; None when it is not read or a match can be empty."""
    if rx.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    got = _first(P.parse(rx.pattern, rx.flags))
    if got is None or got[1] or not got[0]:
        return None
    return "[" + "".join(sorted(got[0])) + "]"


def first_char_gated(rx: re.Pattern[str]) -> re.Pattern[str]:
    """``rx`` led by a look-ahead for its ``first_chars``: the same matches (spans and groups),
    but a position whose character starts no match fails at once, without trying every branch
    (the ``re`` engine skips ahead only for a pattern that starts with a literal or a plain
    class). ``rx`` itself when no class is read."""
    cls = first_chars(rx)
    if cls is None:
        return rx
    return re.compile(f"(?={cls})(?:{rx.pattern})", rx.flags)
