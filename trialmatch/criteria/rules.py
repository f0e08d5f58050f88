"""The rule language: a tree of and / or / not / if-then over atomic tests.

A criterion's rule states the condition *as written*: for an inclusion criterion the rule
being true means the criterion is met; for an exclusion criterion the rule being true means
the excluding condition is present (the exclusion is "met" and the patient is excluded).

Evaluation is three-valued (true / false / unknown) and lives in ``trialmatch.matching``.
Nodes are frozen, slotted dataclasses: cheap to build, compare, pickle and evaluate at scale.
``to_dict`` / ``rule_from_dict`` give the stable JSON form shown by ``trialmatch criteria``.

Variables (``Compare.var`` / ``Is.var`` / ``Flag.var``) are dotted names, for example::

    age, sex, ecog, karnofsky, life_expectancy_months, bmi, weight_kg, prior_lines,
    lab.<key>            (key from vocab/labs.yaml: anc, platelets, hemoglobin, alt, crcl ...)
    vital.systolic_bp, vital.diastolic_bp, vital.qtc_ms, vital.lvef_percent
    cancer.ki67_percent, cancer.ne_component_percent, cancer.mitoses_per_2mm2,
    cancer.grade, cancer.differentiation, cancer.stage_group, cancer.krenning_score,
    cancer.metastatic, cancer.measurable_disease, cancer.resectable, cancer.resected,
    pregnant, breastfeeding, childbearing_potential, healthy_volunteer

Concepts (``Has.concept``) are ids from the vocabularies in ``trialmatch/vocab`` (for example
``mi``, ``dvt``, ``brain_metastases``, ``prrt``, ``nen.nec``); a concept matches itself and
its descendants.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Literal, Union

__all__ = [
    "CMP_OPS",
    "Admin",
    "And",
    "Compare",
    "Flag",
    "Has",
    "If",
    "Is",
    "Not",
    "Or",
    "Review",
    "Rule",
    "Window",
    "render_rule",
    "rule_from_dict",
    "rule_to_dict",
    "walk",
]

CMP_OPS = ("<", "<=", ">", ">=", "==", "!=", "between")


@dataclass(frozen=True, slots=True)
class Window:
    """A time window relative to the judging date (``as_of``).

    ``relation``: ``within`` = the event happened in the last ``amount`` ``unit``s (or is
    ongoing); ``before`` = it happened at least ``amount`` ``unit``s ago; ``after``: in the
    future (e.g. contraception "for 3 months after the last dose", not checkable now).
    ``unit`` is one of day, week, month, year.
    """

    amount: float
    unit: Literal["day", "week", "month", "year"]
    relation: Literal["within", "before", "after"] = "within"
    anchor: str | None = None  # as written: "prior to first dose", "study entry" ...

    @property
    def days(self) -> float:
        return self.amount * {"day": 1.0, "week": 7.0, "month": 30.4375, "year": 365.25}[self.unit]


@dataclass(frozen=True, slots=True)
class Compare:
    """A numeric test: ``var cmp value [unit]``.

    ``ref`` = "uln" / "lln" means the value is a multiple of the patient's upper / lower limit of
    normal (``ALT <= 2.5 x ULN``). ``between`` uses ``value`` and ``high`` (both inclusive).
    ``window``: the measurement must be this recent (rarely used).
    """

    var: str
    cmp: str
    value: float
    unit: str | None = None
    ref: Literal["uln", "lln"] | None = None
    high: float | None = None
    window: Window | None = None
    op: Literal["compare"] = "compare"


@dataclass(frozen=True, slots=True)
class Is:
    """A categorical test: the patient's ``var`` is one of ``values`` (e.g. sex, grade)."""

    var: str
    values: tuple[str, ...]
    op: Literal["is"] = "is"


@dataclass(frozen=True, slots=True)
class Flag:
    """A yes/no fact about the patient (``cancer.metastatic``, ``pregnant`` ...)."""

    var: str
    op: Literal["flag"] = "flag"


@dataclass(frozen=True, slots=True)
class Has:
    """The patient has (or had) something matching ``concept``.

    ``kinds`` limits where to look: diagnosis (the main cancer: histology), site (primary site),
    metastasis, condition, other_cancer, treatment, medication, procedure, allergy, biomarker,
    imaging, trial_participation. Empty = everywhere.
    ``window``: it happened within / before the window. ``status``: only ``active`` (current,
    uncontrolled, progressing), ``any`` (ever) or ``history``.
    ``qualifiers``: extra constraints as written, e.g. {"origin": "germline"},
    {"uncontrolled": True}, {"min_nyha": 2}, {"outcome": "progression"}, {"major": True}.
    """

    concept: str
    kinds: tuple[str, ...] = ()
    window: Window | None = None
    status: Literal["active", "any", "history"] = "any"
    qualifiers: tuple[tuple[str, Any], ...] = ()
    op: Literal["has"] = "has"

    def qualifier(self, name: str, default: Any = None) -> Any:
        for k, v in self.qualifiers:
            if k == name:
                return v
        return default


@dataclass(frozen=True, slots=True)
class Review:
    """A part that needs a person: the parser could not compute it, or the text leaves it to the
    investigator. Always evaluates to unknown; ``question`` says what would settle it."""

    reason: str
    question: str | None = None
    investigator: bool = False
    op: Literal["review"] = "review"


@dataclass(frozen=True, slots=True)
class Admin:
    """Consent, compliance, willingness, registration: settled at enrolment, not from records."""

    what: str = "consent"
    op: Literal["admin"] = "admin"


@dataclass(frozen=True, slots=True)
class And:
    args: tuple[Rule, ...]
    op: Literal["and"] = "and"


@dataclass(frozen=True, slots=True)
class Or:
    args: tuple[Rule, ...]
    op: Literal["or"] = "or"


@dataclass(frozen=True, slots=True)
class Not:
    arg: Rule
    op: Literal["not"] = "not"


@dataclass(frozen=True, slots=True)
class If:
    """``if cond then then_ else else_`` (``else_`` None = not applicable / true when cond false)."""

    cond: Rule
    then: Rule
    else_: Rule | None = None
    op: Literal["if"] = "if"


Rule = Union[And, Or, Not, If, Compare, Is, Flag, Has, Review, Admin]

_NODES: dict[str, type] = {
    "and": And,
    "or": Or,
    "not": Not,
    "if": If,
    "compare": Compare,
    "is": Is,
    "flag": Flag,
    "has": Has,
    "review": Review,
    "admin": Admin,
}


def walk(rule: Rule | None) -> Iterator[Rule]:
    """Every node of ``rule``, the rule itself first (nothing for None)."""
    if rule is None:
        return
    yield rule
    if isinstance(rule, (And, Or)):
        for a in rule.args:
            yield from walk(a)
    elif isinstance(rule, Not):
        yield from walk(rule.arg)
    elif isinstance(rule, If):
        yield from walk(rule.cond)
        yield from walk(rule.then)
        yield from walk(rule.else_)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _plain(obj: Any) -> Any:
    """``clean(asdict(obj))`` of the former ``rule_to_dict`` in one pass, without deep copies: dataclass
    fields in order, those None / () / [] left out, tuples as lists, dict values filtered alike."""
    names = _FIELD_NAMES.get(type(obj))
    if names is None and is_dataclass(obj) and not isinstance(obj, type):
        names = _FIELD_NAMES[type(obj)] = tuple(f.name for f in fields(obj))
    if names is not None:
        out: dict[str, Any] = {}
        for n in names:
            v = getattr(obj, n)
            t = type(v)
            if t is str or t is float or t is bool or t is int:
                out[n] = v
            elif v is None or (isinstance(v, (tuple, list)) and not v):  # == () or == []
                continue
            else:
                out[n] = _plain(v)
        return out
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items() if v is not None and v != () and v != []}
    return obj


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    """The JSON form: ``{"op": ..., ...}``, None-valued fields left out."""
    d = _plain(rule)
    if isinstance(rule, Has) and rule.qualifiers:
        d["qualifiers"] = {k: v for k, v in rule.qualifiers}
    return d  # type: ignore[no-any-return]


def rule_from_dict(d: dict[str, Any]) -> Rule:
    """Inverse of :func:`rule_to_dict`; raises ``ValueError`` on an unknown ``op``."""
    op = d.get("op")
    cls = _NODES.get(str(op))
    if cls is None:
        raise ValueError(f"unknown rule op {op!r}")
    kw = {k: v for k, v in d.items() if k != "op"}
    if cls in (And, Or):
        return cls(args=tuple(rule_from_dict(a) for a in kw["args"]))  # type: ignore[no-any-return]
    if cls is Not:
        return Not(arg=rule_from_dict(kw["arg"]))
    if cls is If:
        return If(
            cond=rule_from_dict(kw["cond"]),
            then=rule_from_dict(kw["then"]),
            else_=rule_from_dict(kw["else_"]) if kw.get("else_") else None,
        )
    if "window" in kw and kw["window"] is not None:
        kw["window"] = Window(**kw["window"])
    if cls is Is:
        kw["values"] = tuple(kw.get("values", ()))
    if cls is Has:
        kw["kinds"] = tuple(kw.get("kinds", ()))
        q = kw.get("qualifiers") or {}
        kw["qualifiers"] = tuple(q.items()) if isinstance(q, dict) else tuple(tuple(x) for x in q)
    return cls(**kw)  # type: ignore[no-any-return]


def render_rule(rule: Rule) -> str:
    """A compact human reading of a rule, e.g. ``lab.alt <= 2.5 x ULN``."""
    if isinstance(rule, And):
        return "(" + " AND ".join(render_rule(a) for a in rule.args) + ")"
    if isinstance(rule, Or):
        return "(" + " OR ".join(render_rule(a) for a in rule.args) + ")"
    if isinstance(rule, Not):
        return "NOT " + render_rule(rule.arg)
    if isinstance(rule, If):
        s = f"IF {render_rule(rule.cond)} THEN {render_rule(rule.then)}"
        return s + (f" ELSE {render_rule(rule.else_)}" if rule.else_ is not None else "")
    if isinstance(rule, Compare):
        v = f"{rule.value:g}-{rule.high:g}" if rule.cmp == "between" else f"{rule.value:g}"
        unit = " x " + rule.ref.upper() if rule.ref else (f" {rule.unit}" if rule.unit else "")
        return f"{rule.var} {rule.cmp} {v}{unit}"
    if isinstance(rule, Is):
        return f"{rule.var} in {{{', '.join(rule.values)}}}"
    if isinstance(rule, Flag):
        return rule.var
    if isinstance(rule, Has):
        s = f"has {rule.concept}"
        if rule.status != "any":
            s += f" ({rule.status})"
        if rule.window is not None:
            w = rule.window
            s += f" {w.relation} {w.amount:g} {w.unit}s"
        if rule.qualifiers:
            s += " [" + ", ".join(f"{k}={v}" for k, v in rule.qualifiers) + "]"
        return s
    if isinstance(rule, Review):
        return f"review: {rule.reason}"
    return f"admin: {rule.what}"

