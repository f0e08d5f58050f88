"""Numeric criteria: labs and vitals with comparison operators, values, units and ULN multiples.

``lab_rules(text) -> (rule | None, keys)`` reads lists ("Hemoglobin > 90 g/L, platelets >100 x109/L"),
shared comparisons ("ALT, AST <= 2.5 x ULN", "AST/ALT<=1.5 times ULN"), alternatives ("creatinine
<= 1.5 x ULN or creatinine clearance > 60 mL/min") and conditional limits ("and if liver metastases
are present, ALT, AST <= 5 x ULN" / "(or <= 5 x ULN if liver metastases are present)").
``extract_numeric(text)`` gives the flat list of (var, op, value, unit, ref) for benchmarks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from trialmatch.criteria.lexicon import alternation, phrases
from trialmatch.criteria.rules import And, Compare, Has, If, Or, Rule
from trialmatch.criteria.temporal import _UNIT as _TIME_UNIT
from trialmatch.vocab.concepts import concepts, concepts_in, locate, norm_token, normed_words, tokenize
from trialmatch.vocab.labs import labs
from trialmatch.vocab.units import convert, normalize_unit

__all__ = [
    "Comparison",
    "LabMention",
    "comparisons",
    "extract_numeric",
    "lab_mentions",
    "lab_rules",
    "parse_number",
]

NUM = r"(?:\d{1,3}(?:,\d{3})+(?![\d.])|\d{1,3}(?: \d{3})+(?![\d.,])|\d{1,7}(?:[.,]\d{1,4})?|[.]\d{1,4})"


def parse_number(s: str) -> float | None:
    s = s.strip()
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+", s):
        s = s.replace(",", "").replace(" ", "")  # "100,000" / "100 000"
    s = s.replace(",", ".")
    try:
        return float(s)
    except ValueError:
        return None


@dataclass(slots=True)
class LabMention:
    key: str
    var: str
    start: int
    end: int


@dataclass(slots=True)
class Comparison:
    op: str
    value: float
    start: int
    end: int
    high: float | None = None
    unit: str | None = None
    ref: str | None = None  # "uln" | "lln"


@dataclass(slots=True)
class _Extract:
    keys: list[tuple[str, str]]  # (key, var)
    cmp: Comparison
    start: int  # of the group's first mention (or the comparison when orphan)
    cond: Rule | None = None
    alternative: bool = False
    terms: list[Rule] = field(default_factory=list)


@cache
def _lab_index() -> tuple[
    dict[tuple[str, ...], tuple[str, str]],
    dict[tuple[str, ...], tuple[str, str]],
    dict[str, int],
    dict[str, int],
]:
    names: dict[tuple[str, ...], tuple[str, str]] = {}
    abbrs: dict[tuple[str, ...], tuple[str, str]] = {}
    fn: dict[str, int] = {}
    fa: dict[str, int] = {}
    for lv in labs():
        for n in lv.names:
            k = tuple(norm_token(t) for t, _, _ in tokenize(n))
            if k and k not in names:
                names[k] = (lv.key, lv.var)
                fn[k[0]] = max(fn.get(k[0], 0), len(k))
        for a in lv.abbr:
            k = tuple(t for t, _, _ in tokenize(a))
            if k and k not in abbrs:
                abbrs[k] = (lv.key, lv.var)
                fa[k[0]] = max(fa.get(k[0], 0), len(k))
    return names, abbrs, fn, fa


def lab_mentions(text: str) -> list[LabMention]:
    """Lab / vital names in ``text`` (longest match; abbreviations case-sensitive)."""
    words, normed = normed_words(text)
    names, abbrs, fn, fa = _lab_index()
    out: list[LabMention] = []
    n = len(words)
    nxt, k, pos = 0, 0, 0
    for i in [j for j in range(n) if normed[j] in fn or words[j] in fa]:
        if i < nxt:
            continue
        best: tuple[int, tuple[str, str]] | None = None
        for L in range(min(fn.get(normed[i], 0), n - i), 0, -1):
            hit = names.get(normed[i : i + L])
            if hit is not None:
                best = (L, hit)
                break
        for L in range(min(fa.get(words[i], 0), n - i), best[0] if best else 0, -1):
            hit = abbrs.get(words[i : i + L])
            if hit is not None:
                best = (L, hit)
                break
        if best is not None:
            L, (key, var) = best
            s, e, pos = locate(text, words, i, L, k, pos)
            k = nxt = i + L
            out.append(LabMention(key, var, s, e))
    return out


@cache
def _cmp_re() -> re.Pattern[str]:
    words: list[str] = []
    for ws in phrases()["operators"].values():
        words.extend(str(w) for w in ws)
    ops = alternation(words)
    return re.compile(
        rf"(?P<op>{ops})\s{{0,3}}(?:to\s{{1,2}}|than\s{{1,2}}|of\s{{1,2}}|:\s{{0,2}})?(?P<num>{NUM})"
        rf"(?:\s{{0,2}}(?:-|–|to)\s{{0,2}}(?P<num2>{NUM}))?",
        re.I,
    )


@cache
def _trailing_re() -> re.Pattern[str]:
    words: list[str] = []
    for ws in phrases()["trailing_operators"].values():
        words.extend(str(w) for w in ws if w != "+")
    return re.compile(rf"^\s{{0,3}}(?P<t>{alternation(words)})", re.I)


@cache
def _plain_re() -> re.Pattern[str]:
    # a value without an operator: "hemoglobin of 9 g/dL or more", "ANC 1500/mm3 or higher"
    return re.compile(rf"(?:(?<=\s)|^)(?:of\s{{1,2}}|:\s{{0,2}}|=\s{{0,2}}|is\s{{1,2}})?(?P<num>{NUM})", re.I)


@cache
def _ref_re() -> re.Pattern[str]:
    p = phrases()
    uln = alternation(list(p["uln"]))
    lln = alternation(list(p["lln"]))
    lead = r"^\s{0,3}(?:[x×*]|times|fold|-fold)?\s{0,3}(?:the\s{1,2})?(?:institutional\s{1,2}|normal\s{1,2})?"
    return re.compile(rf"{lead}(?:(?P<uln>{uln})|(?P<lln>{lln}))", re.I)


_OPS = {">=": ">=", ">": ">", "<=": "<=", "<": "<"}


@cache
def _op_lookup() -> dict[str, str]:
    out: dict[str, str] = {}
    for op, ws in phrases()["operators"].items():
        for w in ws:
            out[re.sub(r"\s+", " ", str(w).lower())] = str(op)
    return out


def _unit_after(s: str) -> tuple[str | None, str | None, int]:
    """(unit code, ref, characters consumed) for the text right after a number."""
    # "3xULN": the glued multiplication sign, same length, so that the ULN phrase starts a word
    m = _ref_re().match(re.sub(r"^(\s{0,3})[xX](?=[A-Za-z])", "\\1\u00d7", s, count=1))
    if m:
        return None, ("uln" if m.group("uln") else "lln"), m.end()
    m2 = re.match(r"^(\s{0,2})(\S{1,20})(\s{1,2}\S{1,20})?(\s{1,2}\S{1,20})?(\s{1,2}\S{1,20})?", s)
    if not m2:
        return None, None, 0
    pieces = [g for g in m2.groups()[1:] if g]
    lead = len(m2.group(1) or "")
    for k in range(len(pieces), 0, -1):
        raw = "".join(pieces[:k])
        cand = raw.replace(" ", "").rstrip(",;.:)")
        # strip a closing parenthesis only when it is not part of the unit
        code = normalize_unit(cand)
        if code is None and cand.endswith(")"):
            code = normalize_unit(cand[:-1])
        if code is not None:
            used = (
                lead
                + len(raw.rstrip())
                - (len(raw.replace(" ", "")) - len(cand) if raw.replace(" ", "") != cand else 0)
            )
            return code, None, max(used, 1)
    return None, None, 0


def _unit_fits(key: str, unit: str) -> bool:
    from trialmatch.vocab.labs import lab

    lv = lab(key)
    if lv is None:
        return True
    return convert(1.0, unit, lv.unit, key) is not None


_BARE_ULN = re.compile(
    r"(?P<op>≤|<=|=<|≥|>=|=>|<|>|less\s+than\s+or\s+equal\s+to|no\s+greater\s+than|not\s+(?:more|greater)\s+than|"
    r"at\s+most|below|under|above|greater\s+than|at\s+least)\s{0,3}(?:the\s{1,2})?(?:institutional\s{1,2})?"
    r"(?P<ref>ULN|upper\s+limits?\s+of\s+(?:the\s+)?normal|LLN|lower\s+limits?\s+of\s+(?:the\s+)?normal)",
    re.I,
)


_TIME_AFTER = re.compile(rf"\s{{0,2}}(?:-\s{{0,2}})?{_TIME_UNIT}\b", re.I)


def comparisons(text: str, *, durations: bool = True) -> list[Comparison]:
    """Every operator + number (+ unit / ULN multiple) in ``text``; ``durations=False`` leaves out
    numbers followed by a time unit ("=< 14 days prior to registration": a window, not a value)."""
    out: list[Comparison] = []
    lookup0 = _op_lookup()
    for m in _BARE_ULN.finditer(text):
        op = lookup0.get(re.sub(r"\s+", " ", m.group("op").lower()))
        if op is None:
            continue
        bref = "lln" if m.group("ref").lower().startswith(("lln", "lower")) else "uln"
        out.append(Comparison(op=op, value=1.0, start=m.start(), end=m.end(), ref=bref))
    lookup = _op_lookup()
    for m in _cmp_re().finditer(text):
        op = lookup.get(re.sub(r"\s+", " ", m.group("op").lower()))
        v = parse_number(m.group("num"))
        if op is None or v is None:
            continue
        v2 = parse_number(m.group("num2")) if m.group("num2") else None
        if not durations and _TIME_AFTER.match(text, m.end()):
            continue
        unit, ref, used = _unit_after(text[m.end() : m.end() + 60])
        end = m.end() + used
        if v2 is not None and unit is None and ref is None:
            # "> 1.5 - 2": read as a range only when no unit follows the first number
            pass
        out.append(
            Comparison(
                op=op,
                value=v,
                start=m.start(),
                end=end,
                unit=unit,
                ref=ref,
                high=v2 if (v2 is not None and v2 > v) else None,
            )
        )
    return out


def _plain_values(text: str, mentions: list[LabMention], taken: list[tuple[int, int]]) -> list[Comparison]:
    """Values stated without an operator but with a trailing one ("9 g/dL or more")."""
    out: list[Comparison] = []
    for mm in mentions:
        seg = text[mm.end : mm.end + 40]
        m = _plain_re().search(seg)
        if not m or re.search(r"[;]", seg[: m.start()]):
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
        word = re.sub(r"\s+", " ", t.group("t").lower())
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


_SEP_RE = re.compile(
    r"^(?:[\s,/&()\[\]\-:]|\b(?:and|or|and/or|count|counts|level|levels|serum|plasma|total|value|values|the|of|both|"
    r"either|blood|absolute|concentration|must|be|should|is|are)\b)*$",
    re.I,
)
_COND_CUE = re.compile(
    r"\b(?:if|in\s+case\s+of|in\s+the\s+case\s+of|in\s+patients?\s+with|for\s+patients?\s+with|in\s+subjects?\s+with|"
    r"for\s+subjects?\s+with|for\s+participants?\s+with|in\s+participants?\s+with|when|where|in\s+the\s+presence\s+of|unless|"
    r"in\s+presence\s+of|due\s+to|with\s+known|with\s+documented|with|attributable\s+to|because\s+of)\b",
    re.I,
)
_DIGIT = re.compile(r"\d")
_LAB_COND = re.compile(
    r"(?:\b(?:for|in)\s+(?:patients?|subjects?|participants?|those)\s+(?:with|who\s+have)|\bif|\bwhen|\bunless|"
    r"\bwhere|\bprovided(?:\s+that)?)\s+(?:a\s+|the\s+|their\s+)?(?:serum\s+|total\s+|baseline\s+)?$",
    re.I,
)
_PAREN = re.compile(r"\([^()]{0,80}\)")


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
    if re.search(r"gilbert", clause, re.I):
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
    from trialmatch.vocab.labs import lab

    lv = lab(var.removeprefix("lab."))
    if c.ref is None and lv is not None and lv.unit == "10*9/L" and c.value >= 1000:
        return "/uL"
    return None


def _extracts(text: str) -> list[_Extract]:
    if not _DIGIT.search(text):
        return []
    mentions = lab_mentions(text)
    if not mentions:
        return []
    comps = comparisons(text, durations=False)
    taken = [(c.start, c.end) for c in comps]
    comps += _plain_values(text, mentions, taken)
    comps.sort(key=lambda c: c.start)
    events: list[tuple[int, int, object]] = [(m.start, 0, m) for m in mentions]
    events += [(c.start, 1, c) for c in comps]
    events.sort(key=lambda e: (e[0], e[1]))
    out: list[_Extract] = []
    group: list[LabMention] = []
    last: _Extract | None = None
    prev_end = 0
    for _, kind, ev in events:
        if kind == 0:
            assert isinstance(ev, LabMention)
            if any(c.start <= ev.start < c.end for c in comps):
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
        if group:
            gap = text[group[-1].end : ev.start]
            gap_np = _PAREN.sub("", gap)
            if len(gap) <= 80 and ";" not in gap and not re.search(r"\d", gap_np):
                keys: list[tuple[str, str]] = []
                for g in group:
                    if (g.key, g.var) not in keys:
                        keys.append((g.key, g.var))
                if ev.unit is not None and len(keys) > 1:
                    fit = [kv for kv in keys if _unit_fits(kv[0], ev.unit)]
                    keys = fit or keys
                e = _Extract(keys=keys, cmp=ev, start=group[0].start)
                between = text[prev_end : group[0].start]
                if _LAB_COND.search(text[max(0, group[0].start - 40) : group[0].start]):
                    # "... for patients with total bilirubin > 1.5 x ULN": a condition, not a limit
                    group, prev_end = [], ev.end
                    continue
                if last is not None and not re.search(r"[;)]", between):
                    e.cond = _cond_rule(between)
                if (
                    last is not None
                    and e.cond is None
                    and re.search(r"(?:^|[\s,;(])or\b", between, re.I)
                    and not re.search(r"\band\b(?!/)|;", between, re.I)
                ):
                    e.alternative = True
                if e.cond is None:
                    e.cond = (
                        _cond_rule(text[ev.end : ev.end + 60].split(";")[0].split(")")[0])
                        if _starts_cond(text[ev.end : ev.end + 60])
                        else None
                    )
                out.append(e)
                last, group, prev_end = e, [], ev.end
                continue
        if last is not None and ev.start - prev_end <= 25:
            between = text[prev_end : ev.start]
            if re.search(r"(?:^|[\s,;(])or\b|\(", between, re.I):
                tail = text[ev.end : ev.end + 80]
                cond = _cond_rule(tail.split(";")[0].split(")")[0]) or _cond_rule(between)
                e = _Extract(
                    keys=list(last.keys), cmp=ev, start=ev.start, cond=cond, alternative=cond is None
                )
                out.append(e)
                last, prev_end = e, ev.end
        group = []
    return out


def _starts_cond(s: str) -> bool:
    return (
        re.match(
            r"^[\s,]{0,3}(?:\(\s{0,2})?(?:if|in\s+case|in\s+patients|for\s+patients|when|in\s+the\s+presence)\b",
            s,
            re.I,
        )
        is not None
    )


@lru_cache(maxsize=2048)
def _lab_rules(text: str) -> tuple[Rule | None, tuple[str, ...]]:
    r, keys = _lab_rules_uncached(text)
    return r, tuple(keys)


def lab_rules(text: str) -> tuple[Rule | None, list[str]]:
    """The rule for the lab/vital comparisons in ``text`` and the lab keys used (None when none)."""
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
    """Flat (var, op, value, unit, ref) tuples (benchmarks)."""
    out = []
    for e in _extracts(text):
        for _, var in e.keys:
            out.append((var, e.cmp.op, e.cmp.value, e.cmp.unit, e.cmp.ref))
    return out
