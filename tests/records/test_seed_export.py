"""Every field of ../shared/spec/seed_records.yaml comes out of the ClinicalTrials.gov JSON export.

Reads the export the way the independent check does (tools/eval_records.py): fixed v2 paths,
completion date falling back to the primary completion date, ages by the first number of
"18 Years". The criteria counts belong to the criteria tests and are not checked here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import SHARED
from trialmatch.importers import read_path
from trialmatch.records.export import to_ctgov_json
from trialmatch.records.model import Trial

SPEC = SHARED / "spec" / "seed_records.yaml"
SEEDS = sorted(yaml.safe_load(SPEC.read_text())) if SPEC.exists() else []


def _dig(obj: Any, *path: str) -> Any:
    for p in path:
        obj = obj.get(p) if isinstance(obj, dict) else None
    return obj


def _norm(s: Any) -> str:
    return re.sub(r"\s+", " ", str(s or "")).strip().casefold().rstrip(" .;:")


def _years(s: Any) -> int | None:
    m = re.search(r"(\d+)", str(s)) if s is not None else None
    return int(m.group(1)) if m else None


def _fields(study: dict[str, Any]) -> dict[str, Any]:
    p = study.get("protocolSection", {})
    return {
        "registry_id": _dig(p, "identificationModule", "nctId"),
        "org_study_id": _dig(p, "identificationModule", "orgStudyIdInfo", "id"),
        "title": _dig(p, "identificationModule", "briefTitle")
        or _dig(p, "identificationModule", "officialTitle"),
        "status": _dig(p, "statusModule", "overallStatus"),
        "phase": _dig(p, "designModule", "phases"),
        "study_type": _dig(p, "designModule", "studyType"),
        "enrollment": _dig(p, "designModule", "enrollmentInfo", "count"),
        "start_date": _dig(p, "statusModule", "startDateStruct", "date"),
        "completion_date": _dig(p, "statusModule", "completionDateStruct", "date")
        or _dig(p, "statusModule", "primaryCompletionDateStruct", "date"),
        "last_updated": _dig(p, "statusModule", "lastUpdatePostDateStruct", "date"),
        "sponsor": _dig(p, "sponsorCollaboratorsModule", "leadSponsor", "name"),
        "conditions": _dig(p, "conditionsModule", "conditions") or [],
        "interventions": _dig(p, "armsInterventionsModule", "interventions") or [],
        "sex": _dig(p, "eligibilityModule", "sex"),
        "min_age_years": _years(_dig(p, "eligibilityModule", "minimumAge")),
        "max_age_years": _years(_dig(p, "eligibilityModule", "maximumAge")),
        "healthy_volunteers": _dig(p, "eligibilityModule", "healthyVolunteers"),
        "locations": _dig(p, "contactsLocationsModule", "locations") or [],
        "officials": _dig(p, "contactsLocationsModule", "overallOfficials") or [],
    }


@pytest.mark.parametrize("name", SEEDS)
def test_seed_fields_come_out_of_the_export(name: str, shared: Path) -> None:
    pytest.importorskip("trialmatch.importers.text_page")
    exp = yaml.safe_load(SPEC.read_text())[name]
    (trial,) = list(read_path(shared / "seeds" / name))
    assert isinstance(trial, Trial), trial
    got = _fields(to_ctgov_json(trial))
    for k in (
        "registry_id",
        "sex",
        "min_age_years",
        "max_age_years",
        "healthy_volunteers",
        "enrollment",
        "study_type",
        "status",
    ):
        if k in exp:
            assert got[k] == exp[k], k
    if "phase" in exp:
        assert (got["phase"] or None) == ([exp["phase"]] if exp["phase"] else None)
    for k in ("title", "sponsor", "org_study_id"):
        if k in exp:
            assert (_norm(got[k]) or None) == (_norm(exp[k]) or None), k
    for k in ("start_date", "completion_date", "last_updated"):
        if k in exp:
            assert str(got[k])[:10] == str(exp[k]), k
    for c in exp.get("conditions", []):
        assert any(_norm(c) == _norm(g) for g in got["conditions"]), c
    for c in exp.get("conditions_contains", []):
        assert any(c.lower() in g.lower() for g in got["conditions"]), c
    names = [_norm(i.get("name")) for i in got["interventions"]]
    for w in exp.get("interventions", []):
        assert any(_norm(w["name"]) in n for n in names), w
    cities = [_norm(loc.get("city")) for loc in got["locations"]]
    for w in exp.get("locations", []):
        assert _norm(w["city"]) in cities, w
    countries = {_norm(loc.get("country")) for loc in got["locations"]}
    for c in exp.get("countries", []):
        assert _norm(c) in countries, c
    officials = " ".join(_norm(o.get("name")) for o in got["officials"])
    for n in exp.get("investigators", []):
        assert _norm(n) in officials, n
