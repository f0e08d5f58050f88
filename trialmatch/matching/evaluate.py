"""Three-valued evaluation of rules against a patient's facts. Pure: (rule, PatientFacts).

Every node evaluates to True, False or None (unknown). Leaves (``Compare``, ``Is``, ``Flag``,
``Has``) produce an :class:`Outcome` with plain-words explanation, the evidence used (values after
conversion) and, when unknown, the facts that would settle it; leaf outcomes are memoised per
patient (rules are hashable), so a leaf shared by many trials is computed once.

``compile_rule(rule)`` gives a fast closure returning only the truth value (used to screen
thousands of trials); ``explain_rule`` / ``evaluate_criterion`` give the full reasons. The leaves
themselves are evaluated in :mod:`trialmatch.matching.evaluate_leaves`.

The rule states the condition as written. For an exclusion the rule true means the excluding
condition is present (the exclusion is "met"). ``Admin`` parts (consent, compliance) are settled at
enrolment: they count as satisfied, i.e. true in an inclusion and false in an exclusion.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trialmatch.criteria.model import Criterion
from trialmatch.criteria.rules import Admin, And, Compare, Flag, Has, If, Is, Not, Or, Review, Rule
from trialmatch.matching.evaluate_leaves import Outcome, Tri, compare_leaf, flag_leaf, is_leaf
from trialmatch.matching.facts_has import eval_has
from trialmatch.matching.model import CriterionResult
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
            out = compare_leaf(rule, facts)
        elif isinstance(rule, Is):
            out = is_leaf(rule, facts)
        elif isinstance(rule, Flag):
            out = flag_leaf(rule, facts)
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


def _junction(fns: list[Fn], decisive: bool) -> Fn:
    """And (``decisive`` False) or Or (True): the first part with the decisive value decides; else
    unknown when any part is, else the other value."""

    def f_junction(facts: PatientFacts) -> Tri:
        unknown = False
        for fn in fns:
            v = fn(facts)
            if v is decisive:
                return decisive
            if v is None:
                unknown = True
        return None if unknown else not decisive

    return f_junction


def compile_rule(rule: Rule, admin_value: bool = True) -> Fn:
    """A closure giving the rule's truth value for a patient's facts (True / False / None)."""
    if isinstance(rule, (And, Or)):
        return _junction([compile_rule(a, admin_value) for a in rule.args], decisive=isinstance(rule, Or))
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
