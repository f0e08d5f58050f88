"""The item builder's cascade reads the concepts only where a step needs them: the items read by the
reproductive, age, sex, performance and life-expectancy steps cost no concept scan, and what any
item builds is what it built when the scan came first."""

from __future__ import annotations

import pytest

from trialmatch.criteria import parse_build
from trialmatch.criteria.clinical import concept_hits
from trialmatch.vocab.concepts import concepts

_ITEMS = [
    ("Age >= 18 years", "inclusion", "age"),
    ("Pregnant or breastfeeding women", "exclusion", "reproductive"),
    ("ECOG performance status 0 or 1", "inclusion", "performance_status"),
    ("Life expectancy of at least 12 weeks", "inclusion", "life_expectancy"),
]


@pytest.mark.parametrize(("text", "kind", "category"), _ITEMS)
def test_early_steps_need_no_concept_scan(text: str, kind: str, category: str) -> None:
    concept_hits.cache_clear()
    assert parse_build._build(text, kind, ())[0] == category
    assert concept_hits.cache_info().misses == 0  # the text was never scanned for concepts


def test_types_are_the_hits_concept_types() -> None:
    hits = concept_hits("History of hypertension treated with cisplatin for lung cancer")
    cs = concepts()
    assert hits
    assert parse_build._types(hits) == {cs[h.concept].type for h in hits}
    assert parse_build._types(()) == set()


@pytest.mark.parametrize(
    ("text", "kind", "category"),
    [
        ("No active infection", "inclusion", "infection"),
        ("Willing to sign informed consent and comply with study visits", "inclusion", "administrative"),
        ("Uncontrolled hypertension (BP > 150/90)", "exclusion", "comorbidity"),
        ("Known brain metastases unless treated and stable", "exclusion", "metastases"),
    ],
)
def test_later_steps_read_the_concepts(text: str, kind: str, category: str) -> None:
    concept_hits.cache_clear()
    assert parse_build._build(text, kind, ())[0] == category
    assert concept_hits.cache_info().misses >= 1  # a step that reads the concepts scanned the text
