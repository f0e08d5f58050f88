"""Vital-sign criteria ("heart rate of at least 90/min", "temperature higher than 38 C", "BMI > 35")
judged on the values a note gives ("HR 120", "fever up to 39 C", "blood pressure is 80/60") or on the
words that imply a bound ("tachycardic" = heart rate > 100/min). Vocabulary: ``vitals`` in
``vocab/data/judge_rules.yaml``."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from trialmatch.matching.judge_text import rules_vocab

if TYPE_CHECKING:
    from trialmatch.matching.judge import JudgeContext
    from trialmatch.matching.judge_base import Decision

__all__ = ["criterion_vital", "note_vital", "rule_vitals"]

_NUM = r"(\d{1,3}(?:\.\d{1,2})?)"
_CMP = (
    r"(at least|greater than or equal to|more than|greater than|higher than|above|over|exceeding|"
    r"less than or equal to|less than|lower than|below|under|at most|>=|≥|=>|>|<=|≤|=<|<)"
)
_CMP_MAP = {
    "at least": ">=",
    "greater than or equal to": ">=",
    ">=": ">=",
    "≥": ">=",
    "=>": ">=",
    "more than": ">",
    "greater than": ">",
    "higher than": ">",
    "above": ">",
    "over": ">",
    "exceeding": ">",
    ">": ">",
    "less than or equal to": "<=",
    "at most": "<=",
    "<=": "<=",
    "≤": "<=",
    "=<": "<=",
    "less than": "<",
    "lower than": "<",
    "below": "<",
    "under": "<",
    "<": "<",
}


@functools.cache
def _names() -> dict[str, re.Pattern[str]]:
    out = {}
    for key, spec in rules_vocab()["vitals"].items():
        names = sorted((str(n) for n in spec["names"]), key=len, reverse=True)
        out[key] = re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(n) for n in names) + r")(?![a-z])", re.I)
    return out


def _fahrenheit(v: float) -> float:
    return (v - 32) * 5 / 9 if v > 50 else v


def criterion_vital(text: str) -> tuple[str, str, float] | None:
    """(vital, comparator, value) when the criterion is a threshold on one vital sign."""
    if len(text) > 160:  # a vital sign inside a longer composite criterion is not the whole criterion
        return None
    t = text[:400]
    for key, rx in _names().items():
        m = rx.search(t)
        if not m:
            continue
        tail = t[m.end() : m.end() + 60]
        cm = re.search(
            r"^\W{0,3}(?:\w+\W{1,3}){0,4}?" + _CMP + r"\s{0,3}(?:or equal to\s)?" + _NUM, tail, re.I
        )
        if cm and not re.match(
            r"\s{0,2}(?:x|times|standard|sd\b|%\s?(?:of|above|below))", tail[cm.end() :], re.I
        ):
            v = float(cm.group(2))
            if key == "temperature":
                v = _fahrenheit(v)
            return key, _CMP_MAP[cm.group(1).lower()], v
    return None


def note_vital(ctx: JudgeContext, key: str) -> tuple[str, float, int] | None:
    """(comparator, value, sentence) the note gives for a vital: "=" for a measured value, else the bound
    a word implies."""
    rx = _names()[key]
    implied = rules_vocab()["vitals"][key].get("implied") or {}
    imp_rx = re.compile(r"(?<![a-z])(" + "|".join(re.escape(str(w)) for w in implied) + r")(?![a-z])", re.I)
    for i, s in enumerate(ctx.sentences):
        for m in rx.finditer(s):
            nm = re.match(
                r"\W{0,3}(?:(?:is|was|of|at|up to|to|reaching|about|around)\W{1,3}){0,3}" + _NUM,
                s[m.end() : m.end() + 40],
                re.I,
            )
            if nm:
                v = float(nm.group(1))
                return ("=", _fahrenheit(v) if key == "temperature" else v, i)
        im = imp_rx.search(s) if implied else None
        if im and not re.search(r"\b(no|not|denies|without)\b[^.]{0,30}$", s[: im.start()], re.I):
            cmp, v = implied[im.group(1).lower()]
            return (str(cmp), float(v), i)
    return None


def _holds(x_cmp: str, x: float, cmp: str, v: float) -> bool | None:
    """Does a patient value (exact, or only bounded by x_cmp x) satisfy ``cmp v``? None = cannot tell."""
    ops = {
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
    }
    if x_cmp == "=":
        return ops[cmp](x, v)
    if x_cmp in (">", ">=") and cmp in (">", ">="):
        return True if x >= v else None
    if x_cmp in ("<", "<=") and cmp in ("<", "<="):
        return True if x <= v else None
    if x_cmp in (">", ">=") and cmp in ("<", "<="):
        return False if x >= v else None
    if x_cmp in ("<", "<=") and cmp in (">", ">="):
        return False if x <= v else None
    return None


def rule_vitals(ctx: JudgeContext, text: str, kind: str) -> Decision | None:
    from trialmatch.matching.judge_base import Decision
    from trialmatch.matching.judge_measure import measure_display

    cv = criterion_vital(text)
    if cv is None:
        return None
    key, cmp, v = cv
    nv = note_vital(ctx, key)
    name = measure_display(key.replace("_", " "))
    if nv is None:
        return (
            Decision("unknown", f"{ctx.source.capitalize()} gives no {name}.", "vital_missing")
            if kind == "inclusion"
            else None
        )
    x_cmp, x, si = nv
    ok = _holds(x_cmp, x, cmp, v)
    if ok is None:
        return None
    shown = f"{x:g}" if x_cmp == "=" else f"{x_cmp} {x:g} (implied)"
    why = f"{name[:1].upper()}{name[1:]} {shown}; required {cmp} {v:g}."
    return Decision("met" if ok else "not_met", why, "vitals", [si])
