"""The splitter's quick paths (bullets and numbers without the marker regex, header and flow
pre-filters, whitespace short-cuts) decide as the full rules do.

Expected values were produced by the splitter before the quick paths were added.
"""

from __future__ import annotations

import pytest

from trialmatch.criteria.split import classify_header, split_criteria
from trialmatch.criteria.split_headers import norm
from trialmatch.criteria.split_inline import inline_parts
from trialmatch.criteria.split_markers import indent, marker, strip_bullets
from trialmatch.native import status

MARKERS = [
    ("- a", ("b-", "a")),
    ("-a", (None, "-a")),
    ("-", ("b-", "")),
    ("12. x", ("num.", "x")),
    ("12.5 mg", (None, "12.5 mg")),
    ("1.x", ("num.", "x")),
    ("1.5", (None, "1.5")),
    ("1: x", ("num.", "x")),
    ("1:", ("num.", "")),
    ("10) x", ("num)", "x")),
    ("123. x", (None, "123. x")),
    ("٣. x", ("num.", "x")),
    ("1٣. x", ("num.", "x")),
    ("1.%", (None, "1.%")),
    ("2.)", (None, "2.)")),
    ("•\tx", ("b•", "x")),
    ("o item", ("bo", "item")),
    ("oitem", (None, "oitem")),
    ("iv. x", ("roman.", "x")),
    ("v) x", ("roman)", "x")),
    ("İ. x", ("roman.", "x")),
    ("a. x", ("alpha.", "x")),
    ("ſ. x", ("alpha.", "x")),
    ("b)x", (None, "b)x")),
    ("(a) x", ("palpha", "x")),
    ("(iv) x", ("proman", "x")),
    ("(12) x", ("pnum", "x")),
    ("① x", ("circled", "x")),
    ("• 8. text", ("num.", "text")),
    ("- (a) text", ("palpha", "text")),
    ("* - 3) x", ("num)", "x")),
    ("Age >= 18", (None, "Age >= 18")),
    ("", (None, "")),
]


@pytest.mark.parametrize(("line", "want"), MARKERS)
def test_marker(line: str, want: tuple[str | None, str]) -> None:
    assert marker(line) == want


def test_indent_and_bullets() -> None:
    assert [indent(s) for s in ["\t x", "\u00a0\u3000x", "  \tx", "x", ""]] == [5, 2, 6, 0, 0]
    assert strip_bullets("• - item") == "item"
    assert strip_bullets("1. item") == "1. item"
    assert strip_bullets("") == ""


def test_norm() -> None:
    assert norm(" *Inclusion  Criteria: ") == "inclusion criteria"
    assert norm("EXCLUSION\tCRITERIA --") == "exclusion criteria"
    assert norm("**Key inclusion criteria**") == "key inclusion criteria"
    # final sigma, lower-cased in context; except by mypyc's str.lower, which lowers every capital
    # sigma to σ (trialmatch.native: no vocabulary term has a sigma, tests/native checks that)
    assert norm("ΑΣ") == ("ασ" if status().compiled else "ας")


def test_classify_header_edges() -> None:
    assert classify_header("**Inclusion Criteria**") == ("inclusion", None, "")
    assert classify_header("* *Exclusion criteria:") == ("exclusion", None, "")
    assert classify_header("Σ Inclusion") is None
    assert classify_header("Patients are not eligible if any of the following apply:") == (
        "exclusion",
        None,
        "",
    )
    assert classify_header("Inclusion criteria (Phase II only):") == ("inclusion", "Phase II only", "")
    assert classify_header("Exclusion Criteria for all patients:") == ("exclusion", None, "")
    assert classify_header("Histology: NET G1/G2") is None


def test_flowed_text() -> None:
    # a header whose ":" is on the next line still opens the paragraph check
    items = split_criteria(
        "Inclusion Criteria\n:\n- Age >= 18 - Male or female\nExclusion criteria\n:\n- Pregnant"
    )
    assert [(i.kind, i.text) for i in items] == [
        ("inclusion", "Age >= 18 - Male or female"),
        ("exclusion", "Pregnant"),
    ]
    items = split_criteria(
        "Inclusion Criteria: - Adults aged 18 - 75 years Exclusion Criteria: - Pregnancy - Known HIV"
    )
    assert [(i.kind, i.text) for i in items] == [
        ("inclusion", "Adults aged 18 - 75 years"),
        ("exclusion", "Pregnancy - Known HIV"),  # one line: kept whole
    ]
    # a flowed list wrapped over lines is cut at " - " before a capitalised word
    items = split_criteria(
        "Exclusion Criteria: - Treatment with insulin - Pregnancy or\nbreast feeding - Known HIV"
    )
    assert [i.text for i in items] == ["Treatment with insulin", "Pregnancy or breast feeding", "Known HIV"]


def test_inline_parts() -> None:
    assert inline_parts("Adequate function: (a) ANC >= 1.5; (b) platelets >= 100; (c) Hb >= 9") == (
        "Adequate function:",
        ["ANC >= 1.5", "platelets >= 100", "Hb >= 9"],
    )
    assert inline_parts("Adequate function: ① ANC ≥ 1.5; ② platelets ≥ 100 (x10^9/L)") == (
        "Adequate function:",
        ["ANC ≥ 1.5", "platelets ≥ 100 (x10^9/L)"],
    )
    assert inline_parts("Adequate function (ULN) (1) x") == ("Adequate function (ULN) (1) x", [])
