"""Grades and stages given as a list ("grade 1, 2, or 3"; "Stage II, III, or IV") are all read,
not only the first; what follows a list that is not a grade or stage is not taken for one."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.criteria.facets import grades_in, stages_in


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("WHO grade 1, 2 or 3 neuroendocrine tumour", ("G1", "G2", "G3")),
        ("Histologically confirmed grade 1, 2, or 3 follicular lymphoma", ("G1", "G2", "G3")),
        ("Grade I, II or III", ("G1", "G2", "G3")),
        ("follicular lymphoma grade 1, 2, or 3A", ("G1", "G2")),  # 3A is no WHO NEN grade
        ("grade 1 or 2 NET", ("G1", "G2")),
        ("grade 1, 2 weeks after surgery", ("G1",)),
        ("grade 2, 25 patients", ("G2",)),
        ("grade 1, 4", ("G1",)),
    ],
)
def test_grade_lists(text: str, want: tuple[str, ...]) -> None:
    assert grades_in(text) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Stage II, III, or IV disease (Ann Arbor)", ("II", "III", "IV")),
        ("Stage IIIA, IIIB, or IV NSCLC", ("III", "IV")),
        ("stage I, II", ("I", "II")),
        ("stage III or IV", ("III", "IV")),
        ("stage I-III", ("I", "II", "III")),
        ("stage II, 3 months after resection", ("II",)),
        ("stage IV, V", ("IV",)),
    ],
)
def test_stage_lists(text: str, want: tuple[str, ...]) -> None:
    assert stages_in(text) == want


_PIECES = ["grade", "stage", "1", "2", "3", "4", "I", "II", "III", "IV", "3A", ",", " or", " and", "/",
           " ", "İ", "weeks", "%", "G2"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=10).map(" ".join))
def test_lists_only_add_to_the_first_reading(text: str) -> None:
    """A list never loses what its first grade or stage says (the list only adds), never crashes,
    and only names WHO grades and AJCC stage groups."""
    g, s = grades_in(text), stages_in(text)
    assert set(s) <= {"I", "II", "III", "IV"}
    first = text.split(",")[0]
    assert set(grades_in(first)) <= set(g)
    assert set(stages_in(first)) <= set(s)
