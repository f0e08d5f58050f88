"""A permission with conditions written among the exclusions, whose conditions the rule does not read.

"The patient has CNS involvement. If the patient fulfills the following 3 criteria, she/he is
eligible for the study: completed prior therapy ..., CNS tumour radiologically stable ..., not
receiving steroids ..." excludes a patient with CNS involvement only when the conditions are not
met. The item's rule is read from its text ("exclude if CNS involvement"); where the conditions are
not read into it, ``guard_permission`` keeps what the rule can tell (a patient without CNS
involvement is not excluded by the item) and leaves the rest to a person: the part of the rule the
permission lifts becomes ``And(part, Review(<the conditions>))``, unknown for a patient who has it.

The conditions are taken as not read when the rule built from the text before the permission (its
sentence and what follows are the permission and its conditions) is the rule of the whole item: a
reader that understood the permission ("treated, stable brain metastases are allowed if ...": active
CNS metastases only) builds another rule from the whole text, and that rule stands. A permission
that names something the rule does not test (women of childbearing potential, a lab value) leaves
the rule as it is, and so does one that is the item's first sentence (``parse_post`` reads that as
a permission among the exclusions).
"""

from __future__ import annotations

from collections.abc import Callable

from trialmatch.criteria.clinical import concepts_in
from trialmatch.criteria.lexicon import has_phrase
from trialmatch.criteria.rules import Admin, And, Has, Not, Or, Review, Rule, walk
from trialmatch.vocab.concepts import is_a
from trialmatch.vocab.patterns import pattern

__all__ = ["PERMISSION_REASON", "guard_permission", "permission_span", "with_conditions"]

PERMISSION_REASON = "conditions of a permission"
_PROVISO = pattern("permission.proviso")
_SENTENCE_END = pattern("permission.sentence_end")
_NOT_PERMITTED = pattern("clinical.not_permitted")
_SAME_SUBJECT = pattern("permission.same_subject")
#: the text before the permission must say something of its own
MIN_MAIN = 8


def permission_span(t: str) -> tuple[int, int] | None:
    """Where the first sentence of ``t`` granting a permission with conditions starts and ends (not
    the first sentence; a sentence ends at ".", ";" or ":" followed by white space), or None."""
    if not _PROVISO.search(t) or not has_phrase("permissive_cues", t):
        return None
    starts = [m.end() for m in _SENTENCE_END.rx.finditer(t)]
    ends = [*(m.start() for m in _SENTENCE_END.rx.finditer(t)), len(t)]
    for s, e in zip(starts, ends[1:], strict=True):
        sentence = t[s:e]
        if (
            _PROVISO.search(sentence)
            and has_phrase("permissive_cues", sentence)
            and not _NOT_PERMITTED.search(sentence)
            and sum(c.isalnum() for c in t[:s]) >= MIN_MAIN
        ):
            return s, e
    return None


def _leaf_concepts(rule: Rule) -> set[str]:
    """The concepts the ``Has`` tests of ``rule`` look for."""
    return {n.concept for n in walk(rule) if isinstance(n, Has)}


def _plain(rule: Rule) -> bool:
    """A rule that tests the record and holds no question of its own."""
    return not any(isinstance(n, (Review, Admin)) for n in walk(rule))


def _question(permission: str) -> Review:
    q = f"The item allows such patients if they meet its conditions: does the patient? ({permission[:240]})"
    return Review(PERMISSION_REASON, q)


def with_conditions(rule: Rule, text: str) -> Rule:
    """``rule`` with its permission's question naming the conditions ``text`` lists after the
    permission (conditions joined to the item: ``conditions.join_conditions``)."""
    if isinstance(rule, Review) and rule.reason == PERMISSION_REASON:
        span = permission_span(text)
        return rule if span is None else _question(text[span[0] :])
    if isinstance(rule, (And, Or)):
        return type(rule)(tuple(with_conditions(a, text) for a in rule.args))
    return rule


def _open(rule: Rule) -> bool:
    """A part of a rule a permission can lift: it tests the presence of something (``Has``) not
    narrowed already to the active, uncontrolled ones or to a time window ("active CNS metastases",
    "malignancy within 5 years": a permission then grants what the rule lets through anyway)."""
    if isinstance(rule, Has):
        return rule.status != "active" and rule.window is None and not rule.qualifier("uncontrolled")
    if isinstance(rule, And):
        return any(_open(a) for a in rule.args) and not any(_narrowed(a) for a in rule.args)
    if isinstance(rule, Or):
        return all(_open(a) for a in rule.args)
    return False


def _narrowed(rule: Rule) -> bool:
    return isinstance(rule, Has) and not _open(rule)


def _lift(part: Rule, named: set[str], question: Review) -> Rule | None:
    """``part`` of the rule with what the permission lifts left to a person, or None when the
    permission lifts none of it. It lifts all of it when it names no concept ("she/he is
    eligible if ...": ``same_subject``) or names what the part tests; a kind of it ("CNS involvement.
    Patients with brain metastases are eligible if ...") is lifted for that kind only."""
    if not _open(part):
        return None
    if not named:
        return And((part, question))
    tested = _leaf_concepts(part)
    if tested & named:
        return And((part, question))
    if isinstance(part, Has):
        kinds = sorted(x for x in named if any(is_a(x, y) for y in tested))
        if kinds:
            sub = [Has(x, part.kinds) for x in kinds]
            within: Rule = sub[0] if len(sub) == 1 else Or(tuple(sub))
            return Or((And((part, Not(within))), And((within, question))))
    return None


def guard_permission(rule: Rule, t: str, main_rule: Callable[[str], Rule]) -> Rule:
    """The rule of exclusion item ``t`` with the part a permission with conditions lifts left to a
    person (see the module docstring). ``main_rule(text)`` builds the rule of a text as the item's was."""
    span = permission_span(t)
    if span is None or not _plain(rule) or not _leaf_concepts(rule):
        return rule
    start, end = span
    sentence = t[start:end]
    named = {h.concept for h in concepts_in(sentence)}
    if not named and not _SAME_SUBJECT.search(sentence):
        return rule  # it names neither what it allows nor the item's own subject
    question = _question(t[start:])
    args = rule.args if isinstance(rule, Or) else (rule,)
    lifted = [_lift(a, named, question) for a in args]
    if all(x is None for x in lifted) or main_rule(t[:start].strip()) != rule:
        return rule  # nothing it lifts is tested, or the permission is read into the rule
    guarded = tuple(a if x is None else x for a, x in zip(args, lifted, strict=True))
    return Or(guarded) if isinstance(rule, Or) else guarded[0]
