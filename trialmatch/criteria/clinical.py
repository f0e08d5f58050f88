"""Rules from concepts: diagnosis and disease state, prior and concomitant therapy, comorbidities
within windows, CNS metastases, other malignancies, infections, allergies, biomarkers, imaging.

Every builder takes the cleaned item text and returns ``(rule, category)`` or None. Exceptions
("except non-melanoma skin cancer", "other than SSA", "... being eligible") are cut out first
and become ``except`` qualifiers, a subtraction over the concept tree, or ``Not``.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from trialmatch.criteria.facets import grades_in, ne_component_rule, nyha_min, stages_in
from trialmatch.criteria.lexicon import find_all, find_phrase, has_phrase
from trialmatch.criteria.rules import And, Compare, Flag, Has, Is, Not, Or, Rule, Window
from trialmatch.criteria.temporal import find_windows, first_window
from trialmatch.vocab.concepts import ConceptHit, ancestors, concepts, descendants, is_a
from trialmatch.vocab.concepts import concepts_in as _concepts_in

__all__ = [
    "allergy_rule",
    "any_of",
    "biomarker_rule",
    "cns_rule",
    "comorbidity_rule",
    "disease_state_rule",
    "imaging_rule",
    "infection_rule",
    "other_malignancy_rule",
    "split_exceptions",
    "subtract",
    "therapy_rule",
    "trial_participation_rule",
]

@lru_cache(maxsize=8192)
def _cached_hits(text: str) -> tuple[ConceptHit, ...]:
    return tuple(_concepts_in(text))


def concepts_in(text: str) -> list[ConceptHit]:
    """Concept hits of a text (memoised: builders look at the same text several times)."""
    return list(_cached_hits(text))


_CLAUSE = re.compile(r"[^.;,()]+")
_SENT = re.compile(r"[^.;]+")
_GRADED = {"nen.net.g1": ("nen.net", "G1"), "nen.net.g2": ("nen.net", "G2"), "nen.net.g3": ("nen.net", "G3")}
_SEVERE_OR = re.compile(r"\bsevere\s+(?:and/or|or)\s+(?:poorly\s+controlled|uncontrolled|unstable)\b", re.I)


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


_PERM_HINTS = ("eligib", "allow", "permit", "may ", "can ", "accept", "not exclu", "consider")


@lru_cache(maxsize=4096)
def split_exceptions(text: str) -> tuple[str, str]:
    """(main text, exception text): permissive clauses ("X being eligible", "X may be enrolled")
    and what follows an exception cue ("except", "other than" ...) up to the sentence end."""
    exc: list[str] = []
    main = text
    # permissive clauses
    spans: list[tuple[int, int]] = []
    low = text.lower()
    perm = any(w in low for w in _PERM_HINTS)
    for m in _CLAUSE.finditer(text) if perm else ():
        clause = m.group()
        if has_phrase("permissive_cues", clause) and not re.search(r"\bnot\s+(?:be\s+)?eligible\b|\bineligible\b", clause, re.I):
            spans.append((m.start(), m.end()))
    # exception cues
    for m in find_all("exception_cues", text):
        end = text.find(".", m.end())
        semi = text.find(";", m.end())
        ends = [x for x in (end, semi) if x != -1]
        e = min(ends) if ends else len(text)
        spans.append((m.start(), e))
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


def _hits(text: str, types: tuple[str, ...]) -> list[ConceptHit]:
    cs = concepts()
    return [h for h in concepts_in(text) if cs[h.concept].type in types]


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

_DISJ = re.compile(r"\bor\b|,|;")
_TREAT_OF = re.compile(r"(?:treatment|management|therapy|care|conference|board|guidelines?)\s+(?:for|of)\s+(?:the\s+)?$", re.I)
_ANCHOR_BEFORE = re.compile(r"(?:dose|use|administration|initiation|start|first|prior\s+to|before|after|during|end\s+of|"
                            r"receiving|discontinu\w*|last|of)\s+(?:the\s+|of\s+)*$", re.I)


def _diag_has(cid: str, local: str = "") -> Rule:
    if cid in _GRADED:
        base, g = _GRADED[cid]
        gs = tuple(sorted({g, *grades_in(local)}))
        return And((Has(base, kinds=("diagnosis",)), Is("cancer.grade", gs)))
    return Has(cid, kinds=("diagnosis",))


def disease_state_rule(text: str) -> tuple[Rule, str] | None:
    """Diagnosis / histology / grade / stage / extent / resectability / measurability /
    progression, And-ed: e.g. "metastatic NEC, NET G3 or MiNEN (neuroendocrine component > 30%)"."""
    main, exc = split_exceptions(text)
    parts: list[Rule] = []
    cats: list[str] = []
    dis = [h for h in _hits(main, ("disease", "histology")) if is_a(h.concept, "cancer")
           and not _TREAT_OF.search(main[max(0, h.start - 30) : h.start])]
    # drop generic "cancer" when something more specific is named
    if any(h.concept != "cancer" for h in dis):
        dis = [h for h in dis if h.concept != "cancer"]
    if dis and re.search(r"\b(?:other|another|second|prior|previous|concurrent|history\s+of)\b", main[: dis[0].start], re.I) \
            and not re.search(r"confirmed|diagnos", main[: dis[0].start], re.I):
        dis = []
    disjuncts: list[Rule] = []
    for i, h in enumerate(dis):
        lo = dis[i - 1].end if i > 0 else 0
        hi = dis[i + 1].start if i + 1 < len(dis) else len(main)
        left = main[lo : h.start]
        cuts = list(_DISJ.finditer(left)) if i > 0 else []
        if cuts:
            left = left[cuts[-1].end() :]
        right = main[h.end : hi]
        cut = _DISJ.search(right) if i + 1 < len(dis) else None
        if cut:
            right = right[: cut.start()]
        local = left + h.text + right
        conj: list[Rule] = [_diag_has(h.concept, local)]
        gs = grades_in(local.replace(h.text, " ")) if h.concept not in _GRADED else ()
        if gs and not re.search(r"any\s+grade", local, re.I):
            conj.append(Is("cancer.grade", gs))
        st = stages_in(local)
        if st:
            conj.append(Is("cancer.stage_group", st))
        ne = ne_component_rule(local)
        if ne is not None and is_a(h.concept, "nen.minen"):
            conj.append(ne)
        disjuncts.append(all_of(conj) or conj[0])
    d = any_of(disjuncts)
    if d is not None:
        parts.append(d)
        cats.append("diagnosis")
    if not dis:
        gs = grades_in(main)
        if gs and re.search(r"\b(?:grade|G[123])\b", main):
            parts.append(Is("cancer.grade", gs))
            cats.append("grade")
        st = stages_in(main)
        if st:
            parts.append(Is("cancer.stage_group", st))
            cats.append("stage")
    covered = " ".join(h.text for h in dis).lower()
    if re.search(r"\bwell[\s-]+differentiated\b", main, re.I) and "well" not in covered:
        parts.append(Is("cancer.differentiation", ("well",)))
        cats.append("grade")
    elif re.search(r"\bpoorly[\s-]+differentiated\b", main, re.I) and "poorly" not in covered:
        parts.append(Is("cancer.differentiation", ("poorly",)))
        cats.append("grade")
    ki = re.search(r"\bKi[\s-]?67\b[^.;\d]{0,30}?(?P<op>≥|>=|>|≤|<=|<)\s{0,2}(?P<n>\d{1,3}(?:\.\d)?)\s{0,2}%", main, re.I)
    if ki:
        parts.append(Compare("cancer.ki67_percent", ki.group("op").replace("≥", ">=").replace("≤", "<="), float(ki.group("n")), "%"))
        cats.append("grade")
    unres = find_phrase("unresectable_cues", main)
    metas = re.search(r"\bmetastatic\b|\bmetastasized\b|\bstage\s+IV\b|\bdistant\s+metasta", main, re.I)
    if unres and metas and re.search(r"(?:unresectable|inoperable|advanced)[^.;]{0,40}\b(?:and/or|or)\b[^.;]{0,30}metasta|"
                                     r"metasta[^.;]{0,40}\b(?:and/or|or)\b[^.;]{0,30}(?:unresectable|inoperable)", main, re.I):
        parts.append(Or((Flag("cancer.metastatic"), Not(Flag("cancer.resectable")))))
        cats.append("stage")
    else:
        if metas:
            parts.append(Flag("cancer.metastatic"))
            cats.append("stage")
        if unres:
            parts.append(Not(Flag("cancer.resectable")))
            cats.append("resectability")
    if not unres and find_phrase("resected_cues", main):
        parts.append(Flag("cancer.resected"))
        cats.append("resectability")
    if has_phrase("measurable_cues", main) and not re.search(r"\bnon[\s-]*measurable\b", main, re.I):
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
    for h in _hits(exc, ("disease", "histology")):
        if is_a(h.concept, "cancer") and parts:
            parts.append(Not(Has(h.concept, kinds=("diagnosis",))))
    r = all_of(parts)
    if r is None:
        return None
    return r, cats[0] if cats else "diagnosis"


# ------------------------------------------------------------------ therapy

_LINES = re.compile(
    r"(?P<op>at\s+least|≥|>=|more\s+than|no\s+more\s+than|not\s+more\s+than|up\s+to|maximum\s+of|at\s+most|≤|<=|<|>)?\s{0,2}"
    r"(?P<n>\d|one|two|three|four|five|a\s+single|single)\s+(?:or\s+more\s+)?(?:prior|previous|lines?|regimens?|"
    r"standard|systemic|(?:line|lines)\s+of|courses?)\b(?:[\w\s-]{0,40}?)(?:therap|treatment|regimen|chemotherap|line)",
    re.I,
)
_ORDINAL = re.compile(r"\b(?P<o>first|second|third|1st|2nd|3rd)[\s-]+line\b", re.I)
_NUMW = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "a single": 1, "single": 1}


def therapy_rule(text: str, kind: str) -> tuple[Rule, str] | None:
    """Prior lines, failure of therapy, named prior or concomitant drugs and classes, washouts."""
    main, exc = split_exceptions(text)
    tx = [h for h in _hits(main, ("treatment", "drug", "regimen"))
          if not (h.concept == "investigational_agent" and _ANCHOR_BEFORE.search(main[max(0, h.start - 40) : h.start]))]
    excepted = frozenset(h.concept for h in _hits(exc, ("treatment", "drug", "regimen")))
    low = main.lower()
    failure = find_phrase("failure_cues", main)
    parts: list[Rule] = []
    cat = "prior_therapy"
    if failure is not None:
        specific = [h for h in tx if h.concept not in ("systemic_therapy", "anticancer_therapy", "chemotherapy")
                    and h.start >= failure.start() - 60]
        n = 1
        m = _LINES.search(main)
        if m:
            nw = m.group("n").lower()
            n = _NUMW.get(nw, int(nw) if nw.isdigit() else 1)
        o = _ORDINAL.search(main)
        if o and not m:
            n = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3}[o.group("o").lower()]
        if specific:
            outs = ("progression", "intolerance") if re.search(r"intoleran|toxicit", low) else ("progression", "intolerance")
            parts.append(any_of([Has(h.concept, kinds=("treatment",), qualifiers=(("outcome", outs),)) for h in specific])
                         or Compare("prior_lines_failed", ">=", float(n)))
        else:
            parts.append(Compare("prior_lines_failed", ">=", float(n)))
        r = all_of(parts)
        return (r, cat) if r is not None else None
    m = _LINES.search(main)
    if m and (m.group("op") or re.search(r"\bprior|previous|lines?\b", m.group(0), re.I)):
        nw = m.group("n").lower()
        n = _NUMW.get(nw, int(nw) if nw.isdigit() else 1)
        op = re.sub(r"\s+", " ", (m.group("op") or "").lower())
        cmp = {"at least": ">=", "≥": ">=", ">=": ">=", "more than": ">", ">": ">", "no more than": "<=", "not more than": "<=",
               "up to": "<=", "maximum of": "<=", "at most": "<=", "≤": "<=", "<=": "<=", "<": "<"}.get(op, ">=")  # fmt: skip
        return Compare("prior_lines", cmp, float(n)), cat
    if not tx:
        return None
    concomitant = has_phrase("concomitant_cues", main)
    if concomitant:
        cat = "concomitant_medication"
    win = first_window(main)
    naive = has_phrase("naive_cues", main)
    rules: list[Rule] = []
    seen: set[str] = set()
    for h in tx:
        if h.concept in seen:
            continue
        seen.add(h.concept)
        targets = subtract(h.concept, excepted) if excepted else [h.concept]
        for t in targets:
            kinds: tuple[str, ...] = ("treatment", "medication") if concepts()[t].type == "drug" else ("treatment",)
            rules.append(Has(t, kinds=kinds, window=win, status="active" if concomitant and win is None else "any"))
    r = any_of(rules)
    if r is None:
        return None
    if naive and kind == "inclusion":
        r = Not(r)
    return r, cat


# ------------------------------------------------------------------ comorbidities

_COND_TYPES = ("condition", "procedure", "metastasis")
_SKIP = {"procedure", "metastases", "lymph_node_metastases", "biopsy", "surgery"}


def _qualified_has(h: ConceptHit, text: str, win: Window | None) -> Rule:
    cid = h.concept
    c = concepts()[cid]
    quals: list[tuple[str, object]] = []
    kinds: tuple[str, ...] = ("condition",)
    if c.type == "procedure":
        kinds = ("procedure",)
    elif c.type == "metastasis":
        kinds = ("metastasis", "condition")
    if cid in ("major_surgery", "open_biopsy"):
        quals.append(("major", True)) if cid == "major_surgery" else None
        cid = "surgery" if cid == "major_surgery" else cid
    if cid == "heart_failure" or is_a(cid, "heart_failure"):
        nm = nyha_min(text)
        if nm is not None and nm >= 2:
            quals.append(("min_nyha", nm))
    near_before = text[max(0, h.start - 45) : h.start]
    near_after = text[h.end : h.end + 60]
    status = "any"
    if re.search(r"\b(?:active|ongoing|current|untreated|symptomatic|persistent)\b[^,;.]{0,25}$", near_before, re.I):
        status = "active"
    severe_or = _SEVERE_OR.search(near_before)
    if severe_or:
        return Or((
            Has(cid, kinds=kinds, window=win, status=status, qualifiers=(*quals, ("severity", "severe"))),  # type: ignore[arg-type]
            Has(cid, kinds=kinds, window=win, status=status, qualifiers=(*quals, ("uncontrolled", True))),  # type: ignore[arg-type]
        ))
    ua = find_phrase("uncontrolled_cues", near_after)
    if find_phrase("uncontrolled_cues", near_before[-30:]) or (
        ua is not None and not re.search(r"[,;]|\band\b", near_after[: ua.start()])
    ):
        if not re.search(r"\bunstable\s+angina", h.text, re.I):
            quals.append(("uncontrolled", True))
    return Has(cid, kinds=kinds, window=win, status=status, qualifiers=tuple(quals))  # type: ignore[arg-type]


def comorbidity_rule(text: str, parts: list[str] | None = None, head_window: Window | None = None) -> tuple[Rule, str] | None:
    """Conditions and procedures, each with its window, qualifiers (uncontrolled, NYHA class,
    major) and status, Or-ed; permissive and exception clauses removed."""
    if parts and len(parts) >= 2:
        head = text
        for p in parts:
            head = head.replace(p, " ")
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
    excepted = {h.concept for h in _hits(exc, _COND_TYPES + ("disease",))}
    hits = [h for h in _hits(main, _COND_TYPES + ("disease",)) if h.concept not in _SKIP and h.concept not in excepted]
    hits = [h for h in hits if concepts()[h.concept].type != "disease" or not is_a(h.concept, "cancer")]
    if not hits:
        return None
    wins = [x for x in find_windows(main) if x[0].relation != "after"]
    rules: list[Rule] = []
    for h in hits:
        # the only window of the item, else the window of the same sentence (or the head's)
        w: Window | None = wins[0][0] if len(wins) == 1 else None
        for s in _SENT.finditer(main) if len(wins) > 1 else ():
            if s.start() <= h.start < s.end():
                ws = [x for x, a, _ in wins if s.start() <= a < s.end() and x.relation != "after"]
                w = ws[0] if ws else None
                break
        rules.append(_qualified_has(h, main, w or head_window))
    r = any_of(rules)
    if r is None:
        return None
    cat = "comorbidity"
    if all(concepts()[h.concept].type == "procedure" for h in hits):
        cat = "prior_therapy" if any(is_a(h.concept, "surgery") for h in hits) else "comorbidity"
    return r, cat


def cns_rule(text: str) -> tuple[Rule, str] | None:
    """CNS metastases with the usual exceptions (treated and stable; off steroids N days)."""
    hits = [h for h in concepts_in(text) if h.concept in ("brain_metastases", "cns_metastases", "leptomeningeal_disease")]
    if not hits:
        return None
    low = text.lower()
    ids = {h.concept for h in hits}
    allowed = re.search(r"(?:treated|stable|asymptomatic)[^.]{0,120}(?:may|are|is|can)\s+(?:participate|eligible|allowed|permitted|"
                        r"be\s+(?:enrolled|included|eligible))|(?:may|are|is|can)\s+(?:participate|eligible|be\s+enrolled)[^.]{0,80}"
                        r"(?:treated|stable)|unless\s+(?:they\s+(?:are|have\s+been)\s+)?(?:treated|stable|asymptomatic)|"
                        r"except\s+(?:for\s+)?(?:those\s+)?(?:with\s+)?(?:treated|stable|asymptomatic)|"
                        r"(?:stable|treated)\s+(?:brain|cns)\s+metasta[^.]{0,60}(?:eligible|allowed|permitted)", low)
    active_word = re.search(r"\b(?:active|untreated|symptomatic|progressive|unstable|uncontrolled)\b", low)
    rules: list[Rule] = []
    if "leptomeningeal_disease" in ids:
        rules.append(Has("leptomeningeal_disease", kinds=("metastasis", "condition")))
    if ids - {"leptomeningeal_disease"}:
        if allowed or active_word:
            rules.append(Has("cns_metastases", kinds=("metastasis", "condition"), status="active"))
            sm = re.search(r"steroid|corticosteroid|dexamethasone", low)
            if sm:
                w = None
                for win, a, _ in find_windows(text):
                    if abs(a - sm.start()) < 120:
                        w = Window(amount=win.amount, unit=win.unit, relation="within", anchor=win.anchor)
                        break
                if w is not None:
                    rules.append(And((Has("brain_metastases", kinds=("metastasis", "condition")),
                                      Has("corticosteroid", kinds=("medication", "treatment"), window=w))))
                elif re.search(r"(?:requir|need|on|receiv)\w*\s+(?:\w+\s+){0,3}(?:steroid|corticosteroid)", low):
                    rules.append(And((Has("brain_metastases", kinds=("metastasis", "condition")),
                                      Has("corticosteroid", kinds=("medication", "treatment"), status="active"))))
        else:
            rules.append(Has("cns_metastases", kinds=("metastasis", "condition")))
    r = any_of(rules)
    return (r, "metastases") if r is not None else None


_OTHER_CA = re.compile(
    r"\b(?:other|another|second|prior|previous|concurrent|concomitant|additional|synchronous|metachronous|secondary|history\s+of|"
    r"diagnosed\s+with)\b[^.;]{0,40}?\b(?:malignan|cancer|tumou?r|neoplas|carcinoma)|\bmalignanc(?:y|ies)\b",
    re.I,
)


def other_malignancy_rule(text: str, kind: str) -> tuple[Rule, str] | None:
    if not _OTHER_CA.search(text):
        return None
    main, exc = split_exceptions(text)
    excepted = tuple(sorted({h.concept for h in _hits(exc, ("disease", "histology")) if is_a(h.concept, "cancer")}))
    status = "active" if re.search(r"\b(?:active|progressing|requir\w+\s+(?:active\s+)?treatment|concurrent|under\s+treatment|"
                                   r"currently\s+(?:being\s+)?treated|ongoing)\b", main, re.I) else "any"
    w: Window | None = None
    rem = re.search(r"(?:remission|disease[\s-]free|no\s+evidence\s+of\s+disease|cured|curative(?:ly)?|without\s+recurrence|"
                    r"relapse[\s-]free|recurrence[\s-]free)[^.;]{0,80}", text, re.I)
    for win, a, _ in find_windows(text):
        if win.relation == "after":
            continue
        if rem is not None and (rem.start() - 80 <= a <= rem.end() + 40):
            w = Window(amount=win.amount, unit=win.unit, relation="within", anchor=win.anchor)
            break
        if win.relation == "within":
            w = win
            break
    quals: tuple[tuple[str, object], ...] = (("except", excepted),) if excepted else ()
    r: Rule = Has("cancer", kinds=("other_cancer",), status=status, window=w, qualifiers=quals)  # type: ignore[arg-type]
    if kind == "inclusion" and re.search(r"^\s*(?:no|without|absence\s+of|free\s+of)\b", text, re.I):
        r = Not(r)
    return r, "other_malignancy"


def allergy_rule(text: str) -> tuple[Rule, str] | None:
    m = find_phrase("allergy_cues", text)
    if m is None:
        return None
    if re.match(r"contra", m.group(), re.I):
        return None
    hits = [h for h in concepts_in(text) if concepts()[h.concept].type in ("drug", "treatment", "regimen") and h.concept
            not in ("investigational_agent",)]
    rules: list[Rule] = [Has(h.concept, kinds=("allergy",)) for h in hits]
    r = any_of(rules)
    return (r, "allergy") if r is not None else None


_HEP_BC = re.compile(r"hepatitis\s+B\s*(?:,|or|and|and/or|/)\s*(?:hepatitis\s+)?C\b", re.I)
_ACTIVE_INF = re.compile(r"\b(?:active|uncontrolled|ongoing|current|serious|severe|persistent|acute|chronic\s+active)\b", re.I)


def infection_rule(text: str) -> tuple[Rule, str] | None:
    hits = [h for h in concepts_in(text) if is_a(h.concept, "infection") or h.concept in ("hepatitis",)]
    if not hits:
        return None
    if _HEP_BC.search(text):
        hits = [h for h in hits if h.concept not in ("hbv", "hcv", "infection", "hepatitis")]
        bc = [ConceptHit("hbv", h0.start(), h0.end(), h0.group()) for h0 in [_HEP_BC.search(text)] if h0]
        hits = bc + [ConceptHit("hcv", b.start, b.end, b.text) for b in bc] + hits
    main, exc = split_exceptions(text)
    excepted = {h.concept for h in concepts_in(exc)}
    rules: list[Rule] = []
    for h in hits:
        if h.concept in excepted:
            continue
        before = text[max(0, h.start - 60) : h.start]
        active = bool(_ACTIVE_INF.search(before))
        rules.append(Has(h.concept, kinds=("condition",), status="active" if active else "any", window=first_window(main)))
    r = any_of(rules)
    return (r, "infection") if r is not None else None


def biomarker_rule(text: str) -> tuple[Rule, str] | None:
    hits = [h for h in concepts_in(text) if concepts()[h.concept].type == "biomarker" and h.concept != "hereditary_syndrome"]
    if not hits:
        return None
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, h in enumerate(hits):
        local = text[h.start : hits[i + 1].start if i + 1 < len(hits) else len(text)]
        before = text[max(0, h.start - 40) : h.start]
        origin = None
        if re.search(r"germ[\s-]?line|hereditary|inherited", local + before, re.I):
            origin = "germline"
        elif re.search(r"somatic", local + before, re.I):
            origin = "somatic"
        key = f"{h.concept}:{origin}"
        if key in seen:
            continue
        seen.add(key)
        q: tuple[tuple[str, object], ...] = (("origin", origin),) if origin else ()
        rules.append(Has(h.concept, kinds=("biomarker", "condition", "diagnosis"), qualifiers=q))  # type: ignore[arg-type]
    # "germline or somatic" of the same marker is just the marker
    ids = {r.concept for r in rules if isinstance(r, Has)}
    if len(ids) == 1 and len(rules) > 1:
        rules = [Has(next(iter(ids)), kinds=("biomarker", "condition", "diagnosis"))]
    r = any_of(rules)
    return (r, "biomarker") if r is not None else None


def imaging_rule(text: str) -> tuple[Rule, str] | None:
    ids = {h.concept for h in concepts_in(text)}
    if "sstr_discordance" in ids and (ids & {"fdg_pet", "sstr_pet", "sstr_imaging", "ct_scan", "mri_scan"}):
        return Has("sstr_discordance", kinds=("imaging",)), "imaging"
    if not ids & {"sstr_expression", "sstr_pet", "sstr_imaging"}:
        return None
    low = text.lower()
    kr = re.search(r"krenning[^.;\d]{0,25}(?:≥|>=|of\s+at\s+least|at\s+least)?\s{0,2}(?:score\s+|grade\s+)?(\d)", low)
    if kr:
        return Compare("cancer.krenning_score", ">=", float(kr.group(1))), "imaging"
    if re.search(r"(?:>|≥|above|greater\s+than|higher\s+than|exceed\w*|more\s+than|superior\s+to|at\s+least)\s{0,3}(?:the\s+)?"
                 r"(?:basal\s+|normal\s+|background\s+)?(?:liver|hepatic)", low):
        op = ">=" if not re.search(r"at\s+least\s+(?:the\s+)?(?:basal\s+|normal\s+)?(?:liver|hepatic)|≥", low) else ">="
        return Compare("cancer.krenning_score", op, 3.0), "imaging"
    if re.search(r"(?:>|≥|above|greater\s+than|higher\s+than|exceed\w*)\s{0,3}(?:the\s+)?(?:normal\s+)?(?:spleen|splenic|kidney)", low):
        return Compare("cancer.krenning_score", ">=", 4.0), "imaging"
    if re.search(r"positiv|avid|express|uptake|demonstrat", low):
        return Has("sstr_expression", kinds=("imaging", "biomarker")), "imaging"
    return None


def trial_participation_rule(text: str) -> tuple[Rule, str] | None:
    if not has_phrase("trial_cues", text):
        return None
    if not re.search(r"particip|enrol|receiv|treat|took\s+part|taking\s+part|involved|investigational", text, re.I):
        return None
    w = first_window(text)
    return Has("trial_participation", kinds=("trial_participation",), window=w), "trial_participation"


_ = ancestors
