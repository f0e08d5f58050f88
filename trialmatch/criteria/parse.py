"""Turn one eligibility item into a categorised, computable ``Criterion``.

``parse_item(text, kind, parts=(), scope=None, index=0) -> Criterion``. Pure, bounded (the item
is capped at ``MAX_ITEM`` characters), never raises: anything not understood is kept with a
category and a ``Review`` rule, status ``needs_review``. The rule is built by ``parse_build`` and
adjusted to the item's wording by ``parse_post``; a cohort or disease label scopes it (``scope``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache

from trialmatch.criteria.lexicon import has_phrase, phrase_strings, phrases
from trialmatch.criteria.model import Criterion
from trialmatch.criteria.parse_build import build_cached, categorise
from trialmatch.criteria.parse_clauses import clause_rule
from trialmatch.criteria.parse_post import settle_rule
from trialmatch.criteria.permission import guard_permission
from trialmatch.criteria.rules import And, If, Not, Or, Review, Rule
from trialmatch.criteria.scope import scoped_rule
from trialmatch.vocab.patterns import pattern
from trialmatch.vocab.prefilter import finder

__all__ = ["MAX_ITEM", "categorise", "clean_text", "parse_item"]

MAX_ITEM = 3000
_WS = re.compile(r"\s+")
_ESC = re.compile(r"\\([<>=*_\[\]()#+\-.!|~])")
_ABBR = pattern("parse.abbreviation")
_SPACED_OP = re.compile(r"([<>])\s+=")
_SENT = re.compile(r"(?<=[.;:])\s+(?=[A-Z])")

#: the item builder's cache (``_build_cached.cache_clear()`` before a timed run)
_build_cached = build_cached


def clean_text(text: str) -> str:
    """Unescape CT.gov markdown (``\\>``), collapse white space, cap the length."""
    t = text[: MAX_ITEM * 2]
    if "\\" in t:
        t = _ESC.sub(r"\1", t)
    if not t.isascii():  # (an ASCII text holds neither space character)
        t = t.replace("\u00a0", " ").replace("\u2009", " ")
    if "." in t and _ABBR.admits(t):  # no abbreviation's letters: nothing to rewrite
        t = _ABBR.rx.sub(lambda m: m.group(1).replace(".", ""), t)
    if "<" in t or ">" in t:
        t = _SPACED_OP.sub(lambda m: m.group(1) + "=", t)  # "< =" -> "<="
    if t.isprintable() and "  " not in t and t[:1] != " " and t[-1:] != " ":
        return t[:MAX_ITEM]  # single-spaced already: every white space but " " is unprintable
    return " ".join(t.split())[:MAX_ITEM]  # = _WS.sub(" ", t).strip(): \s is str.isspace


def _has_review(rule: Rule) -> bool:
    if isinstance(rule, Review):
        return not rule.investigator
    if isinstance(rule, (And, Or)):
        return any(_has_review(a) for a in rule.args)
    if isinstance(rule, Not):
        return _has_review(rule.arg)
    if isinstance(rule, If):
        return any(_has_review(r) for r in (rule.cond, rule.then, rule.else_) if r is not None)
    return False


@cache
def _definition_strings() -> Callable[[str], object]:
    """A test of a lower-cased text, false when no definition cue can occur in it (built on first use)."""
    return finder(phrase_strings(phrases()["definition_cues"]))


def _definition_lead(t: str, parts: tuple[str, ...]) -> str | None:
    """The requirement before a definition that follows it ("must have measurable disease:
    Measurable disease is defined as ..."), or None when the item has no such tail."""
    # a part holding a cue holds its longest token, so the lower-cased parts do
    if (
        parts
        and parts[0] in t
        and _definition_strings()(" ".join(parts).lower())
        and any(has_phrase("definition_cues", p) for p in parts)
    ):
        lead = t[: t.index(parts[0])].strip(" :;,")
    else:
        # (no string test first: the builder tokenises ``t`` anyway, and the lookup keeps its tokens)
        if not has_phrase("definition_cues", t):
            return None  # a sentence's phrase is one of the whole text's (it splits at white space)
        sents = _SENT.split(t)
        i = next((k for k, x in enumerate(sents) if k > 0 and _has_definition(x)), None)
        if i is None:
            return None
        lead = " ".join(sents[:i]).strip(" :;,")
    return lead if len(lead) >= 15 and not _has_definition(lead) else None


def _has_definition(x: str) -> bool:
    """``has_phrase("definition_cues", x)``, without tokenising a piece that lacks every cue's
    longest token (a piece holding a cue holds that token, lower-cased)."""
    return bool(_definition_strings()(x.lower())) and has_phrase("definition_cues", x)


def _build_clause(c: str, k: str) -> tuple[str, Rule, str | None]:
    """(category, rule as worded, note) of one clause of an item."""
    cat, rule, _conf, _applies, note = _build_cached(c, k, ())
    return cat, settle_rule(rule, c, k, cat), note


def parse_item(
    text: str, kind: str, parts: Sequence[str] = (), scope: str | None = None, index: int = 0
) -> Criterion:
    """One item -> Criterion (never raises)."""
    k = "exclusion" if kind == "exclusion" else "inclusion"
    t = clean_text(text or "")
    if not t:
        crit = Criterion(kind=k, text=text or "", scope=scope, index=index, parts=list(parts))  # type: ignore[arg-type]
        crit.rule, crit.note = Review("empty item"), "empty"
        return crit
    cparts = tuple([clean_text(p) for p in parts]) if parts else ()
    lead = _definition_lead(t, cparts)
    if lead is not None:
        t, cparts = lead, ()  # the definition explains the requirement; it adds none of its own
    try:
        cat, rule, conf, applies_if, note = _build_cached(t, k, cparts)
    except Exception as exc:  # defensive: hostile text must never break a trial's parse
        cat, rule, conf, applies_if, note = (
            categorise(t),
            Review(f"parser error: {type(exc).__name__}"),
            0.0,
            None,
            "parser error",
        )
    rule = settle_rule(rule, t, k, cat)
    if k == "exclusion":
        rule = guard_permission(rule, t, lambda main: _build_clause(main, k)[1])
    if not cparts and ";" in t:
        split = clause_rule(t, k, rule, lambda c: _build_clause(c, k))
        if split is not None:
            rule, cat = split[0], split[1] if cat == "other" and split[1] else cat
    rule = scoped_rule(rule, t, scope, k)
    review = _has_review(rule)
    if review and note is None:
        note = "part of the item needs a person"
    # (built once with every field, positionally in ``Criterion``'s field order: half the cost of a
    # default Criterion and six assignments, or of keywords)
    return Criterion(
        k,  # type: ignore[arg-type]
        text or "",
        cat,
        "needs_review" if review else "parsed",
        rule,
        applies_if,
        scope,
        conf,
        "text",
        index,
        list(parts),
        note,
    )
