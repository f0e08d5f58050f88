"""Section headers and scope labels of criteria text, for the criteria splitter.

All phrases come from ``trialmatch/vocab/data/criteria_headers.yaml`` (loaded once by
``header_vocab()``); this module only holds the structure around them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml

from trialmatch.criteria.lowre import Lowered, lowered
from trialmatch.criteria.split_markers import TERMINAL, marker
from trialmatch.vocab._load import DATA_DIR
from trialmatch.vocab.patterns import pattern

__all__ = [
    "MAX_LABEL",
    "HeaderVocab",
    "classify_body",
    "classify_header",
    "header_vocab",
    "is_label",
    "norm",
    "scope_label",
    "sentence_kind",
]

#: Longest line examined for markers/headers (longer lines are plain text).
MAX_LABEL = 80

_VOCAB_PATH = DATA_DIR / "criteria_headers.yaml"


#: A header line read: (kind, scope, rest of the line), as ``classify_header`` gives it.
Header = tuple[str, str | None, str]


@dataclass(frozen=True, slots=True)
class HeaderVocab:
    """The compiled header vocabulary."""

    version: int
    headers: dict[str, str]  # normalised phrase -> "inclusion" | "exclusion" | "neutral"
    sentences: tuple[tuple[str, str], ...]
    scope_re: Lowered  # (searched case-sensitively in the lower-cased text: the same, faster)
    scope_reset: frozenset[str]
    first_words: frozenset[str]  # first word of every header phrase (a quick filter)
    first_pairs: frozenset[str] | None  # their first two characters (a quicker one), if all have two
    start_pairs: frozenset[str] | None  # first_pairs in every letter case (a test without lower())
    kind_phrases: tuple[str, ...]  # the inclusion and exclusion header phrases (qualified_re's prefixes)
    sentence_re: re.Pattern[str]
    #: the sentences (in sentence_re's order) by their first word, if every one has two words (its
    #: match is then a startswith of a phrase filed under the text's first word)
    sentence_index: dict[str, tuple[tuple[str, str], ...]] | None
    leadin_re: Lowered
    qualified_re: re.Pattern[str]  # "inclusion criteria (phase ii only)", "... for cohort b"
    link_always: tuple[str, ...]  # "for ": the qualifier after it is always the header's
    bare_qualified_re: re.Pattern[str]  # "inclusion criteria step 2"
    clear_scope_re: Lowered  # "Phase II only", "NET cohort", "Part 2"
    reset_starts: tuple[str, ...]  # "all ..." qualifiers are no scope
    continuation_starts: tuple[str, ...]  # "Note: ..." after a blank line continues the item
    flow_probe: tuple[str, ...]  # cheap substrings that must occur for a flowed header
    any_header_re: re.Pattern[str]  # "inclusion criteria:" anywhere
    #: any_header_re compiled for the lower-cased text (``lowre.lowered``; None: no such twin)
    any_header_low: re.Pattern[str] | None
    midline_header_re: re.Pattern[str]  # a header run into the text before it
    header_dash_re: re.Pattern[str]  # "Exclusion Criteria: - item" on one line
    #: classify_body's answers by body (bounded): header lines and boilerplate recur across trials
    memo: dict[str, Header | None] = field(default_factory=dict, init=False, compare=False)


def _sentence_index(sentences: list[tuple[str, str]]) -> dict[str, tuple[tuple[str, str], ...]] | None:
    """The sentences (phrase, kind) in order, filed by first word; None if one has no space."""
    index: dict[str, list[tuple[str, str]]] = {}
    for phrase, kind in sentences:
        first, sep, _ = phrase.partition(" ")
        if not sep:
            return None  # (a one-word phrase may match a longer first word)
        index.setdefault(first, []).append((phrase, kind))
    return {w: tuple(ps) for w, ps in index.items()}


def sentence_kind(nbody: str, v: HeaderVocab) -> str | None:
    """The kind of the first sentence phrase that starts ``nbody`` (normalised), as
    ``v.sentence_re.match`` finds it, or None."""
    index = v.sentence_index
    if index is None:
        sm = v.sentence_re.match(nbody)
        if sm is None or not sm.lastgroup:
            return None
        return "inclusion" if sm.lastgroup[0] == "i" else "exclusion"
    # (a phrase with a space starts nbody only when its first word is nbody's first word; the
    # phrases under it keep the alternation's order, so the first that starts nbody is its match)
    for phrase, kind in index.get(nbody.partition(" ")[0], ()):
        if nbody.startswith(phrase):
            return kind
    return None


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in words)


def _cases(words: list[str], *styles: str) -> str:
    out: list[str] = []
    for w in words:
        for s in styles:
            c = w.capitalize() if s == "title" else w.upper() if s == "upper" else w.lower()
            if c not in out:
                out.append(c)
    return _alt(out)


def _case_variants(s: str) -> list[str]:
    """``s`` in every combination of lower and upper case letters ("ex" -> ex, eX, Ex, EX)."""
    return ["".join(cs) for cs in itertools.product(*({c.lower(), c.upper()} for c in s))]


def _strs(data: dict[str, Any], key: str) -> list[str]:
    return [str(x) for x in data.get(key) or []]


@lru_cache(maxsize=1)
def header_vocab() -> HeaderVocab:
    """The header vocabulary from ``criteria_headers.yaml`` (read once)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data: dict[str, Any] = yaml.load(_VOCAB_PATH.read_text(encoding="utf-8"), Loader=loader)
    headers: dict[str, str] = {}
    for kind in ("inclusion", "exclusion", "neutral"):
        for p in _strs(data, kind):
            headers[norm(p)] = kind
    sentences: list[tuple[str, str]] = []
    for kind in ("inclusion", "exclusion"):
        for p in _strs(data, f"{kind}_sentences"):
            sentences.append((norm(p), kind))
    sentences.sort(key=lambda x: -len(x[0]))
    words = "|".join(_strs(data, "scope_words"))  # entries may be regexes ("randomi[sz]ed")
    scope_re = re.compile(rf"\b(?:{words})\b", re.IGNORECASE)
    reset = frozenset(norm(p) for p in _strs(data, "scope_reset"))
    first = frozenset(p.split()[0] for p in [*headers, *(s for s, _ in sentences)] if p.split())
    alts = "|".join(
        f"(?P<{'i' if k == 'inclusion' else 'e'}{n}>{re.escape(p)})" for n, (p, k) in enumerate(sentences)
    )
    leadin = re.compile(rf"\b(?:{_alt(_strs(data, 'leadin_cues'))})\b", re.IGNORECASE)
    hw: dict[str, Any] = data.get("header_words") or {}
    kinds = [str(w) for w in hw.get("kinds") or []]
    noun = str(hw.get("noun") or "criteria")
    quals = [str(w) for w in hw.get("qualifiers") or []]
    flow_quals = [str(w) for w in hw.get("flow_qualifiers") or []]
    links: dict[str, Any] = data.get("qualifier_links") or {}
    always = [str(w) for w in links.get("always") or []]
    scoped = [str(w) for w in links.get("scoped") or []]
    qualified = re.compile(
        rf"^(.{{3,40}}?)\s*(?:\((.{{1,60}})\)|(?:{_alt([*always, *scoped])}|-|–)\s+(.{{1,60}}))$"
    )
    bare = re.compile(rf"^((?:(?:{_alt(quals)}) )?(?:{_alt(kinds)})(?: {re.escape(noun)})?)\s+(.{{1,40}})$")
    clear = _strs(data, "clear_scope_words")
    clear_starts = _strs(data, "clear_scope_starts")
    clear_re = re.compile(rf"\b(?:{_alt(clear)})\b|^(?:{_alt(clear_starts)})\b", re.IGNORECASE)
    any_header = re.compile(rf"(?:{_alt(kinds)}) {re.escape(noun)}\s*:", re.IGNORECASE)
    midline = re.compile(
        rf"(?<=[^\s•·▪■◦○●➢►‣⁃∙*>-])[ \t]+"
        rf"(?=(?:(?:{_cases(flow_quals, 'title', 'upper')}) )?(?:{_cases(kinds, 'title', 'upper')})"
        rf" (?:{_cases([noun], 'title', 'lower', 'upper')})\s*:)"
        rf"|(?<=\S)[ \t]+-{{1,2}}[ \t]*"
        rf"(?=(?i:(?:(?:{_alt(flow_quals)}) )?(?:{_alt(kinds)}) {re.escape(noun)})\s*:)"
    )
    dash = re.compile(
        rf"(?im)^([ \t]*(?:(?:{_alt(flow_quals)}) )?(?:{_alt(kinds)}) {re.escape(noun)}\s*:)[ \t]*(?=-[ \t])"
    )
    pairs = frozenset(w[:2] for w in first) if all(len(w) > 1 for w in first) else None
    return HeaderVocab(
        version=int(data.get("version") or 0),
        headers=headers,
        sentences=tuple(sentences),
        scope_re=Lowered(scope_re),
        scope_reset=reset,
        first_words=first,
        first_pairs=pairs,
        kind_phrases=tuple(p for p, k in headers.items() if k != "neutral"),
        start_pairs=None if pairs is None else frozenset(c for p in pairs for c in _case_variants(p)),
        sentence_re=re.compile(f"^(?:{alts})"),
        sentence_index=_sentence_index(sentences),
        leadin_re=Lowered(leadin),
        qualified_re=qualified,
        link_always=tuple(f"{w} " for w in always),
        bare_qualified_re=bare,
        clear_scope_re=Lowered(clear_re),
        reset_starts=tuple(f"{w} " for w in _strs(data, "scope_reset_starts")),
        continuation_starts=tuple(w.lower() for w in _strs(data, "continuation_starts")),
        flow_probe=(noun[1:].lower(), noun[1:].upper()),
        any_header_re=any_header,
        any_header_low=lowered(any_header),
        midline_header_re=midline,
        header_dash_re=dash,
    )


_NORM_TAIL = " :：-–—.*#_="
_PART_HEADING = pattern("scope.part_heading")  # "PHASE II" alone on its line
_LEAD_STRIP = frozenset("*#_")


def norm(s: str) -> str:
    """A header phrase as looked up: lower-cased, whitespace collapsed, trailing ":"/"-" dropped."""
    # After the join the only whitespace is " ", so rstrip does what a [\s:...]+$ regex would. A
    # string with no whitespace but single spaces only loses an end space to the join: strip drops it.
    if not (s.isprintable() and "  " not in s):
        s = " ".join(s.split())
    return s.lower().strip("*#_ ").rstrip(_NORM_TAIL)


def classify_header(line: str) -> tuple[str, str | None, str] | None:
    """If ``line`` is a criteria section header: (kind, scope, rest of line); else None.

    kind is "inclusion", "exclusion" or "neutral"; rest is item text after "Header:".
    """
    raw = line.strip()
    if not raw or len(raw) > 400:
        return None
    return classify_body(marker(raw)[1])


_MEMO_MAX = 8192


def classify_body(body: str, v: HeaderVocab | None = None) -> tuple[str, str | None, str] | None:
    """``classify_header`` of a stripped line of at most 400 characters, its list marker removed."""
    if v is None:
        v = header_vocab()
    memo = v.memo
    if body in memo:
        return memo[body]
    if len(memo) >= _MEMO_MAX:
        memo.clear()
    out = memo[body] = _classify(body, v)
    return out


def _classify(body: str, v: HeaderVocab) -> tuple[str, str | None, str] | None:
    body = body.strip().strip("*#_").strip()
    p2 = body[:2].lower()[:2]  # the first two characters of the first word below (Σ lower-cases by context)
    pairs = v.first_pairs
    if pairs is not None and p2 not in pairs and p2[:1] not in _LEAD_STRIP and "Σ" not in body[:2]:
        return None
    words = body[:60].lower().split(None, 1)
    if not words:
        return None
    w = words[0]
    if w.strip("*#_").rstrip(_NORM_TAIL) not in v.first_words and w.rstrip(":：") not in v.first_words:
        return None  # (the first word of norm(body): cheaper than norm itself)
    head, sep, rest = body.partition(":")
    if not sep:
        head, sep, rest = body.partition("：")
    nhead = norm(head)
    if len(nhead) <= MAX_LABEL:
        kind = v.headers.get(nhead)
        scope: str | None = None
        if kind is None:
            # "Inclusion Criteria (Phase II only)", "Exclusion criteria for cohort B", "INCLUSION - NET"
            # (the header qualified must be an inclusion or exclusion phrase that starts nhead)
            m = v.qualified_re.match(nhead) if nhead.startswith(v.kind_phrases) else None
            if m and v.headers.get(norm(m.group(1))) in ("inclusion", "exclusion"):
                qual = (m.group(2) or m.group(3) or "").strip()
                scoped = bool(v.scope_re.search(qual))
                if m.group(2) or scoped or nhead[len(m.group(1)) :].lstrip().startswith(v.link_always):
                    kind = v.headers[norm(m.group(1))]
                    if (
                        scoped
                        and norm(qual) not in v.scope_reset
                        and not norm(qual).startswith(v.reset_starts)
                    ):
                        scope = _scope_text(head, qual)
            elif not sep:
                # "inclusion criteria STEP 2", "Exclusion criteria Phase II only"
                m2 = v.bare_qualified_re.match(nhead)
                if m2 and v.scope_re.search(m2.group(2)) and norm(m2.group(1)) in v.headers:
                    kind = v.headers[norm(m2.group(1))]
                    scope = _scope_text(head, m2.group(2))
        if kind is not None and (sep or not rest):
            return kind, scope, rest.strip()
    # sentence headers: "Patients are not eligible if any of the following apply:"
    if len(body) > 200:
        return None
    nbody = nhead if head is body else norm(body)
    if body.rstrip().endswith((":", "：")) or len(nbody) <= 60:
        skind = sentence_kind(nbody, v)
        if skind == "inclusion" and _lists_alternatives(body):
            return None  # "Patients must have one of the following diagnoses:": a list of alternatives
        if skind is not None:
            return skind, None, ""
    return None


def _lists_alternatives(body: str) -> bool:
    """Does ``body`` introduce alternatives ("one of the following"), not requirements of all?"""
    if "following" not in body.lower():
        return False  # a word of every list cue
    from trialmatch.criteria.lexicon import has_phrase

    return has_phrase("alternative_list_cues", body)


def _scope_text(head: str, qual: str) -> str:
    if head.isascii() and qual.isascii():  # (ASCII only: an IGNORECASE search is a find in lower case)
        k = head.lower().find(qual.lower())
        return head[k : k + len(qual)] if k >= 0 else qual
    m = re.search(re.escape(qual), head, re.IGNORECASE)
    return head[m.start() : m.end()] if m else qual


def scope_label(line: str, next_marked: bool | Callable[[], bool] = False) -> tuple[str, str | None] | None:
    """A short unmarked label line ending with ':' -> ("scope", text) / ("reset", None) / ("label", None).

    ``next_marked``: is the next line a marked item (or a function that tells, called if needed)?
    """
    s = line.strip()
    if not s or len(s) > MAX_LABEL + 1:
        return None
    bare = s.strip("*#_ ").rstrip()
    ends_colon = bare.endswith((":", "："))
    core = bare.rstrip(":：").strip().strip("*#_").strip()
    if not core:
        return None
    v = header_vocab()
    if norm(core) in v.scope_reset:
        return "reset", None
    words = core.split()
    if not ends_colon:
        # "Phase II only", "NET cohort" without colon: accept only clear scope labels
        if len(words) > 6 or not v.scope_re.search(core):
            return None
        if v.clear_scope_re.search(core) or _PART_HEADING.match(core):
            return "scope", core
        if (
            len(words) <= 5
            and not core.endswith(TERMINAL)
            and (next_marked() if callable(next_marked) else next_marked)
        ):
            return "scope", core  # "Run-in period" above a bulleted list
        return None
    if len(words) > 8:
        return None
    if v.scope_re.search(core):
        return "scope", core
    return "label", None


def is_label(head: list[str]) -> bool:
    """Do unmarked lines ``head`` only introduce the list after them ("Hematology:", "Patients must ...:")?"""
    txt = " ".join(head).rstrip()
    if not txt.endswith((":", "：")) or len(txt) > 400:
        return False
    return len(txt.split()) <= 5 or bool(header_vocab().leadin_re.search(txt))
