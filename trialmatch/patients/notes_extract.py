"""Pattern extractors for free-text notes: sentences, age and sex, numbers, labs, times, cancer details.

Pure functions over text; every regex is bounded (no nested unbounded repetition) and the caller caps
the input size, so untrusted text cannot make them hang.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any

from trialmatch.vocab._load import load_data

__all__ = [
    "Sentence",
    "cue_alt",
    "cue_regex",
    "cue_words",
    "find_age",
    "find_cancer_details",
    "find_dates",
    "find_ecog",
    "find_karnofsky",
    "find_labs",
    "find_relative_date",
    "find_sex",
    "find_vitals",
    "parse_number",
    "phrase_regex",
    "phrases",
    "split_sentences",
    "unwrap_lines",
]


def phrases() -> dict[str, Any]:
    """The note reader's vocabulary (``vocab/data/note_phrases.yaml``)."""
    return load_data("note_phrases")


def _alternatives(words: tuple[str, ...]) -> str:
    """Escaped phrases, longest first; a trailing ``*`` lets the word go on ("persist*")."""
    alts = sorted({str(w).lower() for w in words if w}, key=len, reverse=True)
    parts = [re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w) for w in alts]
    return "|".join(parts) or "(?!x)x"


@functools.cache
def phrase_regex(words: tuple[str, ...]) -> re.Pattern[str]:
    """A word-bounded, case-insensitive alternation of literal phrases (longest first)."""
    return re.compile(rf"(?<![\w-])(?:{_alternatives(words)})(?![\w])", re.I)


def cue_words(key: str) -> tuple[str, ...]:
    """The phrase list ``key`` of the vocabulary; ``a.b`` is list ``b`` under ``a``."""
    node: Any = phrases()
    for part in key.split("."):
        node = node[part]
    return tuple(str(w) for w in node)


@functools.cache
def cue_alt(key: str) -> str:
    """The phrase list ``key`` of the vocabulary as a regex group without boundaries, to build
    patterns from (``rf"\b{cue_alt('allergy_words')}\\s..."``)."""
    return _alt_of(cue_words(key))


@functools.cache
def cue_regex(key: str) -> re.Pattern[str]:
    """The phrase list ``key`` as a case-insensitive regex bounded like ``\b...\b``."""
    return re.compile(rf"(?<!\w){cue_alt(key)}(?!\w)", re.I)


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    start: int
    end: int
    index: int


_NUMBERED = re.compile(r"^\s{0,8}\d{1,3}\.\s+")
_SENT_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z(\"'])")


_WRAP = re.compile(r"(?<=\S)[ \t]*(\r?\n)[ \t]*(?=\S)")
_LINE_END_WORD = re.compile(r"(\w+)[,]?$")


def unwrap_lines(text: str) -> str:
    """Join hard-wrapped lines ("carcinoma of the\\npancreas, Ki-67 70%") without moving a
    character: a line break becomes spaces when the next line goes on in lower case, or the line
    ends with a comma or a word that cannot end a sentence (``wrap_join_words``: of, the, in ...).
    Numbered lines and lines after a full stop, colon or semicolon stay apart."""
    if "\n" not in text:
        return text
    joins = frozenset(w.lower() for w in cue_words("wrap_join_words"))
    out = list(text)
    for m in _WRAP.finditer(text):
        before = text[: m.start()].rsplit("\n", 1)[-1].rstrip()
        after = text[m.end() : m.end() + 12]
        if not before or before[-1] in ".:;!?" or _NUMBERED.match(after):
            continue
        w = _LINE_END_WORD.search(before)
        if after[0].islower() or before.endswith(",") or (w is not None and w.group(1).lower() in joins):
            for i in range(m.start(1), m.end(1)):
                out[i] = " "
    return "".join(out)


def split_sentences(text: str) -> list[Sentence]:
    """Sentences with character offsets; lines numbered ``0. ...`` (TrialGPT notes) keep their number."""
    out: list[Sentence] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        line_start = pos
        pos += len(line)
        stripped = line.rstrip("\r\n")
        m = _NUMBERED.match(stripped)
        offset = m.end() if m else 0
        body = stripped[offset:]
        if not body.strip():
            continue
        if m:  # a numbered line is one sentence as the annotators saw it
            pieces = [(0, len(body))]
        else:
            pieces = []
            last = 0
            for sm in _SENT_END.finditer(body):
                pieces.append((last, sm.start()))
                last = sm.end()
            pieces.append((last, len(body)))
        for a, b in pieces:
            seg = body[a:b]
            if not seg.strip():
                continue
            lead = len(seg) - len(seg.lstrip())
            s = line_start + offset + a + lead
            e = line_start + offset + b - (len(seg) - len(seg.rstrip()))
            out.append(Sentence(text=text[s:e], start=s, end=e, index=len(out)))
    return out


_AGE = re.compile(
    r"(?<![\d.])(\d{1,3}(?:\.\d)?)\s?(?:-|\s)?\s?(?:(years?|yrs?|y)(?:\s?-?\s?o(?:ld)?\b|/o\b|\.o\.|\b)|"
    r"yo\b|y/o\b|(months?|mos?|weeks?|days?)[\s-]old)",
    re.I,
)
_AGE_WORD = re.compile(r"\b(?:aged?|age of)\s{1,3}(\d{1,3})\b", re.I)


@functools.cache
def _duration_before() -> re.Pattern[str]:
    return re.compile(rf"\b{cue_alt('duration_cues')}\s*$", re.I)


def find_age(text: str) -> tuple[float, int, int] | None:
    """Age in years from the first ``58-year-old`` / ``58 yo`` / ``8-month-old`` / ``aged 58``."""
    for m in _AGE.finditer(text[:4000]):
        ctx = text[max(0, m.start() - 25) : m.start()].lower()
        if _duration_before().search(ctx) and not m.group(0).lower().endswith("old"):
            continue  # "for 5 years" is a duration
        if not re.search(r"old|yo|y/o|\.o\.", m.group(0), re.I) and not re.search(r"\by\b", m.group(0), re.I):
            continue
        v = float(m.group(1))
        small = m.group(3)
        if small:
            u = small.lower()
            v = v / 12 if u.startswith("mo") else v / 52 if u.startswith("w") else v / 365
        if 0 <= v <= 120:
            return v, m.start(), m.end()
    m2 = _AGE_WORD.search(text[:4000])
    if m2 and 0 <= float(m2.group(1)) <= 120:
        return float(m2.group(1)), m2.start(), m2.end()
    return None


_SEX_SHORT = re.compile(r"\b\d{1,3}\s?(?:yo|y/o|y\.o\.|year[- ]old)?\s?([MF])\b")


def find_sex(text: str) -> tuple[str, int, int] | None:
    """Sex from the first explicit word ("woman", "male", "58 yo M"), else from pronouns."""
    head = text[:4000]
    m = _SEX_SHORT.search(head)
    if m:
        return ("female" if m.group(1) == "F" else "male"), m.start(1), m.end(1)
    ph, pronouns = phrases()["sex"], phrases()["pronouns"]
    strong = {sex: [w for w in ph[sex] if w not in pronouns[sex]] for sex in ("female", "male")}
    best: tuple[str, int, int] | None = None
    for sex, words in strong.items():
        sm = phrase_regex(tuple(words)).search(head)
        if sm and (best is None or sm.start() < best[1]):
            best = (sex, sm.start(), sm.end())
    if best:
        return best
    f = len(phrase_regex(tuple(pronouns["female"])).findall(head))
    ma = len(phrase_regex(tuple(pronouns["male"])).findall(head))
    if f != ma:
        return ("female" if f > ma else "male"), 0, 0
    return None


_NUM = r"(\d{1,3}(?:,\d{3}){1,3}|\d{1,7}(?:\.\d{1,4})?)"
_NUM_RE = re.compile(_NUM)


def parse_number(s: str) -> float | None:
    try:
        return float(s.replace(",", ""))
    except ValueError:
        return None


_UNIT = (
    r"(?:\s?(x\s?10\^?\s?\d{1,2}\s?/\s?(?:l|ul|mm3)|k/ul|g/dl|g/l|mg/dl|mg/l|mmol/l|umol/l|µmol/l|"
    r"u/l|iu/l|ng/ml|pg/ml|mg/24\s?h|ml/min(?:/1\.73\s?m2)?|%|/mm3|/ul|/µl|/mm|/ml|mm/h|mg|cells/mm3|"
    r"mm\s?hg|bpm|kg|lbs?|cm|°\s?c|c|f)\b)?"
)


_TEN_POW = re.compile(r"^x\s?10\^?\s?(\d{1,2})\s?/\s?(l|ul|mm3)$", re.I)


def _norm_unit(unit: str | None) -> str | None:
    """Units as notes write them -> the spelling the unit converter reads ("x 109/L" -> "10*9/L")."""
    if not unit:
        return None
    u = unit.strip()
    m = _TEN_POW.match(u)
    if m:
        exp = m.group(1)
        exp = exp[2:] if len(exp) > 1 and exp.startswith("10") else exp  # "109" is 10^9 without the caret
        return f"10*{exp}/{m.group(2).replace('l', 'L').replace('uL', 'uL')}"
    if u.lower() == "/mm":
        return "/mm3"
    return u


@functools.cache
def _lab_regexes() -> tuple[tuple[str, dict[str, Any], re.Pattern[str]], ...]:
    out = []
    for key, spec in phrases()["labs"].items():
        rx = re.compile(
            phrase_regex(tuple(spec["aliases"])).pattern
            + r"(?:\s{0,3}(?:level|count|concentration|value))?\s{0,3}"
            r"(?:\([^()]{1,12}\)\s{0,2})?"
            r"(?:of|was|is|at|:|=|were|measured|of about|~)?\s{0,3}(?:elevated|low|high)?\s{0,2}(?:at\s)?"
            + _NUM
            + _UNIT,
            re.I,
        )
        out.append((str(key), dict(spec), rx))
    return tuple(out)


def find_labs(sentence: str) -> list[tuple[str, str, float, str | None, int, int]]:
    """(key, alias as written, value, unit, start, end) for every ``alias [of|:|=|was] value [unit]``."""
    out: list[tuple[str, str, float, str | None, int, int]] = []
    taken: list[tuple[int, int]] = []
    low = sentence.lower()
    for key, spec, rx in _lab_regexes():
        if not any(a in low for a in spec["aliases"]):
            continue
        for m in rx.finditer(sentence):
            if any(a <= m.start() < b for a, b in taken):
                continue
            v = parse_number(m.group(1))
            if v is None:
                continue
            unit = _norm_unit(m.group(2)) or spec.get("unit")
            out.append((key, m.group(0).split()[0], v, unit, m.start(), m.end()))
            taken.append((m.start(), m.end()))
    return out


@functools.cache
def _rel() -> re.Pattern[str]:
    """ "two years ago", "for the past 3 months", "last year" (number words and cues from the vocabulary)."""
    num = r"(\d{1,3}|" + _alternatives(tuple(str(k) for k in phrases()["numbers"])) + ")"
    return re.compile(
        rf"\b(?:{num}\s(day|week|month|year)s?\s({cue_alt('ago_words')})|{cue_alt('recent_period_cues')}\s"
        rf"{num}?\s?(day|week|month|year)s?|last\s(week|month|year))\b",
        re.I,
    )


_DAYS = {"day": 1, "week": 7, "month": 30.4375, "year": 365.25}


def find_relative_date(sentence: str, as_of: dt.date | None) -> tuple[dt.date, str] | None:
    """The date a relative phrase ("two years ago", "for the past 3 months") points to, from ``as_of``."""
    if as_of is None:
        return None
    m = _rel().search(sentence)
    if not m:
        return None
    nums = phrases()["numbers"]
    if m.group(2):
        n_s, unit = m.group(1), m.group(2)
    elif m.group(5):
        n_s, unit = m.group(4) or "1", m.group(5)
    else:
        n_s, unit = "1", m.group(6)
    n = float(n_s) if n_s.isdigit() else float(nums.get(n_s.lower(), 1))
    days = round(n * _DAYS[unit.lower()])
    return as_of - dt.timedelta(days=days), m.group(0)


@functools.cache
def _ecog_re() -> re.Pattern[str]:
    return re.compile(
        rf"\b{cue_alt('ecog_labels')}(?:\s(?:performance\s)?(?:status|score|ps|grade))?\s{{0,3}}"
        r"(?:of|is|was|:|=)?\s{0,3}([0-4])(?!\d)",
        re.I,
    )


@functools.cache
def _kps_re() -> re.Pattern[str]:
    return re.compile(
        rf"\b{cue_alt('karnofsky_labels')}(?:\s(?:performance\s)?(?:status|score|index))?\s{{0,3}}"
        r"(?:of|is|was|:|=)?\s{0,3}(\d{2,3})\s?%?",
        re.I,
    )


def find_ecog(sentence: str) -> tuple[int, str] | None:
    m = _ecog_re().search(sentence)
    if m:
        return int(m.group(1)), m.group(0)
    words = phrases()["performance_words"]
    wm = phrase_regex(tuple(words)).search(sentence)
    if wm:
        return int(words[wm.group(0).lower()]), wm.group(0)
    return None


def find_karnofsky(sentence: str) -> tuple[int, str] | None:
    m = _kps_re().search(sentence)
    if m and 0 <= int(m.group(1)) <= 100:
        return int(m.group(1)), m.group(0)
    return None


_KI67 = re.compile(
    r"\bki[- ]?67(?:\s(?:index|proliferation index|labeling index))?\s{0,3}(?:of|was|is|:|=|at)?"
    r"\s{0,3}(?:<|>|~|approximately|about)?\s{0,2}(\d{1,3}(?:\.\d{1,2})?)\s?%",
    re.I,
)
_GRADE = re.compile(r"\b(?:who\s)?(?:grade\s([1-3]|i{1,3})|g([1-3]))\b", re.I)
_DIFF = re.compile(r"\b(well|moderately|poorly)[- ]differentiated\b", re.I)
_STAGE = re.compile(r"\bstage\s(iv|iii|ii|i|0|[1-4])([abc]?)\b", re.I)
_TNM = re.compile(r"\b[cpy]{0,2}(T[0-4x][a-d]?)\s?(N[0-3x][a-c]?)?\s?(M[01x][a-c]?)?\b")
_MITOSES = re.compile(r"(\d{1,3})\s(?:mitoses|mitotic figures)\s?(?:per|/)\s?(?:2\s?mm2|10\s?hpf)", re.I)
_ROMAN = {"i": "1", "ii": "2", "iii": "3"}


def find_cancer_details(sentence: str) -> dict[str, Any]:
    """Grade, differentiation, Ki-67, stage group, TNM, mitoses written in one sentence."""
    out: dict[str, Any] = {}
    m = _KI67.search(sentence)
    if m:
        out["ki67_percent"] = float(m.group(1))
    m = _GRADE.search(sentence)
    if m:
        g = (m.group(1) or m.group(2)).lower()
        out["grade"] = "G" + _ROMAN.get(g, g)
    m = _DIFF.search(sentence)
    if m:
        out["differentiation"] = "poorly" if m.group(1).lower() == "poorly" else "well"
        if m.group(1).lower() == "moderately":
            out["differentiation"] = "moderately"
    m = _STAGE.search(sentence)
    if m:
        roman = {"1": "I", "2": "II", "3": "III", "4": "IV"}.get(m.group(1), m.group(1).upper())
        out["stage_group"] = roman + m.group(2).upper()
    m = _TNM.search(sentence)
    if m and (m.group(2) or m.group(3)):
        out["tnm"] = (m.group(1), m.group(2), m.group(3))
    m = _MITOSES.search(sentence)
    if m:
        out["mitoses_per_2mm2"] = float(m.group(1))
    return out


_VITAL_NUM = r"\W{0,3}(?:(?:is|was|of|at|up to|reaching|about)\W{1,3}){0,2}(\d{1,3}(?:\.\d{1,2})?)\s?"
#: what may follow a vital's value (its unit, captured when it changes the value); the labels written
#: before the value are the vocabulary's ``vitals`` lists
_VITAL_UNITS = {
    "heart_rate": r"(?:bpm|/min|beats)?",
    "weight_kg": r"(kg|lbs?|pounds)\b",
    "height_cm": r"(cm|m)\b",
    "temperature_c": r"(?:°\s?)?([cf])\b",
    "lvef_percent": r"%",
    "qtc_ms": r"(?:ms|msec)?",
    "bmi": r"",
}


@functools.cache
def _vital_res() -> tuple[re.Pattern[str], tuple[tuple[str, re.Pattern[str]], ...]]:
    bp = re.compile(
        rf"\b{cue_alt('blood_pressure')}\W{{0,3}}(?:(?:is|was|of|at)\W{{1,3}}){{0,2}}(\d{{2,3}})\s?/\s?(\d{{2,3}})",
        re.I,
    )
    labels = phrases()["vitals"]
    out = tuple(
        (key, re.compile(rf"\b{_alt_of(tuple(labels[key]))}" + _VITAL_NUM + unit, re.I))
        for key, unit in _VITAL_UNITS.items()
        if labels.get(key)
    )
    return bp, out


def _alt_of(words: tuple[str, ...]) -> str:
    """Like :func:`cue_alt`, for phrases already in hand."""
    return f"(?:{_alternatives(words)})"


def find_vitals(sentence: str) -> dict[str, float]:
    """Vital signs written with a value: heart rate, blood pressure, weight (kg), height (cm),
    temperature (C), LVEF, QTc, BMI."""
    out: dict[str, float] = {}
    bp, vitals = _vital_res()
    m = bp.search(sentence)
    if m:
        out["systolic_bp"], out["diastolic_bp"] = float(m.group(1)), float(m.group(2))
    for key, rx in vitals:
        vm = rx.search(sentence)
        if not vm:
            continue
        v = float(vm.group(1))
        unit = (vm.group(2) if vm.lastindex and vm.lastindex >= 2 else "") or ""
        unit = unit.lower()
        if key == "weight_kg" and unit.startswith(("lb", "pound")):
            v = round(v * 0.45359237, 1)
        elif key == "height_cm" and unit == "m":
            v = v * 100
        elif key == "temperature_c" and (unit == "f" or v > 50):
            v = round((v - 32) * 5 / 9, 1)
        out[key] = v
    return out


_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_DATE = re.compile(
    r"\b(?:(\d{4})-(\d{1,2})-(\d{1,2})"  # ISO
    r"|(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})"  # US m/d/y
    r"|(\d{1,2})/(\d{4})"  # m/yyyy
    r"|(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6}\.?\s(?:\d{1,2}(?:st|nd|rd|th)?,?\s)?(\d{4})"
    r"|(?:in|since|from|until|of)\s(19[5-9]\d|20\d\d))\b",
    re.I,
)


def _mk(y: int, m: int, d: int) -> dt.date | None:
    if y < 100:
        y += 2000 if y < 70 else 1900
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def find_dates(sentence: str) -> list[tuple[dt.date, int, int]]:
    """Absolute dates written in a sentence ("2019-03-05", "1/31/22", "03/2021", "March 2019", "in 2015"),
    in order; a month or year alone is read as its first day."""
    out: list[tuple[dt.date, int, int]] = []
    for m in _DATE.finditer(sentence[:5000]):
        g = m.groups()
        d: dt.date | None = None
        if g[0]:
            d = _mk(int(g[0]), int(g[1]), int(g[2]))
        elif g[3]:
            d = _mk(int(g[5]), int(g[3]), int(g[4]))
        elif g[6]:
            d = _mk(int(g[7]), int(g[6]), 1)
        elif g[8]:
            d = _mk(int(g[9]), _MONTHS[g[8][:3].lower()], 1)
        elif g[10]:
            d = _mk(int(g[10]), 1, 1)
        if d is not None:
            out.append((d, m.start(), m.end()))
    return out
