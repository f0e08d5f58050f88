"""How an item is worded, applied to the rule built from it: an inclusion item written as an
exclusion ("patients with X are ineligible"), a negated presence ("No active infection"), a
requirement for a subgroup ("For patients with chronic HBV, ..."), a washout ("more than 28 days
since prior surgery"), a duration for those on a drug, a permission written among the exclusions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from trialmatch.criteria.lexicon import has_phrase, phrase_strings, phrases
from trialmatch.criteria.rules import Admin, And, Compare, Has, Not, Or, Review, Rule, Window
from trialmatch.vocab.patterns import pattern
from trialmatch.vocab.prefilter import AnyOf, finder

__all__ = ["settle_rule"]

_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")  # "(platelet transfusion is not allowed ...)" is an aside
_INELIGIBLE = pattern("parse.ineligible")
# (the patterns anchored at the start are asked with ``.rx.match``: the regex fails within the first
# characters, cheaper than the Cue's scan of the whole text for the strings a match needs)
_NEG_START = pattern("parse.negation_start")
_CONDITIONAL_SUBJECT = pattern("parse.conditional_subject")
_WHO_RECEIVE = pattern("parse.who_receive")
_NOT_TURNED = ("reproductive", "administrative", "investigator_judgement")


def _positive_has(rule: Rule) -> bool:
    """A bare presence test (``Has``, or an and/or of them) with no negation inside."""
    if isinstance(rule, Has):
        return True
    return isinstance(rule, (And, Or)) and all(isinstance(a, Has) for a in rule.args)


def _washout(rule: Rule) -> Rule:
    """An inclusion "more than 28 days since prior major surgery" does not require surgery: a positive
    ``Has`` with a ``before`` window becomes "not within that window"."""
    if isinstance(rule, Has) and rule.window is not None and rule.window.relation == "before":
        w = rule.window
        within = Window(amount=w.amount, unit=w.unit, relation="within", anchor=w.anchor)
        return Not(Has(rule.concept, rule.kinds, within, rule.status, rule.qualifiers))
    if isinstance(rule, (And, Or)):
        args = tuple(_washout(a) for a in rule.args)
        if args == rule.args:
            return rule
        if isinstance(rule, Or) and all(isinstance(a, Not) for a in args):
            return And(args)  # "since prior surgery or biopsy": neither within the window
        return type(rule)(args)
    return rule


def _presence_test(rule: Rule) -> bool:
    """A presence test, possibly with vital-sign limits ("No uncontrolled hypertension (BP > 150/90)")."""
    if isinstance(rule, (And, Or)):
        return all(
            isinstance(a, Has) or (isinstance(a, Compare) and a.var.startswith("vital.")) for a in rule.args
        ) and any(isinstance(a, Has) for a in rule.args)
    return isinstance(rule, Has)


_SENTENCE_END = re.compile(r"(?<=[.;])\s")


def _first_sentence(t: str) -> str:
    """``t`` up to the first white space after a "." or ";" (= ``_SENTENCE_END.split(t, 1)[0]``)."""
    if "." not in t and ";" not in t:
        return t  # the split point follows a "." or ";"
    m = _SENTENCE_END.search(t)
    return t if m is None else t[: m.start()]


_ASIDE = re.compile(r"\([^)]*\)|\[[^\]]*\]")


@cache
def _permission_strings() -> Callable[[str], object]:
    """A test of a lower-cased text, false when no permission statement can occur in it."""
    return finder(phrase_strings(phrases()["permission_statement_cues"]))


@cache
def _permission_any() -> AnyOf:
    """The same strings as one bit of the shared index: no scan of a text whose bits are known."""
    return AnyOf(phrase_strings(phrases()["permission_statement_cues"]) or ("",))


def _permission_among_exclusions(t: str, low: str | None = None) -> bool:
    """An exclusion item whose first sentence grants a permission ("... are eligible", "... are allowed")
    outside brackets: it excludes nobody by itself. ``low``: ``t.lower()``, when the caller has it."""
    if low is not None and not _permission_any()(low):
        return False  # the first sentence's cue string (ASCII) is one of the whole text's, lower-cased
    first = _first_sentence(t)
    if not _permission_strings()(first.lower()):
        return False  # a cue outside the brackets holds its longest token, so the first sentence does
    outside = _ASIDE.sub(" ", first) if "(" in first or "[" in first else first  # an aside opens with one
    return has_phrase("permission_statement_cues", outside) and not _INELIGIBLE.search(first)


def settle_rule(rule: Rule, t: str, k: str, cat: str) -> Rule:
    """The rule built for item ``t`` (kind ``k``, category ``cat``) as the item's wording asks."""
    # (the tests of each condition are pure: the cheap ones are asked first; the text searched for
    # "ineligible" is spaces and pieces of ``t``, so it can hold the pattern's literals only if ``t`` does)
    low = t.lower()
    if (
        k == "inclusion"
        and cat not in _NOT_TURNED
        and not isinstance(rule, (Not, Review, Admin))
        and _INELIGIBLE.admits(t, low)
        and _INELIGIBLE.search(_BRACKETS.sub(" ", _first_sentence(t)))
    ):
        rule = Not(rule)  # an inclusion item written as an exclusion ("patients with X are ineligible")
    elif k == "inclusion" and _NEG_START.rx.match(t) and _presence_test(rule):
        rule = Not(rule)  # "No active infection", "Free of ...": every builder's Has read as written
    elif k == "inclusion" and _CONDITIONAL_SUBJECT.rx.match(t) and _positive_has(rule):
        # "For patients with chronic HBV, the viral load must be undetectable": binds only them
        q = f"Does the patient meet what this item asks of that group? ({t[:160]})"
        rule = Or((Not(rule), Review("requirement for a subgroup", q)))
    if k == "inclusion" and not has_phrase("duration_requirement_cues", t):
        rule = _washout(rule)  # (not "on a stable dose of X for at least 3 months": that requires X)
    elif k == "inclusion" and isinstance(rule, Has) and _WHO_RECEIVE.rx.match(t):
        # "Subjects receiving anticoagulation must be on a stable regimen for >= 2 weeks": only for them
        q = f"Has the patient been on it as long as required? ({t[:160]})"
        none = Not(Has(rule.concept, rule.kinds, None, rule.status, rule.qualifiers))
        rule = Or((none, Review("duration", q)))
    elif not isinstance(rule, (Review, Admin)) and _permission_among_exclusions(t, low):
        q = f"A permission written among the exclusions: does it apply? ({t[:160]})"
        rule = Review("permission among exclusions", q)  # "Subjects who received ... for asthma are eligible"
    return rule
