"""Small readers for single facets of a criterion: age, performance status, life expectancy,
blood pressure written as "150/90 mmHg", NYHA class, grade, stage, neuroendocrine component."""

from __future__ import annotations

import re

from trialmatch.criteria.lexicon import find_phrase, has_phrase
from trialmatch.criteria.numeric import NUM, comparisons, parse_number
from trialmatch.criteria.rules import And, Compare, Is, Or, Rule
from trialmatch.criteria.temporal import NUMBER_WORDS

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

AGE_CUE = re.compile(
    r"\b(?:age[ds]?|years?\s+old|years?\s+of\s+age|year-old|yrs?\s+old|adults?\s+aged)\b", re.I
)
_AGE_RANGE = re.compile(
    r"(?:\bage[ds]?\b|\bbetween\b)[^\d.;]{0,20}?(?P<a>\d{1,3})\s{0,2}(?:years?\s{0,2})?(?:-|–|~|to|and|through)\s{0,2}"
    r"(?P<b>\d{1,3})(?!\s*(?:days?|weeks?|months?)\b)|(?P<c>\d{1,3})\s{0,2}(?:-|–|~|to)\s{0,2}(?P<d>\d{1,3})\s{0,2}"
    r"(?:years?|yrs?)(?:\s{1,2}old|\s{1,2}of\s{1,2}age)?",
    re.I,
)
_AGE_TRAIL = re.compile(
    rf"(?P<n>{NUM})\s{{0,2}}(?:years?|yrs?)(?:\s{{1,2}}of\s{{1,2}}age|\s{{1,2}}old|\s{{1,2}}of\s{{1,2}}older)?\s{{0,3}}"
    r"(?:,\s{0,2})?(?P<t>or\s+older|or\s+more|or\s+above|or\s+over|and\s+older|and\s+above|and\s+over|or\s+greater|\+|"
    r"or\s+younger|or\s+less|and\s+younger|and\s+under|or\s+below)",
    re.I,
)
_AGE_WORDS = re.compile(
    rf"(?P<w>older\s+than|younger\s+than|over\s+the\s+age\s+of|under\s+the\s+age\s+of|above\s+the\s+age\s+of|"
    rf"below\s+the\s+age\s+of)\s{{0,2}}(?P<n>{NUM})",
    re.I,
)


def age_rule(text: str) -> Rule | None:
    """Age limits, e.g. "aged 18-75", "Age >= 18 years", "18 years or older" (None when absent)."""
    if not AGE_CUE.search(text) and not _AGE_TRAIL.search(text) and not _AGE_WORDS.search(text):
        return None
    m = _AGE_RANGE.search(text)
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
            and (re.match(r"^\s{0,2}(?:years?|yrs?)\b", tail) or "age" in head)
            and 0 <= c.value <= 120
        ):
            if c.high is not None:
                return Compare(var="age", cmp="between", value=c.value, high=c.high, unit="a")
            out.append(Compare(var="age", cmp=c.op, value=c.value, unit="a"))
    for m2 in _AGE_TRAIL.finditer(text):
        v = parse_number(m2.group("n"))
        t = m2.group("t").lower()
        if v is None or not 0 <= v <= 120:
            continue
        op = "<=" if any(w in t for w in ("younger", "less", "under", "below")) else ">="
        cmp = Compare(var="age", cmp=op, value=v, unit="a")
        if cmp not in out:
            out.append(cmp)
    for m3 in _AGE_WORDS.finditer(text):
        v = parse_number(m3.group("n"))
        if v is None:
            continue
        w = m3.group("w").lower()
        op = ">" if w.startswith(("older", "over", "above")) else "<"
        out.append(Compare(var="age", cmp=op, value=v, unit="a"))
    if not out:
        return None
    return out[0] if len(out) == 1 else And(tuple(out))


PS_CUE = re.compile(
    r"\b(?:ECOG|Eastern\s+Cooperative\s+Oncology\s+Group|Zubrod|WHO\s+performance|performance\s+status|"
    r"performance\s+score|physical\s+condition\s+score|Karnofsky|KPS|Lansky|PS)\b",
    re.I,
)
_ECOG = re.compile(
    r"\b(?:ECOG|Eastern\s+Cooperative\s+Oncology\s+Group|Zubrod|WHO|performance\s+status|PS|performance\s+score|"
    r"physical\s+condition\s+score)\b[^.;\d]{0,45}?"
    r"(?P<op>≤|<=|=<|<|≥|>=|=>|>|less\s+than\s+or\s+equal\s+to|no\s+more\s+than|not\s+more\s+than|at\s+most|"
    r"greater\s+than\s+or\s+equal\s+to|at\s+least|more\s+than|greater\s+than|less\s+than|of|between|:|=|is)?"
    r"\s{0,3}(?P<a>[0-4])(?!\d|\.\d|%)(?:\s{0,2}(?:-|–|to|or|and|,|/)\s{0,2}(?P<b>[0-4])(?!\d|\.\d|%))?"
    r"(?:\s{0,2}(?:,|or|and)\s{0,2}(?P<c>[0-4])(?!\d|\.\d|%))?(?P<trail>\s{0,2}or\s+(?:less|lower|better|higher|more|greater|worse))?",
    re.I,
)
_KPS = re.compile(
    r"\b(?:Karnofsky|KPS|Lansky)\b[^.;\d]{0,45}?(?P<op>≤|<=|<|≥|>=|>|at\s+least|more\s+than|greater\s+than|"
    r"less\s+than|of|:|=|is|between)?\s{0,3}(?P<a>\d{2,3})\s{0,2}%?(?:\s{0,2}(?:-|–|to)\s{0,2}(?P<b>\d{2,3}))?"
    r"(?P<trail>\s{0,2}%?\s{0,2}or\s+(?:higher|more|above|greater|less|lower|below))?",
    re.I,
)
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
    ms = [m for m in _ECOG.finditer(text) if not re.match(r"(?i)KPS|Karnofsky", m.group(0))]
    if len(ms) > 1 and not has_phrase("part_cues", text):
        ms = ms[:1]  # several limits only when given one per part ("<= 1 for phase 1b, <= 2 for phase 2")
    for m in ms:
        vals = [int(x) for x in (m.group("a"), m.group("b"), m.group("c")) if x is not None]
        a = float(min(vals))
        b = float(max(vals)) if len(vals) > 1 else None
        r = _ps_compare("ecog", m.group("op") or "", a, b, m.group("trail") or "", "<=")
        if r not in out:
            out.append(r)
    k = _KPS.search(text)
    if k:
        a = float(k.group("a"))
        b = float(k.group("b")) if k.group("b") else None
        if 0 <= a <= 100:
            out.append(_ps_compare("karnofsky", k.group("op") or "", a, b, k.group("trail") or "", ">="))
    if not out:
        return None
    return out[0] if len(out) == 1 else Or(tuple(out))


_LIFE = re.compile(
    r"(?P<op>at\s+least|more\s+than|greater\s+than|longer\s+than|over|of\s+at\s+least|no\s+less\s+than|not\s+less\s+than|"
    r"≥|>=|>|less\s+than|<|≤|<=|of|:|is|be)?\s{0,3}(?P<n>\d{1,3}(?:\.\d)?|"
    + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
    + r")\s{0,2}(?P<u>months?|weeks?|years?|days?|mos?|wks?)\b"
    r"(?P<trail>\s{0,2}or\s+(?:more|longer|greater))?",
    re.I,
)


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


_BP = re.compile(
    r"(?P<op>≥|>=|>|≤|<=|<|greater\s+than\s+or\s+equal\s+to|greater\s+than|higher\s+than|more\s+than|above|over|"
    r"exceeding|at\s+least|less\s+than|below)?\s{0,3}(?P<s>\d{2,3})\s{0,2}/\s{0,2}(?P<d>\d{2,3})\s{0,2}mm\s{0,2}hg",
    re.I,
)


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
_NYHA = re.compile(
    r"\b(?:NYHA|New\s+York\s+Heart\s+Association)\b[^.;]{0,30}?(?P<op>≥|>=|>)?\s{0,2}(?:class|grade|functional\s+class)?"
    r"\s{0,2}(?P<op2>≥|>=|>)?\s{0,2}(?P<n>IV|III|II|I|[1-4])\b(?P<up>[^.;]{0,25}?(?:or\s+(?:higher|greater|above|worse|more)|"
    r"-\s{0,2}IV|to\s+IV|/\s{0,2}IV|or\s+IV|\+))?"
    r"|\b(?:class|grade)\s{0,2}(?P<n2>IV|III|II|[2-4])\s{0,2}(?:/\s{0,2}IV|-\s{0,2}IV|or\s+(?:higher|greater|above|IV))?"
    r"[^.;]{0,20}?(?:congestive\s+)?(?:heart|cardiac)\s+failure",
    re.I,
)


def nyha_min(text: str) -> int | None:
    """The lowest NYHA class a heart-failure clause names ("NYHA class II or higher" -> 2)."""
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


_GRADE = re.compile(
    r"\b(?:G(?P<g>[123])(?:\s{0,2}/\s{0,2}G?(?P<g2>[123]))?|grade\s{0,2}(?P<n>[123]|I{1,3})"
    r"(?:\s{0,2}(?:/|-|or|and|to)\s{0,2}(?P<n2>[123]|I{1,3}))?)\b",
    re.I,
)


def grades_in(text: str) -> tuple[str, ...]:
    """WHO grades named in a clause ("NET G1/G2" -> ("G1", "G2"); "high-grade" -> ("G3",))."""
    out: list[str] = []
    for m in _GRADE.finditer(text):
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
    if re.search(r"\bhigh[\s-]grade\b", text, re.I) and "G3" not in out:
        out.append("G3")
    if re.search(r"\blow[\s-]grade\b", text, re.I):
        out.extend(g for g in ("G1", "G2") if g not in out)
    if re.search(r"\blow\s+(?:or|and|/|to)\s+intermediate[\s-]+grade\b", text, re.I):
        out.extend(g for g in ("G1", "G2") if g not in out)
    elif re.search(r"\bintermediate[\s-]+grade\b", text, re.I) and "G2" not in out:
        out.append("G2")
    return tuple(sorted(out))


_STAGE = re.compile(
    r"\bstage\s{0,2}(?P<a>IV|III|II|I|[1-4])(?P<sa>[ABC])?(?:\s{0,2}(?:-|–|to|or|/|and)\s{0,2}(?:stage\s{0,2})?"
    r"(?P<b>IV|III|II|I|[1-4])[ABC]?)?\b",
    re.I,
)
_ROMANS = ("I", "II", "III", "IV")


def stages_in(text: str) -> tuple[str, ...]:
    """AJCC stage groups named ("Stage III" -> ("III",); "stage III-IV" -> ("III", "IV"))."""
    out: list[str] = []
    for m in _STAGE.finditer(text):
        a = _ROMAN.get(m.group("a").lower())
        b = _ROMAN.get((m.group("b") or "").lower()) if m.group("b") else None
        if a is None:
            continue
        hi = b if b is not None and b >= a else a
        for k in range(a, hi + 1):
            s = _ROMANS[k - 1]
            if s not in out:
                out.append(s)
    return tuple(out)


_NEC = re.compile(
    r"(?:neuroendocrine|NE)\s+(?:component|differentiation|part)[^\d<>≥≤]{0,15}(?P<op>≥|>=|>|≤|<=|<|at\s+least|more\s+than)"
    rf"\s{{0,2}}(?P<n>{NUM})\s{{0,2}}%",
    re.I,
)


def ne_component_rule(text: str) -> Rule | None:
    """ "neuroendocrine component > 30%" -> cancer.ne_component_percent > 30."""
    m = _NEC.search(text)
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
