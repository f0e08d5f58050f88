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

from trialmatch.vocab.prefilter import Cue, caseless, caseless_safe

__all__ = ["Lowered", "caseless_safe", "final_words", "lowered", "tail_from", "top_level_cut"]

_INLINE_FLAG = re.compile(r"\(\?[aiLmsux-]")
_UNSAFE_ESCAPE = re.compile(r"\\[xuUN0-9]")


def lowered(p: re.Pattern[str] | Cue) -> re.Pattern[str] | None:
    """``p`` compiled case-sensitively, for ``caseless_safe`` lower-cased texts; None when ``p``
    is not ``IGNORECASE`` or its source has an upper-case or cased non-ASCII character, an
    inline flag or a character escape (whose meaning could depend on case). Derive it once, at
    load time: it compiles, and even hashing a compiled pattern (a cache key) costs a search."""
    src = p.pattern
    if src.startswith("(?i)"):
        src = src[4:]
    elif not p.flags & re.IGNORECASE:
        return None
    bare = src.replace("(?P<", "").replace("(?P=", "")
    if _INLINE_FLAG.search(src) or _UNSAFE_ESCAPE.search(src):
        return None
    if any(c.isupper() or not caseless(c) for c in bare):
        return None
    if not _plain_ranges(src):
        return None
    return re.compile(src, p.flags & ~re.IGNORECASE)


def _plain_ranges(src: str) -> bool:
    """True when every range in a character class of ``src`` is of lower-case letters or of
    digits (``[ -_]`` holds the upper-case letters without naming one)."""
    i = 0
    while i < len(src):
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c != "[":
            i += 1
            continue
        i += 1
        if src[i : i + 1] == "^":
            i += 1
        items: list[str] = []
        while i < len(src) and (src[i] != "]" or not items):
            step = 2 if src[i] == "\\" else 1
            items.append(src[i : i + step])
            i += step
        i += 1
        for k in range(1, len(items) - 1):
            if items[k] == "-":
                lo, hi = items[k - 1], items[k + 1]
                if not (len(lo) == len(hi) == 1 and (lo + hi).isascii()):
                    return False
                if not (
                    (lo.isalpha() and lo.islower() and hi.isalpha() and hi.islower()) or (lo + hi).isdigit()
                ):
                    return False
    return True


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
