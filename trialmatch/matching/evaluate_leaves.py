"""The leaves of a rule evaluated against a patient's facts: ``Compare`` (labs with unit conversion and
multiples of the normal limits, ages in months, scores), ``Is`` (categories: stage, grade, sex, site) and
``Flag`` (yes / no facts). Each gives an :class:`Outcome`: the truth value (True, False or None for
unknown), a plain-words explanation, the evidence used and, when unknown, the facts that would settle it.

Pure: (rule, PatientFacts). Used by :mod:`trialmatch.matching.evaluate`, which memoises the outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trialmatch.criteria.rules import Compare, Flag, Is
from trialmatch.patients import terms as T
from trialmatch.patients.derive import PatientFacts

__all__ = ["Outcome", "Tri", "compare_leaf", "flag_leaf", "is_leaf"]

Tri = bool | None

_VAR_ALIASES = {
    "performance_status.ecog": "ecog",
    "ecog_ps": "ecog",
    "kps": "karnofsky",
    "performance_status.karnofsky": "karnofsky",
    "weight": "weight_kg",
    "vital.weight_kg": "weight_kg",
    "vital.height_cm": "height_cm",
    "life_expectancy": "life_expectancy_months",
    "cancer.stage": "cancer.stage_group",
    "stage": "cancer.stage_group",
    "grade": "cancer.grade",
    "ki67": "cancer.ki67_percent",
    "lab.ki67": "cancer.ki67_percent",
    "lab.ki67_percent": "cancer.ki67_percent",
    "lab.qtc": "vital.qtc_ms",
    "lab.qtc_ms": "vital.qtc_ms",
    "qtc": "vital.qtc_ms",
    "lab.lvef": "vital.lvef_percent",
    "lvef": "vital.lvef_percent",
    "lab.lvef_percent": "vital.lvef_percent",
    "krenning_score": "cancer.krenning_score",
}
_KIDNEY = ("crcl", "egfr", "gfr", "mgfr", "creatinine_clearance")


@dataclass(slots=True)
class Outcome:
    value: Tri
    explanation: str = ""
    evidence: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, tuple):
        return "-".join(_fmt(x) for x in v)
    return str(v)


def _lab_label(name: str, key: str) -> str:
    """A lab as explanations name it: its abbreviation when the name is one ("alt" -> "ALT", as the
    judge writes it), the vocabulary's name when only the key is known, else the name as given."""
    from trialmatch.vocab import lab

    lv = lab(key)
    if lv is None:
        return name
    for abbr in sorted(lv.abbr, key=lambda a: a != name):  # the exact spelling first
        if abbr.lower() == name.lower():
            return abbr
    if name.lower() == key and lv.names:
        first = lv.names[0]
        return next((a for a in lv.abbr if a.lower() == first.lower()), first)
    return name


def _lab_value(name: str, key: str, value: float, unit: str | None) -> str:
    """ "ALT 50 U/L", or "ALT 50" when no unit is given."""
    return f"{_lab_label(name, key)} {value:g}" + (f" {unit}" if unit else "")


def _cmp(x: float, op: str, v: float, hi: float | None) -> bool:
    if op == "<":
        return x < v
    if op == "<=":
        return x <= v + 1e-9
    if op == ">":
        return x > v
    if op == ">=":
        return x >= v - 1e-9
    if op == "==":
        return abs(x - v) < 1e-9
    if op == "!=":
        return abs(x - v) >= 1e-9
    if op == "between":
        return v - 1e-9 <= x <= (hi if hi is not None else v) + 1e-9
    raise ValueError(op)


def _cmp_any(x: Any, op: str, v: float, hi: float | None) -> Tri:
    if isinstance(x, tuple):  # a range (Karnofsky from ECOG)
        a, b = _cmp(float(x[0]), op, v, hi), _cmp(float(x[1]), op, v, hi)
        return a if a == b else None
    return _cmp(float(x), op, v, hi)


_OPS_WORDS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "=", "!=": "≠"}


def _canon_var(var: str) -> str:
    return _VAR_ALIASES.get(var, var)


def compare_leaf(rule: Compare, facts: PatientFacts) -> Outcome:
    var = _canon_var(rule.var)
    want = (
        f"{_OPS_WORDS.get(rule.cmp, rule.cmp)} {rule.value:g}"
        if rule.cmp != "between"
        else f"between {rule.value:g} and {(rule.high if rule.high is not None else rule.value):g}"
    )
    if var.startswith("lab."):
        raw = var[4:]
        key = T.lab_key_for(raw) or raw
        note = ""
        if key == "creatinine" and T.unit_class(rule.unit) == "flow" and rule.ref is None:
            key, note = T.lab_key_for("creatinine clearance") or "crcl", " (a limit in mL/min is a clearance)"
        obs = facts.lab(key)
        if obs is None and (key in _KIDNEY or raw in _KIDNEY):
            for alt in _KIDNEY:
                alt_key = T.lab_key_for(alt) or alt
                if facts.lab(alt_key) is not None:
                    obs = facts.lab(alt_key)
                    note = f" (using {_lab_label(alt_key, alt_key)} for {_lab_label(raw, key)})"
                    key = alt_key
                    break
        if obs is None:
            return Outcome(None, f"{_lab_label(raw, key)} not known", missing=[f"lab.{raw}"])
        if (
            rule.window is not None
            and obs.date is not None
            and (facts.as_of - obs.date).days > rule.window.days
        ):
            shown_name = _lab_label(obs.name, key)
            return Outcome(None, f"{shown_name} result of {obs.date} is too old", missing=[f"lab.{raw}"])
        if rule.ref is not None:
            limit = obs.uln if rule.ref == "uln" else obs.lln
            if not limit:
                return Outcome(
                    None,
                    f"{_lab_value(obs.name, key, obs.value, obs.unit)}: no {rule.ref.upper()} given",
                    evidence=[{"fact": f"lab.{key}", "value": obs.value, "unit": obs.unit}],
                    missing=[f"lab.{key}.{rule.ref}"],
                )
            x = obs.value / limit
            ok = _cmp(x, rule.cmp, rule.value, rule.high)
            ref = rule.ref.upper()
            text = (
                f"{_lab_value(obs.name, key, obs.value, obs.unit)} = {x:.2f} x {ref} ({limit:g}); "
                f"required {want} x {ref}{note}"
            )
            ref_ev = {
                "fact": f"lab.{key}",
                "value": round(x, 3),
                "unit": f"x {rule.ref.upper()}",
                "how": text,
            }
            return Outcome(ok, text, evidence=[ref_ev])
        conv = facts.lab_in(key, rule.unit)
        if conv is None:
            return Outcome(
                None,
                f"{_lab_value(obs.name, key, obs.value, obs.unit)}: cannot convert to {rule.unit}",
                evidence=[{"fact": f"lab.{key}", "value": obs.value, "unit": obs.unit}],
                missing=[f"lab.{raw}"],
            )
        x, how = conv
        ok = _cmp(x, rule.cmp, rule.value, rule.high)
        shown = rule.unit or obs.unit or ""
        text = f"{_lab_label(obs.name, key)} {_fmt(x)}" + (f" {shown}" if shown else "")
        text = f"{text}; required {want}" + (f" {rule.unit}" if rule.unit else "") + note
        lab_ev = {"fact": f"lab.{key}", "value": round(x, 4), "unit": rule.unit or obs.unit, "how": how}
        return Outcome(ok, text, evidence=[lab_ev])
    fact = facts.get(var)
    if fact is None or isinstance(fact.value, (str, bool)) or fact.value is None:
        if fact is not None and isinstance(fact.value, str):
            try:
                val: Any = float(fact.value)
            except ValueError:
                return Outcome(None, f"{var} is {fact.value!r}, not a number", missing=[var])
        else:
            return Outcome(None, f"{var.replace('_', ' ')} not known", missing=[var])
    else:
        val = fact.value
    lo, hi = rule.value, rule.high
    per_year = _AGE_UNITS.get((rule.unit or "").strip().lower()) if var == "age" else None
    if per_year:  # "age >= 6 months": the patient's age is in years
        lo, hi = lo / per_year, (hi / per_year if hi is not None else None)
    res = _cmp_any(val, rule.cmp, lo, hi)
    unit = f" {rule.unit}" if rule.unit else ""
    shown = " years" if per_year else unit
    text = f"{var.replace('_', ' ')} {_fmt(val)}{shown}; required {want}{unit}"
    ev: dict[str, Any] = {"fact": var, "value": val if not isinstance(val, tuple) else list(val)}
    if fact is not None and fact.how != "given":
        ev["how"] = fact.how
    return Outcome(res, text, evidence=[ev], missing=[var] if res is None else [])


_ROMAN = ("IV", "III", "II", "I", "0")
_AGE_UNITS = {
    "month": 12.0,
    "months": 12.0,
    "mo": 12.0,
    "week": 52.1775,
    "weeks": 52.1775,
    "wk": 52.1775,
    "day": 365.25,
    "days": 365.25,
    "d": 365.25,
}


def _stage_base(s: str) -> str:
    s = s.upper().strip()
    for r in _ROMAN:
        if s.startswith(r):
            return r
    return s


def _norm_cat(var: str, v: str) -> str:
    s = str(v).strip().lower()
    if var == "cancer.grade":
        s = s.replace("grade", "g").replace(" ", "")
        if s and s[0].isdigit():
            s = "g" + s
    if var == "cancer.differentiation":
        s = s.replace("-", " ").replace("differentiated", "").strip()
        s = {"well": "well", "moderately": "well", "poorly": "poorly", "poor": "poorly"}.get(s, s)
    if var == "sex":
        s = {
            "f": "female",
            "woman": "female",
            "women": "female",
            "m": "male",
            "man": "male",
            "men": "male",
        }.get(s, s)
    return s


def is_leaf(rule: Is, facts: PatientFacts) -> Outcome:
    var = _canon_var(rule.var)
    fact = facts.get(var)
    if fact is None:
        return Outcome(None, f"{var.replace('_', ' ')} not known", missing=[var])
    val = str(fact.value)
    wanted = [str(v) for v in rule.values]
    if var == "cancer.stage_group":
        ok = any(_stage_base(val) == _stage_base(w) or val.upper() == w.upper() for w in wanted)
    else:
        nv = _norm_cat(var, val)
        ok = any(nv == _norm_cat(var, w) for w in wanted)
        if not ok and var in ("cancer.primary_site", "cancer.name", "cancer.functional_syndrome"):
            cs = T.concepts_of(val)
            ok = any(T.concept_matches(cs, val, w) or w.lower() in val.lower() for w in wanted)
    text = f"{var.replace('_', ' ')} is {val}; required one of {', '.join(wanted)}"
    ev = {"fact": var, "value": fact.value}
    if fact.how != "given":
        ev["how"] = fact.how
    return Outcome(ok, text, evidence=[ev])


def flag_leaf(rule: Flag, facts: PatientFacts) -> Outcome:
    var = _canon_var(rule.var)
    if var == "healthy_volunteer" and facts.get(var) is None:
        c = facts.patient.cancer
        if c is not None and c.name:
            return Outcome(
                False,
                f"not a healthy volunteer (has {c.name})",
                evidence=[{"fact": "cancer.name", "value": c.name}],
            )
    fact = facts.get(var)
    if fact is None:
        return Outcome(None, f"{var.replace('_', ' ')} not known", missing=[var])
    val = fact.value
    if isinstance(val, str):
        ok: Tri = val.strip().lower() in ("true", "yes", "1", "y")
    elif isinstance(val, (int, float, bool)):
        ok = bool(val)
    else:
        ok = None
    ev = {"fact": var, "value": val}
    if fact.how != "given":
        ev["how"] = fact.how
    return Outcome(
        ok, f"{var.replace('_', ' ')}: {'yes' if ok else 'no' if ok is False else val}", evidence=[ev]
    )
