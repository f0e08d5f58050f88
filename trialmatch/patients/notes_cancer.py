"""Cancer helpers of the note reader: which conditions are cancers, the primary site written next to a
cancer mention, how a treatment ended."""

from __future__ import annotations

import re

from trialmatch.patients.model import Fact
from trialmatch.patients.notes_extract import cue_alt, cue_regex, phrase_regex, phrases

__all__ = ["is_cancer", "outcome", "primary_site"]


def is_cancer(name: str) -> bool:
    """A condition name that is a cancer: the note vocabulary's cancer groups, or a concept under
    ``cancer`` in the shared concepts vocabulary."""
    if name in phrases()["cancer_conditions"]:
        return True
    try:
        import importlib

        mod = importlib.import_module("trialmatch.vocab.concepts")
        return bool(name == "cancer" or mod.is_a(name, "cancer"))
    except Exception:
        return False


def outcome(sentence: str) -> str | None:
    """How a treatment ended, as the sentence says (progression / intolerance / response / completed)."""
    for name in phrases()["treatment_outcomes"]:  # in order of precedence
        if cue_regex(f"treatment_outcomes.{name}").search(sentence):
            return str(name)
    return None


def primary_site(fact: Fact) -> str | None:
    """The organ written next to the cancer mention ("carcinoma of the bladder", "pancreatic NET"), not
    one it spread to ("metastatic to the liver")."""
    sent = fact.source_text or ""
    written = (
        str((fact.value or {}).get("as_written", fact.name)) if isinstance(fact.value, dict) else fact.name
    )
    i = sent.lower().find(written.lower())
    if i < 0:
        return None
    window = sent[max(0, i - 40) : i + len(written) + 40]
    for m in phrase_regex(tuple(phrases()["primary_sites"])).finditer(window):
        if not re.search(rf"\b{cue_alt('spread_cues')}\s(?:the\s)?$", window[: m.start()], re.I):
            return m.group(0).lower()
    return None
