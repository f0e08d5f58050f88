"""An item made of independent clauses separated by semicolons ("Patients cannot have had prior
chemotherapy for SCLC; patients receiving prior radiation cannot register within 7 days ...; no
previous irradiation to ..."): when the item read whole needs a person, each clause is read on its
own and the clauses are combined (inclusion: all must hold; exclusion: any one excludes).

Only when every clause opens a requirement of its own (a subject, a negation, a history or treatment
word: ``parse.clause_lead``) or is a permission / note about things no other clause names (nor a
kind of them), none opens with a connective ("however", "unless") or names a phase or cohort, and
the clauses leave no more parts to a person than the whole did and compute more from the record;
otherwise the whole item's rule stands.
"""

from __future__ import annotations

from collections.abc import Callable

from trialmatch.criteria.clinical import split_exceptions
from trialmatch.criteria.lexicon import has_phrase
from trialmatch.criteria.rules import Admin, And, Not, Or, Review, Rule
from trialmatch.vocab.concepts import concepts_in, is_a
from trialmatch.vocab.patterns import pattern

__all__ = ["clause_rule", "clauses"]

# (the two anchored patterns are asked with ``.rx.match``: the regex fails within the first characters,
# cheaper than the Cue's scan of the whole clause for the strings a match needs)
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


def _names(text: str) -> set[str]:
    return {h.concept for h in concepts_in(text)}


def _related(a: set[str], b: set[str]) -> bool:
    return any(x == y or is_a(x, y) or is_a(y, x) for x in a for y in b)


def clause_rule(t: str, kind: str, whole: Rule, build: Builder) -> tuple[Rule, str | None] | None:
    """(rule, category of the first clause with a computable rule) from the clauses of ``t``, or
    None when the whole item's rule ``whole`` should stand. ``build(clause)`` gives a clause's
    (category, rule, note)."""
    if ";" not in t or _reviews(whole) == 0:
        return None
    parts = clauses(t)
    if len(parts) < 2 or any(len(p.split()) < 3 for p in parts):
        return None
    built = [build(p) for p in parts]
    if any(r == Admin("allowed") for _, r, _ in built):
        return None  # a bare permission: what it lifts is not said
    grants = [note in _LEANING for _, _, note in built]
    if all(grants):
        return None
    asked: set[str] = set()
    for p, grant in zip(parts, grants, strict=True):
        if grant:
            continue
        if _CONNECTIVE.rx.match(p) or not _LEAD.rx.match(p) or _PERMISSION.search(p):
            return None  # a clause that does not open a requirement of its own, or lifts one
        if has_phrase("permissive_cues", p) and not (
            split_exceptions(p)[1] and not _names(p) & _names(" ".join(x for x in parts if x != p))
        ):
            return None  # a permission not read as an exception of its own clause may reach into another
        asked |= _names(p)
    for p, grant, (_, r, _) in zip(parts, grants, built, strict=True):
        # a conditional permission or note (left to a person) stands beside the others only when
        # what it names is not (a kind of) anything another clause asks about: "...warfarin are
        # excluded; Note: low molecular weight heparin is permitted provided INR <= 1.5"
        if grant and (not asked or not _names(p) or _related(_names(p), asked) or _computable(r)):
            return None
    rules = [r for _, r, _ in built]
    combined: Rule = And(tuple(rules)) if kind == "inclusion" else Or(tuple(rules))
    if _reviews(combined) > _reviews(whole) or _computable(combined) <= _computable(whole):
        return None
    cat = next((c for c, r, _ in built if _computable(r)), None)
    return combined, cat
