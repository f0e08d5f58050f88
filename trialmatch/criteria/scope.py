"""Cohort- and disease-specific items: "Gastric Cancer: must have failed ...", "Cohort D (TNBC): ...",
"For Cohort 2: ...". A disease label makes the rule apply only to that disease (``If``); a cohort label
keeps the rule from failing (inclusion) or excluding (exclusion) a patient who may fit another cohort."""

from __future__ import annotations

import re
from functools import lru_cache

from trialmatch.criteria.clinical import concepts_in
from trialmatch.criteria.needles import slice_may
from trialmatch.criteria.rules import Admin, And, Has, If, Or, Review, Rule
from trialmatch.vocab.concepts import concepts, is_a
from trialmatch.vocab.patterns import pattern
from trialmatch.vocab.prefilter import folded

__all__ = ["part_of", "scoped_rule"]

_LABEL = re.compile(r"^\W{0,3}(?P<label>[^:;.]{2,90}?)\s*:\s+\S")
_COHORT_WORD = pattern("scope.cohort_word")
# (plain regexes: the matcher asks about short scopes, and a Cue's first use indexes every Cue)
_PART = pattern("scope.part_label").rx
_SEVERAL_PARTS = pattern("scope.several_parts").rx
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}


def scoped_rule(rule: Rule, t: str, scope: str | None, kind: str = "inclusion") -> Rule:
    """Cohort- or disease-specific items ("Gastric Cancer: must have failed ...", "Cohort D (TNBC): ...",
    a "Phase II only" section) bind only the patients they are about: for the named disease the rule
    applies (If), otherwise a cohort restriction cannot fail a patient outright (it may fit another)."""
    if isinstance(rule, (Admin, Review)):
        return rule
    m = _LABEL.match(t) if ":" in t else None  # (a label is followed by a ":")
    label = m.group("label") if m else ""
    dis: list[str] | None = None
    if label and not _has_cohort_word(label):
        dis = _label_diseases(label)
        if not dis:
            label = ""
    if not label:
        if not scope:
            return rule
        text, dis = scope, None
    elif scope:
        text, dis = f"{scope} {label}", None
    else:
        text = label
    if dis is None:
        dis = _label_diseases(text)
    if dis:
        cond: Rule = (
            Has(dis[0], kinds=("diagnosis",))
            if len(dis) == 1
            else Or(tuple(Has(d, kinds=("diagnosis",)) for d in dis))
        )
        return If(cond=cond, then=rule)
    if _has_cohort_word(text):
        rev = Review("cohort-specific", f"Only for {text[:80]}: does the patient belong to it?")
        # a cohort's inclusion cannot fail, nor its exclusion exclude, a patient who may fit another cohort
        return Or((rule, rev)) if kind == "inclusion" else And((rule, rev))
    return rule


def _has_cohort_word(text: str) -> bool:
    """``_COHORT_WORD.search(text)`` is a match. ``text`` is a label (a slice of the item) or a
    scope joined to one, new texts: a search of the folded text for the strings a match needs is
    cheaper than the index's bits of a new text."""
    return slice_may(_COHORT_WORD)(folded(text)) and _COHORT_WORD.rx.search(text) is not None


def _label_diseases(label: str) -> list[str]:
    cs = concepts()
    out: list[str] = []
    for h in concepts_in(label):
        c = cs[h.concept]
        if (
            c.type in ("disease", "histology")
            and is_a(h.concept, "cancer")
            and h.concept != "cancer"
            and h.concept not in out
        ):
            out.append(h.concept)
    return out


@lru_cache(maxsize=4096)
def part_of(scope: str | None) -> str | None:
    """The one part of a multi-part trial a scope names ("Phase II" -> "phase 2", "Part A: GS-9716
    Monotherapy" -> "part a"), or None: no scope, a step everyone goes through ("Screening",
    "Step 1"), or a label naming several parts ("Phase I and II"). Items of different parts are
    alternatives: a patient qualifies through any one part (``matching`` reads them so)."""
    if not scope or _SEVERAL_PARTS.search(scope):
        return None
    m = _PART.search(scope)
    if m is None:
        return None
    kind, num, sub = (m.group(g).lower() for g in ("kind", "num", "sub"))
    return f"{kind} {_ROMAN.get(num, num)}{sub}"
