"""Criteria about the patient's general status: healthy volunteers, smoking."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from trialmatch.matching.judge_base import Decision

if TYPE_CHECKING:
    from trialmatch.matching.judge import JudgeContext

__all__ = ["rule_healthy", "rule_smoking"]

_HEALTHY = re.compile(
    r"\b(good (?:general )?health|healthy (?:volunteers?|subjects?|adults?|individuals?|participants?)|"
    r"in good health|generally healthy)\b",
    re.I,
)
_NON_SMOKER = re.compile(r"\b(non[- ]?smok\w*|never[- ]smok\w*|not (?:a )?(?:current )?smok\w*)", re.I)
_SMOKER = re.compile(r"\b(smok\w*|cigarettes?|tobacco|pack[- ]years?)\b", re.I)


def _conditions_present(ctx: JudgeContext) -> list[int]:
    facts = [f for f in ctx.patient.facts or [] if f.kind == "condition" and f.status == "present"]
    return [i for i, s in enumerate(ctx.sentences) if any(f.source_text == s for f in facts)]


def rule_healthy(ctx: JudgeContext, text: str, kind: str) -> Decision | None:
    """ "Healthy volunteers" / "in good health" against a note that describes an illness."""
    if not _HEALTHY.search(text) or len(text) > 200:
        return None
    sick = _conditions_present(ctx)
    if not sick:
        return None
    return Decision(
        "not_met" if kind == "inclusion" else "met",
        "The note describes a current illness; the patient is not a healthy volunteer.",
        "healthy",
        sick[:3],
    )


def rule_smoking(ctx: JudgeContext, text: str, kind: str) -> Decision | None:
    """Smoking status against the note's (smoker / former / never)."""
    status = getattr(ctx.patient, "smoking", None)
    if status is None or not _SMOKER.search(text):
        return None
    ev = [i for i, s in enumerate(ctx.sentences) if _SMOKER.search(s)][:2]
    wants_non = bool(_NON_SMOKER.search(text))
    smoker = (
        status in ("current", "former") if not re.search(r"\bcurrent", text, re.I) else status == "current"
    )
    if kind == "inclusion":
        if wants_non and smoker:
            return Decision("not_met", f"The note describes a {status} smoker.", "smoking", ev)
        if not wants_non and not smoker and status == "never":
            return Decision("not_met", "The note describes a non-smoker.", "smoking", ev)
        return None  # the other parts of the criterion decide
    if re.search(r"\d", text):  # "> 1 pack per month": the amount is not in the note
        return None
    if wants_non:
        return None
    return Decision(
        "met" if smoker else "not_met",
        f"The note describes a {'smoker' if smoker else 'non-smoker'} ({status}).",
        "smoking",
        ev,
    )
