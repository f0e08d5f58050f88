"""An item made of independent clauses separated by semicolons ("Patients cannot have had prior
chemotherapy for SCLC; patients receiving prior radiation cannot register within 7 days ...; no
previous irradiation to ..."): when the item read whole needs a person, each clause is read on its
own and the clauses are combined (inclusion: all must hold; exclusion: any one excludes).

Only when every clause opens a requirement of its own (a subject, a negation, a history or treatment
word: ``parse.clause_lead``) and none modifies another (a permission, a note, a clause opening with a
connective such as "however" / "unless", a phase or cohort named), the clauses leave no more parts
to a person than the whole did and compute more from the record; otherwise the whole rule stands.
"""

from __future__ import annotations

from collections.abc import Callable

from trialmatch.criteria.lexicon import has_phrase
from trialmatch.criteria.rules import Admin, And, Not, Or, Review, Rule
from trialmatch.vocab.patterns import pattern

__all__ = ["clause_rule", "clauses"]

_CONNECTIVE = pattern("parse.clause_connective")
_LEAD = pattern("parse.clause_lead")
_PERMISSION = pattern("parse.clause_permission")

Builder = Callable[[str], tuple[str, Rule, str | None]]


def clauses(t: str) -> list[str]:
    """The semicolon-separated clauses of ``t`` outside brackets (one clause when there are none)."""
    out: list[str] = []
    depth, start = 0, 0
    for i, ch in enumerate(t):
        if ch in "([":
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
        elif ch == ";" and depth == 0:
            out.append(t[start:i].strip())
            start = i + 1
    out.append(t[start:].strip())
    return [c for c in out if c]


def _reviews(rule: Rule) -> int:
    if isinstance(rule, Review):
        return 0 if rule.investigator else 1
    if isinstance(rule, (And, Or)):
        return sum(_reviews(a) for a in rule.args)
    if isinstance(rule, Not):
        return _reviews(rule.arg)
    return 0


def _computable(rule: Rule) -> int:
    """How many leaves of ``rule`` are computed from the record (not a Review, not an Admin)."""
    if isinstance(rule, (And, Or)):
        return sum(_computable(a) for a in rule.args)
    if isinstance(rule, Not):
        return _computable(rule.arg)
    return 0 if isinstance(rule, (Review, Admin)) else 1


#: notes of a clause that leans on another clause (a permission, an exception, a note)
_LEANING = frozenset(
    {"conditional permission", "note", "an exception to the item before", "a permission, not a requirement"}
)


def clause_rule(t: str, kind: str, whole: Rule, build: Builder) -> tuple[Rule, str | None] | None:
    """(rule, category of the first clause with a computable rule) from the clauses of ``t``, or
    None when the whole item's rule ``whole`` should stand. ``build(clause)`` gives a clause's
    (category, rule, note)."""
    if ";" not in t or _reviews(whole) == 0:
        return None
    parts = clauses(t)
    if len(parts) < 2 or any(
        len(p.split()) < 3 or _CONNECTIVE.match(p) or not _LEAD.match(p) or _PERMISSION.search(p)
        for p in parts
    ):
        return None  # a clause that does not open a requirement of its own, or lifts one
    if any(has_phrase("permissive_cues", p) for p in parts):
        return None  # a permission may lift what another clause asks (an exception stays in its clause)
    built = [build(p) for p in parts]
    if any(note in _LEANING or r == Admin("allowed") for _, r, note in built):
        return None  # a clause that permits, excepts or notes: it modifies another clause
    rules = [r for _, r, _ in built]
    combined: Rule = And(tuple(rules)) if kind == "inclusion" else Or(tuple(rules))
    if _reviews(combined) > _reviews(whole) or _computable(combined) <= _computable(whole):
        return None
    cat = next((c for c, r, _ in built if _computable(r)), None)
    return combined, cat
