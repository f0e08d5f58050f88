"""Measured values (labs, BMI, scores) the patient's data does not give: such an inclusion is unknown.

The explanation names where the data came from (the note, the patient profile, the patient record),
the measure as it is usually written ("ALT", "hemoglobin") and what exactly is missing: the value,
or, for a lab given without its reference range against a criterion written in multiples of the upper
(lower) limit of normal, that limit.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from trialmatch.matching.judge_base import Decision
from trialmatch.matching.judge_text import content_terms, has_phrase

if TYPE_CHECKING:
    from trialmatch.matching.judge import JudgeContext
    from trialmatch.patients.model import Lab

__all__ = ["MEASURE_NUM", "measure_display", "rule_measurement"]

#: A criterion with a measured term and one of these is about a value (not a diagnosis).
MEASURE_NUM = re.compile(
    r"[<>≤≥=]|\d|\b(less|greater|more|lower|higher|above|below|abnormal|elevated|"
    r"normal|uln|adequate)\b",
    re.I,
)
_ULN = re.compile(r"\b(?:uln|upper limits? of (?:the )?normal)\b", re.I)
_LLN = re.compile(r"\b(?:lln|lower limits? of (?:the )?normal)\b", re.I)
_REF_WORDS = {
    "uln": "upper limit of normal (ULN)",
    "lln": "lower limit of normal (LLN)",
}


def _lab_key(name: str | None) -> str | None:
    try:
        from trialmatch.vocab import lab_key
    except ImportError:  # pragma: no cover - vocab always ships with the package
        return None
    return lab_key(name) if name else None


def measure_display(term: str, written: str = "") -> str:
    """The measure named as usually written: the criterion's own capitals ("ALT"), else the lab's
    abbreviation when ``term`` is one ("alt" -> "ALT"), else ``term`` in lower case."""
    if len(written) > 1 and written.isupper():
        return written
    key = _lab_key(term)
    if key:
        from trialmatch.vocab import lab

        lv = lab(key)
        for abbr in lv.abbr if lv is not None else ():
            if abbr.lower() == term.lower():
                return abbr
    return term.lower()


def _patient_lab(ctx: JudgeContext, term: str) -> Lab | None:
    """The patient's (first) lab for the measure ``term``, when the data gives one."""
    key = _lab_key(term)
    if key is None:
        return None
    for lab in ctx.patient.labs or []:
        if _lab_key(lab.loinc) == key or _lab_key(lab.name) == key:
            return lab
    return None


def _value(lab: Lab) -> str:
    return f"{lab.value:g} {lab.unit or ''}".strip()


def rule_measurement(ctx: JudgeContext, text: str, kind: str) -> Decision | None:
    """An inclusion on a measured value that no sentence reports: unknown, saying what is missing."""
    m = has_phrase("measurement_terms", text.lower())
    if kind == "exclusion" or not m or not MEASURE_NUM.search(text):
        return None
    # a value in the note for this measure?
    term = m.group(0).lower()
    hits = [i for i, s in enumerate(ctx.sentences) if re.search(rf"\b{re.escape(term)}", s, re.I)]
    if hits:
        return None  # let the concept rule look (values are compared by the evaluator when available)
    if kind == "exclusion" and len(content_terms(text)) > 6:
        return None
    name = measure_display(term, text[m.start() : m.end()])
    source = ctx.source
    lab = _patient_lab(ctx, term)
    if lab is not None:
        ref = "uln" if _ULN.search(text) else "lln" if _LLN.search(text) else None
        if ref is not None and getattr(lab, ref) is None:
            return Decision(
                "unknown",
                f"{source.capitalize()} gives {name} ({_value(lab)}) but not its {_REF_WORDS[ref]}, "
                f"which this criterion is measured against.",
                "measurement_reference_missing",
            )
        return Decision(
            "unknown",
            f"{source.capitalize()} gives {name} ({_value(lab)}), which cannot be compared with this "
            "criterion as written.",
            "measurement_not_comparable",
        )
    return Decision("unknown", f"{source.capitalize()} gives no {name} value.", "measurement_missing")
