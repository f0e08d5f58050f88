"""Text processing for search: rewrites, query analysis with NEN concept expansion, FTS5 expressions,
criteria splitting. Pure functions; vocabulary from ``vocab/data/nen_search.yaml``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

__all__ = [
    "MAX_QUERY_CHARS",
    "Concept",
    "QueryGroup",
    "SearchVocab",
    "analyse_query",
    "fts_expression",
    "load_vocab",
    "normalise_text",
    "split_criteria",
    "tokens",
]

MAX_QUERY_CHARS = 20_000
MAX_TEXT_CHARS = 200_000
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_TOKEN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Concept:
    key: str
    label: str
    aliases: tuple[str, ...]
    ambiguous_aliases: tuple[str, ...]
    terms: tuple[str, ...]
    narrower: tuple[str, ...]


@dataclass
class SearchVocab:
    version: int
    rewrites: list[tuple[re.Pattern[str], str]]
    variants: dict[str, tuple[str, ...]]
    concepts: dict[str, Concept]
    alias_index: dict[tuple[str, ...], str]  # alias tokens -> concept key
    max_alias_len: int
    stop_words: frozenset[str]
    negation_line_cues: tuple[str, ...]
    negation_phrases: tuple[str, ...]

    def broader(self, key: str) -> list[str]:
        """Concepts that list ``key`` among their narrower concepts (one level up)."""
        return [k for k, c in self.concepts.items() if key in c.narrower]

    def expand_concept(self, key: str) -> list[str]:
        """The searched phrases of a concept and (transitively) its narrower concepts."""
        seen: set[str] = set()
        out: list[str] = []
        stack = [key]
        while stack:
            k = stack.pop()
            if k in seen or k not in self.concepts:
                continue
            seen.add(k)
            c = self.concepts[k]
            for t in c.terms:
                if t not in out:
                    out.append(t)
            stack.extend(c.narrower)
        return out


@lru_cache(maxsize=1)
def load_vocab() -> SearchVocab:
    """Load and compile ``nen_search.yaml`` (cached)."""
    raw: dict[str, Any] = yaml.safe_load(
        resources.files("trialmatch.vocab").joinpath("data/nen_search.yaml").read_text("utf-8")
    )
    rewrites = [(re.compile(r"\b" + r["from"] + r"\b", re.IGNORECASE), r["to"]) for r in raw["rewrites"]]
    variants: dict[str, tuple[str, ...]] = {}
    for group in raw.get("word_variants", []):
        g = tuple(str(w).lower() for w in group)
        for w in g:
            variants[w] = g
    concepts: dict[str, Concept] = {}
    alias_index: dict[tuple[str, ...], str] = {}
    for key, c in raw["concepts"].items():
        concept = Concept(
            key=key,
            label=c.get("label", key),
            aliases=tuple(c.get("aliases", [])),
            ambiguous_aliases=tuple(c.get("ambiguous_aliases", [])),
            terms=tuple(c.get("terms", [])),
            narrower=tuple(c.get("narrower", [])),
        )
        concepts[key] = concept
        for alias in (*concept.aliases, *concept.ambiguous_aliases):
            alias_index.setdefault(tuple(tokens(_apply_rewrites(alias, rewrites))), key)
    return SearchVocab(
        version=int(raw["version"]),
        rewrites=rewrites,
        variants=variants,
        concepts=concepts,
        alias_index=alias_index,
        max_alias_len=max(len(k) for k in alias_index),
        stop_words=frozenset(str(w) for w in raw.get("stop_words", [])),
        negation_line_cues=tuple(str(w).lower() for w in raw.get("negation_line_cues", [])),
        negation_phrases=tuple(str(w).lower() for w in raw.get("negation_phrases", [])),
    )


def _apply_rewrites(text: str, rewrites: list[tuple[re.Pattern[str], str]]) -> str:
    for pat, repl in rewrites:
        text = pat.sub(repl, text)
    return text


def normalise_text(text: str | None, vocab: SearchVocab | None = None) -> str:
    """Text as indexed: size-capped, with the vocabulary's rewrites applied."""
    if not text:
        return ""
    return _apply_rewrites(text[:MAX_TEXT_CHARS], (vocab or load_vocab()).rewrites)


def tokens(text: str) -> list[str]:
    """Lower-case alphanumeric tokens (the same split FTS5's unicode61 tokenizer makes, roughly)."""
    return _TOKEN.findall(text.lower())


@dataclass
class QueryGroup:
    """One unit of meaning in a query: a concept (several phrases) or a word (with variants)."""

    label: str
    phrases: list[str]
    concept: str | None = None
    weight: float = 1.0
    words: list[str] = field(default_factory=list)
    direct: list[str] = field(default_factory=list)  # the concept's own terms (not its narrower ones)


def analyse_query(q: str, vocab: SearchVocab | None = None) -> list[QueryGroup]:
    """Split a query into groups: NEN concepts (longest alias match) and remaining content words."""
    v = vocab or load_vocab()
    toks = tokens(_apply_rewrites(q[:MAX_QUERY_CHARS], v.rewrites))
    groups: list[QueryGroup] = []
    seen_concepts: set[str] = set()
    seen_words: set[str] = set()
    i = 0
    while i < len(toks):
        hit: str | None = None
        for n in range(min(v.max_alias_len, len(toks) - i), 0, -1):
            key = v.alias_index.get(tuple(toks[i : i + n]))
            if key:
                hit = key
                break
        if hit is not None:
            if hit not in seen_concepts:
                seen_concepts.add(hit)
                groups.append(
                    QueryGroup(
                        label=v.concepts[hit].label,
                        phrases=_prune(v.expand_concept(hit)),
                        concept=hit,
                        direct=_prune(list(v.concepts[hit].terms)),
                    )
                )
            i += n
            continue
        w = toks[i]
        i += 1
        if w in v.stop_words or w in seen_words or (len(w) < 2 and not w.isdigit()) or w.isdigit():
            continue
        seen_words.add(w)
        phrases = list(v.variants.get(w, (w,)))
        groups.append(QueryGroup(label=w, phrases=phrases, words=[w]))
    return groups


def _prune(phrases: list[str]) -> list[str]:
    """Drop phrases that contain another phrase of the list (they match nothing more): with
    "neuroendocrine" searched, "neuroendocrine carcinoma" is redundant."""
    toks = [tuple(tokens(p)) for p in phrases]

    def contains(big: tuple[str, ...], small: tuple[str, ...]) -> bool:
        n = len(small)
        return 0 < n < len(big) and any(big[i : i + n] == small for i in range(len(big) - n + 1))

    return [p for p, t in zip(phrases, toks, strict=True) if t and not any(contains(t, o) for o in toks)]


def _quote(phrase: str) -> str:
    toks = tokens(phrase)
    return '"' + " ".join(toks) + '"' if toks else ""


def group_expression(g: QueryGroup, direct: bool = False) -> str:
    parts = [p for p in (_quote(x) for x in ((g.direct or g.phrases) if direct else g.phrases)) if p]
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def fts_expression(
    groups: list[QueryGroup], mode: str = "and", columns: list[str] | None = None, direct: bool = False
) -> str:
    """An FTS5 MATCH expression for ``groups`` joined by AND or OR, optionally column-filtered;
    ``direct`` searches concepts by their own terms only (not their narrower concepts')."""
    parts = [e for e in (group_expression(g, direct) for g in groups) if e]
    if not parts:
        return ""
    expr = (" AND " if mode == "and" else " OR ").join(parts)
    if columns:
        expr = "{" + " ".join(columns) + "} : (" + expr + ")"
    return expr


_HEADER = re.compile(r"^\s*(?:key\s+)?(inclusion|exclusion)\s+criteria\s*:?", re.IGNORECASE | re.MULTILINE)
_BULLET = re.compile(r"^\s*(?:[-*•·]|\(?\d{1,3}[.)]|\(?[a-z][.)])\s*", re.IGNORECASE)


def split_criteria(text: str | None, vocab: SearchVocab | None = None) -> tuple[str, str]:
    """Split criteria text into (inclusion, exclusion). Inclusion lines that are exclusionary
    ("No brain metastases", "... are not eligible") move to the exclusion part."""
    if not text:
        return "", ""
    v = vocab or load_vocab()
    text = text[:MAX_TEXT_CHARS]
    inc: list[str] = []
    exc: list[str] = []
    section = "inclusion"
    pos = 0
    chunks: list[tuple[str, str]] = []
    for m in _HEADER.finditer(text):
        chunks.append((section, text[pos : m.start()]))
        section = m.group(1).lower()
        pos = m.end()
    chunks.append((section, text[pos:]))
    for sec, chunk in chunks:
        for line in chunk.splitlines():
            line = line.strip()
            if not line:
                continue
            if sec == "exclusion" or _is_negative(line, v):
                exc.append(line)
            else:
                inc.append(line)
    return "\n".join(inc), "\n".join(exc)


def _is_negative(line: str, v: SearchVocab) -> bool:
    body = _BULLET.sub("", line, count=1).lower().lstrip()
    for cue in v.negation_line_cues:
        if body.startswith(cue) and (len(body) == len(cue) or not body[len(cue)].isalnum()):
            return True
    return any(p in body for p in v.negation_phrases)
