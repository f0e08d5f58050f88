"""Adapter between the patient side and the shared vocabularies (``trialmatch.vocab``).

Uses the shared vocabularies when they answer and falls back on the small table in
``patients/data/terms.yaml`` otherwise, so that a patient is never misread because one
vocabulary lacks a spelling. Everything here is pure and cached.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "TERMS_VERSION",
    "concept_depth",
    "concept_label",
    "concept_matches",
    "concepts_of",
    "convert",
    "is_inactive_status",
    "is_negative_result",
    "is_systemic_kind",
    "lab_key_for",
    "norm_unit",
    "question_for",
    "terms",
    "unit_class",
]

_DATA = Path(__file__).with_name("data") / "terms.yaml"
_WORD_RE = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1)
def terms() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data: dict[str, Any] = yaml.load(_DATA.read_text(encoding="utf-8"), Loader=loader)
    return data


TERMS_VERSION = 1


@lru_cache(maxsize=1)
def _lab_index() -> dict[str, str]:
    idx: dict[str, str] = {}
    for key, names in terms()["labs"].items():
        idx[key] = key
        for n in names:
            idx[str(n).lower()] = key
    return idx


def _vocab() -> Any:
    try:
        import trialmatch.vocab as v

        return v
    except Exception:  # pragma: no cover - vocab not importable
        return None


@lru_cache(maxsize=4096)
def lab_key_for(name: str | None, loinc: str | None = None) -> str | None:
    """The lab key (``anc``, ``creatinine`` ...) for a lab's name or LOINC code."""
    v = _vocab()
    fn = getattr(v, "lab_key", None) if v is not None else None
    for probe in (loinc, name):
        if not probe:
            continue
        if fn is not None:
            try:
                key = fn(probe)
            except Exception:
                key = None
            if key:
                return str(key)
        k = _lab_index().get(probe.strip().lower())
        if k:
            return k
    return None


@lru_cache(maxsize=1024)
def norm_unit(unit: str | None) -> str | None:
    if unit is None:
        return None
    u = unit.strip()
    return str(
        terms()["unit_aliases"].get(u.lower().replace(" ", ""), terms()["unit_aliases"].get(u.lower(), u))
    )


@lru_cache(maxsize=1)
def _factors() -> dict[tuple[str, str, str], float]:
    out: dict[tuple[str, str, str], float] = {}
    for key, rows in terms()["units"].items():
        for r in rows:
            out[(str(key), str(r["from"]), str(r["to"]))] = float(r["factor"])
    return out


@lru_cache(maxsize=1)
def _classes() -> dict[str, str]:
    out: dict[str, str] = {}
    for cls, units in (terms().get("unit_classes") or {}).items():
        for u in units:
            out[str(u)] = str(cls)
    return out


def unit_class(unit: str | None) -> str | None:
    """What a unit measures (``count_conc``, ``mass_conc``, ``flow`` ...), None when not listed."""
    return _unit_class(str(norm_unit(unit))) if unit else None


def _unit_class(unit: str) -> str | None:
    return _classes().get(unit)


def convert(value: float, from_unit: str | None, to_unit: str | None, key: str | None = None) -> float | None:
    """``value`` from one unit to another for lab ``key``; None when it cannot be done."""
    if to_unit is None or from_unit is None:
        return value if to_unit == from_unit or to_unit is None else None
    fu, tu = norm_unit(from_unit), norm_unit(to_unit)
    if fu == tu:
        return value
    f = _factors()
    for k in (key or "", "*"):
        factor = f.get((k, str(fu), str(tu)))
        if factor is not None:
            return value * factor
    ca, cb = _unit_class(str(fu)), _unit_class(str(tu))
    if ca is not None and cb is not None and ca != cb and {ca, cb} != {"mass_conc", "molar_conc"}:
        return None  # different quantities (a count is never a percentage)
    v = _vocab()
    units = getattr(v, "units", None) if v is not None else None
    conv = getattr(units, "convert", None) if units is not None else None
    if conv is not None:
        for a, b in ((from_unit, to_unit), (fu, tu)):
            try:
                out = conv(value, a, b, lab_key=key)
            except Exception:
                continue
            if out is not None:
                return float(out)
    return None


@lru_cache(maxsize=8192)
def concepts_of(text: str) -> frozenset[str]:
    """Concept ids named in ``text`` (shared concept vocabulary); empty when unavailable."""
    v = _vocab()
    fn = getattr(v, "concepts_in", None) if v is not None else None
    if fn is None or not text:
        return frozenset()
    try:
        found = fn(text[:2000])
    except Exception:
        return frozenset()
    out: set[str] = set()
    for c in found or ():
        if isinstance(c, str):
            out.add(c)
        elif isinstance(c, (tuple, list)) and c:
            out.add(str(c[0]))
        else:
            cid = getattr(c, "id", None) or getattr(c, "concept", None)
            if cid:
                out.add(str(cid))
    return frozenset(out)


@lru_cache(maxsize=65536)
def _is_a(child: str, ancestor: str) -> bool:
    if child == ancestor:
        return True
    v = _vocab()
    fn = getattr(v, "is_a", None) if v is not None else None
    if fn is not None:
        try:
            return bool(fn(child, ancestor))
        except Exception:
            return False
    return child.startswith(ancestor + ".")


@lru_cache(maxsize=4096)
def _concept_words(concept: str) -> tuple[str, ...]:
    return tuple(w for w in _WORD_RE.findall(concept.lower().replace("_", " ").replace(".", " ")) if w)


def concept_matches(concepts: Iterable[str], text: str, concept: str) -> bool:
    """Whether an item with these concept ids (and this text) is ``concept`` or a descendant."""
    for c in concepts:
        if _is_a(c, concept):
            return True
    # fallback: every word of the concept id appears in the text
    words = _concept_words(concept)
    if not words or not text:
        return False
    have = set(_WORD_RE.findall(text.lower()))
    return all(w in have for w in words)


@lru_cache(maxsize=4096)
def concept_label(concept: str) -> str:
    """A readable name for a concept id (``dvt`` -> "deep vein thrombosis")."""
    v = _vocab()
    fn = getattr(v, "concept", None) if v is not None else None
    if fn is not None:
        try:
            c = fn(concept)
        except Exception:
            c = None
        label = getattr(c, "label", None)
        if label:
            return str(label)
    return concept.replace("_", " ").replace(".", " ")


@lru_cache(maxsize=4096)
def concept_depth(concept: str) -> int:
    """How many ancestors a concept has (0 = a root such as ``cancer``)."""
    v = _vocab()
    fn = getattr(v, "ancestors", None) if v is not None else None
    if fn is None:
        return concept.count(".")
    try:
        return len(fn(concept) - {concept})
    except Exception:
        return 0


def _has_phrase(text: str | None, phrases: list[str]) -> bool:
    if not text:
        return False
    t = text.lower()
    return any(p in t for p in phrases)


def is_inactive_status(status: str | None) -> bool:
    return bool(status) and str(status).strip().lower() in terms()["inactive_statuses"]


def is_negative_result(result: str | None) -> bool:
    return _has_phrase(result, terms()["negative_results"])


def is_systemic_kind(kind: str | None) -> bool:
    return bool(kind) and str(kind).strip().lower() in terms()["systemic_kinds"]


def question_for(fact: str) -> str:
    """A plain-words question that would settle ``fact`` (``lab.creatinine`` ...)."""
    qs: dict[str, str] = terms()["questions"]
    full: dict[str, str] = terms().get("fact_questions") or {}
    if fact in full:
        return full[fact]
    names: dict[str, str] = terms().get("fact_names") or {}
    if fact in names:
        n = names[fact]
        if fact.startswith("has."):
            return f"Has the patient had {n}?"
        return f"What is the {n}?"
    if fact.startswith("lab.") and fact.count(".") >= 2:
        key, ref = fact[4:].rsplit(".", 1)
        return f"What is the laboratory's {ref.upper()} (normal limit) for {key.replace('_', ' ')}?"
    if fact in qs:
        return qs[fact]
    for prefix, q in qs.items():
        if prefix.endswith(".") and fact.startswith(prefix):
            name = fact[len(prefix) :].replace("_", " ")
            return q.format(name=name)
    return f"What is known about {fact.replace('_', ' ')}?"
