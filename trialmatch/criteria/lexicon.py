"""Compiled phrase patterns from ``vocab/data/criteria_phrases.yaml`` (built once, cached)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from trialmatch.vocab._load import load_data

__all__ = ["OPERATOR_RE", "alternation", "find_phrase", "has_phrase", "op_of", "phrase_re", "phrases"]


def phrases() -> dict[str, Any]:
    return load_data("criteria_phrases")


def alternation(items: list[str]) -> str:
    """One regex alternation, longest first, with word boundaries where the phrase has word ends."""
    parts = []
    for p in sorted({str(x) for x in items if str(x)}, key=len, reverse=True):
        e = re.escape(p).replace(r"\ ", r"\s+")
        if p[0].isalnum():
            e = r"(?<![\w])" + e
        if p[-1].isalnum():
            e = e + r"(?![\w])"
        parts.append(e)
    return "(?:" + "|".join(parts) + ")"


@cache
def phrase_re(key: str) -> re.Pattern[str]:
    """The compiled alternation of phrase list ``key`` (case-insensitive)."""
    return re.compile(alternation(list(phrases()[key])), re.I)


def has_phrase(key: str, text: str) -> bool:
    return phrase_re(key).search(text) is not None


def find_phrase(key: str, text: str) -> re.Match[str] | None:
    return phrase_re(key).search(text)


@cache
def _op_table() -> dict[str, str]:
    out: dict[str, str] = {}
    for op, words in phrases()["operators"].items():
        for w in words:
            out[re.sub(r"\s+", " ", str(w).lower())] = str(op)
    return out


@cache
def _operator_re() -> re.Pattern[str]:
    words: list[str] = []
    for ws in phrases()["operators"].values():
        words.extend(str(w) for w in ws)
    return re.compile(alternation(words), re.I)


def op_of(phrase: str) -> str | None:
    """The operator (``>=``, ``>``, ``<=``, ``<``) a phrase means."""
    return _op_table().get(re.sub(r"\s+", " ", phrase.strip().lower()))


class _Lazy:
    def __getattr__(self, name: str) -> Any:
        return getattr(_operator_re(), name)


OPERATOR_RE: Any = _Lazy()
