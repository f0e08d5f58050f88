"""``needles.slice_may`` (the test the facet and scope readers make of a slice of an item, instead
of the shared index's bits) is a necessary condition: it never rejects a text the pattern matches,
and the readers built on it answer as the pattern does."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.criteria import facets, scope
from trialmatch.criteria.needles import slice_may
from trialmatch.vocab.patterns import pattern
from trialmatch.vocab.prefilter import folded

_NAMES = ["facets.stage", "facets.ne_component", "facets.grade", "scope.cohort_word"]
_JOIN = [" ", "  ", "-", "/", ":", "%", ">", "≥", "30", "2", "IV", "ii", "x", "ſ", "İ", "ı", "K", "\n", "."]


# whole phrases, so that the drawn texts often match a pattern of several words
_PHRASES = ["neuroendocrine component ", "NE part ", "at least ", " 30%", "> 5.5 %", "Stage 2 ", "grade 1-2"]


def _words(name: str) -> list[str]:
    """The letter runs of the pattern's source and their case variants, and ``_PHRASES``."""
    runs = re.findall(r"[A-Za-z]{2,}", re.sub(r"\\[a-zA-Z]|\(\?P<\w+>", " ", pattern(name).pattern))
    return sorted({v for w in runs for v in (w, w.lower(), w.upper(), w.capitalize())}) + _PHRASES


@pytest.mark.parametrize("name", _NAMES)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_slice_may_never_rejects_a_match(name: str, data: st.DataObject) -> None:
    cue = pattern(name)
    text = "".join(data.draw(st.lists(st.sampled_from(_words(name) + _JOIN), max_size=12)))
    if cue.rx.search(text) is not None:
        assert slice_may(cue)(folded(text))


@pytest.mark.parametrize(
    ("name", "text", "may"),
    [
        ("facets.stage", "Stage IIIB disease", True),
        ("facets.stage", "no prior radiotherapy", False),
        ("facets.ne_component", "neuroendocrine component > 30%", True),
        ("facets.ne_component", "neuroendocrine component present", False),  # no "%"
        ("scope.cohort_word", "Cohort B", True),
        ("scope.cohort_word", "Gastric cancer", False),
    ],
)
def test_slice_may_rejects_texts_without_the_needed_strings(name: str, text: str, may: bool) -> None:
    assert slice_may(pattern(name))(folded(text)) is may


def test_the_readers_on_slices_answer_as_before() -> None:
    assert facets.stages_in("stage III-IV") == ("III", "IV")
    assert facets.stages_in("no staging") == ()
    ne = facets.ne_component_rule("NE differentiation of at least 30 %")
    assert ne is not None and ne.cmp == ">=" and ne.value == 30  # type: ignore[attr-defined]
    assert facets.ne_component_rule("neuroendocrine part") is None
    assert facets.grades_in("NET G1/G2") == ("G1", "G2")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_words("scope.cohort_word") + _JOIN + ["Dose", "sub", "study"]), max_size=10))
def test_has_cohort_word_is_the_pattern_search(parts: list[str]) -> None:
    text = "".join(parts)
    assert scope._has_cohort_word(text) == (pattern("scope.cohort_word").search(text) is not None)


@pytest.mark.parametrize("name", _NAMES)
def test_the_drawn_texts_often_match(name: str) -> None:
    # texts drawn as the property test draws them match often enough to test the condition
    rnd, tokens = random.Random(1), _words(name) + _JOIN
    texts = ["".join(rnd.choices(tokens, k=12)) for _ in range(3000)]
    assert sum(pattern(name).rx.search(t) is not None for t in texts) >= 20
