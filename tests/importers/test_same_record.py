"""API v2 JSON and legacy XML of the same study give the same record (fields both formats carry)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SHARED
from trialmatch.importers import read_path
from trialmatch.records.model import Trial

API = SHARED / "data" / "ctgov_api_v2"
XML = SHARED / "data" / "ctgov_legacy_xml"


def _one(path: Path) -> Trial:
    (t,) = list(read_path(path))
    assert isinstance(t, Trial), t
    return t


def _words(text: str | None) -> str:
    """Text without layout: list markers, line breaks and punctuation dropped."""
    text = re.sub(r"(?m)^\s*(?:[-*•]|\d{1,3}[.)]|[a-z][.)])\s+", " ", text or "")
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _core(t: Trial) -> dict[str, Any]:
    """The fields a v2 JSON and a legacy XML of an unchanged study both state."""
    e = t.eligibility
    return {
        "id": t.id,
        "registry_id": t.registry_id,
        "org_study_id": t.org_study_id,
        "secondary_ids": [s.id for s in t.secondary_ids],
        "brief_title": t.brief_title,
        "official_title": t.official_title,
        "acronym": t.acronym,
        "overall_status": t.overall_status,
        "start_date": t.start_date,
        "completion_date": t.completion_date,
        "phases": t.phases,
        "study_type": t.study_type,
        "enrollment": (t.enrollment, t.enrollment_type),
        "design": t.design.model_dump() if t.design else None,
        "arms": [(a.label, a.type, _words(a.description), sorted(a.intervention_names)) for a in t.arms],
        "interventions": [(i.type, i.name, sorted(i.arm_labels), i.other_names) for i in t.interventions],
        "conditions": t.conditions,
        "keywords": t.keywords,
        "summary": _words(t.brief_summary),
        "criteria": _words(e.criteria_text),
        "eligibility": (
            e.sex,
            e.minimum_age,
            e.maximum_age,
            e.min_age_years,
            e.max_age_years,
            e.healthy_volunteers,
        ),
        "lead_sponsor": t.lead_sponsor,
        "collaborators": t.collaborators,
        "locations": [(loc.facility, loc.city, loc.state, loc.zip, loc.country) for loc in t.locations],
    }


@pytest.mark.parametrize("nct", ["NCT00023673", "NCT02028676"])
def test_json_and_xml_give_the_same_record(nct: str, shared: Path) -> None:
    j, x = _one(API / f"{nct}.json"), _one(XML / f"{nct}.xml")
    cj, cx = _core(j), _core(x)
    for key in cj:
        assert cj[key] == cx[key], key
    assert [i.name for i in j.investigators] == [i.name for i in x.investigators]


def test_v2_json_and_xml_agree_where_the_study_did_not_change(shared: Path) -> None:
    # NCT02513394: the XML is from 2020, the v2 JSON from 2023 (dates, officials and sites changed since)
    j, x = _one(API / "NCT02513394_with_results.json"), _one(XML / "NCT02513394.xml")
    cj, cx = _core(j), _core(x)
    for key in (
        "id",
        "org_study_id",
        "secondary_ids",
        "brief_title",
        "official_title",
        "acronym",
        "phases",
        "study_type",
        "design",
        "conditions",
        "keywords",
        "eligibility",
        "lead_sponsor",
        "criteria",
    ):
        assert cj[key] == cx[key], key
    # the XML text is hard-wrapped with "-" bullets; reflowed, it reads like the v2 markdown
    assert (x.eligibility.criteria_text or "")[:300] == (j.eligibility.criteria_text or "")[:300]
