"""The glossary of terms seen on trial pages (``vocab/data/glossary.yaml``) and where they occur:
``glossary_terms_in(text)`` lists the entries whose term or alias appears, in order of first
appearance, so pages can show definitions beside the text."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, Field

__all__ = ["GlossaryEntry", "glossary", "glossary_terms_in"]

MAX_TEXT = 200_000


class GlossaryEntry(BaseModel):
    term: str
    definition: str
    aliases: list[str] = Field(default_factory=list)
    matched: str | None = None  # the text that matched (glossary_terms_in)
    start: int | None = None


@lru_cache(maxsize=1)
def _load() -> tuple[list[GlossaryEntry], list[tuple[re.Pattern[str], int]]]:
    raw: dict[str, Any] = yaml.safe_load(
        resources.files("trialmatch.vocab").joinpath("data/glossary.yaml").read_text("utf-8")
    )
    entries: list[GlossaryEntry] = []
    patterns: list[tuple[re.Pattern[str], int]] = []
    for i, d in enumerate(raw["terms"]):
        e = GlossaryEntry(
            term=str(d["term"]),
            definition=str(d["definition"]),
            aliases=[str(a) for a in d.get("aliases", [])],
        )
        entries.append(e)
        cs = bool(d.get("case_sensitive"))
        for alias in dict.fromkeys([e.term, *e.aliases]):
            sensitive = (alias.isupper() and len(alias) <= 6) or (cs and len(alias) <= 5)
            body = re.escape(alias).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]?")
            pat = re.compile(r"(?<![\w-])" + body + r"(?![\w-])", 0 if sensitive else re.IGNORECASE)
            patterns.append((pat, i))
    return entries, patterns


def glossary() -> list[GlossaryEntry]:
    """Every glossary entry, alphabetically."""
    return sorted(_load()[0], key=lambda e: e.term.lower())


def glossary_terms_in(text: str | None) -> list[GlossaryEntry]:
    """Glossary entries whose term or an alias occurs in ``text`` (first occurrence order)."""
    if not text:
        return []
    text = text[:MAX_TEXT]
    entries, patterns = _load()
    first: dict[int, tuple[int, str]] = {}
    for pat, i in patterns:
        m = pat.search(text)
        if m and (i not in first or m.start() < first[i][0]):
            first[i] = (m.start(), m.group(0))
    return [
        entries[i].model_copy(update={"matched": s, "start": pos})
        for i, (pos, s) in sorted(first.items(), key=lambda x: x[1][0])
    ]
