"""Turn one eligibility item into a categorised, computable ``Criterion``.

``parse_item(text, kind, parts=(), scope=None, index=0) -> Criterion``. Pure, bounded (the item
is capped at ``MAX_ITEM`` characters), never raises: anything not understood is kept with a
category and a ``Review`` rule, status ``needs_review``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from trialmatch.criteria.clinical import any_of, concepts_in, disease_state_rule, split_exceptions
from trialmatch.criteria.facets import PS_CUE, age_rule, bp_slash_rule, life_expectancy_rule, performance_rule
from trialmatch.criteria.findings import (
    allergy_rule,
    biomarker_rule,
    imaging_rule,
    infection_rule,
    trial_participation_rule,
)
from trialmatch.criteria.history import (
    _DRUGLIKE,
    cns_rule,
    comorbidity_rule,
    other_malignancy_rule,
    therapy_rule,
)
from trialmatch.criteria.lexicon import find_phrase, has_phrase
from trialmatch.criteria.model import Criterion
from trialmatch.criteria.numeric import lab_rules
from trialmatch.criteria.rules import Admin, And, Compare, Flag, Has, Is, Not, Or, Review, Rule, Window
from trialmatch.criteria.scope import scoped_rule
from trialmatch.vocab.concepts import concepts, is_a

__all__ = ["MAX_ITEM", "categorise", "clean_text", "parse_item"]

MAX_ITEM = 3000
_WS = re.compile(r"\s+")
_ESC = re.compile(r"\\([<>=*_\[\]()#+\-.!|~])")
_ABBR = re.compile(r"\b(e\.g|i\.e|etc|vs|approx|incl|esp|resp)\.", re.I)

_INVESTIGATOR_STRONG = re.compile(
    r"(?:opinion|judge?ment|discretion|judged|deemed|considered|judges|deems|considers|believes|determines?)\b[^.;]{0,30}"
    r"\binvestigator|\binvestigator'?s?\b[^.;]{0,25}(?:opinion|judge?ment|discretion|judges|deems|considers|believes)|"
    r"\b(?:unsuitable|not\s+suitable|inappropriate|not\s+appropriate)\s+(?:for|to)\s+(?:participat|enrol|inclusion|the\s+(?:study|trial)|this)",
    re.I,
)
_INELIGIBLE = re.compile(
    r"\b(?:are|is|will\s+be|would\s+be)\s+(?:ineligible|excluded|not\s+eligible|not\s+allowed|not\s+permitted)\b|"
    r"\b(?:must|should|may)\s+not\s+(?:have|be\s+(?:receiving|taking|on))\b(?!\s+(?:had|received|been))|"
    r"\bcannot\s+have\b(?!\s+(?:had|received))",
    re.I,
)
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")  # "(platelet transfusion is not allowed ...)" is an aside
_NOTE = re.compile(r"^\W{0,3}(?:note|nb|n\.b|please\s+note|comment|remark)s?\b", re.I)
_NEG_START = re.compile(
    r"^\s*(?:no|without|absence\s+of|free\s+of|not\s+have|has\s+not|have\s+not|no\s+evidence\s+of|no\s+known|"
    r"no\s+history\s+of|no\s+prior|no\s+previous|never|none\s+of\s+the\s+following|additionally,?\s+no|negative|"
    r"(?:patients?|subjects?|participants?)\s+without)\b",
    re.I,
)


_SPACED_OP = re.compile(r"([<>])\s+=")


def clean_text(text: str) -> str:
    """Unescape CT.gov markdown (``\\>``), collapse white space, cap the length."""
    t = text[: MAX_ITEM * 2]
    if "\\" in t:
        t = _ESC.sub(r"\1", t)
    t = t.replace("\u00a0", " ").replace("\u2009", " ")
    if "." in t:
        t = _ABBR.sub(lambda m: m.group(1).replace(".", ""), t)
    if "<" in t or ">" in t:
        t = _SPACED_OP.sub(lambda m: m.group(1) + "=", t)  # "< =" -> "<="
    return " ".join(t.split())[:MAX_ITEM]  # = _WS.sub(" ", t).strip(): \s is str.isspace


def _reproductive(t: str, kind: str) -> tuple[Rule, str, Rule | None] | None:
    preg = has_phrase("pregnancy_cues", t)
    contra = has_phrase("contraception_cues", t)
    if not (preg or contra):
        return None
    low = t.lower()
    female: Rule = Is("sex", ("female",))
    if contra and (
        kind == "inclusion" or re.search(r"unwilling|not\s+willing|refus|not\s+using|not\s+use|fail", low)
    ):
        return Admin("contraception"), "reproductive", None
    flags: list[Rule] = []
    if re.search(r"pregnan", low):
        flags.append(Flag("pregnant"))
    if re.search(r"lactat|breast[\s-]?feed|nursing", low):
        flags.append(Flag("breastfeeding"))
    if not flags:
        return Admin("contraception"), "reproductive", None
    r: Rule = flags[0] if len(flags) == 1 else Or(tuple(flags))
    if kind == "inclusion":
        r = Not(r)
    return r, "reproductive", female


def _sex(t: str) -> Rule | None:
    if has_phrase("sex_any", t):
        return None
    m = re.match(
        r"^\s*(?:(?:only\s+)?(?:female|women|woman)s?(?:\s+(?:patients?|subjects?|participants?))?(?:\s+only)?|"
        r"(?:only\s+)?(?:male|men|man)s?(?:\s+(?:patients?|subjects?|participants?))?(?:\s+only)?)\s*[.,;]?\s*$",
        t,
        re.I,
    )
    if not m:
        return None
    return Is("sex", ("female",) if re.match(r"\s*(?:only\s+)?(?:female|wom)", t, re.I) else ("male",))


def _hypertension(t: str) -> Rule | None:
    ids = {h.concept for h in concepts_in(t)}
    if "hypertension" not in ids and not re.search(r"blood\s+pressure", t, re.I):
        return None
    bp = bp_slash_rule(t)
    labs, _ = lab_rules(t)
    parts: list[Rule] = []
    if "hypertension" in ids or re.search(r"(?:high|elevated|raised)\s+blood\s+pressure", t, re.I):
        unc = has_phrase("uncontrolled_cues", t) or re.search(
            r"not\s+(?:well\s+)?controlled|difficult\s+to\s+control", t, re.I
        )
        parts.append(
            Has("hypertension", kinds=("condition",), qualifiers=(("uncontrolled", True),) if unc else ())
        )
    if bp is not None:
        parts.append(bp)
    elif labs is not None:
        parts.append(labs)
    return any_of(parts)


_GRADE_LIMIT = re.compile(
    r"\bgrade\s*(?:0|≤|<=|=<|<|[0I]\s*(?:-|to|or)\s*(?:1|I)\b)|\bgrade\s*(?:1|I)\s+or\s+(?:less|lower|below)|"
    r"\b(?:resolved|recovered)\s+to\b",
    re.I,
)
_GENERIC_TX = frozenset({"investigational_agent", "systemic_therapy", "anticancer_therapy"})


def _condition_first(t: str) -> bool:
    """A condition is named before any treatment ("autoimmune disease requiring systemic therapy")."""
    hits = concepts_in(t)
    cs = concepts()
    first_cond = next((h.start for h in hits if cs[h.concept].type == "condition"), None)
    first_tx = next((h.start for h in hits if cs[h.concept].type in ("treatment", "drug", "regimen")), None)
    return first_cond is not None and first_tx is not None and first_cond < first_tx


def _investigator(t: str) -> bool:
    low = t.lower()
    if "investigator" not in low and "suitab" not in low and "appropriate" not in low:
        return False
    main, _ = split_exceptions(t)
    return bool(_INVESTIGATOR_STRONG.search(main))


def _generic_other(t: str) -> bool:
    return bool(find_phrase("generic_other", t))


@lru_cache(maxsize=50_000)
def _build_cached(
    t: str, kind: str, parts: tuple[str, ...]
) -> tuple[str, Rule, float, Rule | None, str | None]:
    """Rules are immutable: an item text seen before (common across trials) is read once."""
    return _build(t, kind, parts)


def _build(t: str, kind: str, parts: Sequence[str]) -> tuple[str, Rule, float, Rule | None, str | None]:
    """(category, rule, confidence, applies_if, note)."""
    low = t.lower()
    if re.match(r"^\W{0,3}exceptions?\s*:", t, re.I):
        return "other", Admin("allowed"), 0.7, None, "an exception to the item before"
    main0, exc0 = split_exceptions(t)
    if exc0 and len(re.sub(r"[\W_]+", "", main0)) < 4:
        return "other", Admin("allowed"), 0.7, None, "a permission, not a requirement"
    if kind == "inclusion" and has_phrase("refusal_cues", t):
        q = f"Did the patient refuse, or can the patient not receive, the treatment named? ({t[:160]})"
        th0 = therapy_rule(t, kind)
        alt = Review("received, refused or ineligible", q)
        return "prior_therapy", Or((th0[0], alt)) if th0 is not None else alt, 0.5, None, "alternatives"
    if kind == "inclusion" and has_phrase("conditional_permission_cues", t):
        q = f"Does the patient meet the conditions of this permission? ({t[:160]})"
        return categorise(t), Review("permission with conditions", q), 0.4, None, "conditional permission"
    if _NOTE.match(t):
        q = f"Note in the criteria: {t[:200]}"
        return categorise(t), Review("a note, not a criterion", q), 0.3, None, "note"
    ids = [h.concept for h in concepts_in(t)]
    types = {concepts()[c].type for c in ids}
    inv = _investigator(t)
    if inv and (
        kind == "inclusion"
        or _generic_other(t)
        or not ids
        or re.match(r"^\s*(?:in\s+the|per|according|as\s+judged|at\s+the)", t, re.I)
        or re.search(
            r"\b(?:other|any)\b[^.;]{0,60}(?:condition|factor|illness|disease|circumstance|situation|reason)",
            low,
        )
    ):
        return (
            "investigator_judgement",
            Review("investigator judgement", t[:200], investigator=True),
            0.9,
            None,
            None,
        )
    if (
        has_phrase("admin_cues", t)
        and not (types & {"condition", "disease", "metastasis"})
        and not lab_rules(t)[0]
    ):
        what = "consent" if re.search(r"consent|sign", low) else "compliance"
        return "administrative", Admin(what), 0.9, None, None
    rep = _reproductive(t, kind)
    if rep is not None:
        return rep[1], rep[0], 0.85, rep[2], None
    age = age_rule(t) if re.search(r"\bage[ds]?\b|\byears?\b|\byrs?\b|\bolder\b", low) else None
    if age is not None and not re.search(r"\b(?:diagnos|history|prior|within|ago|since)\b", low[:40]):
        sx = _sex(t)
        return "age", age if sx is None else And((age, sx)), 0.95, None, None
    sx = _sex(t)
    if sx is not None:
        return "sex", sx, 0.9, None, None
    if PS_CUE.search(t):
        ps = performance_rule(t)
        if ps is not None:
            return "performance_status", ps, 0.95, None, None
    le = life_expectancy_rule(t)
    if le is not None:
        return "life_expectancy", le, 0.95, None, None
    cns = cns_rule(t)
    if cns is not None:
        neg = kind == "inclusion" and _NEG_START.match(t) and not isinstance(cns[0], Not)
        return cns[1], Not(cns[0]) if neg else cns[0], 0.85, None, None
    if "hypertension" in ids or re.search(r"blood\s+pressure|\bBP\b", t):
        ht = _hypertension(t)
        if ht is not None:
            return "comorbidity" if "hypertension" in ids else "vital_sign", ht, 0.85, None, None
    labs, keys = lab_rules(t)
    if (
        labs is not None
        and kind == "exclusion"
        and isinstance(labs, And)
        and not re.search(r"\band\b(?!/)", t, re.I)
    ):
        labs = Or(labs.args)  # an exclusion list of limits: any one of them excludes
    if labs is not None and set(keys) <= {"ki67", "mitoses"} and types & {"disease", "histology"}:
        labs = None  # "NEC or Ki-67 > 55%": read with the diagnosis
    if labs is not None:
        cat = "lab"
        if all(
            k
            in (
                "qtc",
                "lvef",
                "systolic_bp",
                "diastolic_bp",
                "heart_rate",
                "oxygen_saturation",
                "weight",
                "bmi",
            )
            for k in keys
        ):
            cat = "vital_sign"
        elif all(k in ("ki67", "mitoses") for k in keys):
            cat = "grade"
        elif len(keys) >= 3 or re.search(r"organ\s+function|marrow|hepatic\s+function|renal\s+function", low):
            cat = "organ_function"
        if kind == "inclusion" and _NEG_START.match(t) and not isinstance(labs, Not):
            labs = Not(labs)  # "No ... QTc >= 500 msec" as an inclusion item
        return cat, labs, 0.9, None, None
    first_tx = next(
        (
            h.start
            for h in concepts_in(t)
            if h.concept not in _GENERIC_TX and concepts()[h.concept].type in ("treatment", "drug", "regimen")
        ),
        None,
    )
    ca_word = re.search(r"malignan|tumou?r|cancer|carcinoma", low)
    om = (
        other_malignancy_rule(t, kind)
        if ("cancer" in ids or ca_word)
        and not (first_tx is not None and ca_word and first_tx < ca_word.start())
        else None
    )
    if om is not None:
        return om[1], om[0], 0.85, None, None
    al = allergy_rule(t)
    if al is not None:
        return al[1], al[0], 0.9, None, None
    if re.search(r"contraindicat", low):
        return (
            "allergy",
            Review("contraindication", f"Does the patient have a contraindication? ({t[:150]})"),
            0.5,
            None,
            None,
        )
    real_tx = {c for c in ids if concepts()[c].type in ("treatment", "drug", "regimen")} - _GENERIC_TX
    tp = trial_participation_rule(t) if not real_tx else None
    if tp is not None:
        return tp[1], tp[0], 0.85, None, None
    im = imaging_rule(t)
    if im is not None:
        return im[1], im[0], 0.8, None, None
    bm = biomarker_rule(t)
    if bm is not None and not (types & {"disease"} - set()):
        return bm[1], bm[0], 0.85, None, None
    cond_ids = {c for c in ids if concepts()[c].type == "condition"}
    only_inf = all(c in ("infection", "hepatitis") or is_a(c, "infection") for c in cond_ids)
    inf = infection_rule(t) if only_inf else None
    if inf is not None:
        return inf[1], inf[0], 0.85, None, None
    if (
        exc0
        and has_phrase("permissive_cues", exc0)
        and re.search(r"\b(?:provided|as\s+long\s+as|only\s+if)\b", t, re.I)
    ):
        q = f"Does the patient meet the conditions of this permission? ({t[:160]})"
        return categorise(t), Review("permission with conditions", q), 0.4, None, "conditional permission"
    if _condition_first(t):
        cm0 = comorbidity_rule(t, list(parts) if parts else None)
        if cm0 is not None:
            r0 = Not(cm0[0]) if kind == "inclusion" and _NEG_START.match(t) else cm0[0]
            either = re.search(
                r"\bor\s+(?:is\s+|are\s+)?(?:currently\s+)?(?:receiving|taking|using|on|treated\s+with|use\s+of)\b",
                t,
                re.I,
            )
            th1 = therapy_rule(t, kind) if kind == "exclusion" and either else None
            if th1 is not None and not isinstance(th1[0], (Not, Review)):
                # "immunodeficiency or receiving systemic steroid therapy": either excludes
                r0 = any_of([r0, th1[0]]) or r0
            return cm0[1], r0, 0.8, None, None
    tx_first = (
        bool(types & {"treatment", "drug", "regimen"})
        or has_phrase("failure_cues", t)
        or bool(_DRUGLIKE.search(t))
    ) and (
        # "toxicity from prior radiation has not resolved" is about the toxicity, not the radiation
        not ids or ids[0] != "toxicity_unresolved"
    )
    ds = disease_state_rule(t)
    th = therapy_rule(t, kind) if tx_first else None
    local_tx = re.search(
        r"local\s+(?:treatment|therapy)|previously\s+irradiated|radiotherapy\s+field|area\s+of\s+previous",
        low,
    )
    # "metastatic MCC or locoregional MCC that has recurred following ... therapy": the therapy belongs to
    # one alternative only, so it is not required of everyone
    alt_tx = ds is not None and re.search(
        r"\bor\b[^.;]{0,60}\b(?:that|which|who)\s+(?:has|have)\s+(?:recurred|relapsed|progressed)\b", low
    )
    if ds is not None and th is not None and not (ds[1] == "measurable_disease" and local_tx) and not alt_tx:
        return ds[1], And((ds[0], th[0])), 0.8, None, None
    if bm is not None and ds is not None:
        return "biomarker", And((ds[0], bm[0])), 0.8, None, None
    if ds is not None:
        return ds[1], ds[0], 0.85, None, None
    if bm is not None:
        return bm[1], bm[0], 0.85, None, None
    if th is not None:
        return th[1], th[0], 0.85, None, None
    cm = comorbidity_rule(t, list(parts) if parts else None)
    if cm is not None:
        r = cm[0]
        if kind == "inclusion" and _NEG_START.match(t):
            r = Not(r)
        elif kind == "inclusion" and _GRADE_LIMIT.search(t):
            # "Peripheral neuropathy grade 0-1": a severity limit, not a requirement to have it
            q = f"Is the condition within the stated grade? ({t[:150]})"
            return cm[1], Review("severity limit", q), 0.5, None, "grade limit"
        return cm[1], r, 0.8, None, None
    if inv:
        return (
            "investigator_judgement",
            Review("investigator judgement", t[:200], investigator=True),
            0.9,
            None,
            None,
        )
    if _generic_other(t) and re.search(r"condition|illness|disease|disorder|abnormalit", low):
        q = f"Does the patient have another condition that rules this out? ({t[:150]})"
        return "comorbidity", Review("other conditions left to judgement", q), 0.5, None, "open-ended"
    if has_phrase("admin_cues", t):
        return "administrative", Admin("compliance"), 0.7, None, None
    cat = categorise(t)
    return (
        cat,
        Review("not understood", f"Does the patient meet: {t[:200]}?"),
        0.2,
        None,
        "no rule could be read",
    )


_CATEGORY_CUES = (
    ("investigator_judgement", re.compile(r"investigator|physician", re.I)),
    ("lab", re.compile(r"laborator|\blab\b|\blevels?\b", re.I)),
    (
        "organ_function",
        re.compile(r"organ|marrow|renal|hepatic|liver\s+function|kidney|cardiac\s+function", re.I),
    ),
    ("prior_therapy", re.compile(r"prior|previous|therap|treat|chemo|drug|medication", re.I)),
    ("diagnosis", re.compile(r"diagnos|histolog|cytolog|patholog|tumou?r|cancer|carcinoma|neoplas", re.I)),
    ("comorbidity", re.compile(r"disease|disorder|condition|illness|syndrome|history\s+of", re.I)),
    ("administrative", re.compile(r"consent|willing|comply|complian|able\s+to", re.I)),
)


def categorise(text: str) -> str:
    """A category from cue words (used when no rule could be read)."""
    for cat, rx in _CATEGORY_CUES:
        if rx.search(text):
            return cat
    return "other"


def _has_review(rule: Rule) -> bool:
    if isinstance(rule, Review):
        return not rule.investigator
    if isinstance(rule, (And, Or)):
        return any(_has_review(a) for a in rule.args)
    if isinstance(rule, Not):
        return _has_review(rule.arg)
    return False


_SENT = re.compile(r"(?<=[.;:])\s+(?=[A-Z])")


def _definition_lead(t: str, parts: tuple[str, ...]) -> str | None:
    """The requirement before a definition that follows it ("must have measurable disease:
    Measurable disease is defined as ..."), or None when the item has no such tail."""
    if parts and parts[0] in t and any(has_phrase("definition_cues", p) for p in parts):
        lead = t[: t.index(parts[0])].strip(" :;,")
    else:
        sents = _SENT.split(t)
        i = next((k for k, x in enumerate(sents) if k > 0 and has_phrase("definition_cues", x)), None)
        if i is None:
            return None
        lead = " ".join(sents[:i]).strip(" :;,")
    return lead if len(lead) >= 15 and not has_phrase("definition_cues", lead) else None


def _positive_has(rule: Rule) -> bool:
    """A bare presence test (``Has``, or an and/or of them) with no negation inside."""
    if isinstance(rule, Has):
        return True
    return isinstance(rule, (And, Or)) and all(isinstance(a, Has) for a in rule.args)


def _washout(rule: Rule) -> Rule:
    """An inclusion "more than 28 days since prior major surgery" does not require surgery: a positive
    ``Has`` with a ``before`` window becomes "not within that window"."""
    if isinstance(rule, Has) and rule.window is not None and rule.window.relation == "before":
        w = rule.window
        within = Window(amount=w.amount, unit=w.unit, relation="within", anchor=w.anchor)
        return Not(Has(rule.concept, rule.kinds, within, rule.status, rule.qualifiers))
    if isinstance(rule, (And, Or)):
        args = tuple(_washout(a) for a in rule.args)
        if args == rule.args:
            return rule
        if isinstance(rule, Or) and all(isinstance(a, Not) for a in args):
            return And(args)  # "since prior surgery or biopsy": neither within the window
        return type(rule)(args)
    return rule


_CONDITIONAL_SUBJECT = re.compile(
    r"^\W*(?:(?:for|in|if)\s+(?:patients?|subjects?|participants?|those|women|men|individuals?)\s+"
    r"(?:with|who|receiving|on|taking)\b|(?:patients?|subjects?|participants?)\s+with\s[^.;:]{3,80}?\bmust\b)",
    re.I,
)


def _presence_test(rule: Rule) -> bool:
    """A presence test, possibly with vital-sign limits ("No uncontrolled hypertension (BP > 150/90)")."""
    if isinstance(rule, (And, Or)):
        return all(
            isinstance(a, Has) or (isinstance(a, Compare) and a.var.startswith("vital.")) for a in rule.args
        ) and any(isinstance(a, Has) for a in rule.args)
    return isinstance(rule, Has)


_WHO_RECEIVE = re.compile(
    r"^\W*(?:subjects?|patients?|participants?|those|individuals?)\s+(?:who\s+are\s+|currently\s+)?"
    r"(?:receiving|taking|on|treated\s+with|using)\b",
    re.I,
)


def _permission_among_exclusions(t: str) -> bool:
    """An exclusion item whose first sentence grants a permission ("... are eligible", "... are allowed")
    outside brackets: it excludes nobody by itself."""
    first = re.split(r"(?<=[.;])\s", t, maxsplit=1)[0]
    outside = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", first)
    return has_phrase("permission_statement_cues", outside) and not _INELIGIBLE.search(first)


def parse_item(
    text: str, kind: str, parts: Sequence[str] = (), scope: str | None = None, index: int = 0
) -> Criterion:
    """One item -> Criterion (never raises)."""
    k = "exclusion" if kind == "exclusion" else "inclusion"
    t = clean_text(text or "")
    crit = Criterion(kind=k, text=text or "", scope=scope, index=index, parts=list(parts))  # type: ignore[arg-type]
    if not t:
        crit.category, crit.rule, crit.status, crit.note = (
            "other",
            Review("empty item"),
            "needs_review",
            "empty",
        )
        return crit
    cparts = tuple(clean_text(p) for p in parts)
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
    if (
        k == "inclusion"
        and _INELIGIBLE.search(_BRACKETS.sub(" ", re.split(r"(?<=[.;])\s", t, maxsplit=1)[0]))
        and cat not in ("reproductive", "administrative", "investigator_judgement")
        and not isinstance(rule, (Not, Review, Admin))
    ):
        rule = Not(rule)  # an inclusion item written as an exclusion ("patients with X are ineligible")
    elif k == "inclusion" and _NEG_START.match(t) and _presence_test(rule):
        rule = Not(rule)  # "No active infection", "Free of ...": every builder's Has read as written
    elif k == "inclusion" and _CONDITIONAL_SUBJECT.match(t) and _positive_has(rule):
        # "For patients with chronic HBV, the viral load must be undetectable": binds only them
        q = f"Does the patient meet what this item asks of that group? ({t[:160]})"
        rule = Or((Not(rule), Review("requirement for a subgroup", q)))
    if k == "inclusion" and not has_phrase("duration_requirement_cues", t):
        rule = _washout(rule)  # (not "on a stable dose of X for at least 3 months": that requires X)
    elif k == "inclusion" and isinstance(rule, Has) and _WHO_RECEIVE.match(t):
        # "Subjects receiving anticoagulation must be on a stable regimen for >= 2 weeks": only for them
        q = f"Has the patient been on it as long as required? ({t[:160]})"
        none = Not(Has(rule.concept, rule.kinds, None, rule.status, rule.qualifiers))
        rule = Or((none, Review("duration", q)))
    elif _permission_among_exclusions(t) and not isinstance(rule, (Review, Admin)):
        q = f"A permission written among the exclusions: does it apply? ({t[:160]})"
        rule = Review("permission among exclusions", q)  # "Subjects who received ... for asthma are eligible"
    rule = scoped_rule(rule, t, scope, k)
    crit.category = cat
    crit.rule = rule
    crit.applies_if = applies_if
    crit.confidence = conf
    crit.note = note
    crit.status = "needs_review" if _has_review(rule) else "parsed"
    if crit.status == "needs_review" and crit.note is None:
        crit.note = "part of the item needs a person"
    return crit


_ = Compare
