"""Rules from concepts: shared helpers (exceptions, concept-tree subtraction, Or/And builders) and
the diagnosis / disease-state reader. History (therapy, comorbidities, CNS, other malignancy) is in
``history``; findings (allergy, infection, biomarker, imaging, trial participation) in ``findings``.

Every builder takes the cleaned item text and returns ``(rule, category)`` or None. Exceptions
("except non-melanoma skin cancer", "other than SSA", "... being eligible") are cut out first
and become ``except`` qualifiers, a subtraction over the concept tree, or ``Not``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache
from operator import itemgetter

from trialmatch.criteria.facets import grades_in, ne_component_rule, stages_in
from trialmatch.criteria.lexicon import find_all, find_phrase, has_phrase, phrase_strings, phrases
from trialmatch.criteria.rules import And, Compare, Flag, Has, Is, Not, Or, Rule
from trialmatch.criteria.temporal import first_window
from trialmatch.vocab.concepts import ConceptHit, concepts, descendants, is_a
from trialmatch.vocab.concepts import concepts_in as _concepts_in
from trialmatch.vocab.patterns import pattern
from trialmatch.vocab.prefilter import AnyOf, any_may, finder, folded, union

__all__ = [
    "all_of",
    "any_of",
    "concept_hits",
    "concept_ids",
    "concepts_in",
    "disease_state_rule",
    "hits_of",
    "split_exceptions",
    "subtract",
]


@lru_cache(maxsize=8192)
def _cached_hits(text: str) -> tuple[ConceptHit, ...]:
    return tuple(_concepts_in(text))


def concepts_in(text: str) -> list[ConceptHit]:
    """Concept hits of a text (memoised: builders look at the same text several times)."""
    return list(_cached_hits(text))


concept_hits = _cached_hits  # the memoised hits themselves, not to be changed (no list copy)


_NO_IDS: frozenset[str] = frozenset()
_concept_of = itemgetter(0)  # ``ConceptHit.concept``, read in C


def concept_ids(text: str) -> frozenset[str]:
    """The concepts a text names (``ids.isdisjoint(group)`` tells a reader's concepts are absent in
    one C call). Built in C from the memoised hits: cheaper than a cache of its own (-28% measured)."""
    hits = _cached_hits(text)
    return frozenset(map(_concept_of, hits)) if hits else _NO_IDS


_CLAUSE = re.compile(r"[^.;,()]+")
_SENT = re.compile(r"[^.;]+")
_GRADED = {"nen.net.g1": ("nen.net", "G1"), "nen.net.g2": ("nen.net", "G2"), "nen.net.g3": ("nen.net", "G3")}
_GRADE_WORD = pattern("clinical.grade_word")
_SEVERE_OR = pattern("clinical.severe_or")


def any_of(rules: list[Rule]) -> Rule | None:
    uniq: list[Rule] = []
    for r in rules:
        for x in r.args if isinstance(r, Or) else (r,):
            if x not in uniq:
                uniq.append(x)
    if not uniq:
        return None
    return uniq[0] if len(uniq) == 1 else Or(tuple(uniq))


def all_of(rules: list[Rule]) -> Rule | None:
    uniq: list[Rule] = []
    for r in rules:
        for x in r.args if isinstance(r, And) else (r,):
            if x not in uniq:
                uniq.append(x)
    if not uniq:
        return None
    return uniq[0] if len(uniq) == 1 else And(tuple(uniq))


_PERM_HINT = pattern("clinical.permissive_hint")
_NOT_PERMITTED = pattern("clinical.not_permitted")


def _closing(text: str, i: int) -> int:
    """The index of the ")" closing a parenthesis open at ``i`` (nested ones included), or -1."""
    close = text.find(")", i)
    opened = text.find("(", i)
    if opened == -1 or close < opened:
        return close  # no nested parenthesis before the first close
    depth = 1
    for k in range(i, len(text)):
        c = text[k]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return k
    return -1


@cache
def _permissive_strings() -> Callable[[str], object]:
    """A test of a lower-cased text, false when no permissive cue can occur in it."""
    return finder(phrase_strings(phrases()["permissive_cues"]))


@cache
def _cues_in_one_clause() -> bool:
    """Every permissive cue is ASCII and holds no clause delimiter (``_CLAUSE``): a cue the
    phrase matcher finds in a text then lies inside one clause, and a clause holds a cue exactly
    when the text's scan finds one starting in it (a clause's tokens are the text's tokens in
    its span: a delimiter is a token of its own)."""
    cues = [str(p) for p in phrases()["permissive_cues"]]
    return all(p.isascii() and not any(c in p for c in ".;,()") for p in cues)


def _permissive_spans(text: str) -> list[tuple[int, int]]:
    """The spans of the clauses of ``text`` that hold a permissive cue and do not deny permission."""
    # the token test is much cheaper than the hint's alternation, so it goes first
    if not has_phrase("permissive_cues", text):
        return []  # (a clause holds a phrase only if the whole text does: its tokens are the text's)
    low = text.lower()
    if _PERM_HINT.search(low) is None:
        return []
    spans: list[tuple[int, int]] = []
    if len(low) == len(text) and _cues_in_one_clause():
        # one scan of the text's tokens (read already) instead of tokenising each clause; the
        # clause is searched with the text's bits (``low`` holds the clause's lower-cased form)
        hits = find_all("permissive_cues", text)
        k, n = 0, len(hits)
        for m in _CLAUSE.finditer(text):
            end = m.end()
            if hits[k].s >= end:
                continue  # the next cue is in a later clause
            while k < n and hits[k].s < end:
                k += 1
            if not _NOT_PERMITTED.search(m.group(), low=low):
                spans.append((m.start(), end))
            if k == n:
                break
        return spans
    # a clause holding a cue holds its longest token, lower-cased: in the clause lower-cased
    may = _permissive_strings()
    for m in _CLAUSE.finditer(text):
        clause = m.group()
        if not may(clause.lower()):
            continue
        if has_phrase("permissive_cues", clause) and not _NOT_PERMITTED.search(clause):
            spans.append((m.start(), m.end()))
    return spans


@lru_cache(maxsize=4096)
def split_exceptions(text: str) -> tuple[str, str]:
    """(main text, exception text): permissive clauses ("X being eligible", "X may be enrolled")
    and what follows an exception cue ("except", "other than" ...) up to the sentence end."""
    exc: list[str] = []
    main = text
    # permissive clauses
    spans = _permissive_spans(text)
    # exception cues
    for hit in find_all("exception_cues", text):
        end = text.find(".", hit.end())
        semi = text.find(";", hit.end())
        if text.rfind("(", 0, hit.start()) > text.rfind(")", 0, hit.start()):
            close = _closing(text, hit.end())  # "(except for palliative radiotherapy)": up to the parenthesis
            end = close if close != -1 else end
        ends = [x for x in (end, semi) if x != -1]
        e = min(ends) if ends else len(text)
        spans.append((hit.start(), e))
    if not spans:
        return text, ""
    spans.sort()
    keep: list[str] = []
    pos = 0
    for s, e in spans:
        if s < pos:
            if e > pos:
                exc.append(text[pos:e])
                pos = e
            continue
        keep.append(text[pos:s])
        exc.append(text[s:e])
        pos = e
    keep.append(text[pos:])
    main = " ".join(keep)
    return main, " ".join(exc)


@cache
def _type_of() -> dict[str, str]:
    return {cid: c.type for cid, c in concepts().items()}


def _hits(text: str, types: tuple[str, ...]) -> list[ConceptHit]:
    hits = _cached_hits(text)
    if not hits:
        return []
    type_of = _type_of()
    return [h for h in hits if type_of[h.concept] in types]


@cache
def _children(cid: str) -> tuple[str, ...]:
    return tuple(sorted(c.id for c in concepts().values() if cid in c.parents))


def subtract(concept: str, excepted: frozenset[str]) -> list[str]:
    """``concept`` minus the subtrees ``excepted``, as the maximal concepts that remain
    ("systemic therapy other than SSA" -> chemotherapy, targeted therapy, immunotherapy, PRRT)."""
    if concept in excepted:
        return []
    if not any(e in descendants(concept) for e in excepted):
        return [concept]
    out: list[str] = []
    for k in _children(concept):
        for r in subtract(k, excepted):
            if r not in out:
                out.append(r)
    return out


# ------------------------------------------------------------------ disease state

_DISJ = pattern("clinical.disjunction")
# "metastatic MCC or locoregional MCC that has recurred": metastatic is one alternative, not a must
_METS_ALT = pattern("clinical.mets_alternative")
_EXAMPLES = pattern("clinical.examples")
_ANY_TUMOUR = pattern("clinical.any_tumour")
_SOLID_TUMOUR = pattern("clinical.solid_tumour")
_DIAG_WORDS = pattern("clinical.diagnosis_word")
_OTHER_BEFORE = pattern("clinical.other_before")
_CONFIRMED = pattern("clinical.confirmed")
_TOX = pattern("clinical.toxicity")
_ANY_GRADE = pattern("clinical.any_grade")
_TUMOUR_GRADE_CTX = pattern("clinical.tumour_grade_context")
_TREAT_OF = pattern("clinical.treatment_of")
_ANCHOR_BEFORE = pattern("clinical.anchor_before")
_WELL_DIFF = pattern("clinical.well_differentiated")
_POORLY_DIFF = pattern("clinical.poorly_differentiated")
_KI67 = pattern("clinical.ki67")
_OR = pattern("clinical.or_word")
_METASTATIC = pattern("clinical.metastatic")
_UNRES_OR_METS = pattern("clinical.unresectable_or_metastatic")
_NON_MEASURABLE = pattern("clinical.non_measurable")
_STAGE_WORD = pattern("facets.stage")  # the test stages_in makes, to skip calling it


def _diag_has(cid: str, local: str = "") -> Rule:
    if cid in _GRADED:
        base, g = _GRADED[cid]
        gs = tuple(sorted({g, *grades_in(local)}))
        return And((Has(base, kinds=("diagnosis",)), Is("cancer.grade", gs)))
    return Has(cid, kinds=("diagnosis",))


@cache
def _cancer_dx() -> frozenset[str]:
    """The disease / histology concepts that are cancers."""
    return frozenset(
        c.id for c in concepts().values() if c.type in ("disease", "histology") and is_a(c.id, "cancer")
    )


# the cues of a disease state other than a named cancer (grade, stage, differentiation, Ki-67,
# metastatic, the resection / measurability / progression phrases): a text holding none of the
# strings they need matches none of them
_STATE_GATES = (_GRADE_WORD, _STAGE_WORD, _WELL_DIFF, _POORLY_DIFF, _KI67, _METASTATIC)
_STATE_PHRASES = ("unresectable_cues", "resected_cues", "measurable_cues", "progression_cues")


_STATE_GATES_MAY = any_may(_STATE_GATES)


@cache
def _state_phrases() -> AnyOf:
    """One test of the strings of every state phrase (built on first use)."""
    return AnyOf(union([phrase_strings(phrases()[k]) for k in _STATE_PHRASES]) or ("",))


@cache
def _state_any() -> AnyOf | None:
    """One test of a string that every match of some state cue needs (the most selective set of
    strings of each state regex, and the phrases' strings); None when a cue needs none."""
    gates = [g.strs for g in _STATE_GATES]
    strs = union([*gates, *(phrase_strings(phrases()[k]) for k in _STATE_PHRASES)])
    return AnyOf(strs) if strs else None


def _may_have_state(main: str, low: str) -> bool:
    """False only when no cue of a disease state but a named cancer can match ``main``: one test
    of a string each needs (most texts hold none), the index's test of every state regex (one
    look-up), then one test of all the phrases' strings before each phrase list's own."""
    pre = _state_any()
    if pre is not None and not pre(low):
        return False
    return _STATE_GATES_MAY(low) or (
        bool(_state_phrases()(low)) and any(has_phrase(k, main) for k in _STATE_PHRASES)
    )


def disease_state_rule(text: str) -> tuple[Rule, str] | None:
    """Diagnosis / histology / grade / stage / extent / resectability / measurability /
    progression, And-ed: e.g. "metastatic NEC, NET G3 or MiNEN (neuroendocrine component > 30%)"."""
    main, exc = split_exceptions(text)
    # the Cue tests below read the item's folded text, whose bits are known: ``main`` (pieces of
    # the text joined by spaces, less the examples) and its slices have every whitespace-free run
    # inside one of the text's, so the strings a match in them needs are in ``low`` too
    low = folded(text)
    # examples are not restrictions: "(including colorectal cancer)", "(e.g. ...)"
    if _EXAMPLES.may(low):
        main = _EXAMPLES.rx.sub(" ", main)
    cancer = _cancer_dx()
    hits = _cached_hits(main)
    dis = (
        [
            h
            for h in hits
            if h.concept in cancer and not _TREAT_OF.search(main[max(0, h.start - 30) : h.start], low=low)
        ]
        if hits and not cancer.isdisjoint(map(_concept_of, hits))  # (most items name no cancer)
        else []
    )
    if not dis and not _may_have_state(main, low):
        return None  # no cue below can match, so no part (the exception's diseases only add to parts)
    parts: list[Rule] = []
    cats: list[str] = []
    # drop generic "cancer" when something more specific is named, or when nothing is diagnosed
    if dis and (any(h.concept != "cancer" for h in dis) or not _DIAG_WORDS.search(main, low=low)):
        dis = [h for h in dis if h.concept != "cancer"]
    if dis and (_ANY_TUMOUR.search(main, low=low) or _SOLID_TUMOUR.search(main, low=low)):
        dis = []  # "any advanced solid tumour ... colorectal ...": the named ones are examples
    if (
        dis
        and _OTHER_BEFORE.search(main[: dis[0].start], low=low)
        and not _CONFIRMED.search(main[: dis[0].start], low=low)
    ):
        dis = []
    disjuncts: list[Rule] = []
    for i, h in enumerate(dis):
        lo = dis[i - 1].end if i > 0 else 0
        hi = dis[i + 1].start if i + 1 < len(dis) else len(main)
        left = main[lo : h.start]
        cuts = list(_DISJ.rx.finditer(left)) if i > 0 else []  # (the Cue's test would index a new piece)
        if cuts:
            left = left[cuts[-1].end() :]
        right = main[h.end : hi]
        cut = _DISJ.search(right, low=low) if i + 1 < len(dis) else None
        if cut:
            right = right[: cut.start()]
        local = left + h.text + right  # a slice of main: its strings are in ``low``
        conj: list[Rule] = [_diag_has(h.concept, local)]
        gs = (
            grades_in(local.replace(h.text, " "))
            if h.concept not in _GRADED and not _TOX.search(local, low=low)
            else ()
        )
        if gs and not _ANY_GRADE.search(local, low=low):
            conj.append(Is("cancer.grade", gs))
        st = stages_in(local) if _STAGE_WORD.may(low) else ()  # (``local`` is a slice of ``main``)
        if st:
            conj.append(Is("cancer.stage_group", st))
        ne = ne_component_rule(local) if is_a(h.concept, "nen.minen") else None
        if ne is not None:
            conj.append(ne)
        disjuncts.append(all_of(conj) or conj[0])
    d = any_of(disjuncts)
    if d is not None:
        parts.append(d)
        cats.append("diagnosis")
    if not dis:
        # the cheap "grade" test first: it decides most items before the long alternations
        gated = (
            _GRADE_WORD.search(main, low=low)
            and _TUMOUR_GRADE_CTX.search(main, low=low)
            and not _TOX.search(main, low=low)
        )
        gs = grades_in(main) if gated else ()
        if gs:
            parts.append(Is("cancer.grade", gs))
            cats.append("grade")
        st = stages_in(main) if _STAGE_WORD.may(low) else ()
        if st:
            parts.append(Is("cancer.stage_group", st))
            cats.append("stage")
    covered = " ".join(h.text for h in dis).lower()
    if _WELL_DIFF.search(main, low=low) and "well" not in covered:
        parts.append(Is("cancer.differentiation", ("well",)))
        cats.append("grade")
    elif _POORLY_DIFF.search(main, low=low) and "poorly" not in covered:
        parts.append(Is("cancer.differentiation", ("poorly",)))
        cats.append("grade")
    ki = _KI67.search(main, low=low)
    if ki:
        kc = Compare(
            "cancer.ki67_percent",
            ki.group("op").replace("≥", ">=").replace("≤", "<="),
            float(ki.group("n")),
            "%",
        )
        if d is not None and dis and _OR.search(main[dis[-1].end : ki.start()], low=low):
            parts[parts.index(d)] = any_of([d, kc]) or d  # "NEC or Ki-67 > 55%"
        else:
            parts.append(kc)
            cats.append("grade")
    unres = find_phrase("unresectable_cues", main)
    metas = _METASTATIC.search(main, low=low)
    if unres and metas and _UNRES_OR_METS.search(main, low=low):
        parts.append(Or((Flag("cancer.metastatic"), Not(Flag("cancer.resectable")))))
        cats.append("stage")
    else:
        if metas and not _METS_ALT.search(main, low=low):
            parts.append(Flag("cancer.metastatic"))
            cats.append("stage")
        if unres:
            parts.append(Not(Flag("cancer.resectable")))
            cats.append("resectability")
    if not unres and find_phrase("resected_cues", main):
        parts.append(Flag("cancer.resected"))
        cats.append("resectability")
    if has_phrase("measurable_cues", main) and not _NON_MEASURABLE.search(main, low=low):
        parts.append(Flag("cancer.measurable_disease"))
        cats.append("measurable_disease")
    pm = find_phrase("progression_cues", main)
    if pm is not None and not has_phrase("failure_cues", main[max(0, pm.start() - 5) : pm.end() + 25]):
        w = first_window(main[pm.start() :])
        if w is not None and w.relation == "within":
            parts.append(Compare("cancer.days_since_progression", "<=", round(w.days, 1), "d"))
        else:
            parts.append(Compare("cancer.days_since_progression", ">=", 0.0, "d"))
        cats.append("stage")
    if not parts:
        return None
    for h in _cached_hits(exc) if exc else ():
        # "except colorectal carcinoma" excepts that disease; a bare "carcinoma" would except every cancer
        if h.concept in cancer and h.concept != "cancer":
            parts.append(Not(Has(h.concept, kinds=("diagnosis",))))
    r = all_of(parts)
    if r is None:
        return None
    return r, cats[0] if cats else "diagnosis"


def hits_of(text: str, types: tuple[str, ...]) -> list[ConceptHit]:
    """Concept hits of the given concept types."""
    return _hits(text, types)
