"""A trial in parts ("PHASE I" / "PHASE II" sections, "Part A" / "Part B"): each part's items bind
only the patients of that part, so a patient qualifies through any one part, together with the
items common to all parts; an exclusion every part repeats still excludes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from trialmatch.criteria import parse_criteria
from trialmatch.criteria.scope import part_of
from trialmatch.matching.match import PreparedTrial, match_patient
from trialmatch.patients.model import Patient

AS_OF = dt.date(2026, 11, 1)

TEXT = """Inclusion Criteria:

  -  Age 18 years or older

PHASE I

Inclusion Criteria (phase I):

  -  ECOG performance status 0-2

Exclusion Criteria (phase I):

  -  History of seizure(s)

PHASE II

Inclusion Criteria (phase II):

  -  ECOG performance status 0 or 1

Exclusion Criteria (phase II):

  -  History of seizure(s)
  -  Prior chemotherapy
"""


@pytest.mark.parametrize(
    ("scope", "part"),
    [
        ("Phase II", "phase 2"),
        ("phase II", "phase 2"),
        ("for Phase I", "phase 1"),
        ("Phase Ib dose-expanded study", "phase 1b"),
        ("Part A: GS-9716 Monotherapy", "part a"),
        ("Group B", "group b"),
        ("Phase I and II study", None),
        ("PART 1 and 2", None),
        ("(Phase 1 and Phase 2)", None),
        ("Step 1", None),
        ("Treatment Phase", None),
        ("Screening", None),
        (None, None),
    ],
)
def test_part_of(scope: str | None, part: str | None) -> None:
    assert part_of(scope) == part


def test_part_headings_scope_the_items_and_are_no_items() -> None:
    cs = parse_criteria(TEXT)
    assert [c.text for c in cs if c.text.upper().startswith("PHASE")] == []
    assert {c.scope for c in cs} == {None, "phase I", "phase II"}
    pt = PreparedTrial.from_parts("T1", None, "t", "RECRUITING", ["cancer"], cs)
    assert sorted(set(pt.parts)) == [0, 1, 2]


def _verdict(patient: dict[str, Any], text: str = TEXT) -> str:
    pt = PreparedTrial.from_parts("T1", None, "t", "RECRUITING", ["cancer"], parse_criteria(text))
    rep = match_patient(Patient.model_validate(patient), [pt], AS_OF, trial_ids=["T1"])
    return rep.results[0].verdict


BASE = {"age": 60, "sex": "male", "conditions": [], "treatments": []}


@pytest.mark.parametrize(
    ("change", "verdict"),
    [
        ({"performance_status": {"ecog": 2}}, "eligible"),  # phase I takes ECOG 2
        ({"performance_status": {"ecog": 1}, "treatments": [{"name": "cisplatin", "kind": "chemotherapy"}]},
         "eligible"),  # prior chemotherapy excludes from phase II only
        ({"performance_status": {"ecog": 1}, "conditions": [{"name": "epilepsy"}]}, "ineligible"),  # both
        ({"performance_status": {"ecog": 3}}, "ineligible"),  # no part takes ECOG 3
        ({"age": 16, "performance_status": {"ecog": 1}}, "ineligible"),  # common to all parts
    ],
)  # fmt: skip
def test_a_patient_qualifies_through_any_one_part(change: dict[str, Any], verdict: str) -> None:
    assert _verdict({**BASE, **change}) == verdict


def test_one_named_part_binds_everyone() -> None:
    one = TEXT.split("PHASE II")[0]  # only "PHASE I" is named: its items are everyone's
    epilepsy = {**BASE, "performance_status": {"ecog": 1}, "conditions": [{"name": "epilepsy"}]}
    assert _verdict(epilepsy, one) == "ineligible"
    assert _verdict({**BASE, "performance_status": {"ecog": 3}}, one) == "ineligible"


def test_the_report_follows_the_open_part() -> None:
    pt = PreparedTrial.from_parts("T1", None, "t", "RECRUITING", ["cancer"], parse_criteria(TEXT))
    p = Patient.model_validate({**BASE, "performance_status": {"ecog": 2}})
    res = match_patient(p, [pt], AS_OF, trial_ids=["T1"]).results[0]
    other = [c for c in res.criteria if c.verdict == "not_applicable"]
    phase2 = ["ECOG performance status 0 or 1", "History of seizure(s)", "Prior chemotherapy"]
    assert [c.text for c in other] == phase2
    assert all("Only for phase II; the patient can take part through phase I" in c.explanation for c in other)
    assert "not met" in other[0].explanation  # what it would have been is kept
