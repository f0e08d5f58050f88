"""Lab variables: keys, LOINC codes, names and abbreviations, canonical units, molar masses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from trialmatch.vocab._load import load_data

__all__ = ["LabVar", "lab", "lab_key", "lab_names", "lab_var", "labs"]


@dataclass(frozen=True, slots=True)
class LabVar:
    key: str
    var: str  # the rule variable: ``lab.<key>`` or e.g. ``vital.qtc_ms``
    unit: str  # canonical unit code (units.yaml)
    loinc: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    abbr: tuple[str, ...] = ()
    molar_mass: float | None = None


_NORM = re.compile(r"[^a-z0-9]+")


def _norm(s: str) -> str:
    s = s.lower().replace("haem", "hem").replace("leuco", "leuko")
    return _NORM.sub(" ", s).strip()


@cache
def labs() -> tuple[LabVar, ...]:
    """Every lab variable of ``data/labs.yaml``."""
    out = []
    for d in load_data("labs")["labs"]:
        out.append(
            LabVar(
                key=str(d["key"]),
                var=str(d.get("var") or f"lab.{d['key']}"),
                unit=str(d["unit"]),
                loinc=tuple(str(x) for x in d.get("loinc") or ()),
                names=tuple(str(x) for x in d.get("names") or ()),
                abbr=tuple(str(x) for x in d.get("abbr") or ()),
                molar_mass=float(d["molar_mass"]) if d.get("molar_mass") else None,
            )
        )
    return tuple(out)


@cache
def _index() -> tuple[dict[str, LabVar], dict[str, str], dict[str, str], dict[str, str]]:
    by_key = {lv.key: lv for lv in labs()}
    by_loinc: dict[str, str] = {}
    by_name: dict[str, str] = {}
    by_abbr: dict[str, str] = {}
    for lv in labs():
        for c in lv.loinc:
            by_loinc[c] = lv.key
        for n in lv.names:
            by_name.setdefault(_norm(n), lv.key)
        for a in lv.abbr:
            by_abbr.setdefault(a, lv.key)
            by_name.setdefault(_norm(a), lv.key) if len(a) >= 3 else None
    return by_key, by_loinc, by_name, by_abbr


def lab(key: str) -> LabVar | None:
    """The lab variable with this key (or None)."""
    return _index()[0].get(key)


def lab_key(name_or_loinc: str | None) -> str | None:
    """The lab key for a name, abbreviation, LOINC code or key as a patient record writes it.

    ``lab_key("ANC") == lab_key("absolute neutrophil count") == lab_key("751-8") == "anc"``.
    """
    if not name_or_loinc:
        return None
    s = str(name_or_loinc).strip()[:200]
    by_key, by_loinc, by_name, by_abbr = _index()
    if s in by_key:
        return s
    if s in by_loinc:
        return by_loinc[s]
    if s in by_abbr:
        return by_abbr[s]
    n = _norm(s)
    if n in by_name:
        return by_name[n]
    if n.replace(" ", "_") in by_key:
        return n.replace(" ", "_")
    # drop qualifiers: "serum ALT level", "ALT (SGPT)", "blood hemoglobin"
    for tok in re.split(r"[\s(),;/]+", s):
        if tok in by_abbr:
            return by_abbr[tok]
    words = n.split()
    for drop in ("serum", "blood", "plasma", "level", "levels", "value", "count", "total", "b", "s", "p"):
        if drop in words:
            words = [w for w in words if w != drop]
    n2 = " ".join(words)
    if n2 in by_name:
        return by_name[n2]
    return None


def lab_var(key: str) -> str:
    """The rule variable of a lab key (``lab.alt``, ``vital.qtc_ms`` ...)."""
    lv = lab(key)
    return lv.var if lv is not None else f"lab.{key}"


def lab_names() -> dict[str, str]:
    """Every name and abbreviation -> key (abbreviations as written, names lower-cased)."""
    _, _, by_name, by_abbr = _index()
    out = dict(by_name)
    out.update(by_abbr)
    return out
