"""Finding rules: allergies, infections, biomarkers (with germline / somatic origin), imaging
(SSTR uptake vs liver -> Krenning score, discordant lesions), trial participation."""

from __future__ import annotations

import re

from trialmatch.criteria.clinical import any_of, concepts_in, split_exceptions
from trialmatch.criteria.lexicon import find_phrase, has_phrase
from trialmatch.criteria.rules import Compare, Has, Review, Rule
from trialmatch.criteria.temporal import first_window
from trialmatch.vocab.concepts import ConceptHit, concepts, is_a

__all__ = ["allergy_rule", "biomarker_rule", "imaging_rule", "infection_rule", "trial_participation_rule"]


def allergy_rule(text: str) -> tuple[Rule, str] | None:
    m = find_phrase("allergy_cues", text)
    if m is None:
        return None
    if re.match(r"contra", m.group(), re.I):
        return None
    hits = [
        h
        for h in concepts_in(text)
        if concepts()[h.concept].type in ("drug", "treatment", "regimen")
        and h.concept not in ("investigational_agent",)
    ]
    rules: list[Rule] = [Has(h.concept, kinds=("allergy",)) for h in hits]
    r = any_of(rules)
    return (r, "allergy") if r is not None else None


_HEP_BC = re.compile(r"hepatitis\s+B\s*(?:,|or|and|and/or|/)\s*(?:hepatitis\s+)?C\b", re.I)
_ACTIVE_INF = re.compile(
    r"\b(?:active|uncontrolled|ongoing|current|serious|severe|persistent|acute|chronic\s+active)\b", re.I
)


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
        active = bool(_ACTIVE_INF.search(before + " " + h.text))
        rules.append(
            Has(
                h.concept,
                kinds=("condition",),
                status="active" if active else "any",
                window=first_window(main),
            )
        )
    r = any_of(rules)
    return (r, "infection") if r is not None else None


def biomarker_rule(text: str) -> tuple[Rule, str] | None:
    hits = [
        h
        for h in concepts_in(text)
        if concepts()[h.concept].type == "biomarker" and h.concept != "hereditary_syndrome"
    ]
    if not hits:
        return None
    if re.search(
        r"\bnot\s+(?:be\s+)?(?:evaluable|available|assessable|known|determined)|\binsufficient\b|\bunknown\b|"
        r"\bmissing\b|\binadequate\s+(?:tissue|sample)",
        text,
        re.I,
    ):
        question = f"Is the biomarker result available? ({text[:150]})"
        return Review("biomarker not assessable", question), "biomarker"  # about the sample, not the result
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
    kr = re.search(
        r"krenning[^.;\d]{0,25}(?:≥|>=|of\s+at\s+least|at\s+least)?\s{0,2}(?:score\s+|grade\s+)?(\d)", low
    )
    if kr:
        return Compare("cancer.krenning_score", ">=", float(kr.group(1))), "imaging"
    if re.search(
        r"(?:>|≥|above|greater\s+than|higher\s+than|exceed\w*|more\s+than|superior\s+to|at\s+least)\s{0,3}(?:the\s+)?"
        r"(?:basal\s+|normal\s+|background\s+)?(?:liver|hepatic)",
        low,
    ):
        op = ">="
        return Compare("cancer.krenning_score", op, 3.0), "imaging"
    if re.search(
        r"(?:>|≥|above|greater\s+than|higher\s+than|exceed\w*)\s{0,3}(?:the\s+)?(?:normal\s+)?(?:spleen|splenic|kidney)",
        low,
    ):
        return Compare("cancer.krenning_score", ">=", 4.0), "imaging"
    if re.search(r"positiv|avid|express|uptake|demonstrat", low):
        return Has("sstr_expression", kinds=("imaging", "biomarker")), "imaging"
    return None


def trial_participation_rule(text: str) -> tuple[Rule, str] | None:
    if not has_phrase("trial_cues", text):
        return None
    if not re.search(
        r"particip|enrol|receiv|treat|took\s+part|taking\s+part|involved|investigational", text, re.I
    ):
        return None
    w = first_window(text)
    return Has("trial_participation", kinds=("trial_participation",), window=w), "trial_participation"
