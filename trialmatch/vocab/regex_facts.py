"""What a regular expression's syntax tree says about its matches, and the Unicode case facts
those readings rest on.

``needed(rx)`` gives lower-cased strings one of which every match contains (``\\bage[ds]?\\b|
\\byears?\\b`` -> ``{"age", "year"}``), or None when it cannot tell; ``needed_all`` several such
sets, each necessary; ``max_width`` the longest text a match can span; ``final_words_of`` the plain
words one of which ends every match; ``first_chars`` a class holding the first character of every
match (``first_char_gated`` leads the pattern with it, so the search skips ahead). ``trie_regex``
builds a regex of literal phrases as a trie. ``folded(text)`` is ``text.lower()`` with the three
characters a case-insensitive regex matches to an ASCII letter that ``str.lower`` does not give
(dotless i, long s, the combining dot of "İ") mapped to it, so the strings stay a true necessary
condition on any text. ``trialmatch.vocab.prefilter`` builds its ``Cue`` on these.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from functools import lru_cache
from re import _compiler as K  # type: ignore[attr-defined]
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as P  # type: ignore[attr-defined]
from typing import Any

__all__ = [
    "LOWER_SAFE",
    "Strs",
    "caseless",
    "caseless_safe",
    "final_words_of",
    "first_char_gated",
    "first_chars",
    "fold_lowered",
    "folded",
    "lowered",
    "max_width",
    "minimal",
    "needed",
    "needed_all",
    "needed_alts",
    "search_twin",
    "trie_regex",
]

_MAX_SET = 64  # more alternatives than this: not worth testing one by one
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT))
_ZERO_WIDTH = (C.AT, C.ASSERT, C.ASSERT_NOT)

# The Unicode case facts the prefilters rest on, in one place (tests check them over Unicode).
# (1) ``caseless`` characters, ASCII or without case ("≥", "–": neither lower- nor upper-casing
# changes them): a text of them, lower-cased, matches a pattern without upper-case letters
# case-sensitively where the text matches it case-insensitively. (2) The ASCII letters that
# re.IGNORECASE matches to a character which str.lower() does not turn into them are i and s:
# dotless i, long s, and "İ" (lower-cased to "i" and a combining dot); ``folded`` maps those, so
# a caseless literal of a pattern is in the folded text wherever the pattern matches it.
_ODD_CASE = {"\u0131": "i", "\u017f": "s", "\u0307": ""}  # what ``folded`` maps them to
_FOLD = str.maketrans({k: v or None for k, v in _ODD_CASE.items()})
#: ASCII letters and digits that ``str.lower()`` gives wherever re.IGNORECASE matches them
LOWER_SAFE = frozenset(string.ascii_lowercase + string.digits) - set(_ODD_CASE.values())

Strs = frozenset[str]


class _Caseless(dict[str, bool]):
    def __missing__(self, ch: str) -> bool:
        ok = self[ch] = ch.isascii() or ch.lower() == ch == ch.upper()
        return ok


_CASELESS = _Caseless()


def caseless(ch: str) -> bool:
    """A character re.IGNORECASE matches exactly where ``str.lower()`` gives it: ASCII, or one
    without case ("≥", "–")."""
    return _CASELESS[ch]


def caseless_safe(text: str) -> bool:
    """True when every character of ``text`` is ``caseless``: then ``text.lower()`` matched
    case-sensitively is the same as ``text`` matched case-insensitively by a pattern without
    upper-case letters."""
    if text.isascii():
        return True
    ok = _SAFE_TEXTS.get(text)
    if ok is None:  # (memoised: the readers of one item ask again about the same text)
        if len(_SAFE_TEXTS) >= _SAFE_MAX:
            _SAFE_TEXTS.clear()
        ok = _SAFE_TEXTS[text] = all(map(_CASELESS.__getitem__, set(text)))
    return ok


_SAFE_MAX = 8192
_SAFE_TEXTS: dict[str, bool] = {}  # non-ASCII texts -> caseless_safe


def _product(a: Strs, b: Strs) -> Strs | None:
    if len(a) * len(b) > _MAX_SET:
        return None
    return frozenset(x + y for x in a for y in b)


def _best(cands: Iterable[Strs]) -> Strs | None:
    """The most selective candidate: longest shortest string, then fewest strings."""
    ok = [c for c in cands if c and min(map(len, c)) > 0]
    if not ok:
        return None
    best: Strs = max(ok, key=lambda c: (min(map(len, c)), -len(c)))
    return minimal(best)


def _node(op: Any, av: Any) -> tuple[Strs | None, Strs | None]:
    """(every string the node can match, or None; a set one of which each match contains, or None)."""
    if op is C.LITERAL:
        ch = chr(av)
        if not caseless(ch):
            return None, None
        s = frozenset({ch.lower()})
        return s, s
    if op in _ZERO_WIDTH:
        return frozenset({""}), None
    if op is C.IN:
        chars: set[str] = set()
        for iop, iav in av:
            if iop is C.LITERAL:
                chars.add(chr(iav))
            elif iop is C.RANGE and iav[1] - iav[0] < 16:
                chars.update(chr(c) for c in range(iav[0], iav[1] + 1))
            else:
                return None, None
        if not all(map(caseless, chars)) or len(chars) > 16:
            return None, None
        s = frozenset(c.lower() for c in chars)
        return s, s
    if op is C.SUBPATTERN or op is getattr(C, "ATOMIC_GROUP", None):
        return _seq(av[-1])
    if op is C.BRANCH:
        parts = [_seq(b) for b in av[1]]
        exact: Strs | None = None
        if all(e is not None for e, _ in parts):
            exact = frozenset().union(*(e for e, _ in parts if e is not None))
            exact = exact if len(exact) <= _MAX_SET else None
        needs = [n for _, n in parts]
        need = None
        if all(n is not None for n in needs):
            need = frozenset().union(*(n for n in needs if n is not None))
            need = need if len(need) <= _MAX_SET else None
        return exact, need
    if op in _REPEATS:
        lo, hi, sub = av
        e, n = _seq(sub)
        if lo == 0:
            return (e | {""} if e is not None and hi == 1 else None), None
        return (e if lo == hi == 1 else None), n
    return None, None


def _seq(items: Any) -> tuple[Strs | None, Strs | None]:
    whole, cands = _seq_cands(items)
    return whole, _best(cands)


def _seq_cands(items: Any) -> tuple[Strs | None, list[Strs]]:
    """A sequence: (every string it can match, or None; candidate sets, each necessary). Runs of
    nodes with finite match sets are multiplied out into one candidate."""
    cands: list[Strs] = []
    run: Strs | None = frozenset({""})
    whole: Strs | None = frozenset({""})
    for op, av in items:
        e, n = _node(op, av)
        if n is not None:
            cands.append(n)
        if e is None:
            if run is not None:
                cands.append(run)
            run, whole = frozenset({""}), None
            continue
        nxt = _product(run, e) if run is not None else None
        if nxt is None:
            if run is not None:
                cands.append(run)
            nxt = e
        run = nxt
        whole = _product(whole, e) if whole is not None else None
    if run is not None:
        cands.append(run)
    if whole is not None:
        cands.append(whole)
    return whole, cands


def needed(rx: re.Pattern[str]) -> frozenset[str] | None:
    """Lower-cased strings one of which ``folded(text)`` contains whenever ``rx.search(text)``
    matches (None: no such set derived, every text may match)."""
    tree = P.parse(rx.pattern, rx.flags & ~re.UNICODE)
    return _seq(tree.data if hasattr(tree, "data") else tree)[1]


def needed_all(rx: re.Pattern[str], most: int = 3) -> list[frozenset[str]]:
    """Up to ``most`` sets of strings, each necessary like ``needed`` (so all of them together):
    the parts of the pattern's top-level sequence, most selective first ("any" and a tumour word
    for ``any ... tumours``). Empty when none is derived."""
    tree = P.parse(rx.pattern, rx.flags & ~re.UNICODE)
    return _sets_of(tree.data if hasattr(tree, "data") else tree, most)


def needed_alts(rx: re.Pattern[str], most: int = 3) -> list[list[frozenset[str]]] | None:
    """For a pattern that is one alternation (``a|b``, ``\\b(?:a|b)\\b``): each alternative's sets
    as ``needed_all`` gives them; a match matches one alternative, so it holds a string of every
    set of one of them (stronger than ``needed_all``'s union when an alternative has two sets).
    None when the pattern is not one alternation or an alternative has no set."""
    tree = P.parse(rx.pattern, rx.flags & ~re.UNICODE)
    items = [it for it in (tree.data if hasattr(tree, "data") else tree) if it[0] is not C.AT]
    while len(items) == 1 and items[0][0] is C.SUBPATTERN:
        items = list(items[0][1][-1])
    if len(items) != 1 or items[0][0] is not C.BRANCH:
        return None
    alts = [_sets_of(seq, most) for seq in items[0][1][1]]
    return alts if all(alts) else None


def _sets_of(items: Any, most: int) -> list[frozenset[str]]:
    cands = _seq_cands(items)[1]
    out: list[frozenset[str]] = []
    for c in sorted(cands, key=lambda c: (min(map(len, c), default=0), -len(c)), reverse=True):
        m = minimal(c) if c and min(map(len, c)) > 0 else None
        # a set each string of a chosen set holds one of ("a" after "any") tests nothing more
        if m is None or len(out) >= most or any(all(any(t in x for t in m) for x in o) for o in out):
            continue
        out.append(m)
    return out


def minimal(strs: Iterable[str]) -> frozenset[str]:
    """``strs`` without those holding another of them (the shorter one is found wherever they are)."""
    ss = set(strs)
    return frozenset(s for s in ss if not any(t != s and t in s for t in ss))


def trie_regex(words: list[str], lower: bool = True) -> str:
    """A regex for a set of literal phrases built as a trie (shared prefixes are tried once;
    ``lower=False``: the phrases as they are)."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w.lower() if lower else w:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict[str, Any]) -> str:
        alts = []
        end = "" in node
        for ch in sorted(k for k in node if k):
            sub = emit(node[ch])
            piece = r"\s+" if ch == " " else re.escape(ch)
            alts.append(piece + sub)
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if end:
            return "(?:" + body + ")?"
        return body

    return emit(trie)


@lru_cache(maxsize=8192)
def folded(text: str) -> str:
    """``text.lower()``, with dotless i and long s as i and s and the combining dot dropped
    (memoised: the readers of one item look at the same text)."""
    return fold_lowered(text.lower())


def fold_lowered(low: str) -> str:
    """A lower-cased text with the three characters mapped as ``folded`` maps them."""
    if low.isascii() or ("\u0131" not in low and "\u017f" not in low and "\u0307" not in low):
        return low
    return low.translate(_FOLD)


_INLINE_FLAG = re.compile(r"\(\?[aiLmsux-]")
_UNSAFE_ESCAPE = re.compile(r"\\[xuUN0-9]")


def lowered(p: Any) -> re.Pattern[str] | None:
    """``p`` (a compiled pattern or a ``Cue``) compiled case-sensitively, for ``caseless_safe``
    lower-cased texts; None when ``p`` is not ``IGNORECASE`` or its source has an upper-case or
    cased non-ASCII character, an inline flag or a character escape (whose meaning could depend
    on case). Derive it once, at load time: it compiles, and even hashing a compiled pattern (a
    cache key) costs a search."""
    src = p.pattern
    if src.startswith("(?i)"):
        src = src[4:]
    elif not p.flags & re.IGNORECASE:
        return None
    bare = src.replace("(?P<", "").replace("(?P=", "")
    if _INLINE_FLAG.search(src) or _UNSAFE_ESCAPE.search(src):
        return None
    if any(c.isupper() or not caseless(c) for c in bare):
        return None
    if not _plain_ranges(src):
        return None
    return re.compile(src, p.flags & ~re.IGNORECASE)


_NAMED = re.compile(r"\\.|\(\?P[<=]\w+")  # an escape, or a group's name: kept as written


def search_twin(p: Any) -> re.Pattern[str] | None:
    """A case-sensitive pattern that, on the lower-cased form of a ``caseless_safe`` text, matches
    where the IGNORECASE ``p`` (a compiled pattern or a ``Cue``) matches the text, with the same
    spans: ``lowered(p)``, or ``lowered`` of ``p`` with the upper-case letters of its source written
    in lower case, when ``re`` compiles that to the same code as ``p`` (IGNORECASE folds the case
    of a literal; an escape or a group name is kept; anything else changed shows in the code).
    Only its spans are the pattern's: it finds where a match starts."""
    twin = lowered(p)
    if twin is not None or not p.flags & re.IGNORECASE:
        return twin
    src = p.pattern
    parts, at = [], 0
    for m in _NAMED.finditer(src):
        parts += [src[at : m.start()].lower(), m.group()]
        at = m.end()
    low = "".join([*parts, src[at:].lower()])
    if low == src:
        return None
    try:
        same = _code(low, p.flags) == _code(src, p.flags)
    except (re.error, RecursionError, AttributeError, TypeError):  # (``re`` internals of 3.11)
        return None
    return lowered(re.compile(low, p.flags)) if same else None


def _code(src: str, flags: int) -> list[int]:
    """The code ``re`` compiles ``src`` to."""
    tree = P.parse(src, flags)
    return list(K._code(tree, tree.state.flags))


def _plain_ranges(src: str) -> bool:
    """True when every range in a character class of ``src`` is of lower-case letters or of
    digits (``[ -_]`` holds the upper-case letters without naming one)."""
    i = 0
    while i < len(src):
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c != "[":
            i += 1
            continue
        i += 1
        if src[i : i + 1] == "^":
            i += 1
        items: list[str] = []
        while i < len(src) and (src[i] != "]" or not items):
            step = 2 if src[i] == "\\" else 1
            items.append(src[i : i + step])
            i += step
        i += 1
        for k in range(1, len(items) - 1):
            if items[k] == "-":
                lo, hi = items[k - 1], items[k + 1]
                if not (len(lo) == len(hi) == 1 and (lo + hi).isascii()):
                    return False
                if not (
                    (lo.isalpha() and lo.islower() and hi.isalpha() and hi.islower()) or (lo + hi).isdigit()
                ):
                    return False
    return True


def max_width(rx: Any) -> int | None:
    """The most characters a match of ``rx`` can span (None when unbounded): a text longer than
    that (plus one, for a ``$`` before a final newline) cannot be matched whole."""
    pat: re.Pattern[str] = getattr(rx, "rx", rx)  # a Cue: its pattern
    hi = int(P.parse(pat.pattern, pat.flags & ~re.UNICODE).getwidth()[1])
    return None if hi >= C.MAXREPEAT else hi


def final_words_of(rx: re.Pattern[str]) -> frozenset[str] | None:
    """The plain words one of which ends every match of ``rx`` just before a word boundary, for
    an ``IGNORECASE`` pattern whose top-level sequence ends in a group of ASCII words and ``\\b``
    (``\\b[a-z]{3,}(?:mab|nib)\\b`` -> ``{"mab", "nib"}``), lower-cased; None otherwise."""
    if not rx.flags & re.IGNORECASE:
        return None
    tree = P.parse(rx.pattern, rx.flags & ~re.UNICODE)
    items = list(tree.data if hasattr(tree, "data") else tree)
    if len(items) < 2 or items[-1] != (C.AT, C.AT_BOUNDARY):
        return None
    words = _node(*items[-2])[0]
    if not words or not all(w.isascii() and w.isalpha() for w in words):
        return None
    return frozenset(words)


_CATEGORY = {
    C.CATEGORY_DIGIT: r"\d",
    C.CATEGORY_NOT_DIGIT: r"\D",
    C.CATEGORY_SPACE: r"\s",
    C.CATEGORY_NOT_SPACE: r"\S",
    C.CATEGORY_WORD: r"\w",
    C.CATEGORY_NOT_WORD: r"\W",
}


def _first(items: Any) -> tuple[set[str], bool] | None:
    """(class items one of which the first character of a match of the sequence ``items`` is,
    whether the sequence can match nothing), or None when that is not read (an "any character",
    a negated class, a back-reference ...)."""
    out: set[str] = set()
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue  # consumes nothing: the first character comes after it
        if op is C.LITERAL:
            out.add(f"\\U{av:08x}")
            return out, False
        if op is C.IN:
            for o, a in av:
                if o is C.LITERAL:
                    out.add(f"\\U{a:08x}")
                elif o is C.RANGE:
                    out.add(f"\\U{a[0]:08x}-\\U{a[1]:08x}")
                elif o is C.CATEGORY and a in _CATEGORY:
                    out.add(_CATEGORY[a])
                else:
                    return None
            return out, False
        if op is C.SUBPATTERN:
            if av[1] & re.IGNORECASE:
                return None  # (?i:...): its letters match their other cases too
            alts = [av[3]]
        elif op is C.BRANCH:
            alts = av[1]
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            alts = [av[2]]
        else:
            return None
        nullable = op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] == 0
        for alt in alts:
            got = _first(alt)
            if got is None:
                return None
            out |= got[0]
            nullable = nullable or got[1]
        if not nullable:
            return out, False
    return out, True


def first_chars(rx: re.Pattern[str]) -> str | None:
    """A character class (``[...]``) holding the first character of every match of the
    case-sensitive pattern ``rx``; None when it is not read or a match can be empty."""
    if rx.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    got = _first(P.parse(rx.pattern, rx.flags))
    if got is None or got[1] or not got[0]:
        return None
    return "[" + "".join(sorted(got[0])) + "]"


def first_char_gated(rx: re.Pattern[str]) -> re.Pattern[str]:
    """``rx`` led by a look-ahead for its ``first_chars``: the same matches (spans and groups),
    but a position whose character starts no match fails at once, without trying every branch
    (the ``re`` engine skips ahead only for a pattern that starts with a literal or a plain
    class). ``rx`` itself when no class is read."""
    cls = first_chars(rx)
    if cls is None:
        return rx
    return re.compile(f"(?={cls})(?:{rx.pattern})", rx.flags)
