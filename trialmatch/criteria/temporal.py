"""Time windows in criteria text: "within 28 days prior to first dose", "in the last 6 months",
"at least 2 years prior", "28 days prior to first dose", "within the past year", "72 hours".

``find_windows(text) -> list[(Window, start, end)]``; ``first_window(text)``. Bounded regexes only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache

from trialmatch.criteria.lowre import caseless_safe, lowered
from trialmatch.criteria.needles import top_alternatives
from trialmatch.criteria.rules import Window
from trialmatch.vocab.prefilter import finder, needed, union
from trialmatch.vocab.regex_facts import first_char_gated

__all__ = ["NUMBER_WORDS", "find_windows", "first_window"]

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14, "fifteen": 15, "eighteen": 18, "twenty": 20,
    "twenty-four": 24, "thirty": 30, "sixty": 60, "ninety": 90, "a": 1, "an": 1, "single": 1,
}  # fmt: skip
_UNITS = {
    "day": "day", "days": "day", "d": "day",
    "week": "week", "weeks": "week", "wk": "week", "wks": "week",
    "month": "month", "months": "month", "mo": "month", "mos": "month", "mths": "month",
    "year": "year", "years": "year", "yr": "year", "yrs": "year",
    "hour": "hour", "hours": "hour", "hrs": "hour", "hr": "hour", "h": "hour",
}  # fmt: skip
_NUM = r"(?:\d{1,4}(?:\.\d{1,2})?|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + ")"
_UNIT = r"(?:days?|d|weeks?|wks?|wk|months?|mos?|mths|years?|yrs?|yr|hours?|hrs?|h)"
_PRE = (
    r"(?P<pre>within|in\s+the\s+(?:last|past|previous|preceding|prior)|during\s+the\s+(?:last|past|previous)|"
    r"over\s+the\s+(?:last|past)|for\s+at\s+least|at\s+least|more\s+than|greater\s+than|longer\s+than|less\s+than|"
    r"fewer\s+than|no\s+more\s+than|up\s+to|in|for|over|since|≥|>=|>|≤|<=|<)"
)
_POST = (
    r"(?P<post>\s{1,3}(?:(?:prior\s+to|before|preceding|since|after|following|prior)\b[^.;]{0,60}|ago\b|"
    r"(?:of|from)\s{1,3}(?:the\s{1,3})?(?:first|start|study|enrol|registr|random|initiation|screening|day|signing|"
    r"consent|inclusion|entry|begin|treatment\s+start|baseline)[^.;]{0,50}))?"
)


@cache
def _window_re() -> re.Pattern[str]:
    # the optional lead is written "(?:lead|)", not "(?:lead)?": the same matches (the lead tried
    # first, then nothing), but a branch, which re runs at every position without the costlier
    # repeat machinery (the search is ~12% faster)
    return re.compile(
        rf"(?:{_PRE}\s{{1,3}}(?:the\s{{1,3}})?(?:(?:last|past|previous|preceding)\s{{1,3}})?|)"
        rf"(?<![\w.])(?P<num>{_NUM})(?![\w.]\w)(?:\s{{0,2}}(?:-|–|to|or)\s{{0,2}}(?P<num2>{_NUM}))?"
        rf"[\s-]{{0,2}}(?P<unit>{_UNIT})(?![\w]){_POST}"
        rf"|(?P<pre2>within|in|during|over)\s{{1,3}}the\s{{1,3}}(?:last|past|previous|preceding|prior)\s{{1,3}}"
        rf"(?P<unit2>year|month|week|day)(?![\w]){_POST.replace('post', 'post2')}",
        re.I,
    )


# a unit word somewhere: without one no window is read (a gate, kept as it is)
_UNIT_HINT = re.compile(r"(?i)day|week|wk|month|mo\b|mos\b|year|yr|hour|hr|\dh\b|\d\s?d\b")
_GROUPS = ("pre", "num", "num2", "unit", "post", "pre2", "unit2", "post2")
_WS = re.compile(r"\s+")
_BEFORE = (
    "at least",
    "for at least",
    "more than",
    "greater than",
    "longer than",
    "≥",
    ">=",
    ">",
    "over",
    "since",
)


_Hint = Callable[[str], object]
_PLAIN_WORD = re.compile(r"[a-z]+")
_DIGIT = re.compile(r"\d").search


def _never(_: str) -> bool:
    return False


def _split_hint(low_hint: re.Pattern[str]) -> _Hint:
    """The lowered hint's search as substring tests for its top-level alternatives that are plain
    words, then a search of the others (the same answer: an alternation is found exactly when
    one of its alternatives is, and a word is found where the text holds it)."""
    alts = top_alternatives(low_hint.pattern)
    words = tuple(a for a in alts if _PLAIN_WORD.fullmatch(a))
    rest = [a for a in alts if not _PLAIN_WORD.fullmatch(a)]
    find_word = finder(frozenset(words)) if words else _never
    if not rest:
        return find_word
    rest_search = re.compile("|".join(rest), low_hint.flags).search
    # the other alternatives need one of their needed strings, or a digit (those starting with one)
    digit = any(a.startswith(r"\d") for a in rest)
    strs = union(needed(re.compile(a, low_hint.flags)) for a in rest if not a.startswith(r"\d"))

    def hint(low: str) -> object:
        if find_word(low):
            return True
        if strs is None or any(x in low for x in strs) or (digit and _DIGIT(low)):
            return rest_search(low)
        return False

    return hint


@cache
def _searchers() -> tuple[_Hint, re.Pattern[str], tuple[_Hint, re.Pattern[str]] | None]:
    """The unit hint and window patterns, and their ``lowered`` forms (derived once: hashing a
    compiled pattern for a cache lookup costs as much as a search)."""
    hint, wre = _UNIT_HINT, _window_re()
    low_hint, low_wre = lowered(hint), lowered(wre)
    if low_wre is not None:
        low_wre = first_char_gated(low_wre)  # (the same matches, ~12% faster)
    low = (_split_hint(low_hint), low_wre) if low_hint is not None and low_wre is not None else None
    return hint.search, wre, low


def _num(s: str | None) -> float | None:
    if s is None:
        return None
    s = s.lower()
    if s in NUMBER_WORDS:
        return float(NUMBER_WORDS[s])
    try:
        return float(s)
    except ValueError:
        return None


def find_windows(text: str) -> list[tuple[Window, int, int]]:
    """Every time window in ``text`` with its span (bounded to the first 4,000 characters)."""
    return list(_windows(text))


@lru_cache(maxsize=4096)
def _windows(text: str) -> tuple[tuple[Window, int, int], ...]:
    """``find_windows``, memoised: several builders read the windows of the same item."""
    out: list[tuple[Window, int, int]] = []
    hint, wre, low = _searchers()
    if low is not None and caseless_safe(text):
        # the same searches on the lower-cased text (every group is lower-cased below anyway)
        text = text.lower()
        hint, wre = low
    if not hint(text):
        return ()
    for m in wre.finditer(text[:4000]):
        pre0, num, num2, unit0, post0, pre2, unit2, post2 = m.group(*_GROUPS)
        if unit2:
            amount: float | None = 1.0
            unit = _UNITS[unit2.lower()]
            pre, post = (pre2 or "").lower(), (post2 or "").strip().lower()
        else:
            pre, post = (pre0 or "").lower(), (post0 or "").strip().lower()
            if not pre and not post:
                continue  # a bare duration ("6 months of treatment", "2 d") is not a window
            unit = _UNITS.get(unit0.lower(), "")
            n1, n2 = _num(num), _num(num2)
            amount = n2 if n2 is not None else n1
        if amount is None or not unit:
            continue
        if unit == "hour":
            amount, unit = amount / 24.0, "day"
        pre = _WS.sub(" ", pre)
        if post.startswith(("after", "following")):
            relation = "after"
        elif pre in _BEFORE or post.startswith("ago"):
            relation = "before"
        else:
            relation = "within"
        if pre == "for" and not post:
            continue  # "for 6 months" (a duration)
        anchor = post[:60] or None
        w = Window(amount=round(amount, 4), unit=unit, relation=relation, anchor=anchor)  # type: ignore[arg-type]
        out.append((w, m.start(), m.end()))
    return tuple(out)


def first_window(text: str) -> Window | None:
    """The first window that is not in the future ("after the last dose"), or None."""
    for w, _, _ in _windows(text):
        if w.relation != "after":
            return w
    return None
