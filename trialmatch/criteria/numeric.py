"""Numeric criteria: labs and vitals with comparison operators, values, units and ULN multiples.

``lab_rules(text) -> (rule | None, keys)`` reads lists ("Hemoglobin > 90 g/L, platelets >100 x109/L"),
shared comparisons ("ALT, AST <= 2.5 x ULN", "AST/ALT<=1.5 times ULN"), alternatives ("creatinine
<= 1.5 x ULN or creatinine clearance > 60 mL/min") and conditional limits ("and if liver metastases
are present, ALT, AST <= 5 x ULN" / "(or <= 5 x ULN if liver metastases are present)").
``extract_numeric(text)`` gives the flat list of (var, op, value, unit, ref) for benchmarks.

Lab names are found by ``lab_mentions``, numbers and comparisons by ``numeric_values``; the cue
words (conditions, alternatives, list separators) are patterns in ``patterns/numeric.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter, itemgetter

from trialmatch.criteria.lab_mentions import LabMention, lab_mentions, may_mention_lab
from trialmatch.criteria.lowre import caseless_safe, lowered
from trialmatch.criteria.numeric_values import (
    NUM,
    Comparison,
    comparisons,
    normal_values,
    parse_number,
    plain_values,
    range_values,
)
from trialmatch.criteria.rules import And, Compare, Has, If, Or, Rule
from trialmatch.vocab.concepts import concepts, concepts_in
from trialmatch.vocab.labs import lab
from trialmatch.vocab.patterns import pattern
from trialmatch.vocab.units import convert

__all__ = [
    "NUM",
    "Comparison",
    "LabMention",
    "comparisons",
    "extract_numeric",
    "lab_mentions",
    "lab_rules",
    "parse_number",
]


@dataclass(slots=True)
class _Extract:
    keys: list[tuple[str, str]]  # (key, var)
    cmp: Comparison
    start: int  # of the group's first mention (or the comparison when orphan)
    cond: Rule | None = None
    alternative: bool = False
    terms: list[Rule] = field(default_factory=list)


@lru_cache(maxsize=1024)
def _unit_fits(key: str, unit: str) -> bool:
    lv = lab(key)
    if lv is None:
        return True
    return convert(1.0, unit, lv.unit, key) is not None


# the plain regexes of the cues: they run on short slices of an item, where testing the cue's
# needed strings first (lower-casing and memoising each slice) costs more than the search
_SEP_RE = pattern("numeric.lab_list_sep").rx
_COND_CUE = pattern("numeric.cond_cue").rx
_LAB_COND = pattern("numeric.lab_condition").rx
_LAB_COND_LOW = lowered(_LAB_COND)  # (the same search on a caseless_safe text's lower-cased slice)
_GILBERT = pattern("numeric.gilbert").rx
_OR_ALT = pattern("numeric.or_alternative").rx
_CONJ = pattern("numeric.conjunction").rx
_STARTS_COND = pattern("numeric.starts_cond").rx
_OTHER_ANALYTE = pattern("numeric.other_analyte").rx
_DIGIT = re.compile(r"\d")
#: the words of the old ``normal|wnl`` (re.I) gate, tested in the lower-cased text: their letters
#: are ASCII ones that no other character matches case-insensitively (not i, k or s)
_NORMAL_WORDS = ("normal", "wnl")
_PAREN = re.compile(r"\([^()]{0,80}\)")
_SEMI_PAREN = re.compile(r"[;)]")


def _cond_rule(clause: str) -> Rule | None:
    m = _COND_CUE.search(clause)
    if not m:
        return None
    for h in concepts_in(clause[m.end() : m.end() + 80]):
        c = concepts().get(h.concept)
        if c is None:
            continue
        if c.type == "metastasis":
            return Has(h.concept, kinds=("metastasis",))
        if c.type in ("condition", "disease"):
            return Has(h.concept, kinds=("condition",))
    if _GILBERT.search(clause):
        return Has("gilbert_syndrome", kinds=("condition",))
    return None


def _compare(var: str, c: Comparison) -> Compare:
    unit = c.unit or _count_unit(var, c)
    if c.high is not None and c.op in (">=", ">") and c.ref is None:
        return Compare(var=var, cmp="between", value=c.value, high=c.high, unit=unit)
    return Compare(var=var, cmp=c.op, value=c.value, unit=unit, ref=c.ref)  # type: ignore[arg-type]


def _count_unit(var: str, c: Comparison) -> str | None:
    """A cell count written without a unit ("Platelets > 100,000", "ANC >= 1500 μL"): a value of a
    thousand or more can only be per microlitre (10^9/L counts are below 1000)."""
    lv = lab(var.removeprefix("lab."))
    if c.ref is None and lv is not None and lv.unit == "10*9/L" and c.value >= 1000:
        return "/uL"
    return None


def _extracts(text: str) -> list[_Extract]:
    low: str | None = None
    if not _DIGIT.search(text):
        low = text.lower()
        if not any(w in low for w in _NORMAL_WORDS):
            return []  # every value has a digit, but for a 'normal' one
    mentions = lab_mentions(text)  # (tests first whether any token can start a lab name)
    if not mentions:
        return []  # every extract belongs to a lab mention
    if low is None:
        low = text.lower()
    safe = caseless_safe(text)
    comps = comparisons(text, durations=False, low=low, safe=safe)
    # (the lowered search on the lower-cased slice when it is the same search)
    lab_cond, cond_src = (
        (_LAB_COND_LOW.search, low) if _LAB_COND_LOW is not None and safe else (_LAB_COND.search, text)
    )
    taken = [(c.start, c.end) for c in comps]
    comps += range_values(text, mentions, taken, low=low)
    taken = [(c.start, c.end) for c in comps]
    comps += plain_values(text, mentions, taken, low=low)
    comps += normal_values(text, mentions, taken, low=low)
    comps.sort(key=attrgetter("start"))
    events: list[tuple[int, int, object]] = [(m.start, 0, m) for m in mentions]
    events += [(c.start, 1, c) for c in comps]
    events.sort(key=itemgetter(0, 1))
    out: list[_Extract] = []
    group: list[LabMention] = []
    last: _Extract | None = None
    prev_end = 0
    # a mention inside a comparison is skipped: one that started before it (the events come in
    # order: ``reach`` is the furthest end of those) or at its start (a comparison is not empty)
    reach = -1
    comp_starts = {c.start for c in comps}
    for _, kind, ev in events:
        if kind == 0:
            assert isinstance(ev, LabMention)
            if ev.start < reach or ev.start in comp_starts:
                continue
            gap = text[group[-1].end : ev.start] if group else ""
            if group and (
                _SEP_RE.match(_PAREN.sub(" ", gap) or "")
                or (gap.rfind("(") > gap.rfind(")") and len(gap) < 80 and not _DIGIT.search(gap))
            ):
                group.append(ev)
            else:
                group = [ev]
            continue
        assert isinstance(ev, Comparison)
        if ev.end > reach:
            reach = ev.end
        if group:
            gap = text[group[-1].end : ev.start]
            gap_np = _PAREN.sub("", gap)
            if len(gap) <= 80 and ";" not in gap and not _DIGIT.search(gap_np):
                keys: list[tuple[str, str]] = []
                for g in group:
                    if (g.key, g.var) not in keys:
                        keys.append((g.key, g.var))
                if ev.unit is not None and len(keys) > 1:
                    fit = [kv for kv in keys if _unit_fits(kv[0], ev.unit)]
                    keys = fit or keys
                e = _Extract(keys=keys, cmp=ev, start=group[0].start)
                between = text[prev_end : group[0].start]
                if lab_cond(cond_src[max(0, group[0].start - 40) : group[0].start]):
                    # "... for patients with total bilirubin > 1.5 x ULN": a condition, not a limit
                    group, prev_end = [], ev.end
                    continue
                if last is not None and not _SEMI_PAREN.search(between):
                    e.cond = _cond_rule(between)
                if (
                    last is not None
                    and e.cond is None
                    and _OR_ALT.search(between)
                    and not _CONJ.search(between)
                ):
                    e.alternative = True
                if e.cond is None:
                    e.cond = (
                        _cond_rule(text[ev.end : ev.end + 60].split(";")[0].split(")")[0])
                        if _STARTS_COND.match(text[ev.end : ev.end + 60])
                        else None
                    )
                out.append(e)
                last, group, prev_end = e, [], ev.end
                continue
        if last is not None and ev.start - prev_end <= 25:
            between = text[prev_end : ev.start]
            # "Triglycerides > 150 mg/dL OR HDL < 50", "... or > 10% immature forms": not an alternative
            other = _OTHER_ANALYTE.search(between)
            fits = ev.unit is None or any(_unit_fits(k, ev.unit) for k, _ in last.keys)
            if (_OR_ALT.search(between) or "(" in between) and not other and fits:
                tail = text[ev.end : ev.end + 80]
                cond = _cond_rule(tail.split(";")[0].split(")")[0]) or _cond_rule(between)
                e = _Extract(
                    keys=list(last.keys), cmp=ev, start=ev.start, cond=cond, alternative=cond is None
                )
                out.append(e)
                last, prev_end = e, ev.end
        group = []
    return out


@lru_cache(maxsize=2048)
def _lab_rules(text: str) -> tuple[Rule | None, tuple[str, ...]]:
    r, keys = _lab_rules_uncached(text)
    return r, tuple(keys)


def lab_rules(text: str) -> tuple[Rule | None, list[str]]:
    """The rule for the lab/vital comparisons in ``text`` and the lab keys used (None when none)."""
    if not may_mention_lab(text):
        return None, []  # every extract belongs to a lab mention (most items name none)
    r, keys = _lab_rules(text)
    return r, list(keys)


def _lab_rules_uncached(text: str) -> tuple[Rule | None, list[str]]:
    """The rule for the lab/vital comparisons in ``text`` and the lab keys used (None when none)."""
    exs = _extracts(text)
    if not exs:
        return None, []
    # conditional extracts rewrite the latest unconditional limit of the same keys
    terms: list[list[Rule]] = []  # Or-groups of And-terms
    per_key: dict[str, tuple[int, int]] = {}  # key -> (group index, term index)
    keys_used: list[str] = []
    for e in exs:
        for k, _ in e.keys:
            if k not in keys_used:
                keys_used.append(k)
        if e.cond is not None:
            for k, var in e.keys:
                loc = per_key.get(k)
                if loc is None:
                    terms.append([If(cond=e.cond, then=_compare(var, e.cmp))])
                    per_key[k] = (len(terms) - 1, 0)
                    continue
                gi, ti = loc
                base = terms[gi][ti]
                then = _compare(var, e.cmp)
                if isinstance(base, Compare) and base.ref and then.ref is None and then.unit is None:
                    # "=< 3 x ULN (=< 5 times if liver metastases)": the bare multiple is of the same ULN
                    then = Compare(var=var, cmp=then.cmp, value=then.value, ref=base.ref, high=then.high)
                terms[gi][ti] = If(cond=e.cond, then=then, else_=base)
            continue
        new: list[Rule] = []
        for _k, var in e.keys:
            new.append(_compare(var, e.cmp))
        if e.alternative and terms:
            # "A or B": the alternative joins the previous Or-group
            terms[-1].append(new[0] if len(new) == 1 else And(tuple(new)))
            gi = len(terms) - 1
            for k, _ in e.keys:
                per_key.setdefault(k, (gi, len(terms[-1]) - 1))
            continue
        for r, (k, _) in zip(new, e.keys, strict=True):
            terms.append([r])
            per_key[k] = (len(terms) - 1, 0)
    parts: list[Rule] = []
    for grp in terms:
        parts.append(grp[0] if len(grp) == 1 else Or(tuple(grp)))
    parts = _lenient(parts)
    if not parts:
        return None, keys_used
    return (parts[0] if len(parts) == 1 else And(tuple(parts))), keys_used


def _lenient(parts: list[Rule]) -> list[Rule]:
    """Two plain limits in the same direction on the same variable (an unrecognised condition in
    between, e.g. "ALP <= 2.5 x ULN (<= 5 x ULN unless ...)") keep the lenient one: a missed
    condition must not exclude a patient the trial would take."""
    best: dict[tuple[str, str, str | None, str | None], int] = {}
    drop: set[int] = set()
    for i, p in enumerate(parts):
        if not isinstance(p, Compare) or p.cmp not in ("<=", "<", ">=", ">"):
            continue
        key = (p.var, "<" if p.cmp in ("<=", "<") else ">", p.ref, p.unit)
        j = best.get(key)
        if j is None:
            best[key] = i
            continue
        q = parts[j]
        assert isinstance(q, Compare)
        keep_new = p.value > q.value if key[1] == "<" else p.value < q.value
        if keep_new:
            drop.add(j)
            best[key] = i
        else:
            drop.add(i)
    return [p for i, p in enumerate(parts) if i not in drop]


def extract_numeric(text: str) -> list[tuple[str, str, float, str | None, str | None]]:
    """Flat (var, op, value, unit, ref) tuples (benchmarks); a range gives both of its ends."""
    out: list[tuple[str, str, float, str | None, str | None]] = []
    for e in _extracts(text):
        for _, var in e.keys:
            if e.cmp.high is not None and e.cmp.op in (">=", ">") and e.cmp.ref is None:
                out.append((var, "between", e.cmp.value, e.cmp.unit, None))
                out.append((var, "between", e.cmp.high, e.cmp.unit, None))
                continue
            out.append((var, e.cmp.op, e.cmp.value, e.cmp.unit, e.cmp.ref))
    return out
