"""What the judge's rules share: the :class:`Decision` a rule returns, how much of a criterion's terms
a note affirms (:func:`coverage`) and how a term is named in an explanation (:func:`term_label`).

Explanations are plain words: a term is named as the criterion writes it ("chemotherapy", "ALT"),
never by its internal stem ("chemotherapi"), and a long name is shortened at a word boundary.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from trialmatch.matching.judge_text import stem

if TYPE_CHECKING:
    from trialmatch.matching.judge import JudgeContext

__all__ = ["MAX_LABEL_CHARS", "Decision", "Verdict", "coverage", "shorten", "term_label", "term_labels"]

Verdict = Literal["met", "not_met", "unknown", "not_applicable"]

#: The longest term list an explanation names before it is shortened (at a word boundary, with "…").
MAX_LABEL_CHARS = 120

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'+\-/]{0,40}")


@dataclass
class Decision:
    verdict: Verdict
    explanation: str
    rule: str
    sentences: list[int] = field(default_factory=list)


def coverage(ctx: JudgeContext, terms: list[str]) -> tuple[float, list[int], bool]:
    """Share of ``terms`` affirmed in the note, the sentences, and whether any is only negated."""
    if not terms:
        return 0.0, [], False
    hit = 0
    sents: set[int] = set()
    negated = False
    for key in terms:
        aff, neg = ctx.index.find(key)
        if aff:
            hit += 1
            sents |= aff
        elif neg:
            negated = True
    return hit / len(terms), sorted(sents), negated


def shorten(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with "…" when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: max(1, limit - 1)]
    if not text[len(cut)].isspace() and " " in cut:  # do not end inside a word
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + "…"


@functools.lru_cache(maxsize=4096)
def _surface(text: str) -> dict[str, str]:
    """Stem -> the word as ``text`` first writes it (abbreviations in capitals kept, else lower case)."""
    out: dict[str, str] = {}
    for m in _WORD.finditer(text[:2000]):
        w = m.group(0).strip("'-/")
        if not w:
            continue
        shown = w if (len(w) > 1 and w.isupper()) else w.lower()
        out.setdefault(stem(w), shown)
    return out


def term_label(term: str, text: str = "") -> str:
    """A readable name for a term key (``c:mi|syn:myocardial infarction`` -> ``myocardial infarction``);
    with the criterion ``text``, a stemmed word (``w:chemotherapi``) is named as the text writes it."""
    words = _surface(text) if text else {}

    def one(key: str) -> str:
        kind, _, body = key.partition(":")
        if kind == "w":
            return " ".join(words.get(b, b) for b in body.split(" "))
        return (body or kind).replace("_", " ")

    head = term.split("|", 1)
    if len(head) == 2 and head[1]:
        return " ".join(one(k) for k in head[1].split("+"))
    return one(term)


def term_labels(terms: list[str], text: str = "") -> str:
    """The terms named for an explanation, comma-separated, shortened at a word boundary."""
    return shorten(", ".join(term_label(t, text) for t in terms))
