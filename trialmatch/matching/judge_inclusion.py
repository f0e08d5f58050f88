"""Inclusions by kind of item (``inclusion_kinds`` in ``vocab/data/judge_rules.yaml``) and durations.

(A "life expectancy > N" -> met rule was tried and dropped: one train pair supported it, and it made
boilerplate inclusions of competing trials count as met in the vignette reranking, 26 -> 25 in top 10.)

* a requirement for a subgroup ("If female, ...", "Recipients who have had a transplant must ...")
  does not concern a patient the note does not place in that subgroup;
* a symptom duration ("fever for more than one week") is compared with the one the note gives
  ("fever ... for 2 days").
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from trialmatch.matching.judge_base import Decision, coverage
from trialmatch.matching.judge_demographics import sex_restriction
from trialmatch.matching.judge_text import content_terms, rules_vocab

if TYPE_CHECKING:
    from trialmatch.matching.judge import JudgeContext

__all__ = ["duration_days", "rule_conditional", "rule_duration"]


def _alts(words: list[object]) -> str:
    return "|".join(re.escape(str(w).lower()) for w in sorted(words, key=lambda w: -len(str(w))))


@functools.cache
def _opener() -> re.Pattern[str]:
    words = rules_vocab()["inclusion_kinds"]["conditional_openers"]
    return re.compile(rf"^(?:{_alts(words)})\s{{1,3}}(.{{2,160}}?)(?:,|\s(?:must|should|shall|need)\b)", re.I)


def rule_conditional(ctx: JudgeContext, text: str, kind: str) -> Decision | None:
    """A requirement for a subgroup the note does not place the patient in: not applicable."""
    if kind != "inclusion":
        return None
    m = _opener().match(text)
    if not m:
        return None
    cond = m.group(1)
    sr = sex_restriction(cond)
    if sr in ("male", "female") and ctx.sex is not None:
        return (
            None
            if ctx.sex == sr
            else Decision(
                "not_applicable",
                f"A requirement for {sr} patients; the patient is {ctx.sex}.",
                "conditional_na",
            )
        )
    terms = content_terms(cond)
    if not terms or coverage(ctx, terms)[0] > 0:
        return None
    return Decision(
        "not_applicable",
        "A requirement for patients who have had " + cond.strip() + "; the note does not describe this.",
        "conditional_na",
    )


_WORDNUM = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "a": 1,
    "an": 1,
    "several": 3,
    "few": 3,
}
_UNIT_DAYS = {"hour": 1 / 24, "day": 1.0, "week": 7.0, "month": 30.4, "year": 365.25}
_N = r"(\d{1,3}(?:\.\d)?|one|two|three|four|five|six|seven|eight|nine|ten|an?|several|few)"
_U = r"(hour|day|week|month|year)s?"
_CRIT = re.compile(
    rf"\b(?:for|lasting|of|with a duration of)?\s{{0,3}}(more than|at least|longer than|over|greater than|"
    rf"less than|fewer than|shorter than|under|>=?|≥|<=?|≤)\s{{0,3}}{_N}\s{{0,2}}{_U}\b",
    re.I,
)
_NOTE = re.compile(
    rf"\b(?:for(?: the (?:past|last))?|(?:past|last))\s{{1,3}}{_N}\s{{0,2}}{_U}\b|"
    rf"\b{_N}\s{{0,2}}{_U}\s(?:of|history of)\b",
    re.I,
)


def duration_days(num: str, unit: str) -> float:
    n = _WORDNUM.get(num.lower())
    return (float(n) if n is not None else float(num)) * _UNIT_DAYS[unit.lower()]


def rule_duration(ctx: JudgeContext, text: str, kind: str) -> Decision | None:
    """ "Fever for more than one week" against "fever ... for 2 days": the durations decide."""
    if kind != "inclusion" or len(text) > 120:
        return None
    m = _CRIT.search(text)
    if not m or re.search(r"\b(ago|prior|before|since|after|within|age|old)\b", text, re.I):
        return None
    head = text[: m.start()]
    terms = content_terms(head)
    if not terms or len(terms) > 3:
        return None
    sents = sorted(set.intersection(*(ctx.index.find(t)[0] for t in terms)))
    for i in sents:
        d = _NOTE.search(ctx.sentences[i])
        if not d:
            continue
        num, unit = (d.group(1), d.group(2)) if d.group(1) else (d.group(3), d.group(4))
        have = duration_days(num, unit)
        need = duration_days(m.group(2), m.group(3))
        op = m.group(1).lower()
        longer = op in ("more than", "longer than", "over", "greater than", ">")
        at_least = op in ("at least", ">=", "≥")
        shorter = op in ("less than", "fewer than", "shorter than", "under", "<")
        ok = (
            (longer and have > need)
            or (at_least and have >= need)
            or (shorter and have < need)
            or (op in ("<=", "≤") and have <= need)
        )
        return Decision(
            "met" if ok else "not_met",
            f"The note gives a duration of {num} {unit}(s); the criterion asks for {m.group(0).strip()}.",
            "duration",
            [i],
        )
    return None
