"""The conditions of a permission among the exclusions stay with the item that lists them
(``criteria/conditions.py``), where a flattened text gives them as items of their own."""

from __future__ import annotations

from trialmatch.criteria import parse_criteria
from trialmatch.criteria.model import Criterion
from trialmatch.criteria.rules import Has, Rule
from trialmatch.criteria.trial import _join_alternatives, _split

AUTOIMMUNE = "\n\n ".join(
    [
        "Exclusion Criteria:",
        "Active or history of autoimmune disease, including rheumatoid arthritis or multiple sclerosis, "
        "with the following exceptions:",
        "subjects with controlled Type 1 diabetes mellitus who are on an insulin regimen are eligible "
        "for the study.",
        "subjects with eczema, psoriasis or vitiligo with dermatologic manifestations only are eligible "
        "for the study provided all of following conditions are met:",
        "Rash must cover <10% of body surface area",
        "Disease is well controlled at baseline and requires only lowpotency topical corticosteroids",
        "There has been no occurrence of acute exacerbations of the underlying condition requiring "
        "methotrexate or high-potency or oral corticosteroids within the previous 12 months",
        "History of idiopathic pulmonary fibrosis or active pneumonitis",
        "Active tuberculosis\n",
    ]
)


def _concepts(rule: Rule | None) -> set[str]:
    if isinstance(rule, Has):
        return {rule.concept}
    return {c for a in getattr(rule, "args", ()) for c in _concepts(a)}


def _texts(crits: list[Criterion]) -> list[str]:
    return [c.text for c in crits]


def test_conditions_join_the_permission_and_the_next_criteria_stay() -> None:
    crits = parse_criteria(AUTOIMMUNE)
    assert len(crits) == 3, _texts(crits)
    parent, ipf, tb = crits
    assert parent.text.endswith("within the previous 12 months")
    assert "Rash must cover <10% of body surface area" in parent.parts
    assert parent.status == "needs_review"  # the permission's conditions are for a person
    # nothing excludes a patient for corticosteroids taken for another reason (asthma)
    assert not any("corticosteroid" in _concepts(c.rule) for c in crits)
    assert ipf.text.startswith("History of idiopathic pulmonary fibrosis") and "ild" in _concepts(ipf.rule)
    assert tb.text == "Active tuberculosis"


def test_joining_never_changes_the_parent_rule() -> None:
    """The parent is read from its own text: the conditions are shown with it."""
    alone = AUTOIMMUNE.split(" Rash must")[0]
    assert repr(parse_criteria(alone)[0].rule) == repr(parse_criteria(AUTOIMMUNE)[0].rule)


def test_first_condition_already_a_sub_item_and_chained_conditions() -> None:
    text = "\n\n ".join(
        [
            "Exclusion Criteria:",
            "The patient has central nervous system (CNS) involvement. If the patient fulfills the following "
            "3 criteria, she/he is eligible for the study:",
            "Completed prior therapy (including radiation and/or surgery) for CNS metastases, and",
            "CNS tumor is radiologically stable for >=28 days prior to study start, and",
            "The patient is not receiving steroids for brain metastases.",
            "Patients must be >=4 weeks beyond treatment with any chemotherapy",
            "Known hypersensitivity to copanlisib\n",
        ]
    )
    crits = parse_criteria(text)
    assert len(crits) == 3, _texts(crits)
    assert crits[0].text.endswith("not receiving steroids for brain metastases.")
    assert crits[1].text.startswith("Patients must be >=4 weeks")  # after the third: a criterion again


def test_conditions_after_a_first_one_held_as_sub_item() -> None:
    text = """Exclusion Criteria:

 Patients with concurrent HIV infection are eligible provided they meet the following criteria:
 CD4+ T-cell (CD4+) counts >= 350 cells/uL

 No history of AIDS-defining opportunistic infection within 12 months prior to enrollment

 Grade >= 2 peripheral neuropathy
"""
    crits = parse_criteria(text)
    assert len(crits) == 2, _texts(crits)
    assert "No history of AIDS-defining" in crits[0].text
    assert crits[1].text == "Grade >= 2 peripheral neuropathy"


def test_near_misses_are_not_joined() -> None:
    # an exclusion header of alternatives, a list of inclusions, and a criterion after the lead-in
    for text in (
        "Exclusion Criteria:\n\n Patients with HIV may participate if they meet any of the following "
        "criteria:\n\n No prior therapy\n\n No detectable viral load\n",
        "Inclusion Criteria:\n\n Patients with treated brain metastases are eligible provided all of the "
        "following criteria are met:\n\n No ongoing requirement for steroids\n\n Stable for 4 weeks\n",
        "Exclusion Criteria:\n\n Patients with treated brain metastases are eligible provided all of the "
        "following criteria are met:\n\n Stable for 4 weeks\n\n History of leptomeningeal disease\n\n"
        " Active tuberculosis\n",
        "Exclusion Criteria:\n\n Significant cardiovascular disease within 6 months:\n\n"
        " No history of myocardial infarction\n\n Active tuberculosis\n",
    ):
        rows = _join_alternatives(_split(text))
        assert [r[1] for r in rows][-2:] == _texts(parse_criteria(text))[-2:], text
        assert len(parse_criteria(text)) == len(rows) >= 2
