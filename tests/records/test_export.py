"""to_ctgov_json: API v2 module and field names, nothing invented, and import -> export -> import."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SHARED
from trialmatch.importers import RecordError, read_bytes, read_path
from trialmatch.records.export import format_age, to_ctgov_json
from trialmatch.records.model import Design, Eligibility, Location, Trial

API = SHARED / "data" / "ctgov_api_v2"
XML = SHARED / "data" / "ctgov_legacy_xml"


def _dig(obj: Any, *path: str) -> Any:
    for p in path:
        obj = obj.get(p) if isinstance(obj, dict) else None
    return obj


def _trials(folder: Path) -> list[Trial]:
    return [r for r in read_path(folder) if isinstance(r, Trial)]


@pytest.mark.parametrize("folder", ["ctgov_api_v2", "ctgov_legacy_xml"])
def test_round_trip_gives_the_same_trial(folder: str, shared: Path) -> None:
    trials = _trials(SHARED / "data" / folder)
    assert len(trials) > 60
    for t in trials:
        study = to_ctgov_json(t)
        (back,) = list(read_bytes(json.dumps(study).encode(), "export.json"))
        assert isinstance(back, Trial), back
        assert back.model_dump(exclude={"provenance"}) == t.model_dump(exclude={"provenance"}), t.id


def test_export_uses_v2_names_and_enums(shared: Path) -> None:
    (t,) = list(read_path(XML / "NCT00023673.xml"))
    assert isinstance(t, Trial)
    s = to_ctgov_json(t)
    p = s["protocolSection"]
    assert _dig(p, "identificationModule", "nctId") == "NCT00023673"
    assert _dig(p, "identificationModule", "orgStudyIdInfo", "id") == "RTOG L-0117"
    assert _dig(p, "statusModule", "overallStatus") == "COMPLETED"
    assert _dig(p, "statusModule", "startDateStruct") == {"date": "2001-07"}
    assert _dig(p, "statusModule", "completionDateStruct") == {"date": "2013-11", "type": "ACTUAL"}
    assert _dig(p, "designModule", "phases") == ["PHASE1", "PHASE2"]
    assert _dig(p, "designModule", "studyType") == "INTERVENTIONAL"
    assert _dig(p, "designModule", "designInfo", "maskingInfo", "masking") == "NONE"
    assert _dig(p, "designModule", "enrollmentInfo") == {"count": 63, "type": "ACTUAL"}
    assert _dig(p, "eligibilityModule", "sex") == "ALL"
    assert _dig(p, "sponsorCollaboratorsModule", "leadSponsor", "name") == "Radiation Therapy Oncology Group"
    assert _dig(p, "armsInterventionsModule", "interventions")[0]["type"] == "DRUG"
    officials = _dig(p, "contactsLocationsModule", "overallOfficials")
    assert officials[0] == {
        "name": "Jeffrey Bradley, MD",
        "affiliation": "Mallinckrodt Institute of Radiology at Washington University Medical Center",
        "role": "STUDY_CHAIR",
    }
    assert set(p) <= {
        "identificationModule",
        "statusModule",
        "sponsorCollaboratorsModule",
        "descriptionModule",
        "conditionsModule",
        "designModule",
        "armsInterventionsModule",
        "eligibilityModule",
        "contactsLocationsModule",
    }


def test_geo_points_and_site_status(shared: Path) -> None:
    (t,) = list(read_path(API / "NCT06171568.json"))
    assert isinstance(t, Trial)
    loc = to_ctgov_json(t)["protocolSection"]["contactsLocationsModule"]["locations"][0]
    assert loc["geoPoint"] == {"lat": pytest.approx(48.85341), "lon": pytest.approx(2.3488)}
    assert loc["city"] == "Paris" and loc["contacts"][0]["email"] == "camille.heslot@aphp.fr"


def _walk(obj: Any) -> list[Any]:
    if isinstance(obj, dict):
        return [v for x in obj.values() for v in [x, *_walk(x)]]
    if isinstance(obj, list):
        return [v for x in obj for v in [x, *_walk(x)]]
    return []


def test_nothing_invented_for_a_sparse_trial() -> None:
    t = Trial(
        id="LOCAL-abc",
        brief_title="A page",
        eligibility=Eligibility(min_age_years=18.0),
        enrollment=0,
        design=Design(allocation="NA"),
        locations=[Location(city="Lund")],
    )
    s = to_ctgov_json(t)
    p = s["protocolSection"]
    assert "nctId" not in p["identificationModule"]  # a local id is not a registry id
    assert p["identificationModule"] == {"briefTitle": "A page"}
    assert p["eligibilityModule"] == {"minimumAge": "18 Years"}
    assert p["designModule"] == {"designInfo": {"allocation": "NA"}, "enrollmentInfo": {"count": 0}}
    assert p["contactsLocationsModule"] == {"locations": [{"city": "Lund"}]}
    assert "statusModule" not in p and "derivedSection" not in s
    assert all(v not in (None, "", [], {}) for v in _walk(s))


def test_non_nct_registry_id_travels_in_secondary_ids() -> None:
    eu = "2014-005181-30"
    t = Trial(id=eu, registry_id=eu, brief_title="EU trial", current_as_of="2025-10-21")
    s = to_ctgov_json(t)
    ident = s["protocolSection"]["identificationModule"]
    assert "nctId" not in ident
    assert ident["secondaryIdInfos"] == [{"id": eu, "type": "EUDRACT_NUMBER", "domain": "EudraCT"}]
    assert s["derivedSection"] == {"miscInfoModule": {"versionHolder": "2025-10-21"}}
    (back,) = list(read_bytes(json.dumps(s).encode(), "eu.json"))
    assert isinstance(back, Trial)
    assert back.model_dump(exclude={"provenance"}) == t.model_dump(exclude={"provenance"})


def test_local_only_trial_export_is_rejected_on_reimport() -> None:
    s = to_ctgov_json(Trial(id="LOCAL-1", brief_title="x"))
    (err,) = list(read_bytes(json.dumps(s).encode(), "local.json"))
    assert isinstance(err, RecordError) and "without id" in err.reason


@pytest.mark.parametrize(
    ("text", "years", "want"),
    [
        ("18 Years", 18.0, "18 Years"),
        (None, 18.0, "18 Years"),
        ("18 years and older", 18.0, "18 Years"),
        (None, 0.5, "6 Months"),
        (None, 1.0, "1 Year"),
        ("6 Months", 0.5, "6 Months"),
        (None, None, None),
        ("≥ 18 years", None, "18 Years"),
    ],
)
def test_format_age(text: str | None, years: float | None, want: str | None) -> None:
    got = format_age(text, years)
    assert got == want
    if got:
        assert re.fullmatch(r"\d+ (Years?|Months?|Weeks?|Days?)", got)
