"""Age and sex limits read from a criterion's text by the single-criterion judge.

Pure functions; bounded regexes; inputs are capped here (600 characters).
"""

from __future__ import annotations

import functools
import re

from trialmatch.matching.judge_text import has_phrase

__all__ = ["age_range", "sex_restriction"]

_NUMW = r"(\d{1,3}(?:\.\d)?)"
_UNITW = r"\s{0,2}(years?|yrs?|y|months?|mos?|weeks?|days?)?"
_AGE_CUE = re.compile(
    r"\b(ages?d?|years?[- ]old|years? of age|yrs?|y/o|yo|old|adults?|children|child(?![- ]?bearing)|infants?|"
    r"minors?|pediatric|paediatric|months? of life)\b|(?:over|greater than|older than|above|at least|"
    r"under|less than|younger than|[≥>≤<]=?)\s{0,2}\d{1,3}\s{0,2}(?:years|yrs)\b",
    re.I,
)
_RANGE = re.compile(_NUMW + _UNITW + r"\s{0,2}(?:-|–|to|and)\s{0,2}" + _NUMW + _UNITW, re.I)
_GE = re.compile(
    r"(≥|>=|=>|>|greater than|older than|more than|over|at least|above|minimum(?: age)?(?: of)?)"
    r"\s{0,3}(?:or equal to\s)?(?:the age of\s)?" + _NUMW + _UNITW,
    re.I,
)
_LE = re.compile(
    r"(≤|<=|=<|<|less than|younger than|under|below|up to|maximum(?: age)?(?: of)?)\s{0,3}"
    r"(?:or equal to\s)?(?:the age of\s)?" + _NUMW + _UNITW,
    re.I,
)
_OR_OLDER = re.compile(
    _NUMW + _UNITW + r"(?:\s(?:years?\s)?(?:old|of age))?\s{0,2}(?:or|and)\s(older|over|above|more|"
    r"younger|less|under)",
    re.I,
)
_PLUS = re.compile(r"\bage\s{0,3}(\d{1,3})\s?\+|(\d{1,3})\s?\+\s{0,3}(?:years|yrs)", re.I)
_WINDOW = re.compile(r"\b(within|for|past|last|since|prior|after|before|during|ago|duration|lasting)\b", re.I)


def _years(v: str, unit: str | None) -> float:
    x = float(v)
    u = (unit or "y").lower()
    if u.startswith("mo"):
        return x / 12
    if u.startswith("w"):
        return x / 52
    if u.startswith("d"):
        return x / 365
    return x


@functools.lru_cache(maxsize=50_000)
def age_range(text: str) -> tuple[float | None, float | None, str] | None:
    """(low, high, matched text) of an age restriction in a criterion, bounds inclusive; None if none.
    Numbers that are time windows ("within 6 months") are left alone."""
    t = text[:600]
    if not _AGE_CUE.search(t):
        return None
    lo: float | None = None
    hi: float | None = None
    spans: list[str] = []

    def ok(m: re.Match[str]) -> bool:
        before = t[max(0, m.start() - 14) : m.start()]
        if re.search(r"gestation|pregnan", t[max(0, m.start() - 30) : m.start()], re.I):
            return False
        if _WINDOW.search(before) or re.search(
            r"\b(bmi|wt|weight|score|grade|class|stage)\W{0,3}$", before, re.I
        ):
            return False
        tail = t[m.end() : m.end() + 25].lower()
        return not re.match(
            r"\s{0,2}(kg|lbs?|cm|mg|%|/|x|mm|ml|g\b|th\b|weeks gestation|cigarettes|pack)", tail
        )

    for m in _RANGE.finditer(t):
        if ok(m) and (m.group(2) or m.group(4) or _AGE_CUE.search(t[max(0, m.start() - 20) : m.end() + 20])):
            a = _years(m.group(1), m.group(2) or m.group(4))
            b = _years(m.group(3), m.group(4) or m.group(2))
            if a <= b:
                lo, hi = a, b
                spans.append(m.group(0))
                rest = t[: m.start()] + " " + t[m.end() :]
                if any(ok(g) for g in (*_GE.finditer(rest), *_LE.finditer(rest))) and re.search(
                    r"\bor\b", t, re.I
                ):
                    return (
                        None  # alternative age groups ("aged >= 1 ... and/or children aged 1-18"): ambiguous
                    )
                break
    if lo is None and hi is None:
        for m in _OR_OLDER.finditer(t):
            if ok(m):
                v = _years(m.group(1), m.group(2))
                if m.group(3).lower() in ("older", "over", "above", "more"):
                    if lo is None:  # the first bound written is the rule; later ones are sub-groups
                        lo = v
                        spans.append(m.group(0))
                elif hi is None:
                    hi = v
                    spans.append(m.group(0))
        for m in _GE.finditer(t):
            if ok(m) and lo is None:
                v = _years(m.group(2), m.group(3))
                lo = v + (
                    1e-6
                    if m.group(1).lower() in (">", "greater than", "older than", "more than", "over", "above")
                    else 0.0
                )
                spans.append(m.group(0))
        for m in _LE.finditer(t):
            if ok(m) and hi is None:
                v = _years(m.group(2), m.group(3))
                hi = v - (
                    1e-6
                    if m.group(1).lower() in ("<", "less than", "younger than", "under", "below")
                    else 0.0
                )
                spans.append(m.group(0))
        m2 = _PLUS.search(t)
        if m2 and lo is None:
            lo = float(m2.group(1) or m2.group(2))
            spans.append(m2.group(0))
    if lo is None and hi is None:
        low = t.lower()
        if len(t) > 100:  # "in a child with ..." inside a long definition is not an age restriction
            return None
        if re.search(r"\badults?\b", low):
            return 18.0, None, "adult"
        if re.search(r"\b(children|child(?![- ]?bearing)|minors?|pediatric|paediatric)\b", low):
            return None, 17.999, "child"
        return None
    if (
        (lo is not None and lo > 130)
        or (hi is not None and hi < 0)
        or (lo is not None and hi is not None and lo > hi)
    ):
        return None
    return lo, hi, "; ".join(spans)


@functools.lru_cache(maxsize=50_000)
def sex_restriction(text: str) -> str | None:
    """ "any", "female" or "male" when the criterion restricts sex; None otherwise."""
    low = text.lower()[:600]
    if has_phrase("sex_any", low):
        return "any"
    f = re.search(r"\b(female|females|woman|women|girls|premenopausal|postmenopausal)\b", low)
    m = re.search(r"\b(male|males|man|men|boys)\b", low)
    if f and not m:
        return "female"
    if m and not f:
        return "male"
    if f and m:
        return "any"
    return None
