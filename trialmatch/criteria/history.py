"""History rules: prior lines and failure of therapy, named prior / concomitant drugs and classes,
comorbidities and procedures within windows; CNS metastases and other malignancies are read in
``history_cancer`` (re-exported here)."""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache

from trialmatch.criteria.clinical import (
    _ANCHOR_BEFORE,
    _NOT_PERMITTED,
    _SENT,
    _SEVERE_OR,
    _hits,
    all_of,
    any_of,
    concept_hits,
    concepts_in,
    split_exceptions,
    subtract,
)
from trialmatch.criteria.facets import nyha_min
from trialmatch.criteria.history_cancer import cns_rule, other_malignancy_rule  # (re-exported)
from trialmatch.criteria.lexicon import find_phrase, has_phrase, op_of
from trialmatch.criteria.lowre import Lowered, caseless_safe, lowered, tail_from
from trialmatch.criteria.needles import phrase_list_may, phrase_piece_may
from trialmatch.criteria.options import (
    naive_after,
    option_hits,
    option_review,
    or_option,
    unanchored,
    unread,
    with_option,
)
from trialmatch.criteria.rules import And, Compare, Flag, Has, Not, Or, Review, Rule, Window
from trialmatch.criteria.temporal import find_windows, first_window
from trialmatch.vocab.concepts import ConceptHit, concepts, is_a
from trialmatch.vocab.patterns import pattern
from trialmatch.vocab.prefilter import WordEnd, folded

__all__ = ["cns_rule", "comorbidity_rule", "other_malignancy_rule", "therapy_options", "therapy_rule"]


# ------------------------------------------------------------------ therapy

_LINES = pattern("history.lines")
_ORDINAL = pattern("history.ordinal_line")
_NUMW = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "a single": 1, "single": 1}
_LINES_LOW = lowered(_LINES)
_LINES_TAIL = tail_from(_LINES, "(?P<n>")


def _lines(main: str) -> re.Match[str] | None:
    """``history.lines`` in ``main`` (its groups lower-cased when searched on the lower-cased text)."""
    if _LINES_LOW is None or not caseless_safe(main):
        return _LINES.search(main)
    low = folded(main) if main.isascii() else main.lower()  # (the same string; folded is memoised)
    if _LINES_TAIL is not None and not _LINES_TAIL.search(low):
        return None  # every match of the pattern ends with a match of its tail
    return _LINES_LOW.search(low)


_DRUGLIKE = WordEnd(pattern("history.drug_stem"))  # a drug-name stem ends a word
_THERAPY_WORD = pattern("history.therapy_word")
_PRIOR_OR_LINE = pattern("history.prior_or_line")
_WASHOUT_WORDS = pattern("history.washout_words")
_EXTENT = pattern("history.extent")
_LOCAL_DISEASE = pattern("history.local_disease")
_DEFINED_BY = pattern("history.defined_by")
#: The concepts a local therapy's named forms are (or descend from): surgery is a procedure.
_LOCAL_FORMS = ("surgery", "radiotherapy", "local_therapy")
#: How far after a local therapy's name its forms are read.
_FORMS_SPAN = 100


def _unknown_drugs(text: str) -> list[ConceptHit]:
    """Drug names the vocabulary lacks ("lurbinectedin"), by their INN stems: kept as their own
    id so that a patient's treatment with the same name still matches."""
    from trialmatch.vocab.concepts import concept_ids_for

    out: list[ConceptHit] = []
    for m in _DRUGLIKE.finditer(text):
        w = m.group().lower()
        if not concept_ids_for(w):
            out.append(ConceptHit(w, m.start(), m.end(), m.group()))
    return out


def therapy_rule(text: str, kind: str) -> tuple[Rule, str] | None:
    """Prior lines, failure of therapy, named prior or concomitant drugs and classes, washouts."""
    main, exc = split_exceptions(text)
    # the Cue tests read the item's folded text, whose bits are known: ``main`` (pieces of the
    # text joined by spaces) and its pieces have every whitespace-free run inside one of the text's
    low = folded(text)
    tx = [
        h
        for h in _hits(main, ("treatment", "drug", "regimen"))
        if not (
            h.concept == "investigational_agent"
            and _ANCHOR_BEFORE.search(main[max(0, h.start - 40) : h.start], low=low)
        )
    ]
    tx = _local_forms(main, tx)
    # a therapy named as an option or a plan ("amenable to palliative radiotherapy", "candidate for
    # docetaxel") is not one the patient has had: when every therapy named is one, the item asks a question
    tx, opts = _options_apart(main, tx)
    # what only a permission sentence after the first names ("... Therapy with heparin, LMWH or
    # fondaparinux is allowed.") is allowed, not asked about
    # a sentence's tokens are tokens of the text: no cue in the text, none in a sentence
    perm = ("." in text or ";" in text) and has_phrase("permission_statement_cues", text)
    sents = [x.group() for x in _SENT.finditer(text)] if perm else []
    grant = [
        k > 0 and has_phrase("permission_statement_cues", x) and not _NOT_PERMITTED.search(x, low=low)
        for k, x in enumerate(sents)
    ]
    if any(grant):
        named = {h.concept for x, g in zip(sents, grant, strict=True) if not g for h in concepts_in(x)}
        only = {h.concept for x, g in zip(sents, grant, strict=True) if g for h in concepts_in(x)} - named
        tx = [h for h in tx if h.concept not in only]
    # the study's own drug named as a time anchor ("within 30 days ..., during treatment with atezolizumab")
    own: list[ConceptHit] = []
    if tx and phrase_list_may("study_drug_anchor_cues", main):  # a cue in a piece has its words in main
        low = folded(main)
        for h in tx:
            a = max(0, h.start - 40)
            if phrase_piece_may("study_drug_anchor_cues", main, low, a, h.start) and has_phrase(
                "study_drug_anchor_cues", main[a : h.start]
            ):
                own.append(h)
    if own and len(own) < len(tx) + len(opts):  # (the options are therapies named too)
        tx = [h for h in tx if h not in own]
    # options beside a therapy read as had ("previous chemotherapy or planned radiotherapy") are asked too
    extra = unread(opts, tx)
    failure = find_phrase("failure_cues", main)
    parts: list[Rule] = []
    cat = "prior_therapy"
    if failure is not None and not (tx or opts) and not _THERAPY_WORD.search(main, low=low):
        failure = None  # "refractory nausea", "resistant hypertension": not a failed therapy
    if failure is not None and any(grant):
        said = failure.group().lower()
        if not any(said in x.lower() for x, g in zip(sents, grant, strict=True) if not g):
            # "... is also eligible if the lesion has documented progression after locoregional
            # treatment": the failure is a condition of a permission, not a requirement
            q = f"Does the patient meet the item, or the conditions of its permission? ({text[:160]})"
            return Review("permission with conditions", q), cat
    if failure is not None:
        specific, spec_opts = (
            [
                h
                for h in hs
                if h.concept not in ("systemic_therapy", "anticancer_therapy", "chemotherapy")
                and h.start >= failure.start() - 60
            ]
            for hs in (tx, opts)
        )
        if spec_opts and not specific:
            # "not a candidate for X (e.g., failed or did not tolerate prior therapy)": X is an option
            return option_review(text), cat
        n = 1
        m = _lines(main)
        if m:
            nw = m.group("n").lower()
            n = _NUMW.get(nw, int(nw) if nw.isdigit() else 1)
        o = _ORDINAL.search(main, low=low)
        if o and not m:
            n = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3}[o.group("o").lower()]
        if specific:
            outs = ("progression", "intolerance")
            parts.append(
                any_of(
                    [Has(h.concept, kinds=("treatment",), qualifiers=(("outcome", outs),)) for h in specific]
                )
                or Compare("prior_lines_failed", ">=", float(n))
            )
        else:
            parts.append(Compare("prior_lines_failed", ">=", float(n)))
        r = all_of(parts)
        extra = [h for h in extra if h in spec_opts]
        if r is not None and extra and specific:
            r = or_option(r, main, extra) or r
        return (r, cat) if r is not None else None
    m = _lines(main)
    if m and (m.group("op") or _PRIOR_OR_LINE.search(m.group(0), low=low)):
        nw = m.group("n").lower()
        n = _NUMW.get(nw, int(nw) if nw.isdigit() else 1)
        cmp = op_of(m.group("op") or "") or ">="  # the operator phrases of criteria_phrases.yaml
        return Compare("prior_lines", cmp, float(n)), cat
    if not tx and not opts:
        tx, opts = _options_apart(main, _unknown_drugs(main))
    if not tx and not opts:
        return None
    concomitant = has_phrase("concomitant_cues", main)
    naive = has_phrase("naive_cues", main)
    win = first_window(main)
    if not (
        concomitant
        or naive
        or win is not None
        or has_phrase("prior_cues", main)
        or has_phrase("history_cues", main)
    ):
        return None  # a treatment named without prior / current / washout wording
    question: Rule | None = None
    if not tx:
        question = option_review(text)  # every therapy named is an option
        if not (naive and naive_after(main, opts)):
            return question, cat
        tx = opts  # "scheduled to receive a CPI (...), have not received prior CPI": not had either
    if concomitant:
        cat = "concomitant_medication"
    # (read only here: most items return before, and the exception text is a concept scan of its own)
    excepted = frozenset(h.concept for h in _hits(exc, ("treatment", "drug", "regimen")))
    rules: list[Rule] = []
    seen: set[str] = set()
    for h in tx:
        if h.concept in seen:
            continue
        seen.add(h.concept)
        targets = subtract(h.concept, excepted) if excepted else [h.concept]
        for t in targets:
            kinds: tuple[str, ...] = (
                ("treatment", "medication")
                if t not in concepts() or concepts()[t].type == "drug"
                else ("procedure", "treatment")
                if concepts()[t].type == "procedure"
                else ("treatment",)
            )
            rules.append(
                Has(t, kinds=kinds, window=win, status="active" if concomitant and win is None else "any")
            )
    if kind == "inclusion" and win is not None and not naive and has_phrase("washout_cues", main):
        # a wash-out: the treatment is not required, only at least this long ago when given
        within = Window(amount=win.amount, unit=win.unit, relation="within", anchor=win.anchor)
        washed = [Has(x.concept, kinds=x.kinds, window=within) for x in rules if isinstance(x, Has)]
        r0 = any_of(washed)  # type: ignore[arg-type]
        return (Not(r0), cat) if r0 is not None else None
    r = any_of(rules)
    if r is None:
        return None
    if naive and ((win is None and _WASHOUT_WORDS.search(main, low=low)) or _EXTENT.search(main, low=low)):
        # a washout without a readable window, or an extent ("no prior radiotherapy to >= 25% of the marrow")
        return Review("prior therapy with a condition", f"Does the patient meet: {main[:160]}?"), cat
    if naive:
        r = Not(r)  # "no prior X" (inclusion) / "patients who have not received X" (exclusion)
        if kind == "exclusion" and _LOCAL_DISEASE.search(main, low=low):
            r = And((Not(Flag("cancer.metastatic")), r))
        if question is not None:
            r = And((r, question))
    elif extra:
        r = or_option(r, main, extra) or r  # (a negation's reach over the option is not known: left as read)
    return r, cat


def _options_apart(main: str, tx: list[ConceptHit]) -> tuple[list[ConceptHit], list[ConceptHit]]:
    """The therapies ``tx`` named as had or current, and those named only as options (less the
    study's own treatment named in a time anchor)."""
    opts = option_hits(main, tx)
    if not opts:
        return tx, opts
    return [h for h in tx if h not in opts], unanchored(main, opts)


def therapy_options(text: str) -> list[ConceptHit]:
    """The therapies (treatments, drugs, regimens; else drug names the vocabulary lacks) that
    ``text`` names only as options."""
    main = split_exceptions(text)[0]
    return option_hits(main, _hits(main, ("treatment", "drug", "regimen")) or _unknown_drugs(main))


def _local_forms(main: str, tx: list[ConceptHit]) -> list[ConceptHit]:
    """A local therapy named with the forms it takes ("locoregional therapy with surgery and/or radiation
    therapy"): those forms (surgery, a procedure, among them), not local therapy of any kind."""
    out = tx
    for h in tx:
        if h.concept != "local_therapy" or not _DEFINED_BY.rx.match(main, h.end):
            continue
        stop = min((i for i in (main.find(".", h.end), main.find(";", h.end)) if i >= 0), default=len(main))
        forms = [
            f
            for f in _hits(main, ("treatment", "procedure"))
            if h.end < f.start < min(stop, h.end + _FORMS_SPAN)
            and f.concept != "local_therapy"
            and any(is_a(f.concept, c) for c in _LOCAL_FORMS)
        ]
        if forms:
            out = [x for x in out if x is not h] + [f for f in forms if f not in out]
            out.sort(key=lambda x: x.start)
    return out


# ------------------------------------------------------------------ comorbidities

_COND_TYPES = ("condition", "procedure", "metastasis")
_COND_OR_DISEASE = frozenset((*_COND_TYPES, "disease"))
_SKIP = {"procedure", "metastases", "lymph_node_metastases", "biopsy", "surgery"}
_ACTIVE_CUE = pattern("history.active_before")
_ACTIVE_BEFORE = Lowered(_ACTIVE_CUE)
_AND_BREAK = pattern("history.and_break")
_UNSTABLE_ANGINA = pattern("history.unstable_angina")
_LIST_HEADING = pattern("history.list_heading")


@cache
def _comorbid_ids() -> frozenset[str]:
    """The concepts the comorbidity rule reads: conditions, procedures, metastases and diseases
    but cancers, less the generic ones (``_SKIP``)."""
    return frozenset(
        cid
        for cid, c in concepts().items()
        if c.type in _COND_OR_DISEASE
        and cid not in _SKIP
        and (c.type != "disease" or not is_a(cid, "cancer"))
    )


def _qualified_has(
    h: ConceptHit,
    text: str,
    win: Window | None,
    prev_end: int = 0,
    uncontrolled: bool = True,
    low: str | None = None,
    cue_low: str | None = None,
) -> Rule:
    """``uncontrolled``: False when no uncontrolled cue can occur in ``text`` (``needles.phrase_list_may``);
    ``low``: ``folded(text)`` (the phrase tests read its slices); ``cue_low``: for the Cue tests,
    the folded form of a text holding each whitespace-free run of ``text`` in one of its own (the
    item's, whose bits are known; ``low`` when not given)."""
    if low is None:
        low = folded(text)
    if cue_low is None:
        cue_low = low
    cid = h.concept
    c = concepts()[cid]
    quals: list[tuple[str, object]] = []
    kinds: tuple[str, ...] = ("condition",)
    if c.type == "procedure":
        kinds = ("procedure", "condition")
    elif c.type == "metastasis":
        kinds = ("metastasis", "condition")
    if cid in ("major_surgery", "open_biopsy"):
        quals.append(("major", True)) if cid == "major_surgery" else None
        cid = "surgery" if cid == "major_surgery" else cid
    if cid == "heart_failure" or is_a(cid, "heart_failure"):
        nm = nyha_min(text)
        if nm is not None and nm >= 2:
            quals.append(("min_nyha", nm))
    near_before = text[max(0, prev_end, h.start - 45) : h.start]
    near_after = text[h.end : h.end + 60]
    status = "any"
    # a match in the piece has the pattern's strings in the text holding it
    if _ACTIVE_CUE.admits(near_before, cue_low) and _ACTIVE_BEFORE.search(near_before):
        status = "active"
    severe_or = _SEVERE_OR.search(near_before, low=cue_low)
    if severe_or:
        return Or(
            (
                Has(cid, kinds=kinds, window=win, status=status, qualifiers=(*quals, ("severity", "severe"))),  # type: ignore[arg-type]
                Has(cid, kinds=kinds, window=win, status=status, qualifiers=(*quals, ("uncontrolled", True))),  # type: ignore[arg-type]
            )
        )
    ua = before = None
    if uncontrolled:
        if phrase_piece_may("uncontrolled_cues", text, low, h.end, h.end + 60):
            ua = find_phrase("uncontrolled_cues", near_after)
        if phrase_piece_may("uncontrolled_cues", text, low, max(0, prev_end, h.start - 30), h.start):
            before = find_phrase("uncontrolled_cues", near_before[-30:])
    if (before or (ua is not None and not _AND_BREAK.search(near_after[: ua.start()], low=cue_low))) and not (
        _UNSTABLE_ANGINA.search(h.text, low=cue_low)
    ):
        quals.append(("uncontrolled", True))
    return Has(cid, kinds=kinds, window=win, status=status, qualifiers=tuple(quals))  # type: ignore[arg-type]


def comorbidity_rule(
    text: str, parts: list[str] | None = None, head_window: Window | None = None
) -> tuple[Rule, str] | None:
    """Conditions and procedures, each with its window, qualifiers (uncontrolled, NYHA class,
    major) and status, Or-ed; permissive and exception clauses removed."""
    head = text
    for p in parts or ():
        head = head.replace(p, " ")
    if (
        parts and len(parts) >= 2 and not split_exceptions(head)[1]
    ):  # a list of exceptions is not a list of tests
        hw = first_window(head)
        sub: list[Rule] = []
        for p in parts:
            got = comorbidity_rule(p, None, hw)
            if got is not None:
                sub.append(got[0])
        r = any_of(sub)
        if r is not None:
            return r, "comorbidity"
    main, exc = split_exceptions(text)
    read = _comorbid_ids()
    hits = [h for h in concept_hits(main) if h.concept in read]
    if not hits:
        return None  # (each rule below is built from a hit; the steps before it only drop hits)
    if exc:  # (the exceptions' concepts are read only when there is a hit to except)
        excepted = {h.concept for h in _hits(exc, (*_COND_TYPES, "disease"))}
        hits = [h for h in hits if h.concept not in excepted]
    # a procedure named as an option or a plan ("candidates for allogeneic stem cell transplant",
    # "planned coronary revascularization") is not one the patient has had
    opts = option_hits(main, [h for h in hits if concepts()[h.concept].type == "procedure"])
    if opts:
        hits = [h for h in hits if h not in opts]
        if not hits:
            return option_review(text), "prior_therapy"
        opts = unread(opts, hits)
    low = folded(main)  # (its slices are the pieces': ``phrase_piece_may``)
    # the Cue tests read the item's folded text, whose bits are known: ``main`` (pieces of the
    # text joined by spaces) and its pieces have every whitespace-free run inside one of the text's
    cue_low = low if main is text else folded(text)
    # a general heading followed by its list ("Cardiovascular disease: ... MI, CHF") is not itself a test
    # (a heading needs another hit, and the heading's strings in the text holding it)
    if len(hits) > 1 and _LIST_HEADING.admits(main, cue_low):
        hits = [
            h
            for h in hits
            if not (
                any(o.concept != h.concept and is_a(o.concept, h.concept) for o in hits)
                and _LIST_HEADING.match(main[h.end :], low=cue_low)
            )
        ]
    if not hits:
        return None  # (every hit was a list heading's)
    wins = [x for x in find_windows(main) if x[0].relation != "after"]
    uncontrolled = phrase_list_may("uncontrolled_cues", main)
    sents = [(s.start(), s.end()) for s in _SENT.finditer(main)] if len(wins) > 1 else []
    ends = sorted(o.end for o in hits)
    rules: list[Rule] = []
    for h in hits:
        # the only window of the item, else the window of the same sentence (or the head's)
        w: Window | None = wins[0][0] if len(wins) == 1 else None
        for s0, s1 in sents:
            if s0 <= h.start < s1:
                ws = [x for x, a, _ in wins if s0 <= a < s1 and x.relation != "after"]
                w = ws[0] if ws else None
                break
        k = bisect_right(ends, h.start)  # the last end at or before the hit's start
        prev = ends[k - 1] if k else 0
        rules.append(_qualified_has(h, main, w or head_window, prev, uncontrolled, low, cue_low))
    r = any_of(rules)
    if r is None:
        return None
    if opts:
        r = with_option(r, main, opts)  # ("heart disease likely to need coronary bypass": both)
    cat = "comorbidity"
    if all(concepts()[h.concept].type == "procedure" for h in hits):
        cat = "prior_therapy" if any(is_a(h.concept, "surgery") for h in hits) else "comorbidity"
    return r, cat
