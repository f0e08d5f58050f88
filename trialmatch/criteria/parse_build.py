"""Build the rule of one cleaned eligibility item: which reader applies (investigator judgement,
administration, reproduction, age, sex, performance, labs, history, findings ...) and what it reads.

``build_cached(text, kind, parts) -> (category, rule, confidence, applies_if, note)``; the wording
around the rule (negations, subgroups, washouts) is applied afterwards by ``parse_post``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from trialmatch.criteria.alternatives import alternatives_rule, listed_limits_rule
from trialmatch.criteria.clinical import (
    any_of,
    concept_hits,
    concepts_in,
    disease_state_rule,
    split_exceptions,
)
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
    therapy_options,
    therapy_rule,
)
from trialmatch.criteria.lexicon import find_phrase, has_phrase
from trialmatch.criteria.numeric import lab_rules
from trialmatch.criteria.options import OPTION_REASON, with_option
from trialmatch.criteria.rules import Admin, And, Flag, Has, Is, Not, Or, Review, Rule
from trialmatch.vocab.concepts import ConceptHit, concepts, is_a
from trialmatch.vocab.patterns import pattern
from trialmatch.vocab.prefilter import gate

__all__ = ["build_cached", "categorise"]

# the patterns anchored at the item's start are asked with ``.rx.match``: the regex fails within the
# first characters, cheaper than the Cue's scan of the whole text for the strings a match needs
_NOTE = pattern("parse.note")
_NEG_START = pattern("parse.negation_start")
_INVESTIGATOR_STRONG = pattern("parse.investigator_strong")
_EXCEPTION_LEAD = pattern("parse.exception_lead")
_JUDGEMENT_LEAD = pattern("parse.judgement_lead")
_OTHER_CONDITION = pattern("parse.other_condition")
_CONSENT = pattern("parse.consent_word")
_CONTRA_REFUSAL = pattern("parse.contraception_refusal")
_PREGNANT = pattern("parse.pregnant_word")
_BREASTFEEDING = pattern("parse.breastfeeding_word")
_SEX_ONLY = pattern("parse.sex_only")
_SEX_FEMALE = pattern("parse.sex_female")
_AGE_WORD = pattern("parse.age_word")
_HISTORY_LEAD = pattern("parse.history_lead")
_BLOOD_PRESSURE = pattern("parse.blood_pressure")
_HIGH_BP = pattern("parse.high_blood_pressure")
_NOT_CONTROLLED = pattern("parse.not_controlled")
_BP_WORD = pattern("parse.bp_word")
_AND = pattern("parse.and_word")
_ORGAN_FUNCTION = pattern("parse.organ_function")
_CANCER_WORD = pattern("parse.cancer_word")
_CONTRAINDICATION = pattern("parse.contraindication")
_PROVISO = pattern("parse.proviso")
_OR_RECEIVING = pattern("parse.or_receiving")
_LOCAL_TREATMENT = pattern("parse.local_treatment")
_ALTERNATIVE_RECURRED = pattern("parse.alternative_recurred")
_CONDITION_WORD = pattern("parse.condition_word")
_GRADE_LIMIT = pattern("parse.grade_limit")
_NO_RESTRICTION = pattern("parse.no_restriction")
_SEX_EITHER = pattern("parse.sex_either")
_PROTOCOL_NOTE = pattern("parse.protocol_note")
_HEALTHY_PEOPLE = pattern("parse.healthy_people")
_ABLE_TO_SWALLOW = pattern("parse.able_to_swallow")
_FEMALE_WORD = gate(re.compile(r"\b(?:females?|women)\b", re.I))
_MALE_WORD = gate(re.compile(r"\b(?:males?|men)\b", re.I))
# four letters or digits (with anything else between): a text without them has fewer than four, which
# is ``len(re.sub(r"[\W_]+", "", text)) < 4`` found without building the stripped copy (~14x faster)
_FOUR_ALNUM = re.compile(r"[^\W_](?:[\W_]*[^\W_]){3}")


def _reproductive(t: str, low: str, kind: str) -> tuple[Rule, str, Rule | None] | None:
    contra = has_phrase("contraception_cues", t)
    if not contra and not has_phrase("pregnancy_cues", t):
        return None
    female: Rule = Is("sex", ("female",))
    if contra and (kind == "inclusion" or _CONTRA_REFUSAL.search(low, low=low)):
        return Admin("contraception"), "reproductive", None
    flags: list[Rule] = []
    if _PREGNANT.search(low, low=low):
        flags.append(Flag("pregnant"))
    if _BREASTFEEDING.search(low, low=low):
        flags.append(Flag("breastfeeding"))
    if not flags:
        return Admin("contraception"), "reproductive", None
    r: Rule = flags[0] if len(flags) == 1 else Or(tuple(flags))
    if kind == "inclusion":
        r = Not(r)
    return r, "reproductive", female


def _sex(t: str, low: str) -> Rule | None:
    if not _SEX_ONLY.rx.match(t) or has_phrase("sex_any", t):
        return None
    return Is("sex", ("female",) if _SEX_FEMALE.match(t, low=low) else ("male",))


def _hypertension(t: str, low: str) -> Rule | None:
    ids = {h.concept for h in concepts_in(t)}
    if "hypertension" not in ids and not _BLOOD_PRESSURE.search(t, low=low):
        return None
    bp = bp_slash_rule(t)
    labs, _ = lab_rules(t)
    parts: list[Rule] = []
    if "hypertension" in ids or _HIGH_BP.search(t, low=low):
        unc = has_phrase("uncontrolled_cues", t) or _NOT_CONTROLLED.search(t, low=low)
        parts.append(
            Has("hypertension", kinds=("condition",), qualifiers=(("uncontrolled", True),) if unc else ())
        )
    if bp is not None:
        parts.append(bp)
    elif labs is not None:
        parts.append(labs)
    return any_of(parts)


_GENERIC_TX = frozenset({"investigational_agent", "systemic_therapy", "anticancer_therapy"})
_TX_TYPES = ("treatment", "drug", "regimen")


def _healthy(t: str, low: str) -> Rule | None:
    """A healthy-volunteer item ("Healthy male subjects"), of the one sex named if only one is."""
    if not _HEALTHY_PEOPLE.rx.match(t):
        return None
    hv: Rule = Flag("healthy_volunteer")
    fem, mal = _FEMALE_WORD.search(t, low=low), _MALE_WORD.search(t, low=low)
    if bool(fem) != bool(mal):
        return And((hv, Is("sex", ("female",) if fem else ("male",))))
    return hv


def _condition_first(hits: Sequence[ConceptHit]) -> bool:
    """A condition is named before any treatment ("autoimmune disease requiring systemic therapy")."""
    cs = concepts()
    first_cond: int | None = None
    first_tx: int | None = None
    for h in hits:  # the first of each, in one pass
        ty = cs[h.concept].type
        if ty == "condition":
            if first_cond is None:
                first_cond = h.start
        elif first_tx is None and ty in _TX_TYPES:
            first_tx = h.start
    return first_cond is not None and first_tx is not None and first_cond < first_tx


_ADMIN_BLOCKERS = frozenset({"condition", "disease", "metastasis"})


def _types(hits: Sequence[ConceptHit]) -> set[str]:
    """The concept types of ``hits``."""
    cs = concepts()
    return {cs[h.concept].type for h in hits}


def _exceptions(t: str) -> str:
    """``split_exceptions(t)[1]``, without its call when ``t`` holds no permissive and no exception cue
    (its exception part is made of their clauses and spans only)."""
    if not has_phrase("permissive_cues", t) and not has_phrase("exception_cues", t):
        return ""
    return split_exceptions(t)[1]


def _investigator(t: str, low: str) -> bool:
    if "investigator" not in low and "suitab" not in low and "appropriate" not in low:
        return False
    main, _ = split_exceptions(t)
    return bool(_INVESTIGATOR_STRONG.search(main, low=low if main is t else None))


def _generic_other(t: str) -> bool:
    return bool(find_phrase("generic_other", t))


@lru_cache(maxsize=16_384)
def build_cached(
    t: str, kind: str, parts: tuple[str, ...]
) -> tuple[str, Rule, float, Rule | None, str | None]:
    """Rules are immutable: an item text seen before (common across trials) is read once.

    (16k entries keep 85% of the corpus' repeats; every entry's rule tree is GC-tracked and a
    50k-entry cache made the collector's full passes 4x dearer: 6.5% -> 4.3% of the parse in GC)"""
    return _build(t, kind, parts)


def _judgement(t: str) -> tuple[str, Rule, float, Rule | None, str | None]:
    """An item left to the investigator's judgement."""
    rule = Review("investigator judgement", t[:200], investigator=True)
    return "investigator_judgement", rule, 0.9, None, None


def _build(t: str, kind: str, parts: Sequence[str]) -> tuple[str, Rule, float, Rule | None, str | None]:
    """(category, rule, confidence, applies_if, note)."""
    low = t.lower()
    if _EXCEPTION_LEAD.rx.match(t):
        return "other", Admin("allowed"), 0.7, None, "an exception to the item before"
    # (an exception part comes from a permissive cue or an exception cue: without either, none)
    exc0 = _exceptions(t)
    if exc0 and not _FOUR_ALNUM.search(split_exceptions(t)[0]):
        return "other", Admin("allowed"), 0.7, None, "a permission, not a requirement"
    if kind == "inclusion" and has_phrase("refusal_cues", t):
        q = f"Did the patient refuse, or can the patient not receive, the treatment named? ({t[:160]})"
        th0 = therapy_rule(t, kind)
        alt = Review("received, refused or ineligible", q)
        return "prior_therapy", Or((th0[0], alt)) if th0 is not None else alt, 0.5, None, "alternatives"
    if kind == "inclusion" and has_phrase("conditional_permission_cues", t):
        q = f"Does the patient meet the conditions of this permission? ({t[:160]})"
        return categorise(t), Review("permission with conditions", q), 0.4, None, "conditional permission"
    if _PROTOCOL_NOTE.rx.match(t):
        return "administrative", Admin("protocol"), 0.8, None, "a pointer to criteria set out elsewhere"
    if _NO_RESTRICTION.match(t, low=low) or _SEX_EITHER.rx.match(t):
        return categorise(t), Admin("allowed"), 0.8, None, "no restriction"
    if _NOTE.rx.match(t):
        q = f"Note in the criteria: {t[:200]}"
        return categorise(t), Review("a note, not a criterion", q), 0.3, None, "note"
    # (the concept scan waits until a step reads the concepts: the reproductive, age, sex, performance
    # and life-expectancy readers do not, and an item they read costs no scan; the hits are memoised)
    inv = _investigator(t, low)
    if inv and (
        kind == "inclusion"
        or _generic_other(t)
        or not concept_hits(t)
        or _JUDGEMENT_LEAD.rx.match(t)
        or _OTHER_CONDITION.search(low)
    ):
        return _judgement(t)
    admin = has_phrase("admin_cues", t)  # (asked again as the last resort)
    if admin and _ADMIN_BLOCKERS.isdisjoint(_types(concept_hits(t))) and not lab_rules(t)[0]:
        what = "consent" if _CONSENT.search(low, low=low) else "compliance"
        return "administrative", Admin(what), 0.9, None, None
    rep = _reproductive(t, low, kind)
    if rep is not None:
        return rep[1], rep[0], 0.85, rep[2], None
    age = age_rule(t) if _AGE_WORD.search(low, low=low) else None
    if age is not None and not _HISTORY_LEAD.search(low[:40]):
        sx = _sex(t, low)
        return "age", age if sx is None else And((age, sx)), 0.95, None, None
    sx = _sex(t, low)
    if sx is not None:
        return "sex", sx, 0.9, None, None
    hv = _healthy(t, low) if kind == "inclusion" else None
    if hv is not None:
        return "other", hv, 0.85, None, None
    if kind == "inclusion" and _ABLE_TO_SWALLOW.rx.match(t):
        swallow = Has("malabsorption", kinds=("condition",), status="active")
        return "comorbidity", Not(swallow), 0.8, None, None  # able to swallow: no current problem
    if PS_CUE.search(t, low=low):
        ps = performance_rule(t)
        if ps is not None:
            return "performance_status", ps, 0.95, None, None
    le = life_expectancy_rule(t)
    if le is not None:
        return "life_expectancy", le, 0.95, None, None
    listed = alternatives_rule(t, parts) if kind == "inclusion" else None
    if listed is not None:  # "cancer of one of the following histologies: i) ... ii) ...": each its own
        return "diagnosis", listed, 0.8, None, None
    cns = cns_rule(t)
    if cns is not None:
        neg = kind == "inclusion" and _NEG_START.rx.match(t) and not isinstance(cns[0], Not)
        return cns[1], Not(cns[0]) if neg else cns[0], 0.85, None, None
    hits = concept_hits(t)  # (the memoised tuple: read here, never changed)
    cs = concepts()
    ids = [h.concept for h in hits]
    types = _types(hits)
    if "hypertension" in ids or _BP_WORD.search(t, low=low):
        ht = _hypertension(t, low)
        if ht is not None:
            return "comorbidity" if "hypertension" in ids else "vital_sign", ht, 0.85, None, None
    labs, keys = lab_rules(t)
    if labs is not None and kind == "exclusion" and isinstance(labs, And) and not _AND.search(t):
        labs = Or(labs.args)  # an exclusion list of limits: any one of them excludes
    if labs is not None and set(keys) <= {"ki67", "mitoses"} and types & {"disease", "histology"}:
        labs = None  # "NEC or Ki-67 > 55%": read with the diagnosis
    if labs is not None and kind == "inclusion":
        limits = listed_limits_rule(t, parts)  # "one of the following: i) ... ii) PSA > 2 ...": of one entry
        if limits is not None:
            return categorise(t), limits, 0.4, None, "limits of one alternative"
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
        elif len(keys) >= 3 or _ORGAN_FUNCTION.search(low, low=low):
            cat = "organ_function"
        if kind == "inclusion" and _NEG_START.rx.match(t) and not isinstance(labs, Not):
            labs = Not(labs)  # "No ... QTc >= 500 msec" as an inclusion item
        return cat, labs, 0.9, None, None
    ca_word = _CANCER_WORD.search(low, low=low)
    om = None
    if "cancer" in ids or ca_word:
        first_tx: int | None = None  # (read only here)
        for h in hits:
            if h.concept not in _GENERIC_TX and cs[h.concept].type in _TX_TYPES:
                first_tx = h.start
                break
        if not (first_tx is not None and ca_word and first_tx < ca_word.start()):
            om = other_malignancy_rule(t, kind)
    if om is not None:
        return om[1], om[0], 0.85, None, None
    al = allergy_rule(t)
    if al is not None:
        return al[1], al[0], 0.9, None, None
    if _CONTRAINDICATION.search(low, low=low):
        return (
            "allergy",
            Review("contraindication", f"Does the patient have a contraindication? ({t[:150]})"),
            0.5,
            None,
            None,
        )
    real_tx = {c for c in ids if cs[c].type in _TX_TYPES} - _GENERIC_TX
    tp = trial_participation_rule(t) if not real_tx else None
    if tp is not None:
        return tp[1], tp[0], 0.85, None, None
    im = imaging_rule(t)
    if im is not None:
        return im[1], im[0], 0.8, None, None
    bm = biomarker_rule(t)
    if bm is not None and not (types & {"disease"} - set()):
        return bm[1], bm[0], 0.85, None, None
    cond_ids = {c for c in ids if cs[c].type == "condition"}
    only_inf = all(c in ("infection", "hepatitis") or is_a(c, "infection") for c in cond_ids)
    inf = infection_rule(t) if only_inf else None
    if inf is not None:
        return inf[1], inf[0], 0.85, None, None
    if exc0 and has_phrase("permissive_cues", exc0) and _PROVISO.search(t):
        q = f"Does the patient meet the conditions of this permission? ({t[:160]})"
        return categorise(t), Review("permission with conditions", q), 0.4, None, "conditional permission"
    if _condition_first(hits):
        cm0 = comorbidity_rule(t, list(parts) if parts else None)
        if cm0 is not None:
            r0 = Not(cm0[0]) if kind == "inclusion" and _NEG_START.rx.match(t) else cm0[0]
            either = _OR_RECEIVING.search(t, low=low)
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
    local_tx = _LOCAL_TREATMENT.search(low, low=low)
    # "metastatic MCC or locoregional MCC that has recurred following ... therapy": the therapy belongs to
    # one alternative only, so it is not required of everyone
    alt_tx = ds is not None and _ALTERNATIVE_RECURRED.search(low, low=low)
    if th is not None and ds is None and isinstance(th[0], Review) and th[0].reason == OPTION_REASON:
        # every therapy is named as an option: an alternative the item gives besides is still read
        # ("major surgery within 4 weeks or an anticipated need for chemotherapy")
        cm1 = comorbidity_rule(t, list(parts) if parts else None)
        r1 = with_option(cm1[0], split_exceptions(t)[0], therapy_options(t)) if cm1 is not None else th[0]
        if cm1 is not None and isinstance(r1, Or):  # (a condition the option qualifies is not read alone)
            if kind == "inclusion" and _NEG_START.rx.match(t):
                r1 = Not(r1)
            return cm1[1], r1, 0.7, None, None
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
        if kind == "inclusion" and _NEG_START.rx.match(t):
            r = Not(r)
        elif kind == "inclusion" and _GRADE_LIMIT.search(t, low=low):
            # "Peripheral neuropathy grade 0-1": a severity limit, not a requirement to have it
            q = f"Is the condition within the stated grade? ({t[:150]})"
            return cm[1], Review("severity limit", q), 0.5, None, "grade limit"
        return cm[1], r, 0.8, None, None
    if inv:
        return _judgement(t)
    if _generic_other(t) and _CONDITION_WORD.search(low, low=low):
        q = f"Does the patient have another condition that rules this out? ({t[:150]})"
        return "comorbidity", Review("other conditions left to judgement", q), 0.5, None, "open-ended"
    if admin:
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
    ("investigator_judgement", pattern("parse.category_investigator_judgement")),
    ("lab", pattern("parse.category_lab")),
    ("organ_function", pattern("parse.category_organ_function")),
    ("prior_therapy", pattern("parse.category_prior_therapy")),
    ("diagnosis", pattern("parse.category_diagnosis")),
    ("comorbidity", pattern("parse.category_comorbidity")),
    ("administrative", pattern("parse.category_administrative")),
)


def categorise(text: str) -> str:
    """A category from cue words (used when no rule could be read)."""
    low = text.lower()
    for cat, rx in _CATEGORY_CUES:
        if rx.search(text, low=low):
            return cat
    return "other"
