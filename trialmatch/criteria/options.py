"""Therapies a criterion names as an option, a candidacy or a plan ("lesions amenable to palliative
radiotherapy", "candidate for treatment with docetaxel", "planned surgery", "for whom endocrine
therapy is recommended"): not a therapy the patient has had, so never a "has had X" test.

A therapy is an option when a cue of ``option_cues`` (``criteria_phrases.yaml``) ends shortly
before it, or one of ``option_after_cues`` follows it closely, within one clause; a list after the
cue ("anticipated need for chemotherapy, radiotherapy or other anti-cancer therapy") is an option
throughout. It is not when, in the stretch of its clause before it, words say the therapy is or was
given ("previous or planned chemotherapy", "received or will be receiving", "has progressed on, and
would no longer benefit from, endocrine therapy"): the received, failure, naive, concomitant and
history cues. A therapy read as had or current ends the stretch ("radiotherapy within 4 weeks or
planned surgery": the surgery alone is planned). A therapy named again, without such words of its
own, after it was named as an option is that option.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from trialmatch.criteria.lexicon import find_all, has_phrase
from trialmatch.criteria.rules import And, Or, Review, Rule
from trialmatch.vocab.concepts import ConceptHit, concepts, is_a
from trialmatch.vocab.patterns import pattern

__all__ = [
    "OPTION_REASON",
    "anchored",
    "naive_after",
    "option_hits",
    "option_review",
    "or_option",
    "unanchored",
    "unread",
    "with_option",
]

OPTION_REASON = "a therapy named as an option, not as received"

_BREAK = pattern("history.clause_break")
_OR_BEFORE = pattern("history.option_or")
_LIST_GAP = pattern("history.option_list_gap")
_ANCHOR = pattern("history.option_anchor")
#: How far before a therapy a cue (or the option before it in a list) reaches, in characters.
_REACH = 50
#: How far after a therapy a cue of ``option_after_cues`` may start.
_REACH_AFTER = 30
#: How close before its cue a word of ``received_before_cues``, said again after it, is read ("the use
#: (or planned use)").
_ADJACENT = 10
#: The phrase lists whose words say a therapy is or was given.
_GIVEN = ("received_cues", "failure_cues", "naive_cues", "concomitant_cues", "history_cues")


def _given_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` says a therapy is or was given (``prior to`` and ``previous to`` excepted)."""
    out: list[tuple[int, int]] = []
    for key in _GIVEN:
        if has_phrase(key, text):
            out.extend((p.start(), p.end()) for p in find_all(key, text))
    if out and has_phrase("received_not", text):
        anchors = [(p.start(), p.end()) for p in find_all("received_not", text)]
        out = [s for s in out if not any(a <= s[0] and s[1] <= b for a, b in anchors)]
    return out


def _again(text: str, a: int, b: int, end: int) -> bool:
    """The word ``text[a:b]`` is said again before the therapy at ``end`` ("the use (or planned
    use) of heparin", "patients with or with anticipation of invasive procedures")."""
    return re.search(rf"\b{re.escape(text[a:b])}\b", text[b:end], re.I) is not None


def option_hits(text: str, hits: Sequence[ConceptHit]) -> list[ConceptHit]:
    """The therapies among ``hits`` (concept hits in ``text``) that ``text`` names only as an
    option, a candidacy or a plan."""
    if not hits:
        return []
    before = has_phrase("option_cues", text)
    after = has_phrase("option_after_cues", text)
    if not before and not after:
        return []
    cues = sorted(((p.end(), p.start()) for p in find_all("option_cues", text)) if before else [])
    cue_ends = [e for e, _ in cues]
    posts = [p.start() for p in find_all("option_after_cues", text)] if after else []
    breaks = [m.end() for m in _BREAK.finditer(text)]
    given = _given_spans(text)
    used = [(p.start(), p.end()) for p in find_all("received_before_cues", text)]
    out: list[ConceptHit] = []
    reach, reach_cue = -1, -1  # the end of the last option (a list goes on from it) and its cue's start
    start = 0  # the start of the stretch the therapy is in
    named: dict[str, int] = {}  # the therapies named as options so far, and where
    for h in sorted(hits, key=lambda x: x.start):
        k = bisect_right(breaks, h.start)
        brk = breaks[k - 1] if k else 0
        start = max(start, brk)
        k = bisect_right(cue_ends, h.start)
        cue: int | None = None  # the start of the cue before the therapy it is an option by
        by = False  # an option by a cue after it, or as named again
        if k and cue_ends[k - 1] >= max(start, reach) and h.start - cue_ends[k - 1] <= _REACH:
            cue = cues[k - 1][1]
        elif reach >= start and h.start - reach <= _REACH and _LIST_GAP.match(text[reach : h.start]):
            cue = reach_cue  # the next of a list of options
        elif h.concept in named and brk > named[h.concept]:
            # a therapy named again after it was named as an option is that option ("... amenable to
            # palliative radiotherapy should be treated prior to registration. Patients should be
            # recovered from the effects of radiation.")
            cue, by = h.start, True
        elif posts:
            k = bisect_right(breaks, h.end)
            stop = breaks[k] if k < len(breaks) else len(text)
            if any(h.end <= p <= min(stop, h.end + _REACH_AFTER) for p in posts):
                cue, by = h.start, True
        if cue is not None and (
            any(start <= a and b <= h.start for a, b in given)
            or (
                not by
                and any(
                    start <= a and b <= cue <= b + _ADJACENT and _again(text, a, b, h.start) for a, b in used
                )
            )
        ):
            cue = None  # the therapy is (also) one given: "previous or planned", "the use (or planned use)"
        if cue is not None:
            out.append(h)
            named[h.concept] = h.end
            reach, reach_cue = h.end, cue
        else:
            start = h.end
    return out


def anchored(text: str, opts: Sequence[ConceptHit]) -> list[ConceptHit]:
    """The options ``opts`` named in a time anchor ("within 2 weeks prior to planned start of
    selpercatinib", "of the first planned dose of the vaccine"): the study's own treatment, which
    the item asks nothing about."""
    if not opts:
        return []
    ends = [(p.end(), p.start()) for p in find_all("option_cues", text)]
    out = []
    for h in opts:
        near = [s for e, s in ends if e <= h.start and h.start - e <= _REACH]
        if near and _ANCHOR.search(text[max(0, near[-1] - 30) : near[-1]]):
            out.append(h)
    return out


def option_review(text: str) -> Review:
    """The question an item that names a therapy only as an option leaves."""
    q = f"Is the therapy named an option for the patient, as the item asks? ({text[:160]})"
    return Review(OPTION_REASON, q)


def or_option(rule: Rule, text: str, opts: Sequence[ConceptHit]) -> Rule | None:
    """``rule`` or the question of the options ``opts`` when the options are an alternative to
    what ``rule`` reads ("previous chemotherapy or planned radiotherapy"), else None (an option that
    qualifies what is read, "and anticipated need for", is left as read)."""
    r = with_option(rule, text, opts)
    return r if isinstance(r, Or) else None


def with_option(rule: Rule, text: str, opts: Sequence[ConceptHit]) -> Rule:
    """``rule`` (what the item says besides) with the question of its options ``opts``: either
    one when the options are an alternative ("major surgery within 4 weeks or an anticipated need
    for chemotherapy"), both otherwise ("locally advanced disease not amenable to radiotherapy")."""
    q = option_review(text)
    if not opts:
        return And((rule, q))
    h0 = min(opts, key=lambda x: x.start)
    ends = [p for p in find_all("option_cues", text) if p.end() <= h0.start and h0.start - p.end() <= _REACH]
    at = ends[-1].start() if ends else h0.start
    if _OR_BEFORE.search(text[max(0, at - 60) : at]):
        return Or((rule, q))
    return And((rule, q))


def unanchored(main: str, opts: list[ConceptHit]) -> list[ConceptHit]:
    """``opts`` less the options named in a time anchor (the study's own treatment)."""
    anchors = anchored(main, opts)
    return [h for h in opts if h not in anchors] if anchors else opts


def naive_after(main: str, opts: list[ConceptHit]) -> bool:
    """A naive cue follows the options ("candidates for platinum based chemotherapy and previously
    untreated"): the options are not had either."""
    end = max(h.end for h in opts)
    return any(p.start() >= end for p in find_all("naive_cues", main))


def unread(opts: list[ConceptHit], tx: list[ConceptHit]) -> list[ConceptHit]:
    """The options ``opts`` beside therapies ``tx`` read as had, less those one of them names, or
    names more generally or more narrowly ("a live vaccine within 4 weeks or anticipated need for
    such a vaccine": the vaccine is read)."""
    if not tx:
        return []
    cs = concepts()
    read = {h.concept for h in tx if h.concept in cs}
    return [
        h
        for h in opts
        if h.concept not in read
        and not (h.concept in cs and any(is_a(h.concept, c) or is_a(c, h.concept) for c in read))
    ]
