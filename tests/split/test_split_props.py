"""Property tests: the splitter never raises, never hangs, and only returns pieces of its input."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.timing import cpu_budget
from trialmatch.criteria.split import render_criteria, split_criteria

_ws = re.compile(r"\s+")

LINES = st.sampled_from(
    [
        "Inclusion Criteria:",
        "Exclusion Criteria:",
        "Key Inclusion Criteria",
        "Patients are not eligible if:",
        "Phase II only:",
        "NET cohort:",
        "Hematology:",
        "",
        "  ",
        "1. Age >= 18 years",
        "2) ECOG 0-1",
        "(3) ANC >= 1.5 x 10^9/L",
        "  a. Platelets >= 100",
        "    (i) Hb >= 9 g/dL; (ii) bilirubin <= 1.5 x ULN",
        "• ① Creatinine <= 1.5 x ULN",
        "- Pregnancy",
        "* Known CNS metastases",
        "· Allergy to study drug",
        "continued text of a wrapped line",
        "Within 6 months any of the following:",
        "Deep vein thrombosis; Pulmonary embolism",
        "1. Aged 18-75; 2. NET G1/G2; 3. ECOG 0-1",
        "Inclusion Criteria: - Male - Female Exclusion Criteria: - Pregnant",
    ]
)


def _norm(s: str) -> str:
    return _ws.sub(" ", s).strip()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000))
def test_never_raises_on_random_text(text: str) -> None:
    items = split_criteria(text)
    for i, it in enumerate(items):
        assert it.index == i and it.kind in ("inclusion", "exclusion") and it.text.strip()


@settings(max_examples=200, deadline=None)
@given(st.lists(LINES, max_size=40))
def test_items_are_pieces_of_the_input(lines: list[str]) -> None:
    text = "\n".join(lines)
    flat = _norm(text)
    items = split_criteria(text)
    for it in items:
        assert it.text.strip()
        assert _norm(it.head) in flat or not it.head
        for sub in it.sub_lines:
            assert _norm(sub) in flat
        for part in it.parts:
            assert _norm(part) in flat
        for word in it.text.split():
            assert word in flat


@settings(max_examples=100, deadline=None)
@given(st.lists(LINES, max_size=30))
def test_render_then_split_is_stable(lines: list[str]) -> None:
    items = split_criteria("\n".join(lines))
    again = split_criteria(render_criteria(items))
    assert [(i.kind, _norm(i.text), i.scope) for i in again] == [
        (i.kind, _norm(i.text), i.scope) for i in items
    ]


def test_hostile_inputs_are_fast() -> None:
    hostile = [
        "(" * 100_000,
        "1. " * 50_000,
        "- " * 80_000,
        "Inclusion Criteria: " * 20_000,
        ("a" * 10_000 + "\n") * 30,
        "\n" * 200_000,
        "①" * 50_000,
        "(i) (ii) (iii) (iv) " * 10_000,
        "x - Y " * 40_000,
    ]
    for text in hostile:
        with cpu_budget(5, text):
            split_criteria(text)
