"""How an exclusion the note is silent on is read, by kind of item (``silent_exclusion`` in
``vocab/data/judge_rules.yaml``).

The default (in :func:`trialmatch.matching.judge.judge`) is "not excluded": a complete history states
the patient's conditions, drugs and operations. Items only a test reveals are different: a bare
measured value ("Serum creatinine > 3.0 mg/dL", "BMI > 40") that the note does not report is
"not enough information" - the physicians of the TrialGPT labels read it that way, while they read a
named condition defined by a value ("severe renal disease (creatinine > 250)") as history.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

from trialmatch.matching.judge_base import Decision
from trialmatch.matching.judge_text import rules_vocab

if TYPE_CHECKING:
    from trialmatch.matching.judge import JudgeContext

__all__ = ["measured_head", "rule_silent_exclusion"]

_SUBJECT = re.compile(
    r"^(?:(?:the\s{1,3})?(?:patients?|subjects?|participants?|individuals?|persons?)\s{1,3}"
    r"(?:with|who\s{1,3}(?:has|have)|has|have|having)\s{1,3}(?:an?\s{1,3})?|having\s{1,3}|with\s{1,3})",
    re.I,
)


def _alts(words: list[Any]) -> str:
    return "|".join(re.escape(str(w).lower()) for w in sorted(words, key=lambda w: -len(str(w))))


@functools.cache
def _category(name: str) -> tuple[re.Pattern[str], re.Pattern[str], str]:
    cat = rules_vocab()["silent_exclusion"][name]
    head = re.compile(
        rf"^(?:(?:{_alts(cat['qualifiers'])})\s{{1,3}}){{0,3}}({_alts(cat['heads'])})(?![a-z])", re.I
    )
    bound = re.compile(rf"(?:{_alts(cat['bound'])})", re.I)
    return head, bound, str(cat["verdict"])


def measured_head(text: str) -> str | None:
    """The measured item an exclusion is about ("hematocrit" in "Hematocrit < 30%"), when the item
    starts with a measurement and carries a bound; None for a named condition."""
    head, bound, _ = _category("measured_value")
    t = _SUBJECT.sub("", text.strip(), count=1)
    m = head.match(t)
    if not m or not bound.search(text):
        return None
    return m.group(1).lower()


def rule_silent_exclusion(ctx: JudgeContext, text: str, kind: str) -> Decision | None:
    """An exclusion on a bare measured value the note does not report: not enough information."""
    if kind != "exclusion":
        return None
    term = measured_head(text)
    if term is None:
        return None
    _, _, verdict = _category("measured_value")
    if any(re.search(rf"(?<![a-z]){re.escape(term)}(?![a-z])", s, re.I) for s in ctx.sentences):
        return None  # the note reports it: the other rules and the default decide
    return Decision(
        "unknown" if verdict == "unknown" else "not_met",
        f"The note does not report {term}; only a test would show whether this exclusion applies.",
        "silent_measured_value",
    )
