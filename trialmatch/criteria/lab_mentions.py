"""Lab and vital names in criteria text (``vocab/data/labs.yaml``): longest match first, full names
case-insensitively on normalised tokens, abbreviations ("ALT", "ANC") case-sensitively."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from itertools import compress, count
from operator import or_
from typing import NamedTuple

from trialmatch.vocab.concepts import locate_in, norm_token, normed_words, spaced_words, tokenize
from trialmatch.vocab.labs import labs

__all__ = ["LabMention", "lab_mentions", "may_mention_lab"]


class LabMention(NamedTuple):
    """``text[start:end]`` names lab ``key`` (a named tuple: built in C, cheaper than a dataclass)."""

    key: str
    var: str
    start: int
    end: int


@cache
def _lab_index() -> tuple[
    dict[tuple[str, ...], tuple[str, str]],
    dict[tuple[str, ...], tuple[str, str]],
    dict[str, tuple[int, ...]],
    dict[str, tuple[int, ...]],
]:
    """(lab names by normalised tokens, abbreviations by tokens as written, and by first token
    the token counts of the names and of the abbreviations starting with it, longest first: the
    only lengths a match at that token can have)."""
    names: dict[tuple[str, ...], tuple[str, str]] = {}
    abbrs: dict[tuple[str, ...], tuple[str, str]] = {}
    for lv in labs():
        for n in lv.names:
            k = tuple(norm_token(t) for t, _, _ in tokenize(n))
            if k and k not in names:
                names[k] = (lv.key, lv.var)
        for a in lv.abbr:
            k = tuple(t for t, _, _ in tokenize(a))
            if k and k not in abbrs:
                abbrs[k] = (lv.key, lv.var)
    lengths: list[dict[str, tuple[int, ...]]] = []
    for keys in (names, abbrs):
        lens: dict[str, set[int]] = {}
        for k in keys:
            lens.setdefault(k[0], set()).add(len(k))
        lengths.append({t: tuple(sorted(v, reverse=True)) for t, v in lens.items()})
    return names, abbrs, lengths[0], lengths[1]


@cache
def _first_tokens() -> tuple[frozenset[str], frozenset[str]]:
    """The first tokens of the lab names (normalised) and of the abbreviations (as written)."""
    _, _, fn, fa = _lab_index()
    return frozenset(fn), frozenset(fa)


def may_mention_lab(text: str) -> bool:
    """False when ``text`` names no lab: none of its tokens starts a lab name or abbreviation
    (a necessary condition of ``lab_mentions``, checked on the cached tokens without a scan)."""
    words, normed = normed_words(text)
    fn, fa = _first_tokens()
    return not (fn.isdisjoint(normed) and fa.isdisjoint(words))


def lab_mentions(text: str) -> list[LabMention]:
    """Lab / vital names in ``text`` (longest match; abbreviations case-sensitive)."""
    at, words, normed = spaced_words(text)
    fns, fas = _first_tokens()
    out: list[LabMention] = []
    # a mention starts at a token that starts a lab name (normalised) or an abbreviation (as written);
    # the starts are picked in C (in a text with no abbreviation's first token, of names only)
    cand: Iterable[int]
    if fas.isdisjoint(words):
        if fns.isdisjoint(normed):
            return out
        cand = compress(count(), map(fns.__contains__, normed))
    else:
        cand = compress(count(), map(or_, map(fns.__contains__, normed), map(fas.__contains__, words)))
    names, abbrs, fn, fa = _lab_index()
    n = len(words)
    nxt, k, pos = 0, 0, 0  # tokens are located lazily, left to right: words[:k] end at or before pos (in at)
    for i in cand:
        if i < nxt:
            continue
        best_len, key, var = 0, "", ""
        room = n - i
        for size in fn.get(normed[i], ()):  # (the lengths a name from this token has, longest first)
            if size <= room:
                hit = names.get(normed[i : i + size])
                if hit is not None:
                    best_len, (key, var) = size, hit
                    break
        for size in fa.get(words[i], ()):
            if size <= best_len:
                break
            if size <= room:
                hit = abbrs.get(words[i : i + size])
                if hit is not None:
                    best_len, (key, var) = size, hit
                    break
        if best_len:
            s, e, pos = locate_in(text, at, words, k, i, best_len, pos)
            k = nxt = i + best_len
            out.append(LabMention(key, var, s, e))
    return out
