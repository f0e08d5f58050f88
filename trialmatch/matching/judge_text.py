"""Text helpers of the single-criterion judge: vocabulary, stems and concepts, the note index.

Pure functions; bounded regexes; inputs are capped by the caller.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "NoteIndex",
    "concept_keys",
    "content_terms",
    "has_phrase",
    "rules_vocab",
    "stem",
]

_DATA = Path(__file__).resolve().parents[1] / "vocab" / "data"
_WORD = re.compile(r"[a-z0-9][a-z0-9'+\-/]{0,40}", re.I)
_NEG_CUE = re.compile(
    r"\b(no|not|denies|denied|without|negative for|absence of|free of|never|unremarkable|ruled out|"
    r"rules out|nor)\b",
    re.I,
)
_NEG_BREAK = re.compile(
    r"\b(but|however|although|though|except|which|who|presents?|shows?|reveals?)\b|[;:]", re.I
)


@functools.cache
def rules_vocab() -> dict[str, Any]:
    """The judge vocabulary (``vocab/data/judge_rules.yaml``)."""
    with open(_DATA / "judge_rules.yaml", encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return data


@functools.cache
def _phrase_rx(key: str) -> re.Pattern[str]:
    words = sorted({str(w).lower() for w in rules_vocab()[key]}, key=len, reverse=True)
    body = "|".join(re.escape(w) for w in words)
    return re.compile(rf"(?<![a-z0-9])(?:{body})", re.I)


def has_phrase(key: str, text: str) -> re.Match[str] | None:
    """The first phrase of vocabulary list ``key`` in ``text`` (prefix match at a word start)."""
    return _phrase_rx(key).search(text)


@functools.cache
def _stemmer() -> Any:
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer()


@functools.cache
def stem(word: str) -> str:
    w = word.lower().strip("'-/").replace("+", "plus")
    if len(w) <= 3 or w.endswith("itis"):  # hepatitis is not hepatic, nephritis not nephro-
        return w
    s: str = _stemmer().stem(w)
    return s


@functools.cache
def _generic() -> frozenset[str]:
    return frozenset(stem(str(w)) for w in rules_vocab()["generic_words"]) | frozenset(
        str(w).lower() for w in rules_vocab()["generic_words"]
    )


@functools.cache
def _concept_table() -> tuple[dict[tuple[str, ...], str], int]:
    """Stemmed phrase -> concept key (synonym groups); and the longest phrase length in words."""
    table: dict[tuple[str, ...], str] = {}
    longest = 1
    for group in rules_vocab()["synonyms"]:
        key = "syn:" + str(group[0])
        for phrase in group:
            toks = tuple(stem(t) for t in _WORD.findall(str(phrase).lower()))
            if toks:
                table.setdefault(toks, key)
                longest = max(longest, len(toks))
    return table, longest


@functools.cache
def _parents() -> dict[str, frozenset[str]]:
    """Concept key -> parent concept keys."""
    out: dict[str, set[str]] = {}
    table, _ = _concept_table()
    for parent, members in rules_vocab()["parents"].items():
        pkey = table.get(tuple(stem(t) for t in _WORD.findall(str(parent).lower())), "p:" + str(parent))
        for m in members:
            toks = tuple(stem(t) for t in _WORD.findall(str(m).lower()))
            mkey = table.get(toks, "w:" + " ".join(toks))
            out.setdefault(mkey, set()).add(pkey)
    return {k: frozenset(v) for k, v in out.items()}


def concept_keys(tokens: list[str]) -> list[tuple[str, int, int]]:
    """Greedy longest-match of stemmed tokens to concept keys: (key, start token, end token).
    Tokens not in any synonym group become ``w:<stem>``."""
    table, longest = _concept_table()
    out: list[tuple[str, int, int]] = []
    i = 0
    n = len(tokens)
    while i < n:
        hit = None
        for L in range(min(longest, n - i), 0, -1):
            k = table.get(tuple(tokens[i : i + L]))
            if k:
                hit = (k, i, i + L)
                break
        if hit is None:
            hit = ("w:" + tokens[i], i, i + 1)
        out.append(hit)
        i = hit[2]
    return out


@functools.cache
def _h4() -> Any:
    """The shared concepts vocabulary (``trialmatch.vocab.concepts``) when present, else None."""
    try:
        import importlib

        mod = importlib.import_module("trialmatch.vocab.concepts")
        mod.concepts()
        return mod
    except Exception:
        return None


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    n = len(shorter)
    return len(longer) > n and any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


@functools.lru_cache(maxsize=4096)
def _name_parts(cid: str) -> tuple[frozenset[str], frozenset[str]]:
    """(words of the concept's basic names, words its longer names add) as stems. A basic name
    contains no other name of the concept ("platinum-based chemotherapy"); a longer name adds
    qualifiers to one ("metastatic breast cancer" adds "metastatic" to "breast cancer")."""
    h4 = _h4()
    c = h4.concept(cid) if h4 is not None else None
    if c is None:
        return frozenset(), frozenset()
    names = {tuple(stem(t) for t in _WORD.findall(str(n).lower())) for n in (*c.names, *c.abbr)}
    names.discard(())
    basic: set[str] = set()
    added: set[str] = set()
    for toks in names:
        inner = [o for o in names if _contains(toks, o)]
        if inner:
            added.update(set(toks).difference(*inner))
        else:
            basic.update(toks)
    return frozenset(basic), frozenset(added)


@functools.lru_cache(maxsize=4096)
def _name_words(cid: str) -> frozenset[str]:
    """Stems of the words that name a shared-vocabulary concept itself: those of its basic names and
    its ancestors' (a note naming cisplatin satisfies "platinum-based chemotherapy" without these
    words), not the qualifiers its longer names add ("metastatic" in "metastatic breast cancer")."""
    h4 = _h4()
    if h4 is None:
        return frozenset()
    basic, added = _name_parts(cid)
    implied = set(basic)
    for anc in h4.ancestors(cid):
        implied |= _name_parts(anc)[0]
    return frozenset(basic | (added & implied))


def _keep(key: str) -> bool:
    if key.startswith("w:"):
        w = key[2:]
        if w in _generic() or len(w) < 2 or re.fullmatch(r"[\d.,/+\-]+|[ivx]+", w):
            return False
    return True


def content_terms(text: str) -> list[str]:
    """Concept keys of the clinically meaningful words of ``text`` (cached; see ``_content_terms``)."""
    return list(_content_terms_cached(text[:2000]))


@functools.lru_cache(maxsize=50_000)
def _content_terms_cached(text: str) -> tuple[str, ...]:
    return tuple(_content_terms(text))


def _content_terms(text: str) -> list[str]:
    """Concept keys of the clinically meaningful words of ``text`` (generic words and numbers dropped).

    A span the shared concepts vocabulary recognises becomes one term ``c:<id>|<k1>+<k2>``: satisfied by
    the concept (or a descendant) in the note, or by all of the span's own words."""
    text = text[:2000]
    low = text.lower()
    words = list(_WORD.finditer(low))
    toks = [stem(m.group(0)) for m in words]
    spans: list[tuple[int, int, str]] = []
    h4 = _h4()
    if h4 is not None:
        spans = [(h.start, h.end, h.concept) for h in h4.concepts_in(text)]
    keys: list[str] = []
    in_span: dict[int, int] = {}
    for si, (a, b, _cid) in enumerate(spans):
        for wi, m in enumerate(words):
            if a <= m.start() < b:
                in_span[wi] = si
    emitted: set[int] = set()
    for key, a, _b in concept_keys(toks):
        span_i = in_span.get(a)
        if span_i is not None:
            si = span_i
            if si in emitted:
                continue
            emitted.add(si)
            own = [
                k
                for k2, a2, _b2 in concept_keys([toks[w] for w in sorted(in_span) if in_span[w] == si])
                for k in [k2]
                if _keep(k)
            ]
            cid = spans[si][2]
            if cid in ("cancer",) and own:  # the broad root: keep the words' own meaning too
                keys.append("c:" + cid + "|" + "+".join(own))
            else:
                keys.append("c:" + cid + ("|" + "+".join(own) if own else ""))
            continue
        if _keep(key):
            keys.append(key)
    seen: list[str] = []
    for k in keys:
        if k not in seen:
            seen.append(k)
    return seen


_FAMILY_CUE = re.compile(
    r"\b(mother|father|sister|brother|sibling|parents?|aunt|uncle|grand(?:mother|father|parent)|cousin|"
    r"family history|famil(?:y|ial)|son|daughter)\b",
    re.I,
)
_POSSIBLE_CUE = re.compile(
    r"\b(rule out|r/o|ruled? out for|suspected|suspicion of|possible|possibly|probable|concern for|"
    r"worrisome for|cannot be excluded|differential|versus|vs\.?|if (?:she|he|the patient) develops|risk of|"
    r"evaluat(?:e|ed|ion) for|to exclude|screen(?:ed|ing)? for)\b",
    re.I,
)


def _status_at(low: str, pos: int) -> str:
    """ "negated", "other" (a relative's, possible, hypothetical) or "affirmed" for a mention at ``pos``:
    the last cue in the 80 characters before it, unless a clause break intervenes."""
    before = low[max(0, pos - 80) : pos]
    best: tuple[int, str] | None = None
    for rx, status in ((_NEG_CUE, "negated"), (_FAMILY_CUE, "other"), (_POSSIBLE_CUE, "possible")):
        for cm in rx.finditer(before):
            if not _NEG_BREAK.search(before[cm.end() :]) and (best is None or cm.start() > best[0]):
                best = (cm.start(), status)
    return best[1] if best else "affirmed"


@dataclass
class NoteIndex:
    """Concept keys of a note, per sentence, split into affirmed and negated mentions."""

    sentences: list[str]
    affirmed: dict[str, set[int]] = field(default_factory=dict)
    negated: dict[str, set[int]] = field(default_factory=dict)
    other: dict[str, set[int]] = field(default_factory=dict)  # a relative's
    possible: dict[str, set[int]] = field(default_factory=dict)  # suspected, to rule out, hypothetical

    @classmethod
    def build(cls, sentences: list[str]) -> NoteIndex:
        idx = cls(sentences=list(sentences))
        parents = _parents()
        for si, sent in enumerate(sentences):
            low = sent.lower()[:3000]
            words = list(_WORD.finditer(low))
            toks = [stem(m.group(0)) for m in words]
            keys = concept_keys(toks)
            table, _ = _concept_table()
            for _key, a, b in list(keys):
                if b - a > 1:  # words inside a phrase also name their own concept ("breast carcinoma")
                    for j in range(a, b):
                        keys.append((table.get((toks[j],), "w:" + toks[j]), j, j + 1))
            h4 = _h4()
            extra: list[tuple[str, int]] = []
            if h4 is not None:
                for h in h4.concepts_in(sent[:3000]):
                    for cid in (h.concept, *h4.ancestors(h.concept)):
                        extra.append(("c:" + cid, h.start))
            for key, pos in extra:
                idx._bucket(_status_at(low, pos)).setdefault(key, set()).add(si)
            for key, a, _b in keys:
                target = idx._bucket(_status_at(low, words[a].start()))
                for k in (key, *parents.get(key, ())):
                    target.setdefault(k, set()).add(si)
        return idx

    def _bucket(self, status: str) -> dict[str, set[int]]:
        return {"negated": self.negated, "other": self.other, "possible": self.possible}.get(
            status, self.affirmed
        )

    def find_possible(self, key: str) -> set[int]:
        """Sentences where the concept is suspected, to be ruled out or hypothetical."""
        return self.possible.get(key.split("|", 1)[0], set())

    def find(self, key: str) -> tuple[set[int], set[int]]:
        if "|" in key:  # a shared-vocabulary concept, or all of its own words
            cid, own = key.split("|", 1)
            aff, neg = self.find(cid)
            keys = [k for k in own.split("+") if k]
            parts = [self.find(k) for k in keys]
            # plain qualifier words ("metastatic", "HER2 positive") must be there too: the shared
            # vocabulary may file "metastatic breast cancer" under breast cancer; words of the
            # concept's own names ("platinum-based chemotherapy") are the concept, not qualifiers
            named = _name_words(cid[2:]) if cid.startswith("c:") else frozenset()
            for k, p in zip(keys, parts, strict=True):
                if k.startswith("w:") and k[2:] not in named:
                    aff = aff & p[0]
            together = set.intersection(*(p[0] for p in parts)) if parts else set()
            if together:  # the span's own words, in one sentence
                aff = aff | together
            elif parts and any(p[1] for p in parts) and not aff:
                neg = neg.union(*(p[1] for p in parts))
            return aff, neg
        aff, neg = self.affirmed.get(key, set()), self.negated.get(key, set())
        if aff or neg or not key.startswith("w:") or len(key) < 8:
            return aff, neg
        # spelling variants share a stem prefix: diarrhoea / diarrhea, revascularisation / -ization
        pre = key[:7]
        for k, v in self.affirmed.items():
            if k.startswith(pre) and len(k) >= 8:
                aff = aff | v
        for k, v in self.negated.items():
            if k.startswith(pre) and len(k) >= 8:
                neg = neg | v
        return aff, neg
