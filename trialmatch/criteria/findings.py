"""Finding rules: allergies, infections, biomarkers (with germline / somatic origin), imaging
(SSTR uptake vs liver -> Krenning score, discordant lesions), trial participation."""

from __future__ import annotations

from functools import cache

from trialmatch.criteria.clinical import _concept_of, any_of, concept_hits, concept_ids, split_exceptions
from trialmatch.criteria.lexicon import find_phrase, has_phrase
from trialmatch.criteria.rules import Compare, Has, Review, Rule
from trialmatch.criteria.temporal import first_window
from trialmatch.vocab.concepts import ConceptHit, concepts, is_a
from trialmatch.vocab.patterns import pattern
from trialmatch.vocab.prefilter import folded

__all__ = [
    "STUDY_DRUG_ALLERGY",
    "allergy_rule",
    "biomarker_rule",
    "drug_concepts",
    "imaging_rule",
    "infection_rule",
    "study_drug_allergy",
    "trial_participation_rule",
]

_CONTRA = pattern("findings.contra_cue")
_NOT_ASSESSABLE = pattern("findings.not_assessable")
_GERMLINE = pattern("findings.germline")
_SOMATIC = pattern("findings.somatic")
_KRENNING = pattern("findings.krenning")
_ABOVE_LIVER = pattern("findings.above_liver")
_ABOVE_SPLEEN = pattern("findings.above_spleen")
_SSTR_POSITIVE = pattern("findings.sstr_positive")
_PARTICIPATION = pattern("findings.participation_verb")


@cache
def _of_types(types: tuple[str, ...], without: str = "") -> frozenset[str]:
    """The concepts of the given types (but ``without``)."""
    return frozenset(c.id for c in concepts().values() if c.type in types and c.id != without)


@cache
def _markers() -> frozenset[str]:
    """The concepts the biomarker rule reads."""
    return _of_types(("biomarker",), "hereditary_syndrome")


@cache
def _infections() -> frozenset[str]:
    """The concepts the infection rule reads: infections, and hepatitis."""
    return frozenset(c for c in concepts() if is_a(c, "infection")) | {"hepatitis"}


def drug_concepts(text: str) -> list[str]:
    """The drugs, treatments and regimens ``text`` names (not the generic "investigational agent")."""
    drugs = _of_types(("drug", "treatment", "regimen"), "investigational_agent")
    return [h.concept for h in concept_hits(text) if h.concept in drugs]


def allergy_rule(text: str) -> tuple[Rule, str] | None:
    m = find_phrase("allergy_cues", text)
    if m is None:
        return None
    if _CONTRA.match(m.group()):
        return None
    r = any_of([Has(d, kinds=("allergy",)) for d in drug_concepts(text)])
    if r is None and has_phrase("study_drug_terms", text):
        return study_drug_allergy(), "allergy"  # named by the trial's interventions (criteria.trial)
    return (r, "allergy") if r is not None else None


STUDY_DRUG_ALLERGY = "allergy to the study drug"


def study_drug_allergy() -> Review:
    """An allergy to "the study drug": a question until the trial's drugs name it."""
    return Review(STUDY_DRUG_ALLERGY, "Is the patient allergic to the study drug or any of its ingredients?")


_HEP_BC = pattern("findings.hepatitis_b_c")
_ACTIVE_INF = pattern("findings.active_infection")


def infection_rule(text: str) -> tuple[Rule, str] | None:
    inf = _infections()
    found = concept_hits(text)
    if not found or inf.isdisjoint(map(_concept_of, found)):
        return None  # no hit to read (one C test, no set of the ids built)
    hits = [h for h in found if h.concept in inf]
    if _HEP_BC.search(text):
        hits = [h for h in hits if h.concept not in ("hbv", "hcv", "infection", "hepatitis")]
        bc = [ConceptHit("hbv", h0.start(), h0.end(), h0.group()) for h0 in [_HEP_BC.search(text)] if h0]
        hits = bc + [ConceptHit("hcv", b.start, b.end, b.text) for b in bc] + hits
    main, exc = split_exceptions(text)
    excepted = concept_ids(exc)
    low = folded(text)
    rules: list[Rule] = []
    for h in hits:
        if h.concept in excepted:
            continue
        before = text[max(0, h.start - 60) : h.start]
        near = before + " " + h.text
        # the pieces of ``near`` are pieces of the text: its bits (known already) hold theirs
        active = bool(_ACTIVE_INF.search(near, low=low))
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
    markers = _markers()
    found = concept_hits(text)
    if not found or markers.isdisjoint(map(_concept_of, found)):
        return None  # no hit to read (one C test, no set of the ids built)
    hits = [h for h in found if h.concept in markers]
    if _NOT_ASSESSABLE.search(text):
        question = f"Is the biomarker result available? ({text[:150]})"
        return Review("biomarker not assessable", question), "biomarker"  # about the sample, not the result
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, h in enumerate(hits):
        local = text[h.start : hits[i + 1].start if i + 1 < len(hits) else len(text)]
        before = text[max(0, h.start - 40) : h.start]
        origin = None
        if _GERMLINE.search(local + before):
            origin = "germline"
        elif _SOMATIC.search(local + before):
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


_DISCORDANCE_WITH = frozenset({"fdg_pet", "sstr_pet", "sstr_imaging", "ct_scan", "mri_scan"})
_SSTR = frozenset({"sstr_expression", "sstr_pet", "sstr_imaging"})
_SSTR_ANY = _SSTR | {"sstr_discordance"}


def imaging_rule(text: str) -> tuple[Rule, str] | None:
    hits = concept_hits(text)
    if not hits or _SSTR_ANY.isdisjoint(map(_concept_of, hits)):
        return None  # both readings below need one of these concepts
    ids = concept_ids(text)
    if "sstr_discordance" in ids and (ids & _DISCORDANCE_WITH):
        return Has("sstr_discordance", kinds=("imaging",)), "imaging"
    if not ids & _SSTR:
        return None
    low = text.lower()
    kr = _KRENNING.search(low, low=low)
    if kr:
        return Compare("cancer.krenning_score", ">=", float(kr.group(1))), "imaging"
    if _ABOVE_LIVER.search(low, low=low):
        op = ">="
        return Compare("cancer.krenning_score", op, 3.0), "imaging"
    if _ABOVE_SPLEEN.search(low, low=low):
        return Compare("cancer.krenning_score", ">=", 4.0), "imaging"
    if _SSTR_POSITIVE.search(low, low=low):
        return Has("sstr_expression", kinds=("imaging", "biomarker")), "imaging"
    return None


def trial_participation_rule(text: str) -> tuple[Rule, str] | None:
    if not has_phrase("trial_cues", text):
        return None
    if not _PARTICIPATION.search(text):
        return None
    w = first_window(text)
    return Has("trial_participation", kinds=("trial_participation",), window=w), "trial_participation"
