"""Common needs-review kinds of real criteria read as rules: items that set no restriction (PDQ
"Not specified", "Male or female"), pointers to other protocol criteria, healthy volunteers,
"Age: 18 and over", and heading words cut off from their heading ("Key" before "Exclusion Criteria")."""

from __future__ import annotations

import pytest

from trialmatch.criteria import parse_criteria
from trialmatch.criteria.facets import age_rule
from trialmatch.criteria.parse import parse_item
from trialmatch.criteria.rules import Admin, And, Compare, Flag, Has, If, Is, Not, Review


@pytest.mark.parametrize(
    "text",
    [
        "Not specified",
        "Life expectancy Not specified",
        "Menopausal status: Not specified",
        "Hormone receptor status not specified",
        "Male or female",
        "Gender: Male or female subjects.",
    ],
)
def test_no_restriction(text: str) -> None:
    for kind in ("inclusion", "exclusion"):
        c = parse_item(text, kind)
        assert c.status == "parsed" and c.rule == Admin("allowed"), text


@pytest.mark.parametrize(
    "text",
    [
        "Carcinoma of unknown primary, primary site not specified",  # a requirement, not a blank
        "Male or female not of reproductive potential",
    ],
)
def test_not_a_blank(text: str) -> None:
    assert parse_item(text, "inclusion").rule != Admin("allowed")


@pytest.mark.parametrize(
    "text",
    [
        "Other protocol-defined inclusion/exclusion criteria may apply.",
        "Other protocol-defined Inclusion/Exclusion may apply.",
        "Additional criteria may apply",
        "Further exclusion criteria apply",
        "Note: Other protocol defined Inclusion/",
        "NB. Additional eligibility criteria apply for entry into each treatment cohort.",
        "See Disease Characteristics",
    ],
)
def test_pointer_to_protocol_criteria(text: str) -> None:
    c = parse_item(text, "exclusion")
    assert c.status == "parsed"
    assert c.rule == Admin("protocol")
    assert c.category == "administrative"


def test_other_malignancy_is_not_a_pointer() -> None:
    assert not isinstance(parse_item("Other malignancy within 5 years", "exclusion").rule, Admin)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Healthy male subjects", And((Flag("healthy_volunteer"), Is("sex", ("male",))))),
        ("Healthy male and female subjects", Flag("healthy_volunteer")),
        ("Healthy volunteers", Flag("healthy_volunteer")),
        ("Sex: Female", Is("sex", ("female",))),
        ("Age: 18 and over", Compare(var="age", cmp=">=", value=18.0, unit="a")),
        ("Age 65 or older", Compare(var="age", cmp=">=", value=65.0, unit="a")),
    ],
)
def test_people_and_age(text: str, rule: object) -> None:
    c = parse_item(text, "inclusion")
    assert c.status == "parsed" and c.rule == rule


def test_healthy_with_a_condition_is_not_a_volunteer_item() -> None:
    r = parse_item("Healthy male subjects with asthma", "inclusion").rule
    assert r != Flag("healthy_volunteer") and not (isinstance(r, And) and Flag("healthy_volunteer") in r.args)


def test_heading_word_cut_off_is_dropped() -> None:
    text = (
        "Inclusion Criteria:\n\n- Adult patients age 18 years or older.\n\n Key \n\n"
        "Exclusion Criteria:\n\n: \n\n"
        "- Current participation in another therapeutic clinical trial.\n- OR\n"
    )
    items = parse_criteria(text)
    assert [c.text for c in items] == [
        "Adult patients age 18 years or older.",
        "Current participation in another therapeutic clinical trial.",
        "OR",
    ]
    assert [c.index for c in items] == [0, 1, 2]
    assert isinstance(items[-1].rule, Review)


def test_dashed_note_under_a_sub_item_belongs_to_it() -> None:
    text = (
        "Inclusion Criteria:\n\n* Adequate organ function as defined below:\n\n"
        "  * Absolute neutrophil count (ANC) >=1,500/microliter\n"
        "  * Aspartate aminotransferase (AST)/ alanine aminotransferase (ALT) <=1.5 x institutional ULN\n\n"
        "    ---Participants with tumor involving the liver with AST and ALT <= 5.0 x ULN may be eligible.\n"
        "  * Creatinine clearance (CrCl) >= 30 mL/min\n"
        "* Age >= 18 years\n"
    )
    items = parse_criteria(text)
    assert len(items) == 2
    organ = items[0]
    assert len(organ.parts) == 3 and "---Participants with tumor involving the liver" in organ.parts[1]
    rule = organ.rule
    assert isinstance(rule, And)
    ifs = [a for a in rule.args if isinstance(a, If)]
    assert ifs and ifs[0].cond == Has("liver_metastases", kinds=("metastasis",))
    assert ifs[0].then == Compare(var="lab.ast", cmp="<=", value=5.0, ref="uln")
    assert ifs[0].else_ == Compare(var="lab.ast", cmp="<=", value=1.5, ref="uln")


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("History of pancreatitis (acute or chronic)", "pancreatitis"),
        ("Have a documented or suspected history of glaucoma", "glaucoma"),
        ("Patient has a history of narrow-angle glaucoma", "glaucoma"),
        ("Claustrophobia", "claustrophobia"),
        ("History of major depressive disorder", "psychiatric_disorder"),
        ("Porphyria.", "porphyria"),
    ],
)
def test_common_comorbidities(text: str, concept: str) -> None:
    c = parse_item(text, "exclusion")
    assert c.status == "parsed" and c.rule == Has(concept, kinds=("condition",))


def test_able_to_swallow() -> None:
    c = parse_item("Able to swallow and retain oral medication", "inclusion")
    assert c.rule == Not(Has("malabsorption", kinds=("condition",), status="active"))
    assert parse_item("Ability to swallow tablets or have a G-tube", "inclusion").rule != c.rule


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Infants age < 6 months", Compare(var="age", cmp="<", value=0.5, unit="a")),
        (
            "Children whose age >= 24 months and <= 36 months",
            And(
                (
                    Compare(var="age", cmp=">=", value=2.0, unit="a"),
                    Compare(var="age", cmp="<=", value=3.0, unit="a"),
                )
            ),
        ),
    ],
)
def test_age_in_months_is_in_years(text: str, rule: object) -> None:
    assert age_rule(text) == rule


def test_gestational_age_is_not_the_age() -> None:
    assert age_rule("Gestational age < 32 weeks") is None
