"""Concepts (diseases, histologies, sites, events, treatments, drug classes, procedures,
biomarkers, imaging) from ``data/concepts.yaml``, with is-a parents and a fast text scanner.

``concepts_in(text)``: longest match on word boundaries, case-insensitive for names (British and
American spellings and plurals normalised), case-sensitive for abbreviations ("NET", "PE").
``concept_ids_for(name)``: what a patient's free-text entry maps to, with every ancestor.
``is_a(child, ancestor)``: reflexive, transitive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import compress, count
from operator import or_
from typing import NamedTuple

from trialmatch.vocab._load import load_data

__all__ = [
    "Concept",
    "ConceptHit",
    "ancestors",
    "ascii_words",
    "concept",
    "concept_ids_for",
    "concepts",
    "concepts_in",
    "descendants",
    "is_a",
    "locate",
    "locate_in",
    "norm_token",
    "normed_tokens",
    "normed_words",
    "spaced_words",
    "tokenize",
]


def normed_tokens(text: str) -> tuple[tuple[tuple[str, int, int], ...], tuple[str, ...]]:
    """(tokens, normalised tokens) of a text, memoised."""
    return _tokenize(text), _normed(text)


MAX_TEXT = 200_000
_TOKEN = re.compile(r"[^\W_]+")
# the same tokens in an ASCII text (there ``\w`` is ``[A-Za-z0-9_]``), found ~1.6x faster
_ASCII_TOKEN = re.compile(r"[A-Za-z0-9]+")
_PREFIX_MAP = (
    ("haem", "hem"),
    ("anaem", "anem"),
    ("ischaem", "ischem"),
    ("oesoph", "esoph"),
    ("oedem", "edem"),
    ("oestr", "estr"),
    ("leuc", "leuk"),
    ("paed", "ped"),
    ("phaeo", "pheo"),
    ("faec", "fec"),
    ("tumour", "tumor"),
    ("somatostatine", "somatostatin"),
)
_WORD_MAP = {
    "metastases": "metastasis",
    "aids": "aids",
    "aid": "aid",
    "diagnoses": "diagnosis",
    "thromboses": "thrombosis",
    "analogue": "analog",
    "analogues": "analog",
    "diseases": "disease",
    "tumours": "tumor",
    "tumour": "tumor",
    "neoplasia": "neoplasm",
    "neoplasias": "neoplasm",
    "haemorrhagic": "hemorrhagic",
    "localised": "localized",
    "normalised": "normalized",
    "labelling": "labeling",
    "centre": "center",
    "favour": "favor",
}


@lru_cache(maxsize=65536)
def norm_token(tok: str) -> str:
    """Lower-case, American spelling, singular (consistently, not linguistically)."""
    t = tok.lower()
    if t in _WORD_MAP:
        return _WORD_MAP[t]
    for a, b in _PREFIX_MAP:
        if t.startswith(a):
            t = b + t[len(a) :]
            break
    if t in _WORD_MAP:
        return _WORD_MAP[t]
    if len(t) > 4 and t.endswith("ies"):
        return t[:-3] + "y"
    if len(t) > 3 and t.endswith("s") and not t.endswith(("ss", "us", "is")) and not t[-2].isdigit():
        return t[:-1]
    return t


@lru_cache(maxsize=8192)
def _tokenize(text: str) -> tuple[tuple[str, int, int], ...]:
    return tuple((m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text))


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """(token as written, start, end) for every run of letters/digits."""
    return list(_tokenize(text))


@lru_cache(maxsize=8192)
def _normed(text: str) -> tuple[str, ...]:
    return tuple(norm_token(t) for t, _, _ in _tokenize(text))


@dataclass(frozen=True, slots=True)
class Concept:
    id: str
    type: str
    names: tuple[str, ...] = ()
    abbr: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.names[0] if self.names else (self.abbr[0] if self.abbr else self.id)


class ConceptHit(NamedTuple):
    """A concept mention: ``text[start:end]`` names ``concept`` (a named tuple: built in C, ~2x
    faster than a frozen dataclass)."""

    concept: str
    start: int
    end: int
    text: str


@cache
def concepts() -> dict[str, Concept]:
    """Every concept by id."""
    out: dict[str, Concept] = {}
    for d in load_data("concepts")["concepts"]:
        c = Concept(
            id=str(d["id"]),
            type=str(d.get("type") or "other"),
            names=tuple(str(x) for x in d.get("names") or ()),
            abbr=tuple(str(x) for x in d.get("abbr") or ()),
            codes=tuple(str(x) for x in d.get("codes") or ()),
            parents=tuple(str(x) for x in d.get("parents") or ()),
        )
        if c.id in out:
            raise ValueError(f"concepts.yaml: duplicate id {c.id}")
        out[c.id] = c
    return out


def concept(cid: str) -> Concept | None:
    return concepts().get(cid)


def _name_key(name: str) -> tuple[str, ...]:
    return tuple(norm_token(t) for t, _, _ in tokenize(name))


def _abbr_key(abbr: str) -> tuple[str, ...]:
    return tuple(t for t, _, _ in tokenize(abbr))


_Lengths = dict[str, tuple[int, ...]]


class _Index(NamedTuple):
    """The scanner's lookup tables."""

    names: dict[tuple[str, ...], str]  # names of two tokens or more, by normalised tokens
    one: dict[str, str]  # one-token names, by the normalised token
    pairs: dict[str, _Lengths]  # first token -> second token -> lengths of those names, longest first
    starts: frozenset[str]  # the first tokens of all names (normalised)
    abbrs: dict[tuple[str, ...], str]  # abbreviations, by tokens as written
    first_a: _Lengths  # first token -> lengths of the abbreviations starting with it, longest first


@cache
def _index() -> _Index:
    names: dict[tuple[str, ...], str] = {}
    abbrs: dict[tuple[str, ...], str] = {}
    len_n: dict[str, dict[str, set[int]]] = {}
    len_a: dict[str, set[int]] = {}
    for c in concepts().values():
        for n in (*c.names, *c.codes):
            k = _name_key(n)
            if k and k not in names:
                names[k] = c.id
                by_second = len_n.setdefault(k[0], {})
                if len(k) > 1:
                    by_second.setdefault(k[1], set()).add(len(k))
        for a in c.abbr:
            k = _abbr_key(a)
            if k and k not in abbrs:
                abbrs[k] = c.id
                len_a.setdefault(k[0], set()).add(len(k))
    one = {k[0]: cid for k, cid in names.items() if len(k) == 1}
    multi = {k: cid for k, cid in names.items() if len(k) > 1}
    pairs = {t: {u: tuple(sorted(v, reverse=True)) for u, v in d.items()} for t, d in len_n.items() if d}
    first_a = {t: tuple(sorted(v, reverse=True)) for t, v in len_a.items()}
    return _Index(multi, one, pairs, frozenset(len_n), abbrs, first_a)


class _Normed(dict[str, str]):
    """``norm_token`` of the tokens seen, read by ``dict.__getitem__`` in C (emptied when full)."""

    def __missing__(self, tok: str) -> str:
        if len(self) >= 65536:
            self.clear()
        out = self[tok] = norm_token(tok)
        return out


_norm_of = _Normed().__getitem__
# an ASCII text's tokens (runs of [A-Za-z0-9]) are the words of its bytes with every other byte a space
_SPACED = bytes(c if chr(c).isascii() and chr(c).isalnum() else 32 for c in range(256))


def ascii_words(text: str) -> list[str]:
    """The tokens of an ASCII ``text`` (``_ASCII_TOKEN.findall(text)``, ~1.7x faster: one C pass)."""
    return text.encode().translate(_SPACED).decode().split()


# a text's words are read again soon after (its lab mentions, then its concepts) or not at all: a
# small cache keeps those hits (64 entries kept 99% of 8,192's) and its memory stays in the CPU cache
@lru_cache(maxsize=256)
def spaced_words(text: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """(a text to locate the tokens in, the tokens as written, normalised): for an ASCII text, the
    text with every character but a letter or digit a space, between two spaces (its tokens one place
    after where they are in ``text``; found in the same C pass as the tokens), else ``text``."""
    if text.isascii():
        at = " " + text.encode().translate(_SPACED).decode() + " "
        words = tuple(at.split())
    else:
        at = text
        words = tuple(_TOKEN.findall(text))
    return at, words, tuple(map(_norm_of, words))


def normed_words(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(tokens as written, normalised tokens) without positions (``locate`` finds those of a hit)."""
    _, words, normed = spaced_words(text)
    return words, normed


def locate(text: str, words: tuple[str, ...], i: int, n: int, k: int, pos: int) -> tuple[int, int, int]:
    """(start, end) of tokens ``words[i : i + n]`` of ``text``, and the position after them, from
    ``pos`` (where ``words[k]``, ``k <= i``, is searched from): a token is the first occurrence of its
    word after the previous token, since the characters between two tokens are none of a token's."""
    while k < i:
        pos = text.find(words[k], pos) + len(words[k])
        k += 1
    s = text.find(words[i], pos)
    pos = s + len(words[i])
    for j in range(i + 1, i + n):
        pos = text.find(words[j], pos) + len(words[j])
    return s, pos, pos


def locate_in(
    text: str, at: str, words: tuple[str, ...], k: int, i: int, n: int, pos: int
) -> tuple[int, int, int]:
    """``(start, end)`` in ``text`` of tokens ``words[i : i + n]`` and the place after them in ``at``
    (``spaced_words(text)``), from ``pos`` in ``at`` where ``words[k]``, ``k <= i``, is searched from.
    In a spaced ``at`` (of an ASCII text) token ``i`` is the occurrence of its word between two spaces
    after as many more as tokens ``k .. i - 1`` are that word: found without locating those tokens
    one by one (the scanners did ~2.6 finds a mention); else as ``locate`` finds it."""
    if not text.isascii():  # (``at`` is ``text``; an equal one, not always the same object)
        return locate(text, words, i, n, k, pos)
    w = words[i]
    needle = f" {w} "
    x = at.find(needle, pos)
    for _ in range(words[k:i].count(w)):
        x = at.find(needle, x + len(w) + 1)
    pos = x + 1 + len(w)
    for j in range(i + 1, i + n):
        pos = at.find(words[j], pos) + len(words[j])
    return x, pos - 1, pos


def concepts_in(text: str) -> list[ConceptHit]:
    """Concept mentions in ``text``, longest match first, left to right, not overlapping."""
    if not text:
        return []
    text = text[:MAX_TEXT]
    names, one, pairs, starts, abbrs, first_a = _index()
    at, words, normed = spaced_words(text)
    # a mention starts at a token that starts a name (normalised) or an abbreviation (as written),
    # picked in C; in a text with no abbreviation's first token (most), the starts of names only
    if first_a.keys().isdisjoint(words):
        if starts.isdisjoint(normed):
            return []
        cand = compress(count(), map(starts.__contains__, normed))
        first_a = {}
    else:
        cand = compress(count(), map(or_, map(starts.__contains__, normed), map(first_a.__contains__, words)))
    out: list[ConceptHit] = []
    n = len(words)
    k = pos = nxt = 0  # tokens are located lazily, left to right: words[:k] end at or before pos (in at)
    for i in cand:
        if i < nxt:
            continue  # inside the mention found before
        t = normed[i]
        best_len, best_id = 0, ""
        # names of two tokens or more: only those with this first and second token are looked up
        lengths = pairs[t].get(normed[i + 1]) if i + 1 < n and t in pairs else None
        if lengths is not None:
            for L in lengths:
                if n - i >= L:
                    cid = names.get(normed[i : i + L])
                    if cid is not None:
                        best_len, best_id = L, cid
                        break
        if not best_len:
            cid = one.get(t)
            if cid is not None:
                best_len, best_id = 1, cid
        if first_a:
            for L in first_a.get(words[i], ()):
                if best_len >= L:
                    break
                if n - i >= L:
                    cid = abbrs.get(words[i : i + L])
                    if cid is not None:
                        best_len, best_id = L, cid
                        break
        if best_len:
            s, e, pos = locate_in(text, at, words, k, i, best_len, pos)
            k = nxt = i + best_len
            out.append(ConceptHit(best_id, s, e, text[s:e]))
    return out


@cache
def ancestors(cid: str) -> frozenset[str]:
    """Every ancestor of a concept (not itself)."""
    c = concepts().get(cid)
    if c is None:
        return frozenset()
    out: set[str] = set()
    for p in c.parents:
        out.add(p)
        out |= ancestors(p)
    return frozenset(out)


@cache
def _children() -> dict[str, frozenset[str]]:
    kids: dict[str, set[str]] = {}
    for c in concepts().values():
        for p in c.parents:
            kids.setdefault(p, set()).add(c.id)
    return {k: frozenset(v) for k, v in kids.items()}


@cache
def descendants(cid: str) -> frozenset[str]:
    """Every descendant of a concept (not itself)."""
    out: set[str] = set()
    for k in _children().get(cid, ()):
        out.add(k)
        out |= descendants(k)
    return frozenset(out)


def is_a(child: str, ancestor: str) -> bool:
    """``child`` is ``ancestor`` or one of its descendants."""
    return child == ancestor or ancestor in ancestors(child)


@lru_cache(maxsize=8192)
def concept_ids_for(name: str | None) -> frozenset[str]:
    """The concepts a patient's entry names (``"deep vein thrombosis"`` -> dvt, venous
    thromboembolism, thrombotic event ...; ``"etoposide + cisplatin"`` -> both drugs and their
    classes), each with its ancestors. Empty when nothing is recognised."""
    if not name:
        return frozenset()
    out: set[str] = set()
    s = str(name)[:2000]
    cid = concepts().get(s)
    if cid is not None:
        out.add(s)
        out |= ancestors(s)
    for h in concepts_in(s):
        out.add(h.concept)
        out |= ancestors(h.concept)
    return frozenset(out)
