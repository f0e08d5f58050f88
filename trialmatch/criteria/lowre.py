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

from trialmatch.vocab.prefilter import Cue, caseless_safe
from trialmatch.vocab.regex_facts import lowered

__all__ = [
    "Lowered",
    "caseless_safe",
    "final_words",
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
