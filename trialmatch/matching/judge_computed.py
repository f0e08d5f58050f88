"""Numeric criteria (labs, vitals, ECOG, Ki-67 ...) parsed by the shared criteria parser and evaluated
by the shared evaluator on the values a note gives."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from trialmatch.matching.judge_base import Decision
from trialmatch.matching.judge_measure import MEASURE_NUM

if TYPE_CHECKING:
    from trialmatch.matching.judge import JudgeContext

__all__ = ["rule_computable"]

_COMPUTABLE_VARS = re.compile(
    r"^(lab\.|vital\.|ecog$|karnofsky$|bmi$|weight_kg$|height_cm$|cancer\.ki67_percent$|"
    r"cancer\.mitoses_per_2mm2$|life_expectancy_months$)"
)


_INITIAL = re.compile(
    r"\b(initial|first|at (?:presentation|admission|diagnosis)|on admission|admission)\b", re.I
)


def _computable(rule: object) -> bool:
    from trialmatch.criteria import rules as R

    if isinstance(rule, (R.And, R.Or)):
        return all(_computable(a) for a in rule.args)
    if isinstance(rule, R.Not):
        return _computable(rule.arg)
    if isinstance(rule, R.Compare):
        return bool(_COMPUTABLE_VARS.match(rule.var))
    return False


def rule_computable(ctx: JudgeContext, text: str, kind: str) -> Decision | None:
    """Numeric criteria (labs, vitals, ECOG, Ki-67 ...) parsed by the criteria parser and evaluated on the
    values the note gives; silent notes fall through to the other rules."""
    if not MEASURE_NUM.search(text) or not (ctx.labs or ctx.patient.performance_status or ctx.patient.cancer):
        return None
    try:
        import datetime as dt

        from trialmatch.criteria import parse_item
        from trialmatch.matching.evaluate import criterion_value
        from trialmatch.patients.derive import PatientFacts
    except ImportError:
        return None
    crit = parse_item(text[:1000], kind)
    if crit.rule is None or not _computable(crit.rule):
        return None
    when = ctx.as_of or ctx.patient.as_of
    if when is None:
        if ctx.patient.birth_date is not None and ctx.patient.age is None:
            return None  # an age would need the judging date
        when = dt.date(2000, 1, 1)  # values compared here do not depend on the date
    if _INITIAL.search(text) and ctx.patient.labs:
        # "initial haemoglobin < 90 g/L": the first value the note gives, not the latest
        first: dict[str, object] = {}
        for lab in ctx.patient.labs:
            first.setdefault(lab.name or "", lab)
        facts = PatientFacts.build(ctx.patient.model_copy(update={"labs": list(first.values())}), when)
    else:
        if ctx.facts is None:
            ctx.facts = PatientFacts.build(ctx.patient, when)
        facts = ctx.facts
    verdict, out = criterion_value(crit, facts)
    if verdict not in ("met", "not_met"):
        return None
    names = {f.name for f in ctx.patient.facts or [] if f.kind in ("lab", "performance_status", "cancer")}
    sents = [
        i
        for i, s in enumerate(ctx.sentences)
        if any(f.source_text == s for f in ctx.patient.facts or [] if f.name in names)
        and any(w in out.explanation.lower() for w in (re.sub(r"\W", " ", s.lower()).split()))
    ]
    return Decision(
        "met" if verdict == "met" else "not_met",
        out.explanation[:1].upper() + out.explanation[1:] + ".",
        "computed",
        sents[:3],
    )
