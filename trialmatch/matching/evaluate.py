"""Three-valued evaluation of rules against a patient's facts. Pure: (rule, PatientFacts).

Every node evaluates to True, False or None (unknown). Leaves (``Compare``, ``Is``, ``Flag``,
``Has``) produce an :class:`Outcome` with plain-words explanation, the evidence used (values after
conversion) and, when unknown, the facts that would settle it; leaf outcomes are memoised per
patient (rules are hashable), so a leaf shared by many trials is computed once.

``compile_rule(rule)`` gives a fast closure returning only the truth value (used to screen
thousands of trials); ``explain_rule`` / ``evaluate_criterion`` give the full reasons.

The rule states the condition as written. For an exclusion the rule true means the excluding
condition is present (the exclusion is "met"). ``Admin`` parts (consent, compliance) are settled at
enrolment: they count as satisfied, i.e. true in an inclusion and false in an exclusion.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from trialmatch.criteria.model import Criterion
from trialmatch.criteria.rules import Admin, And, Compare, Flag, Has, If, Is, Not, Or, Review, Rule
from trialmatch.matching.facts_has import eval_has
from trialmatch.matching.model import CriterionResult
from trialmatch.patients import terms as T
from trialmatch.patients.derive import PatientFacts

__all__ = [
    "Outcome",
    "Tri",
    "compile_rule",
    "criterion_value",
    "evaluate_criterion",
    "explain_rule",
    "leaf_outcome",
]

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


def _compare(rule: Compare, facts: PatientFacts) -> Outcome:
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
                    obs, note = facts.lab(alt_key), f" (using {alt_key} for {raw})"
                    key = alt_key
                    break
        if obs is None:
            return Outcome(None, f"{raw} not known", missing=[f"lab.{raw}"])
        if (
            rule.window is not None
            and obs.date is not None
            and (facts.as_of - obs.date).days > rule.window.days
        ):
            return Outcome(None, f"{obs.name} result of {obs.date} is too old", missing=[f"lab.{raw}"])
        if rule.ref is not None:
            limit = obs.uln if rule.ref == "uln" else obs.lln
            if not limit:
                return Outcome(
                    None,
                    f"{obs.name} {obs.value:g} {obs.unit or ''}: no {rule.ref.upper()} given",
                    evidence=[{"fact": f"lab.{key}", "value": obs.value, "unit": obs.unit}],
                    missing=[f"lab.{key}.{rule.ref}"],
                )
            x = obs.value / limit
            ok = _cmp(x, rule.cmp, rule.value, rule.high)
            text = (
                f"{obs.name} {obs.value:g} {obs.unit or ''} = {x:.2f} x {rule.ref.upper()} ({limit:g}); "
                f"required {want} x {rule.ref.upper()}{note}"
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
                f"{obs.name} {obs.value:g} {obs.unit}: cannot convert to {rule.unit}",
                evidence=[{"fact": f"lab.{key}", "value": obs.value, "unit": obs.unit}],
                missing=[f"lab.{raw}"],
            )
        x, how = conv
        ok = _cmp(x, rule.cmp, rule.value, rule.high)
        shown = rule.unit or obs.unit or ""
        text = f"{obs.name} {_fmt(x)} {shown}; required {want} {rule.unit or ''}{note}".strip()
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


def _is(rule: Is, facts: PatientFacts) -> Outcome:
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


def _flag(rule: Flag, facts: PatientFacts) -> Outcome:
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


_SLOTS: dict[Any, int] = {}


def _slot(rule: Rule) -> int:
    """A small integer per distinct leaf (equal leaves of different trials share it)."""
    try:
        slot = _SLOTS.get(rule)
        if slot is None:
            slot = _SLOTS[rule] = len(_SLOTS) + 1
        return slot
    except TypeError:  # an unhashable qualifier value: no sharing
        return -id(rule)


def leaf_outcome(
    rule: Rule, facts: PatientFacts, admin_value: bool = True, slot: int | None = None
) -> Outcome:
    """The outcome of one leaf (memoised per patient)."""
    if isinstance(rule, Admin):
        return Outcome(admin_value, f"{rule.what}: settled at enrolment, not from records")
    if isinstance(rule, Review):
        q = rule.question or rule.reason
        who = "the investigator" if rule.investigator else "a person"
        return Outcome(None, f"left to {who}: {q}", missing=[f"review: {q}"])
    if slot is None:
        slot = _slot(rule)
    cache = facts.cache
    hit = cache.get(slot)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    try:
        if isinstance(rule, Compare):
            out = _compare(rule, facts)
        elif isinstance(rule, Is):
            out = _is(rule, facts)
        elif isinstance(rule, Flag):
            out = _flag(rule, facts)
        elif isinstance(rule, Has):
            v, text, ev, missing = eval_has(rule, facts)
            out = Outcome(v, text, ev, missing)
        else:
            out = Outcome(None, f"cannot evaluate {type(rule).__name__}", missing=["review"])
    except (TypeError, ValueError, AttributeError, ZeroDivisionError) as exc:  # a malformed rule
        out = Outcome(
            None, f"rule could not be evaluated ({type(exc).__name__})", missing=["review: malformed rule"]
        )
    cache[slot] = out
    return out


# ---------------------------------------------------------------- fast closures

Fn = Callable[[PatientFacts], Tri]


def _and(vals: list[Tri]) -> Tri:
    if any(v is False for v in vals):
        return False
    return True if all(v is True for v in vals) else None


def compile_rule(rule: Rule, admin_value: bool = True) -> Fn:
    """A closure giving the rule's truth value for a patient's facts (True / False / None)."""
    if isinstance(rule, And):
        fns = [compile_rule(a, admin_value) for a in rule.args]

        def f_and(facts: PatientFacts) -> Tri:
            unknown = False
            for fn in fns:
                v = fn(facts)
                if v is False:
                    return False
                if v is None:
                    unknown = True
            return None if unknown else True

        return f_and
    if isinstance(rule, Or):
        fns = [compile_rule(a, admin_value) for a in rule.args]

        def f_or(facts: PatientFacts) -> Tri:
            unknown = False
            for fn in fns:
                v = fn(facts)
                if v is True:
                    return True
                if v is None:
                    unknown = True
            return None if unknown else False

        return f_or
    if isinstance(rule, Not):
        inner = compile_rule(rule.arg, not admin_value)

        def f_not(facts: PatientFacts) -> Tri:
            v = inner(facts)
            return None if v is None else not v

        return f_not
    if isinstance(rule, If):
        cond = compile_rule(rule.cond, admin_value)
        then = compile_rule(rule.then, admin_value)
        other = compile_rule(rule.else_, admin_value) if rule.else_ is not None else None

        def f_if(facts: PatientFacts) -> Tri:
            c = cond(facts)
            if c is True:
                return then(facts)
            e = other(facts) if other is not None else True
            if c is False:
                return e
            t = then(facts)
            return t if t == e else None

        return f_if
    if isinstance(rule, Admin):
        return lambda facts: admin_value
    if isinstance(rule, Review):
        return lambda facts: None

    slot = _slot(rule)

    def f_leaf(facts: PatientFacts) -> Tri:
        hit = facts.cache.get(slot)
        if hit is None:
            hit = leaf_outcome(rule, facts, slot=slot)
        return hit.value  # type: ignore[no-any-return]

    return f_leaf


# ---------------------------------------------------------------- full explanations


def _merge(value: Tri, parts: list[Outcome], sep: str) -> Outcome:
    # keep the parts that decided the value
    if value is None:
        keep = [p for p in parts if p.value is None] or parts
    else:
        keep = [p for p in parts if p.value is value] or parts
    out = Outcome(value, sep.join(p.explanation for p in keep if p.explanation))
    for p in keep:
        out.evidence.extend(p.evidence)
        if value is None:
            out.missing.extend(m for m in p.missing if m not in out.missing)
    return out


def explain_rule(rule: Rule, facts: PatientFacts, admin_value: bool = True) -> Outcome:
    """The rule's value with explanation, evidence and missing facts."""
    if isinstance(rule, And):
        parts = [explain_rule(a, facts, admin_value) for a in rule.args]
        return _merge(_and([p.value for p in parts]), parts, "; ")
    if isinstance(rule, Or):
        parts = [explain_rule(a, facts, admin_value) for a in rule.args]
        vals = [p.value for p in parts]
        v: Tri = True if any(x is True for x in vals) else (False if all(x is False for x in vals) else None)
        return _merge(v, parts, " or ")
    if isinstance(rule, Not):
        inner = explain_rule(rule.arg, facts, not admin_value)
        val = None if inner.value is None else not inner.value
        return Outcome(val, inner.explanation, inner.evidence, inner.missing)
    if isinstance(rule, If):
        c = explain_rule(rule.cond, facts, admin_value)
        if c.value is True:
            t = explain_rule(rule.then, facts, admin_value)
            return Outcome(
                t.value, f"since {c.explanation}: {t.explanation}", c.evidence + t.evidence, t.missing
            )
        e = explain_rule(rule.else_, facts, admin_value) if rule.else_ is not None else Outcome(True, "")
        if c.value is False:
            expl = f"not {c.explanation}" + (f": {e.explanation}" if e.explanation else " (does not apply)")
            return Outcome(e.value, expl, c.evidence + e.evidence, e.missing)
        t = explain_rule(rule.then, facts, admin_value)
        if t.value == e.value:
            return Outcome(t.value, t.explanation or e.explanation, t.evidence + e.evidence, [])
        return Outcome(None, f"depends on {c.explanation}", c.evidence, c.missing + t.missing + e.missing)
    return leaf_outcome(rule, facts, admin_value)


# ---------------------------------------------------------------- criteria


def criterion_value(crit: Criterion, facts: PatientFacts) -> tuple[str, Outcome]:
    """(verdict, outcome) of one criterion; verdict is met / not_met / unknown / not_applicable."""
    admin_value = crit.kind == "inclusion"
    if crit.applies_if is not None:
        a = explain_rule(crit.applies_if, facts)
        if a.value is False:
            return "not_applicable", Outcome(None, f"does not apply: not {a.explanation}", a.evidence)
    if crit.rule is None:
        reason = crit.note or "not turned into a rule"
        return "unknown", Outcome(None, f"needs review ({reason})", missing=[f"review: {crit.text[:120]}"])
    out = explain_rule(crit.rule, facts, admin_value)
    if out.value is None:
        return "unknown", out
    return ("met" if out.value else "not_met"), out


def evaluate_criterion(crit: Criterion, facts: PatientFacts) -> CriterionResult:
    verdict, out = criterion_value(crit, facts)
    expl = out.explanation
    if verdict == "met" and crit.kind == "exclusion":
        expl = f"Excluded: {expl}"
    elif verdict == "not_met" and crit.kind == "inclusion":
        expl = f"Not met: {expl}"
    elif verdict == "unknown":
        expl = f"Unknown: {expl}"
    return CriterionResult.model_construct(
        kind=crit.kind,
        text=crit.text,
        category=crit.category,
        verdict=verdict,  # type: ignore[arg-type]
        explanation=expl,
        evidence=_jsonable(out.evidence),
        missing=list(dict.fromkeys(out.missing)),
        source=crit.source,
        index=crit.index,
    )


def _jsonable(ev: list[dict[str, Any]]) -> list[dict[str, Any]]:
    import datetime as dt

    out = []
    for e in ev:
        out.append({k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in e.items()})
    return out
