"""Numbers in criteria text: number formats, operator + number (+ unit / ULN multiple) comparisons,
and values stated without an operator but with a trailing one ("9 g/dL or more").

Operator, trailing-operator and ULN / LLN words are phrase lists (``criteria_phrases.yaml``); the
words around them are patterns (``patterns/numeric.yaml``). Number and unit syntax stay here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

from trialmatch.criteria.lab_mentions import LabMention
from trialmatch.criteria.lexicon import alternation, phrase_re, phrases
from trialmatch.criteria.lowre import caseless_safe, lowered
from trialmatch.criteria.needles import group_needles, has_needle, pattern_needles, phrase_needles
from trialmatch.criteria.temporal import _UNIT as _TIME_UNIT
from trialmatch.vocab.patterns import pattern, pattern_source
from trialmatch.vocab.prefilter import Cue, gate
from trialmatch.vocab.regex_facts import first_char_gated
from trialmatch.vocab.units import normalize_unit

__all__ = [
    "NUM",
    "Comparison",
    "comparisons",
    "normal_values",
    "parse_number",
    "plain_values",
    "range_values",
]

#: A number: "100,000", "100 000", "1.5", "1,5", ".5" (structure, not vocabulary).
NUM = r"(?:\d{1,3}(?:,\d{3})+(?![\d.])|\d{1,3}(?: \d{3})+(?![\d.,])|\d{1,7}(?:[.,]\d{1,4})?|[.]\d{1,4})"
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+")
_WS = re.compile(r"\s+")
_GLUED_X = re.compile(r"^(\s{0,3})[xX](?=[A-Za-z])")  # "3xULN"
_UNIT_WORDS = re.compile(r"^(\s{0,2})(\S{1,20})(\s{1,2}\S{1,20})?(\s{1,2}\S{1,20})?(\s{1,2}\S{1,20})?")
_BARE_ULN = pattern("numeric.bare_uln")
_BARE_LOW = lowered(_BARE_ULN)  # (~4x faster than the case-insensitive search)
# plain regexes: they match short slices, where a cue's string test costs more than the match
_RANGE_LEAD = pattern("numeric.range_lead").rx
_RANGE_JOIN = pattern("numeric.range_join").rx
_NORMAL_GLUE = pattern("numeric.normal_glue").rx
_NUM_RE = re.compile(NUM)
_TIME_AFTER = re.compile(rf"\s{{0,2}}(?:-\s{{0,2}})?{_TIME_UNIT}\b", re.I)
_DIGIT = re.compile(r"\d")


def parse_number(s: str) -> float | None:
    if s.isdecimal():
        return float(s)  # digits only: what the steps below come to (no separator to drop)
    s = s.strip()
    if _GROUPED.fullmatch(s):
        s = s.replace(",", "").replace(" ", "")  # "100,000" / "100 000"
    s = s.replace(",", ".")
    try:
        return float(s)
    except ValueError:
        return None


@dataclass(slots=True)
class Comparison:
    op: str
    value: float
    start: int
    end: int
    high: float | None = None
    unit: str | None = None
    ref: str | None = None  # "uln" | "lln"


@cache
def _cmp_re() -> re.Pattern[str]:
    words: list[str] = []
    for ws in phrases()["operators"].values():
        words.extend(str(w) for w in ws)
    ops = alternation(words)
    glue = pattern_source("numeric.op_glue")
    dash = pattern_source("numeric.range_sep")
    return re.compile(
        rf"(?P<op>{ops})\s{{0,3}}{glue}?(?P<num>{NUM})(?:\s{{0,2}}{dash}\s{{0,2}}(?P<num2>{NUM}))?",
        re.I,
    )


@cache
def _cmp_searchers() -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    """The comparison pattern and its ``lowered`` form (derived once; led by a look-ahead for the
    first characters of its matches: the same matches, ~12% faster)."""
    low = lowered(_cmp_re())
    return _cmp_re(), None if low is None else first_char_gated(low)


@cache
def _trailing_re() -> re.Pattern[str]:
    words: list[str] = []
    for ws in phrases()["trailing_operators"].values():
        words.extend(str(w) for w in ws if w != "+")
    return re.compile(rf"^\s{{0,3}}(?P<t>{alternation(words)})", re.I)


@cache
def _plain_re() -> re.Pattern[str]:
    # a value without an operator: "hemoglobin of 9 g/dL or more", "ANC 1500/mm3 or higher"
    glue = pattern_source("numeric.value_glue")
    return re.compile(rf"(?:(?<=\s)|^){glue}?(?P<num>{NUM})", re.I)


@cache
def _ref_re() -> re.Pattern[str]:
    p = phrases()
    uln = alternation(list(p["uln"]))
    lln = alternation(list(p["lln"]))
    lead = pattern_source("numeric.multiple_lead")
    return re.compile(rf"{lead}(?:(?P<uln>{uln})|(?P<lln>{lln}))", re.I)


@cache
def _op_lookup() -> dict[str, str]:
    out: dict[str, str] = {}
    for op, ws in phrases()["operators"].items():
        for w in ws:
            out[_WS.sub(" ", str(w).lower())] = str(op)
    return out


@cache
def _bare_ref_needles() -> frozenset[str] | None:
    return group_needles(_BARE_ULN, "ref")


def _unit_after(s: str) -> tuple[str | None, str | None, int]:
    """(unit code, ref, characters consumed) for the text right after a number."""
    # "3xULN": the glued multiplication sign, same length, so that the ULN phrase starts a word
    g = _GLUED_X.match(s)
    m = _ref_re().match(s if g is None else f"{g.group(1)}\u00d7{s[g.end(1) + 1 :]}")
    if m:
        return None, ("uln" if m.group("uln") else "lln"), m.end()
    m2 = _UNIT_WORDS.match(s)
    if not m2:
        return None, None, 0
    return _unit_words(m2.groups())


@lru_cache(maxsize=8192)
def _unit_words(groups: tuple[str | None, ...]) -> tuple[str | None, str | None, int]:
    """``_unit_after`` from the words after the number (``_UNIT_WORDS`` groups): the longest run
    of them that is a unit (memoised: the same few words follow many numbers)."""
    pieces = [g for g in groups[1:] if g]
    lead = len(groups[0] or "")
    for k in range(len(pieces), 0, -1):
        raw = "".join(pieces[:k])
        cand = raw.replace(" ", "").rstrip(",;.:)")
        code = normalize_unit(cand)
        if code is not None:
            used = (
                lead
                + len(raw.rstrip())
                - (len(raw.replace(" ", "")) - len(cand) if raw.replace(" ", "") != cand else 0)
            )
            return code, None, max(used, 1)
    return None, None, 0


def _op(lookup: dict[str, str], word: str) -> str | None:
    """The operator of an operator phrase as matched (lower-cased): a key as it is (keys have
    single spaces), else with its white space made single spaces."""
    return lookup.get(word) or lookup.get(_WS.sub(" ", word))


def comparisons(
    text: str, *, durations: bool = True, low: str | None = None, safe: bool | None = None
) -> list[Comparison]:
    """Every operator + number (+ unit / ULN multiple) in ``text``; ``durations=False`` leaves out
    numbers followed by a time unit ("=< 14 days prior to registration": a window, not a value);
    ``low`` is ``text.lower()`` and ``safe`` is ``caseless_safe(text)`` when the caller has them."""
    out: list[Comparison] = []
    lookup = _op_lookup()
    if low is None:
        low = text.lower()
    if safe is None:
        safe = caseless_safe(text)
    # a bare limit names its reference: one of the literal words its 'ref' group starts with
    if has_needle(low, _bare_ref_needles()):
        # (lowered: the same search on the lower-cased text; the groups are lower-cased below)
        bare = _BARE_LOW.finditer(low) if _BARE_LOW is not None and safe else _BARE_ULN.rx.finditer(text)
        for m in bare:
            op = _op(lookup, m.group("op").lower())
            if op is None:
                continue
            bref = "lln" if m.group("ref").lower().startswith(("lln", "lower")) else "uln"
            out.append(Comparison(op=op, value=1.0, start=m.start(), end=m.end(), ref=bref))
    if not _DIGIT.search(text):
        return out  # every operator comparison has a number (NUM needs a digit)
    cmp_re, low_re = _cmp_searchers()
    # the lowered search on the lower-cased text when it is the same search (same spans; the
    # groups come lower-cased: the operator is looked up lower-cased, the numbers are digits)
    matches = low_re.finditer(low) if low_re is not None and safe else cmp_re.finditer(text)
    for m in matches:
        word, num, num2 = m.group("op", "num", "num2")
        op = _op(lookup, word.lower())
        v = parse_number(num)
        if op is None or v is None:
            continue
        v2 = parse_number(num2) if num2 else None
        end = m.end()
        if not durations and _TIME_AFTER.match(text, end):
            continue
        unit, ref, used = _unit_after(text[end : end + 60])
        out.append(
            Comparison(
                op=op,
                value=v,
                start=m.start(),
                end=end + used,
                unit=unit,
                ref=ref,
                high=v2 if (v2 is not None and v2 > v) else None,
            )
        )
    return out


@cache
def _trailing_cue() -> Cue:
    return gate(_trailing_re())


def plain_values(
    text: str, mentions: list[LabMention], taken: list[tuple[int, int]], *, low: str | None = None
) -> list[Comparison]:
    """Values stated without an operator but with a trailing one ("9 g/dL or more") after a lab
    mention, outside the ``taken`` spans of operator comparisons (``low``: ``text.lower()``)."""
    out: list[Comparison] = []
    if not _trailing_cue().admits(text, low=low):
        return out  # each value needs a trailing operator, and the text has none of their words
    for mm in mentions:
        seg = text[mm.end : mm.end + 40]
        m = _plain_re().search(seg)
        if not m or ";" in seg[: m.start()]:
            continue
        s0 = mm.end + m.start("num")
        if any(a <= s0 < b for a, b in taken):
            continue
        v = parse_number(m.group("num"))
        unit, ref, used = _unit_after(text[mm.end + m.end() : mm.end + m.end() + 60])
        after = text[mm.end + m.end() + used : mm.end + m.end() + used + 20]
        t = _trailing_re().match(after)
        if v is None or t is None:
            continue
        word = _WS.sub(" ", t.group("t").lower())
        op = next(
            (o for o, ws in phrases()["trailing_operators"].items() if word in [str(w) for w in ws]), None
        )
        if op is None:
            continue
        out.append(
            Comparison(
                op=str(op), value=v, start=s0, end=mm.end + m.end() + used + t.end(), unit=unit, ref=ref
            )
        )
    return out


def range_values(
    text: str, mentions: list[LabMention], taken: list[tuple[int, int]], *, low: str | None = None
) -> list[Comparison]:
    """Ranges right after a lab mention, outside the ``taken`` spans: "BMI between 18 and 30 kg/m2",
    "Body mass index (BMI) of 18.5 to 30.0 kg/m2", "BMI 19-32" (a ``>=`` comparison with ``high``);
    ``low`` is ``text.lower()`` when the caller has it."""
    out: list[Comparison] = []
    if not has_needle(text.lower() if low is None else low, _range_join_needles()):
        return out  # the two numbers of a range are joined by a 'range_join', which holds a needle
    lead = _range_lead_num()
    for mm in mentions:
        # (the lead up to the first number of the 60 characters after the mention, in one match)
        ld = lead(text, mm.end, mm.end + 60)
        if ld is None:
            continue
        m1 = _NUM_RE.match(text, ld.end(), mm.end + 60)
        assert m1 is not None  # (a digit or ".digit" is there: NUM matches it)
        s0 = m1.start()
        if any(a <= s0 < b for a, b in taken) or (out and out[-1].start == s0):
            continue
        pos = m1.end()
        unit1, ref1, used1 = _unit_after(text[pos : pos + 60])
        if ref1 is not None:
            continue
        m2 = _NUM_RE.search(text, pos + used1, pos + used1 + 12)
        if m2 is None or not _RANGE_JOIN.match(text[pos + used1 : m2.start()]):
            continue
        v, v2 = parse_number(m1.group()), parse_number(m2.group())
        if v is None or v2 is None or v2 <= v or _TIME_AFTER.match(text, m2.end()):
            continue
        unit, ref, used = _unit_after(text[m2.end() : m2.end() + 60])
        if ref is not None:
            continue
        out.append(Comparison(op=">=", value=v, start=s0, end=m2.end() + used, high=v2, unit=unit or unit1))
    return out


@cache
def _range_lead_num() -> Callable[[str, int, int], re.Match[str] | None]:
    """``match(text, pos, endpos)``: the 'range_lead' from ``pos`` up to where a number starts (a
    digit or ".digit"). The same test as ``_RANGE_LEAD.match(seg[: first NUM start])`` on ``seg =
    text[pos:endpos]``: the lead holds no digit and no "." (its words, brackets, ":", "=", spaces),
    so a number right after a lead is the first one, and its "$" (the end, or before a last "\\n")
    is the optional "\\n" before the number."""
    src = pattern_source("numeric.range_lead")
    if not (src.startswith("^") and src.endswith("$")):
        raise ValueError("numeric.range_lead: expected a pattern anchored by ^ and $")
    return re.compile(src[1:-1] + r"\n?(?=\d|[.]\d)", _RANGE_LEAD.flags).match


@cache
def _range_join_needles() -> frozenset[str] | None:
    return pattern_needles(_RANGE_JOIN)


@cache
def _normal_lists() -> tuple[frozenset[str], frozenset[str] | None]:
    """The labs whose normal means <= ULN, and the needles of the 'normal_limits' phrases."""
    p = phrases()
    return frozenset(str(k) for k in p["normal_means_uln"]), phrase_needles(p["normal_limits"])


def normal_values(
    text: str, mentions: list[LabMention], taken: list[tuple[int, int]], *, low: str | None = None
) -> list[Comparison]:
    """A lab said to be normal ("Bilirubin normal", "AST and ALT within normal limits"): ``<= 1 x ULN``,
    only when every lab named with it is one whose limit is the upper one (``normal_means_uln``);
    ``low`` is ``text.lower()`` when the caller has it."""
    uln_labs, needles = _normal_lists()
    out: list[Comparison] = []
    if not mentions or not has_needle(text.lower() if low is None else low, needles):
        return out  # each hit is a 'normal_limits' phrase, which contains one of its needles
    for i, mm in enumerate(mentions):
        seg = text[mm.end : mm.end + 60]
        m = phrase_re("normal_limits").search(seg)
        if m is None or not _NORMAL_GLUE.match(seg[: m.start()]):
            continue
        s0 = mm.end + m.start()
        if any(a <= s0 < b for a, b in taken):
            continue
        near = [x for x in mentions[: i + 1] if x.end > mm.end - 80]
        if any(x.key not in uln_labs for x in near):
            continue
        if text[mm.end + m.end() : mm.end + m.end() + 1].isalnum():
            continue
        out.append(Comparison(op="<=", value=1.0, start=s0, end=mm.end + m.end(), ref="uln"))
    return out
