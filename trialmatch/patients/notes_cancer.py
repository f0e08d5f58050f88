"""Cancer helpers of the note reader: which conditions are cancers, the primary site written next to a
cancer mention, how a treatment ended."""

from __future__ import annotations

import re

from trialmatch.patients.model import Fact
from trialmatch.patients.notes_extract import phrase_regex, phrases

__all__ = ["is_cancer", "outcome", "primary_site"]

_CANCER_NAMES = frozenset({"cancer", "neuroendocrine tumor", "neuroendocrine carcinoma"})


def is_cancer(name: str) -> bool:
    """A condition name that is a cancer: the note vocabulary's cancer groups, or a concept under
    ``cancer`` in the shared concepts vocabulary."""
    if name in _CANCER_NAMES:
        return True
    try:
        import importlib

        mod = importlib.import_module("trialmatch.vocab.concepts")
        return bool(name == "cancer" or mod.is_a(name, "cancer"))
    except Exception:
        return False


_OUTCOMES = (
    ("progression", re.compile(r"\b(progress(?:ed|ion|ive disease)?|failed|refractory|relapsed?)\b", re.I)),
    (
        "intolerance",
        re.compile(r"\b(intoleran\w*|toxicity|stopped due to|discontinued (?:due|because))", re.I),
    ),
    ("response", re.compile(r"\b((?:complete|partial) (?:clinical )?response|responded)\b", re.I)),
    ("completed", re.compile(r"\b(completed|finished)\b", re.I)),
)


def outcome(sentence: str) -> str | None:
    """How a treatment ended, as the sentence says (progression / intolerance / response / completed)."""
    for name, rx in _OUTCOMES:
        if rx.search(sentence):
            return name
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
        if not re.search(r"\b(to|into|involving)\s(?:the\s)?$", window[: m.start()], re.I):
            return m.group(0).lower()
    return None
