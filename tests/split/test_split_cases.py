"""Criteria splitting: headers, numbering, bullets, nesting, wrapping, scopes, unlabelled lists."""

from __future__ import annotations

import pytest

from trialmatch.criteria.split import SplitItem, classify_header, render_criteria, split_criteria


def kinds(items: list[SplitItem]) -> tuple[int, int]:
    return sum(i.kind == "inclusion" for i in items), sum(i.kind == "exclusion" for i in items)


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Inclusion Criteria:", "inclusion"),
        ("Key Inclusion Criteria", "inclusion"),
        ("INCLUSION:", "inclusion"),
        ("• Inclusion Criteria:", "inclusion"),
        ("**Main inclusion criteria**", "inclusion"),
        ("Exclusion criteria", "exclusion"),
        ("Key Exclusion Criteria:", "exclusion"),
        ("Patients are not eligible if any of the following apply:", "exclusion"),
        ("Subjects meeting any of the following will be excluded:", "exclusion"),
        ("Patients must meet all of the following criteria:", "inclusion"),
        ("排除标准：", "exclusion"),
        ("Eligibility Criteria:", "neutral"),
        ("DISEASE CHARACTERISTICS:", "neutral"),
    ],
)
def test_header_spellings(line: str, kind: str) -> None:
    hit = classify_header(line)
    assert hit is not None and hit[0] == kind


@pytest.mark.parametrize(
    "line",
    ["Exclusion of patients with brain metastases", "Inclusion in another trial within 30 days", "Age ≥ 18"],
)
def test_item_text_is_not_a_header(line: str) -> None:
    assert classify_header(line) is None


def test_header_with_scope_and_inline_text() -> None:
    assert classify_header("Inclusion Criteria (Phase II only):") == ("inclusion", "Phase II only", "")
    assert classify_header("Exclusion criteria for NET cohort:") == ("exclusion", "NET cohort", "")
    assert classify_header("Inclusion Criteria: Age > 18") == ("inclusion", None, "Age > 18")


@pytest.mark.parametrize(
    "text",
    [
        "Inclusion Criteria:\n1. Age 18\n2. ECOG 0-1\n3. ANC ok\nExclusion Criteria:\n1. Pregnant\n2. HIV",
        "Inclusion Criteria:\n1) Age 18\n2) ECOG 0-1\n3) ANC ok\nExclusion Criteria:\n1) Pregnant\n2) HIV",
        "INCLUSION:\n(1) Age 18\n(2) ECOG 0-1\n(3) ANC ok\nEXCLUSION:\n(1) Pregnant\n(2) HIV",
        "Inclusion Criteria\n\n  * Age 18\n  * ECOG 0-1\n  * ANC ok\n\n"
        "Exclusion Criteria\n\n  * Pregnant\n  * HIV",
        "Inclusion:\n• Age 18\n• ECOG 0-1\n• ANC ok\nExclusion:\n· Pregnant\n· HIV",
        "Inclusion Criteria:\na. Age 18\nb. ECOG 0-1\nc. ANC ok\nExclusion Criteria:\na. Pregnant\nb. HIV",
        "Inclusion Criteria:\n(i) Age 18\n(ii) ECOG 0-1\n(iii) ANC ok\n"
        "Exclusion Criteria:\n(i) Pregnant\n(ii) HIV",
        "Inclusion Criteria:\n① Age 18\n② ECOG 0-1\n③ ANC ok\nExclusion Criteria:\n① Pregnant\n② HIV",
        "Inclusion Criteria:\n- Age 18\n- ECOG 0-1\n- ANC ok\n"
        "Patients are not eligible if:\n- Pregnant\n- HIV",
    ],
)
def test_numbering_and_bullet_styles(text: str) -> None:
    items = split_criteria(text)
    assert kinds(items) == (3, 2)
    assert [i.text for i in items] == ["Age 18", "ECOG 0-1", "ANC ok", "Pregnant", "HIV"]
    assert [i.index for i in items] == list(range(5))


def test_indented_sub_items_belong_to_parent() -> None:
    text = (
        "Inclusion Criteria:\n\n"
        "  * Adequate organ function:\n"
        "      * ANC >= 1.5 x 10^9/L\n"
        "      * Platelets >= 100 x 10^9/L\n"
        "  * ECOG 0-1\n"
    )
    items = split_criteria(text)
    assert len(items) == 2
    assert items[0].parts == ["ANC >= 1.5 x 10^9/L", "Platelets >= 100 x 10^9/L"]
    assert items[0].text.startswith("Adequate organ function:") and "Platelets" in items[0].text
    assert items[1].text == "ECOG 0-1" and items[1].parts == []


def test_lettered_sub_items_under_numbers() -> None:
    text = "1. Adequate labs:\n   a. ANC >= 1.5\n   b. Hb >= 9\n2. ECOG 0-1\n"
    items = split_criteria(text)
    assert len(items) == 2 and items[0].parts == ["ANC >= 1.5", "Hb >= 9"]


def test_inline_roman_list_gives_parts() -> None:
    items = split_criteria("5. Organ function: (i) ANC ≥1.5; (ii) Platelets ≥100; (iii) Hb ≥9 g/dL.")
    assert len(items) == 1
    assert items[0].parts == ["ANC ≥1.5", "Platelets ≥100", "Hb ≥9 g/dL."]


def test_parent_ending_with_colon_takes_next_unmarked_line() -> None:
    text = (
        "Exclusion Criteria:\n• Poorly controlled diabetes\n"
        "• Within 6 months prior to first dose any of the following:\n\n"
        "Deep vein thrombosis; Pulmonary embolism; Myocardial infarction\n\n"
        "• Allergy to the study drug\n"
    )
    items = split_criteria(text)
    assert kinds(items) == (0, 3)
    assert "Myocardial infarction" in items[1].text and items[1].parts


def test_hard_wrapped_lines_continue_the_item() -> None:
    text = (
        "Inclusion Criteria:\n\n- Presence of histologically confirmed, advanced, inoperable\n"
        "neuroendocrine tumors of any origin.\n\n- Measurable disease\n"
    )
    items = split_criteria(text)
    assert [i.text for i in items] == [
        "Presence of histologically confirmed, advanced, inoperable neuroendocrine tumors of any origin.",
        "Measurable disease",
    ]


def test_unlabelled_unmarked_list() -> None:
    text = "Age 18 or older\nHistologically confirmed NET\nECOG 0-1\n"
    items = split_criteria(text)
    assert [i.text for i in items] == ["Age 18 or older", "Histologically confirmed NET", "ECOG 0-1"]
    assert all(i.kind == "inclusion" for i in items)


def test_paragraph_items_without_markers() -> None:
    text = (
        "Inclusion Criteria:\n\n Histologically confirmed carcinoid \n\n Measurable disease \n\n"
        "Exclusion Criteria:\n\n Prior PRRT \n\n"
    )
    assert kinds(split_criteria(text)) == (2, 1)


def test_scope_sections() -> None:
    text = (
        "Inclusion Criteria:\n- Age >= 18\nPhase II only:\n- Measurable disease\n"
        "NET cohort:\n- Ki-67 <= 20%\nExclusion Criteria:\n- Pregnancy\n"
    )
    items = split_criteria(text)
    assert [(i.text, i.scope) for i in items] == [
        ("Age >= 18", None),
        ("Measurable disease", "Phase II only"),
        ("Ki-67 <= 20%", "NET cohort"),
        ("Pregnancy", None),
    ]


def test_group_label_line_is_not_an_item() -> None:
    text = "Inclusion Criteria:\nHematology:\n- ANC >= 1.5\n- Platelets >= 100\n"
    items = split_criteria(text)
    assert [i.text for i in items] == ["ANC >= 1.5", "Platelets >= 100"]


def test_inline_numbered_list_on_one_line() -> None:
    text = (
        "Inclusion criteria: 1. Aged 18-75 years; 2. Confirmed NET; 3. ECOG 0-1.\n"
        "Exclusion criteria: 1. Pregnant."
    )
    items = split_criteria(text)
    assert kinds(items) == (3, 1) and items[1].text == "Confirmed NET;"


def test_decimal_at_line_start_is_not_a_marker() -> None:
    items = split_criteria("- Creatinine <=\n1.5 x ULN\n- Bilirubin normal")
    assert [i.text for i in items] == ["Creatinine <= 1.5 x ULN", "Bilirubin normal"]


def test_headers_alone_give_no_items() -> None:
    assert split_criteria("Inclusion Criteria:\n\nExclusion Criteria:\n") == []
    assert split_criteria("") == []
    assert split_criteria("   \n  - \n") == []


def test_render_round_trip() -> None:
    text = (
        "Inclusion Criteria:\n1. Organ function:\n   a. ANC ok\n   b. Hb ok\n2. ECOG 0-1\n"
        "Phase II only:\n3. Measurable disease\nExclusion Criteria:\n* Pregnancy\n"
    )
    items = split_criteria(text)
    again = split_criteria(render_criteria(items))
    assert [(i.kind, i.text, i.parts, i.scope) for i in again] == [
        (i.kind, i.text, i.parts, i.scope) for i in items
    ]
    assert render_criteria(items).startswith("Inclusion Criteria:\n- Organ function:\n  - a. ANC ok")
