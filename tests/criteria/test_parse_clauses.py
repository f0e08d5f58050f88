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
