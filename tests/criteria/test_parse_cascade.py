"""The item builder's cascade reads the concepts only where a step needs them: the items read by the
reproductive, age, sex, performance and life-expectancy steps cost no concept scan, and what any
item builds is what it built when the scan came first."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.criteria.test_parse_fastpaths import _permission_reference, _texts
from trialmatch.criteria import parse_build, parse_post
from trialmatch.criteria.clinical import concept_hits, split_exceptions
from trialmatch.criteria.parse import parse_item
from trialmatch.criteria.rules import Review
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


def test_parse_item_fills_every_field_by_name() -> None:
    # the Criterion is built positionally: each field must land where its name says
    c = parse_item("Age >= 18 years", "inclusion", ["aged 18 or older"], scope="Phase II", index=4)
    assert (c.kind, c.text, c.category, c.status) == ("inclusion", "Age >= 18 years", "age", "parsed")
    assert c.rule is not None and c.rule.op == "compare" and c.applies_if is None
    assert (c.scope, c.source, c.index, c.parts, c.note) == (
        "Phase II",
        "text",
        4,
        ["aged 18 or older"],
        None,
    )
    assert c.confidence == 0.95
    r = parse_item("Xyzzy plugh", "exclusion", index=2)
    assert (r.kind, r.status, r.note, r.index, r.parts) == (
        "exclusion",
        "needs_review",
        "no rule could be read",
        2,
        [],
    )
    e = parse_item("   ", "inclusion")
    assert (e.category, e.status, e.note, e.rule) == ("other", "needs_review", "empty", Review("empty item"))


@settings(max_examples=400, deadline=None)
@given(_texts())
def test_permission_among_exclusions_with_the_texts_bits_reads_as_before(t: str) -> None:
    # the whole text's bits are a necessary condition only: never a different answer
    assert parse_post._permission_among_exclusions(t, t.lower()) == _permission_reference(t)


@pytest.mark.parametrize(
    "t",
    [
        "Patients with treated brain metastases are eligible.",
        "Prior radiotherapy (allowed if completed) is excluded",
        "Bisphosphonates are permitted. Other bone agents are not allowed.",
        "Active infection",
    ],
)
def test_permission_among_exclusions_examples(t: str) -> None:
    assert parse_post._permission_among_exclusions(t, t.lower()) == _permission_reference(t)
    assert parse_post._permission_among_exclusions(t) == _permission_reference(t)


_CUE_WORDS = st.sampled_from(
    [
        "Prior chemotherapy",
        "except",
        "other than",
        "excluding",
        "is allowed",
        "are eligible",
        "permitted",
        "may be enrolled",
        "(except hormonal therapy)",
        "Exceptions",
        "ELIGIBLE",
        "no",
        "x",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_CUE_WORDS, st.sampled_from([" ", ", ", ". ", "; ", ": "])), max_size=7))
def test_exceptions_is_the_exception_part(parts: list[tuple[str, str]]) -> None:
    t = "".join(w + s for w, s in parts).strip()
    assert parse_build._exceptions(t) == split_exceptions(t)[1]
