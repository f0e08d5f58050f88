"""Small readers for single facets of a criterion: age, performance status, life expectancy,
blood pressure written as "150/90 mmHg", NYHA class, grade, stage, neuroendocrine component."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache, lru_cache

from trialmatch.criteria.lexicon import find_phrase, has_phrase
from trialmatch.criteria.lowre import lowered
from trialmatch.criteria.needles import slice_may
from trialmatch.criteria.numeric import comparisons, parse_number
from trialmatch.criteria.rules import And, Compare, Is, Or, Rule
from trialmatch.criteria.temporal import NUMBER_WORDS
from trialmatch.vocab.patterns import pattern
from trialmatch.vocab.prefilter import Cue, finder, folded, union

__all__ = [
    "AGE_CUE",
    "PS_CUE",
    "age_rule",
    "bp_slash_rule",
    "grades_in",
    "life_expectancy_rule",
    "ne_component_rule",
    "nyha_min",
    "performance_rule",
    "stages_in",
]

AGE_CUE = pattern("facets.age_cue")
_AGE_RANGE = pattern("facets.age_range")
_AGE_TRAIL = pattern("facets.age_trail")
_AGE_WORDS = pattern("facets.age_words")
_AGE_LEAD_TRAIL = pattern("facets.age_lead_trail")
# (anchored at the start of a 25-character slice: asked with ``rx.match``, one try at the start,
# cheaper than the index's bits of the new slice)
_YEARS_UNIT = pattern("facets.years_unit").rx
_SHORT_AGE_UNIT = pattern("facets.short_age_unit").rx
_PER_YEAR = {"d": 365.25, "w": 52.18, "m": 12.0}
# the age patterns compiled case-sensitively, for the lower-cased text of an ASCII text (the same
# search, groups lower-cased: the readers below read digits and lower-case their words anyway)
_LOW = {id(p): lowered(p) for p in (AGE_CUE, _AGE_RANGE, _AGE_TRAIL, _AGE_WORDS, _AGE_LEAD_TRAIL)}


def _age_search(p: Cue, text: str, low: str) -> re.Match[str] | None:
    """``p.search(text)``; ``low`` is ``folded(text)``."""
    if not p.may(low):
        return None
    lw = _LOW[id(p)] if text.isascii() else None  # (an ASCII text's folded text is its lower-cased one)
    return lw.search(low) if lw is not None else p.rx.search(text)


def _age_finditer(p: Cue, text: str, low: str) -> Iterator[re.Match[str]]:
    """``p.finditer(text)`` as ``_age_search`` searches."""
    if not p.may(low):
        return iter(())
    lw = _LOW[id(p)] if text.isascii() else None
    return lw.finditer(low) if lw is not None else p.rx.finditer(text)


def age_rule(text: str) -> Rule | None:
    """Age limits, e.g. "aged 18-75", "Age >= 18 years", "18 years or older" (None when absent)."""
    low = folded(text)
    if (
        not _age_search(AGE_CUE, text, low)
        and not _age_search(_AGE_TRAIL, text, low)
        and not _age_search(_AGE_WORDS, text, low)
    ):
        return None
    m = _age_search(_AGE_RANGE, text, low)
    if m:
        a = parse_number(m.group("a") or m.group("c"))
        b = parse_number(m.group("b") or m.group("d"))
        if a is not None and b is not None and 0 <= a < b <= 120:
            return Compare(var="age", cmp="between", value=a, high=b, unit="a")
    out: list[Rule] = []
    for c in comparisons(text):
        tail = text[c.end : c.end + 25].lower()
        head = text[max(0, c.start - 30) : c.start].lower()
        if (
            c.unit is None
            and c.ref is None
            and (_YEARS_UNIT.match(tail) or "age" in head)
            and 0 <= c.value <= 120
            and "gestation" not in head  # "gestational age < 32 weeks" is not the person's age
        ):
            short = _SHORT_AGE_UNIT.match(tail)  # "age >= 24 months": in years
            per = _PER_YEAR[short.group(1)[0]] if short else 1.0
            if c.high is not None:
                return Compare(var="age", cmp="between", value=c.value / per, high=c.high / per, unit="a")
            out.append(Compare(var="age", cmp=c.op, value=round(c.value / per, 3), unit="a"))
    for m2 in _age_finditer(_AGE_TRAIL, text, low):
        v = parse_number(m2.group("n"))
        t = m2.group("t").lower()
        if v is None or not 0 <= v <= 120:
            continue
        op = "<=" if any(w in t for w in ("younger", "less", "under", "below")) else ">="
        cmp = Compare(var="age", cmp=op, value=v, unit="a")
        if cmp not in out:
            out.append(cmp)
    for m3 in _age_finditer(_AGE_WORDS, text, low):
        v = parse_number(m3.group("n"))
        if v is None:
            continue
        w = m3.group("w").lower()
        op = ">" if w.startswith(("older", "over", "above")) else "<"
        out.append(Compare(var="age", cmp=op, value=v, unit="a"))
    for m4 in _age_finditer(_AGE_LEAD_TRAIL, text, low):  # "Age: 18 and over" (no "years")
        v = parse_number(m4.group("n"))
        if v is None or not 0 <= v <= 120:
            continue
        young = any(w in m4.group("t").lower() for w in ("younger", "less", "under", "below"))
        cmp = Compare(var="age", cmp="<=" if young else ">=", value=v, unit="a")
        if cmp not in out:
            out.append(cmp)
    if not out:
        return None
    return out[0] if len(out) == 1 else And(tuple(out))


# ``PS_CUE.search(text)`` is the regex's search, skipped when the text lacks every string it needs
PS_CUE = pattern("facets.performance_cue")
_ECOG = pattern("facets.ecog")
_KPS = pattern("facets.karnofsky")
_KARNOFSKY_WORD = pattern("facets.karnofsky_word").rx  # (anchored: ``match`` of a matched span)
_GE = (">=", "≥", "=>", "at least", "greater than or equal to")
_LE = ("<=", "≤", "=<", "at most", "no more than", "not more than", "less than or equal to")


def _ps_compare(var: str, op: str, a: float, b: float | None, trail: str, default: str) -> Compare:
    op = re.sub(r"\s+", " ", op.lower())
    trail = trail.lower()
    if b is not None and b > a:
        if var == "ecog" and a == 0:
            return Compare(var=var, cmp="<=", value=b)
        return Compare(var=var, cmp="between", value=a, high=b)
    if op in _GE or any(w in trail for w in ("higher", "more", "above", "greater")):
        return Compare(var=var, cmp=">=", value=a)
    if op in (">", "more than", "greater than"):
        return Compare(var=var, cmp=">", value=a)
    if op in _LE or any(w in trail for w in ("less", "lower", "below", "better")):
        return Compare(var=var, cmp="<=", value=a)
    if op in ("<", "less than"):
        return Compare(var=var, cmp="<", value=a)
    return Compare(var=var, cmp=default, value=a)


def performance_rule(text: str) -> Rule | None:
    """ECOG / Karnofsky limits ("ECOG 0-1", "ECOG PS score of 0 or 1", "Karnofsky >= 70")."""
    out: list[Rule] = []
    low = folded(text)
    ms = (
        [m for m in _ECOG.rx.finditer(text) if not _KARNOFSKY_WORD.match(m.group(0))]
        if _ECOG.may(low)
        else []
    )
    if len(ms) > 1 and not has_phrase("part_cues", text):
        ms = ms[:1]  # several limits only when given one per part ("<= 1 for phase 1b, <= 2 for phase 2")
    for m in ms:
        vals = [int(x) for x in (m.group("a"), m.group("b"), m.group("c")) if x is not None]
        a = float(min(vals))
        b = float(max(vals)) if len(vals) > 1 else None
        r = _ps_compare("ecog", m.group("op") or "", a, b, m.group("trail") or "", "<=")
        if r not in out:
            out.append(r)
    k = _KPS.search(text, low=low)
    if k:
        a = float(k.group("a"))
        b = float(k.group("b")) if k.group("b") else None
        if 0 <= a <= 100:
            out.append(_ps_compare("karnofsky", k.group("op") or "", a, b, k.group("trail") or "", ">="))
    if not out:
        return None
    return out[0] if len(out) == 1 else Or(tuple(out))


_LIFE = pattern("facets.life_expectancy_limit")


def life_expectancy_rule(text: str) -> Rule | None:
    m0 = find_phrase("life_expectancy_cues", text)
    if m0 is None:
        return None
    m = _LIFE.search(text, m0.end(), m0.end() + 80)
    if not m:
        return None
    n = m.group("n").lower()
    v = float(NUMBER_WORDS[n]) if n in NUMBER_WORDS else float(n)
    u = m.group("u").lower()
    months = v * {"d": 1 / 30.4375, "w": 12 / 52.0, "m": 1.0, "y": 12.0}[u[0]]
    op = re.sub(r"\s+", " ", (m.group("op") or "").lower())
    cmp = ">"
    if op in ("more than", "greater than", "longer than", "over", ">"):
        cmp = ">"
    elif op in ("less than", "<"):
        cmp = "<"
    elif op in ("≤", "<="):
        cmp = "<="
    else:
        cmp = ">="
    return Compare(var="life_expectancy_months", cmp=cmp, value=round(months, 2), unit="mo")


_BP = pattern("facets.bp_slash")


def bp_slash_rule(text: str) -> Rule | None:
    """ "greater than 150/90 mmHg" -> systolic > 150 OR diastolic > 90."""
    m = _BP.search(text)
    if not m:
        return None
    op = re.sub(r"\s+", " ", (m.group("op") or ">=").lower())
    cmp = {"≥": ">=", ">=": ">=", "at least": ">=", "greater than or equal to": ">=", "≤": "<=", "<=": "<=",
           "<": "<", "less than": "<", "below": "<"}.get(op, ">")  # fmt: skip
    s, d = float(m.group("s")), float(m.group("d"))
    a = Compare(var="vital.systolic_bp", cmp=cmp, value=s, unit="mm[Hg]")
    b = Compare(var="vital.diastolic_bp", cmp=cmp, value=d, unit="mm[Hg]")
    return Or((a, b)) if cmp in (">=", ">") else And((a, b))


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_NYHA = pattern("facets.nyha")


@lru_cache(maxsize=1024)
def nyha_min(text: str) -> int | None:
    """The lowest NYHA class a heart-failure clause names ("NYHA class II or higher" -> 2)
    (memoised: asked of the same clause for each heart-failure concept it names)."""
    m = _NYHA.search(text)
    if not m:
        return None
    n = (m.group("n") or m.group("n2") or "").lower()
    v = _ROMAN.get(n)
    if v is None:
        return None
    if (m.group("op") or m.group("op2") or "") == ">":
        v += 1
    return v


_GRADE = pattern("facets.grade")
_GRADE_MORE = pattern("facets.grade_list_more")
_HIGH_GRADE = pattern("facets.high_grade")
_LOW_GRADE = pattern("facets.low_grade")
_LOW_INTERMEDIATE_GRADE = pattern("facets.low_intermediate_grade")
_INTERMEDIATE_GRADE = pattern("facets.intermediate_grade")


@cache
def _grade_finder() -> Callable[[str], object]:
    """A test of a folded text for the strings one of which every grade pattern's match holds."""
    cues = (_GRADE, _HIGH_GRADE, _LOW_GRADE, _LOW_INTERMEDIATE_GRADE, _INTERMEDIATE_GRADE)
    return finder(union(c.strs for c in cues))


def grades_in(text: str) -> tuple[str, ...]:
    """WHO grades named in a clause ("NET G1/G2" -> ("G1", "G2"); "high-grade" -> ("G3",))."""
    out: list[str] = []
    low = folded(text)
    if not _grade_finder()(low):
        return ()  # no pattern can match (cheaper than the index's bits of a new slice)
    for m in _GRADE.rx.finditer(text) if slice_may(_GRADE)(low) else ():
        a = m.group("g") or m.group("n")
        b = m.group("g2") or m.group("n2")
        for x in (a, b):
            if x:
                g = f"G{_ROMAN.get(x.lower(), x)}"
                if g not in out:
                    out.append(g)
        if a and b:
            lo, hi = sorted((_ROMAN.get(a.lower(), int(a) if a.isdigit() else 1), _ROMAN.get(b.lower(), 1)))
            for k in range(lo, hi + 1):
                if f"G{k}" not in out:
                    out.append(f"G{k}")
        elif a:  # "grade 1, 2, or 3": the list goes on after the first grade
            end = m.end()
            while (more := _GRADE_MORE.rx.match(text, end)) is not None:
                nk = _ROMAN.get(more.group("n").lower())
                if nk is None:
                    break  # (a letter that only matches "I" case-insensitively, such as "İ")
                g = f"G{nk}"
                if g not in out:
                    out.append(g)
                end = more.end()
    if _HIGH_GRADE.search(text, low=low) and "G3" not in out:
        out.append("G3")
    if _LOW_GRADE.search(text, low=low):
        out.extend(g for g in ("G1", "G2") if g not in out)
    if _LOW_INTERMEDIATE_GRADE.search(text, low=low):
        out.extend(g for g in ("G1", "G2") if g not in out)
    elif _INTERMEDIATE_GRADE.search(text, low=low) and "G2" not in out:
        out.append("G2")
    return tuple(sorted(out))


_STAGE = pattern("facets.stage")
_STAGE_MORE = pattern("facets.stage_list_more")
_ROMANS = ("I", "II", "III", "IV")


def stages_in(text: str) -> tuple[str, ...]:
    """AJCC stage groups named ("Stage III" -> ("III",); "stage III-IV" -> ("III", "IV"))."""
    out: list[str] = []
    # (the callers pass slices of an item: a search for the strings a match needs is cheaper than
    # the index's bits of a new text)
    if not slice_may(_STAGE)(folded(text)):
        return ()
    for m in _STAGE.rx.finditer(text):
        a = _ROMAN.get(m.group("a").lower())
        b = _ROMAN.get((m.group("b") or "").lower()) if m.group("b") else None
        if a is None:
            continue
        hi = b if b is not None and b >= a else a
        for k in range(a, hi + 1):
            s = _ROMANS[k - 1]
            if s not in out:
                out.append(s)
        end = m.end() if b is None else -1
        while end >= 0 and (more := _STAGE_MORE.rx.match(text, end)) is not None:
            nk = _ROMAN.get(more.group("n").lower())  # "Stage II, III, or IV": the list goes on
            if nk is None:
                break  # (a letter that only matches "I" case-insensitively, such as "İ")
            if _ROMANS[nk - 1] not in out:
                out.append(_ROMANS[nk - 1])
            end = more.end()
    return tuple(out)


_NEC = pattern("facets.ne_component")


def ne_component_rule(text: str) -> Rule | None:
    """ "neuroendocrine component > 30%" -> cancer.ne_component_percent > 30."""
    # (asked of a slice of an item: as in ``stages_in``)
    m = _NEC.rx.search(text) if slice_may(_NEC)(folded(text)) else None
    if not m:
        return None
    op = re.sub(r"\s+", " ", m.group("op").lower())
    cmp = {
        "≥": ">=",
        ">=": ">=",
        "at least": ">=",
        ">": ">",
        "more than": ">",
        "≤": "<=",
        "<=": "<=",
        "<": "<",
    }[op]
    v = parse_number(m.group("n"))
    if v is None:
        return None
    return Compare(var="cancer.ne_component_percent", cmp=cmp, value=v, unit="%")


_ = Is
