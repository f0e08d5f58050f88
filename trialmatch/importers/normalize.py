"""Value normalisation shared by the ClinicalTrials.gov readers (pure, bounded, no regex backtracking).

Legacy wording ("Active, not recruiting", "Phase 1/Phase 2", "January 2010", "6 Months") is mapped
to the API v2 vocabulary the :class:`~trialmatch.records.model.Trial` model uses. The word lists
live in ``ctgov_enums.yaml`` beside this module.
"""

from __future__ import annotations

import re
import textwrap
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = [
    "age_years",
    "clean_text",
    "enum_key",
    "enum_value",
    "iso_date",
    "nct_ids",
    "phases",
    "reflow_textblock",
    "registry_kind",
    "sex_value",
    "status_value",
    "to_bool",
    "to_float",
    "to_int",
    "vocab",
]

_ENUM_FILE = Path(__file__).with_name("ctgov_enums.yaml")
_NON_WORD = re.compile(r"[^A-Z0-9]+")
_NCT = re.compile(r"NCT\d{8}")
_ISO = re.compile(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")
_WORD_DATE = re.compile(r"([A-Za-z]{3,9})\.?\s+(?:(\d{1,2}),?\s+)?(\d{4})")
_AGE = re.compile(r"(\d{1,4}(?:\.\d{1,4})?)\s*([A-Za-z]{1,8})?")
_BULLET = re.compile(r"( *)(?:([-*•])|(\d{1,3}[.)]|[a-zA-Z][.)]))\s+(\S.*)")
_PHASE_NUM = re.compile(r"EARLY|IV|III|II|I\b|[1-4]")


@lru_cache(maxsize=1)
def vocab() -> dict[str, Any]:
    """The legacy-to-v2 enum tables (``ctgov_enums.yaml``)."""
    import yaml

    data = yaml.safe_load(_ENUM_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and "version" in data
    return data


def enum_key(value: object) -> str:
    """``"Active, not recruiting"`` -> ``"ACTIVE_NOT_RECRUITING"``."""
    return _NON_WORD.sub("_", str(value).upper()[:200]).strip("_")


def enum_value(value: object, table: str = "design") -> str | None:
    """A legacy or v2 enum word as its v2 value (upper-snake form unless the table says otherwise)."""
    if value is None or value == "":
        return None
    key = enum_key(value)
    if not key:
        return None
    return str(vocab().get(table, {}).get(key, key))


def status_value(value: object) -> str | None:
    return enum_value(value, "overall_status")


def sex_value(value: object) -> str | None:
    v = enum_value(value, "sex")
    return v if v in ("ALL", "FEMALE", "MALE") else None


def phases(value: object) -> list[str]:
    """Phase(s) as v2 values. Accepts a v2 list, ``"Phase 1/Phase 2"``, ``"N/A"``, ``"Early Phase 1"``."""
    if value is None:
        return []
    if isinstance(value, list):
        out: list[str] = []
        for v in value:
            for p in phases(v):
                if p not in out:
                    out.append(p)
        return out
    text = str(value).strip().upper()[:100]
    if not text:
        return []
    key = enum_key(text)
    if key in ("N_A", "NA", "NOT_APPLICABLE"):
        return ["NA"]
    if re.fullmatch(r"(EARLY_)?PHASE[1-4]", key):
        return [key]
    found: list[str] = []
    early = False
    roman = {"I": "1", "II": "2", "III": "3", "IV": "4"}
    for m in _PHASE_NUM.finditer(text):
        tok = m.group(0)
        if tok == "EARLY":
            early = True
            continue
        ph = ("EARLY_PHASE" if early and tok in ("1", "I") else "PHASE") + roman.get(tok, tok)
        early = False
        if ph not in found:
            found.append(ph)
    return found


def iso_date(value: object) -> str | None:
    """``"January 15, 2010"`` -> ``"2010-01-15"``, ``"July 2001"`` -> ``"2001-07"``, ISO stays ISO."""
    if value is None:
        return None
    text = str(value).strip()[:60]
    if not text:
        return None
    m = _ISO.match(text)
    if m:
        y, mo, d = m.groups()
        if mo is None:
            return y
        if not 1 <= int(mo) <= 12:
            return y
        if d is None:
            return f"{y}-{int(mo):02d}"
        return f"{y}-{int(mo):02d}-{int(d):02d}"
    m = _WORD_DATE.search(text)
    if m:
        month = vocab()["months"].get(m.group(1).lower())
        if month is None:
            for name, num in vocab()["months"].items():
                if len(m.group(1)) >= 3 and name.startswith(m.group(1).lower()):
                    month = num
                    break
        if month is not None:
            if m.group(2):
                return f"{m.group(3)}-{month:02d}-{int(m.group(2)):02d}"
            return f"{m.group(3)}-{month:02d}"
    m = re.search(r"\b(\d{4})\b", text)
    return m.group(1) if m else None


def age_years(value: object) -> float | None:
    """``"18 Years"`` -> 18.0, ``"6 Months"`` -> 0.5, ``"N/A"`` / ``None`` -> None."""
    if value is None:
        return None
    text = str(value).strip()[:40]
    m = _AGE.search(text)
    if not m:
        return None
    num = float(m.group(1))
    unit = (m.group(2) or "YEARS").upper()
    factor = vocab()["age_units"].get(unit)
    if factor is None:
        return None
    return round(num * float(factor), 4)


def clean_text(value: object) -> str | None:
    """Dedent an XML ``textblock`` (strip the common indentation and the blank edges)."""
    if value is None:
        return None
    text = str(value)
    if "\n" in text:
        text = textwrap.dedent(text.strip("\n"))
    text = text.strip()
    return text or None


def to_int(value: object) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(float(str(value).strip().replace(",", "")))
    except (TypeError, ValueError, OverflowError):
        return None


def to_float(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return f if f == f and abs(f) != float("inf") else None


def to_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None:
        return None
    key = str(value).strip().lower()
    if key in ("yes", "true", "accepts healthy volunteers", "y"):
        return True
    if key in ("no", "false", "n"):
        return False
    return None


def nct_ids(text: str) -> list[str]:
    """NCT ids in a short string (a file name or URL), in order, without repeats."""
    out: list[str] = []
    for m in _NCT.finditer(text[:2000].upper()):
        if m.group(0) not in out:
            out.append(m.group(0))
    return out


def reflow_textblock(value: object) -> str | None:
    """A legacy XML ``textblock`` (hard-wrapped at ~80 columns, ``-`` bullets) in the API v2 style.

    Wrapped lines are joined, ``-`` bullets become ``*``, numbered items keep their number and
    nested items are indented two spaces per level; paragraphs are separated by a blank line.
    """
    text = clean_text(value)
    if text is None:
        return None
    blocks: list[tuple[int, str, list[str]]] = []  # (depth or -1 for a paragraph, marker, words)
    indents: list[int] = []
    open_block = False
    for line in text.splitlines():
        if not line.strip():
            open_block = False
            continue
        m = _BULLET.match(line)
        if m:
            ind = len(m.group(1))
            while indents and indents[-1] > ind:
                indents.pop()
            if not indents or indents[-1] < ind:
                indents.append(ind)
            marker = "*" if m.group(2) else m.group(3)
            blocks.append((len(indents) - 1, marker, [m.group(4).strip()]))
            open_block = True
        elif open_block and blocks:
            blocks[-1][2].append(line.strip())
        else:
            indents = []
            blocks.append((-1, "", [line.strip()]))
            open_block = True
    out: list[str] = []
    prev_item = False
    for depth, marker, words in blocks:
        body = " ".join(words)
        if depth < 0:
            if out:
                out.append("\n\n")
            out.append(body)
            prev_item = False
        else:
            if out:
                out.append("\n" if prev_item else "\n\n")
            out.append(f"{'  ' * depth}{marker} {body}")
            prev_item = True
    return "".join(out) or None


@lru_cache(maxsize=1)
def _registry_patterns() -> list[tuple[str, re.Pattern[str], str]]:
    return [(r["name"], re.compile(r["pattern"]), r["type"]) for r in vocab().get("registry_ids", [])]


def registry_kind(value: str) -> tuple[str, str] | None:
    """(registry name, secondaryIdInfos type) when ``value`` is a whole registry id, else None."""
    v = value.strip()[:60]
    for name, pat, typ in _registry_patterns():
        if pat.fullmatch(v):
            return name, typ
    return None
