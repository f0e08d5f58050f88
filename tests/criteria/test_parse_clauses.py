"""Items of independent semicolon clauses, read clause by clause when the whole item needs a person
(``parse_clauses``), and the items that must keep their whole reading."""

from __future__ import annotations

import pytest

from trialmatch.criteria.parse import parse_item
from trialmatch.criteria.parse_build import build_cached
from trialmatch.criteria.parse_clauses import clauses
from trialmatch.criteria.parse_post import settle_rule
from trialmatch.criteria.rules import And, Has, Not, Or, Review, Rule

SCLC = (
    "Patients cannot have had prior chemotherapy or biologic therapy for small cell lung cancer; patients "
    "receiving prior radiation cannot register within 7 days after completion of radiation, and must have "
    "resolved adverse events attributed to radiation to =< grade 1; no previous irradiation to the only site "
    "of measurable or evaluable disease, unless that site had subsequent evidence of progression"
)


def _leaves(r: Rule) -> list[Rule]:
    if isinstance(r, (And, Or)):
        return [x for a in r.args for x in _leaves(a)]
    return [r]


def test_clauses_outside_brackets() -> None:
    assert clauses("A b c; d (e; f) g;  h") == ["A b c", "d (e; f) g", "h"]


def test_inclusion_clauses_all_hold() -> None:
    c = parse_item(SCLC, "inclusion")
    assert isinstance(c.rule, And)
    first = c.rule.args[0]
    assert isinstance(first, Not) and Has("chemotherapy", kinds=("treatment",)) in _leaves(first.arg)
    assert any(isinstance(x, Review) for x in _leaves(c.rule))  # the irradiation clause still needs a person
    assert c.status == "needs_review"


def test_exclusion_clauses_any_excludes() -> None:
    t = (
        "Use of intranasal corticosteroids within four weeks prior to Visit 1; use of inhaled, oral, "
        "intramuscular, intravenous, ocular, and/or dermatological corticosteroid (with the exception of "
        "hydrocortisone cream/ointment, 1% or less) within eight weeks prior to Visit 1."
    )
    r = parse_item(t, "exclusion").rule
    assert isinstance(r, Or)
    assert any(isinstance(x, Has) and x.concept == "corticosteroid" for x in _leaves(r))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (  # the second clause is about the first one's population
            "Significant pain of an etiology other than painful HIV-associated neuropathy; significant "
            "ongoing pain from other cause(s) that may interfere with judging HIV-associated neuropathy pain",
            "exclusion",
        ),
        (  # alternatives by phase
            "At least one measurable or non-measurable lesion as per RECIST 1.1 criteria for patients in "
            "Phase Ib; Measurable disease as determined by RECIST v1.1 for Phase II patients",
            "inclusion",
        ),
        (  # a clause that lifts a requirement
            "Prior therapy for brain metastasis is not required; patients may either have refused radiation "
            "therapy or have received prior radiation therapy.",
            "inclusion",
        ),
    ],
)
def test_whole_reading_kept(text: str, kind: str) -> None:
    cat, rule, *_ = build_cached(text, kind, ())
    assert parse_item(text, kind).rule == settle_rule(rule, text, kind, cat)


WARFARIN = (
    "Patients who require use of therapeutic doses of coumarin-derivative anticoagulants such as warfarin "
    "are excluded, although doses of up to 2 mg daily are permitted for prophylaxis of thrombosis; Note: "
    "Low molecular weight heparin is permitted provided the patient's prothrombin time (PT) international "
    "normalized ratio (INR) is =< 1.5"
)


def test_a_conditional_permission_of_something_else_stands_beside() -> None:
    r = parse_item(WARFARIN, "inclusion").rule
    assert isinstance(r, And)
    assert r.args[0] == Not(Has("vitamin_k_antagonist", kinds=("treatment", "medication")))
    assert isinstance(r.args[1], Review)  # the heparin permission is still a person's to check


@pytest.mark.parametrize(
    "text",
    [
        (  # the permission is a bare one: what it lifts is not said
            "No more than one prior treatment regimen for metastatic disease; Prior chemotherapy in the "
            "adjuvant setting following resection of stage II or III disease allowed provided the regimen "
            "did not contain irinotecan"
        ),
        (  # 'are not eligible' in a clause that opens otherwise
            "Patients with refractory or relapsed leukemia must have greater than 25% blasts in bone marrow; "
            "active extramedullary disease may also be present. Patients with leptomeningeal disease are not "
            "eligible."
        ),
        (  # the permission names (a kind of) what another clause asks about
            "No therapeutic anticoagulation; Note: low molecular weight heparin is permitted provided "
            "INR <= 1.5"
        ),
    ],
)
def test_permissions_that_may_reach_another_clause(text: str) -> None:
    cat, rule, *_ = build_cached(text, "inclusion", ())
    assert parse_item(text, "inclusion").rule == settle_rule(rule, text, "inclusion", cat)
