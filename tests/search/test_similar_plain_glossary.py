"""Similar trials, plain-language summaries (reading grade, facts kept) and the glossary."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from trialmatch.records.model import Arm, Design, Eligibility, Intervention, Location, Trial
from trialmatch.search.glossary import glossary, glossary_terms_in
from trialmatch.search.index import SearchIndex
from trialmatch.search.plain import plain_summary, reading_grade
from trialmatch.search.similar import similar


def test_similar_prefers_same_condition_and_drug_class(small_index: SearchIndex) -> None:
    trial = small_index.get_trial("NCT00000001")
    assert trial is not None
    got = similar(trial, small_index, k=3)
    assert got and got[0].trial_id != "NCT00000001"
    assert all(s.reason for s in got)
    assert got[0].trial_id in {"NCT00000002", "NCT00000010"}  # neuroendocrine tumour trials
    assert "condition" in got[0].reason
    # either argument order, and an id
    assert [s.trial_id for s in similar(small_index, "NCT00000001", k=3)] == [s.trial_id for s in got]


def test_similar_on_real_trials(corpus_index: SearchIndex) -> None:
    got = similar("NCT02267603", corpus_index, k=5)  # pembrolizumab in Merkel cell carcinoma
    assert len(got) == 5
    assert "same condition" in got[0].reason or "same drug" in got[0].reason
    assert got == sorted(got, key=lambda s: -s.score)


def _seed_trials(shared: Path) -> list[Trial]:
    read_path = pytest.importorskip("trialmatch.importers").read_path
    out = []
    for f in sorted((shared / "seeds").glob("*.txt")):
        out.extend(t for t in read_path(f) if isinstance(t, Trial))
    return out


def test_plain_summary_of_seeds_is_grade_8_or_below(shared: Path) -> None:
    trials = _seed_trials(shared)
    assert len(trials) == 5
    for t in trials:
        s = plain_summary(t)
        assert s.grade <= 8, (t.id, s.grade, s.text)
        assert s.text and str(s) == s.text
        for i in t.interventions:
            assert i.name in s.text  # drug names kept
        for loc in t.locations:
            assert loc.city is None or loc.city in s.text or "sites" in s.text


def test_plain_summary_of_real_trials(shared: Path) -> None:
    from trialmatch.search.corpus import load_corpus

    trials = list(load_corpus(shared / "data/trials", limit=1200))
    sample = random.Random(7).sample(trials, 60)
    grades = [plain_summary(t).grade for t in sample]
    assert max(grades) <= 8.0


def test_plain_summary_keeps_facts() -> None:
    t = Trial(
        id="NCT09000001",
        brief_title="Lanreotide vs placebo",
        overall_status="RECRUITING",
        phases=["PHASE3"],
        conditions=["Pancreatic Neuroendocrine Tumor"],
        enrollment=120,
        enrollment_type="ESTIMATED",
        start_date="2025-03",
        start_date_type="ACTUAL",
        primary_completion_date="2028-03",
        design=Design(allocation="RANDOMIZED", intervention_model="PARALLEL", masking="DOUBLE"),
        interventions=[
            Intervention(type="DRUG", name="Lanreotide"),
            Intervention(type="DRUG", name="Placebo"),
        ],
        arms=[Arm(label="A", type="EXPERIMENTAL"), Arm(label="B", type="PLACEBO_COMPARATOR")],
        eligibility=Eligibility(min_age_years=18, sex="ALL"),
        locations=[Location(city="Lyon", country="France"), Location(city="Berlin", country="Germany")],
    )
    s = plain_summary(t)
    for fact in (
        "Lanreotide",
        "phase 3",
        "looking for people to join now",
        "Lyon",
        "Berlin",
        "120",
        "March 2025",
        "by chance",
        "placebo",
        "18",
    ):
        assert fact in s.text, fact
    assert set(s.sections) >= {"who", "what", "how", "where", "how_long", "taking_part"}
    assert s.grade <= 8
    assert plain_summary(t) == s  # deterministic


def test_reading_grade_orders_texts() -> None:
    easy = "You can join. It is a short study. You will see a doctor."
    hard = (
        "Histologically confirmed unresectable gastroenteropancreatic neuroendocrine neoplasms "
        "demonstrating somatostatin receptor overexpression necessitate individualized management."
    )
    assert reading_grade(easy) < 8 < reading_grade(hard)


def test_glossary_terms_in_text() -> None:
    text = (
        "A randomized, open-label phase II study. ECOG 0-1. ALT <= 2.5 x ULN. Ki67 < 20%. Prior PRRT allowed."
    )
    terms = [e.term for e in glossary_terms_in(text)]
    for t in ("Randomised", "Open-label", "Phase", "ECOG", "ULN", "Ki-67", "PRRT", "ALT/AST"):
        assert t in terms, t
    assert terms.index("Randomised") < terms.index("ECOG")  # order of appearance
    assert all(e.definition for e in glossary_terms_in(text))


def test_glossary_acronyms_are_case_sensitive() -> None:
    assert "NET" not in [e.term for e in glossary_terms_in("the net benefit of treatment")]
    assert "NET" in [e.term for e in glossary_terms_in("patients with NETs")]
    required = {
        "Phase",
        "Randomised",
        "Open-label",
        "Placebo",
        "ECOG",
        "RECIST",
        "ULN",
        "Ki-67",
        "PRRT",
        "SSA",
        "NET",
        "NEC",
        "MiNEN",
        "SSTR PET",
        "Krenning score",
        "Cockcroft-Gault",
        "eGFR",
        "ANC",
    }
    assert required <= {e.term for e in glossary()}


def test_glossary_handles_large_untrusted_text() -> None:
    assert isinstance(glossary_terms_in("ECOG " * 100_000 + "(" * 1000), list)
    assert glossary_terms_in(None) == []
