"""The concept-set and regex prefilters of the finding and facet readers: each set is exactly the
concepts the reader's own test accepts, and the readers still read what they read before."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.criteria import clinical, facets, findings
from trialmatch.criteria.rules import Compare
from trialmatch.vocab.concepts import concepts, is_a

IDS = sorted(concepts())


def test_concept_sets_are_the_readers_own_tests() -> None:
    cs = concepts()
    for c in IDS:
        assert (c in findings._infections()) == (is_a(c, "infection") or c == "hepatitis"), c
        marker = cs[c].type == "biomarker" and c != "hereditary_syndrome"
        assert (c in findings._of_types(("biomarker",), "hereditary_syndrome")) == marker, c
        drug = cs[c].type in ("drug", "treatment", "regimen") and c != "investigational_agent"
        assert (c in findings._of_types(("drug", "treatment", "regimen"), "investigational_agent")) == drug
        cancer = cs[c].type in ("disease", "histology") and is_a(c, "cancer")
        assert (c in clinical._cancer_dx()) == cancer, c


def test_concept_ids_are_the_hits_concepts() -> None:
    t = "Active hepatitis B or HIV infection; prior cisplatin"
    assert clinical.concept_ids(t) == {h.concept for h in clinical.concepts_in(t)}
    assert clinical.concept_hits(t) == tuple(clinical.concepts_in(t))
    assert clinical.concept_ids("") == frozenset()


def test_finding_readers_still_read_their_items() -> None:
    inf = findings.infection_rule("Active hepatitis B or C infection")
    assert inf is not None and inf[1] == "infection"
    assert findings.infection_rule("Adequate bone marrow function") is None
    im = findings.imaging_rule("SSTR PET uptake greater than normal liver")
    assert im == (Compare("cancer.krenning_score", ">=", 3.0), "imaging")
    assert findings.imaging_rule("CT scan within 28 days") is None
    bm = findings.biomarker_rule("Germline BRCA1 mutation")
    assert bm is not None and bm[1] == "biomarker"
    assert findings.biomarker_rule("Signed informed consent") is None
    assert "cisplatin" in findings.drug_concepts("Prior cisplatin or carboplatin")


def test_facets_still_read_grades_stages_and_performance() -> None:
    assert facets.stages_in("Stage III-IV disease") == ("III", "IV")
    assert facets.stages_in("No staging") == ()
    assert facets.grades_in("NET G1/G2") == ("G1", "G2")
    assert facets.grades_in("high-grade NEC") == ("G3",)
    assert facets.grades_in("no grading here") == ()
    assert facets.PS_CUE.search("ECOG 0-1") is not None
    assert facets.PS_CUE.search("Adequate organ function") is None
    assert facets.performance_rule("ECOG performance status 0-1") == Compare("ecog", "<=", 1.0)
    assert facets.age_rule("Age >= 18 years") == Compare("age", ">=", 18.0, unit="a")
    assert facets.age_rule("Adequate organ function") is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(IDS), max_size=4))
def test_infection_prefilter_never_skips_a_named_infection(ids: list[str]) -> None:
    names = [concepts()[c].names[0] for c in ids if concepts()[c].names]
    text = "; ".join(names)
    hits = [h for h in clinical.concepts_in(text) if is_a(h.concept, "infection") or h.concept == "hepatitis"]
    if hits and not clinical.split_exceptions(text)[1]:
        r = findings.infection_rule(text)
        assert r is not None and r[1] == "infection", text
