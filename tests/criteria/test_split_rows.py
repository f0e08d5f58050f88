"""The splitter's cheaper forms decide as the plain ones: ``split_rows`` is ``split_criteria`` as
tuples, the ASCII path of ``_scope_text`` finds what the IGNORECASE regex finds, ``scope_label``
asks whether the next line is marked only when the answer matters."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.criteria.split import split_criteria, split_rows
from trialmatch.criteria.split_headers import _scope_text, scope_label

_LINES = [
    "Inclusion Criteria:",
    "Exclusion criteria (Phase II only):",
    "Inclusion criteria for cohort B",
    "Cohort A:",
    "Run-in period",
    "Phase II only",
    "  * Age >= 18 years",
    "1. ECOG 0-1; 2. ANC >= 1.5",
    "- Histologically confirmed NET (i) G1 (ii) G2",
    "Patients must have one of the following:",
    "    - small cell lung carcinoma or",
    "a) measurable disease",
    "",
    "Key",
    "Note: contraception is required",
    "\u2460 first \u2461 second",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_LINES) | st.text(max_size=40), max_size=14))
def test_split_rows_is_split_criteria(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert split_rows(text) == [(it.kind, it.text, it.parts, it.scope) for it in split_criteria(text)]


def test_split_rows_example() -> None:
    rows = split_rows("Inclusion Criteria:\n- Age >= 18\nExclusion Criteria:\n- Pregnancy")
    assert rows == [("inclusion", "Age >= 18", [], None), ("exclusion", "Pregnancy", [], None)]
    assert split_rows("") == []


def _ref_scope_text(head: str, qual: str) -> str:
    m = re.search(re.escape(qual), head, re.IGNORECASE)
    return head[m.start() : m.end()] if m else qual


_QUALS = ["Phase II only", "cohort b", "PART 2", "", "x"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30), st.sampled_from(_QUALS) | st.text(max_size=6), st.text(max_size=10))
def test_scope_text_ascii_path_is_the_regex(pre: str, qual: str, post: str) -> None:
    for head in (pre + qual.swapcase() + post, pre + qual + post, pre + post):
        assert _scope_text(head, qual) == _ref_scope_text(head, qual)


def test_scope_text_examples() -> None:
    assert _scope_text("Inclusion Criteria (PHASE II ONLY)", "phase ii only") == "PHASE II ONLY"
    assert _scope_text("Inclusion Criteria", "cohort b") == "cohort b"


def test_scope_label_asks_next_line_only_when_needed() -> None:
    asked: list[int] = []

    def nxt() -> bool:
        asked.append(1)
        return True

    assert scope_label("Hematology", nxt) is None and not asked  # no scope word: no question
    assert scope_label("Run-in period", nxt) == ("scope", "Run-in period") and asked
    assert scope_label("Phase II only", False) == ("scope", "Phase II only")
    assert scope_label("Cohort A:", False) == ("scope", "Cohort A")
    assert scope_label("Hematology:", False) == ("label", None)
