"""Every file in ../shared/data/ctgov_api_v2 and ctgov_legacy_xml imports or is rejected with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SHARED
from trialmatch.importers import RecordError, read_path
from trialmatch.records.model import Trial

API = SHARED / "data" / "ctgov_api_v2"
XML = SHARED / "data" / "ctgov_legacy_xml"

#: Deliberately broken or non-study files and (a substring of) the reason they are rejected with.
REJECTED = {
    "Invalid-nct-id.html": "HTML page",
    "NCT00980226-id-mismatch.xml": "id mismatch",
    "NCT00980226.xml": "id mismatch",  # holds NCT00081588 too
    "NCT02278341.json": "id mismatch",  # holds NCT02552212
    "covid_search.xml": "holds no clinical_study",
    "empty_search.xml": "holds no clinical_study",
    "updatedstudies.json": "empty file",
    "ctg_api_all.json": "StudyFields response",
    "LICENSE.aact": "not a trial page",
    "study_statistics.json": "not a study record",
}
#: Files holding several studies, and how many.
MULTI = {"covid-19-search.json": 100, "results_1.json": 100, "results_2.json": 3, "download_xml_files.zip": 2}


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def _is_snippet(path: Path) -> bool:
    """An AACT module fixture: a JSON object holding a few modules of a study but no nctId."""
    text = path.read_text(encoding="utf-8", errors="replace")
    return path.suffix == ".json" and '"nctId"' not in text and '"NCTId"' not in text


@pytest.mark.parametrize("name", _files(API) + _files(XML))
def test_file_imports_or_is_rejected(name: str, shared: Path) -> None:
    path = API / name if (API / name).exists() else XML / name
    results = list(read_path(path))
    trials = [r for r in results if isinstance(r, Trial)]
    errors = [r for r in results if isinstance(r, RecordError)]
    assert results, "every file yields something"
    if name in REJECTED:
        assert not trials
        assert errors and REJECTED[name] in errors[0].reason, errors
        assert errors[0].file.endswith(name)
    elif _is_snippet(path):
        assert not trials
        assert errors and (
            "record without id" in errors[0].reason or "not a study record" in errors[0].reason
        )
    else:
        assert not errors, errors
        assert len(trials) == MULTI.get(name, 1)
        for t in trials:
            assert t.id.startswith("NCT") and t.registry_id == t.id
            assert t.provenance is not None and t.provenance.content_hash
            assert t.provenance.source_format in ("ctgov-json", "ctgov-xml")
            assert t.brief_title or t.official_title


def test_fields_of_a_v2_study(shared: Path) -> None:
    (t,) = list(read_path(API / "NCT06171568.json"))
    assert isinstance(t, Trial)
    assert t.org_study_id == "APHP230528"
    assert t.secondary_ids[0].id == "2023-A00386-39" and t.secondary_ids[0].domain == "IDRCB"
    assert t.acronym == "ECOG"
    assert t.overall_status == "NOT_YET_RECRUITING"
    assert (t.start_date, t.start_date_type) == ("2024-02-01", "ESTIMATED")
    assert t.completion_date == "2025-02-01" and t.primary_completion_date == "2025-02-01"
    assert t.first_posted == "2023-12-14" and t.last_update_posted == "2023-12-14"
    assert t.status_verified_date == "2023-12"
    assert t.study_type == "OBSERVATIONAL" and t.enrollment == 400 and t.enrollment_type == "ESTIMATED"
    assert t.design is not None and t.design.observational_model == "COHORT"
    assert t.eligibility.min_age_years == 18 and t.eligibility.max_age_years is None
    assert t.eligibility.sex == "ALL" and t.eligibility.healthy_volunteers is False
    assert t.eligibility.std_ages == ["ADULT", "OLDER_ADULT"]
    assert t.lead_sponsor == "Assistance Publique - Hôpitaux de Paris" and len(t.collaborators) == 2
    assert [i.role for i in t.investigators] == ["PRINCIPAL_INVESTIGATOR", "STUDY_DIRECTOR"]
    assert t.central_contacts[0].email == "camille.heslot@aphp.fr"
    loc = t.locations[0]
    assert (loc.city, loc.country, loc.zip) == ("Paris", "France", "75010")
    assert loc.lat == pytest.approx(48.85341) and loc.lon == pytest.approx(2.3488)
    assert loc.contacts and loc.contacts[0].name == "Camille Heslot, MD"
    assert t.current_as_of == "2023-12-14"


def test_fields_of_a_legacy_xml_study(shared: Path) -> None:
    (t,) = list(read_path(XML / "NCT00023673.xml"))
    assert isinstance(t, Trial)
    assert t.provenance is not None and t.provenance.source_format == "ctgov-xml"
    assert t.overall_status == "COMPLETED"
    assert t.current_as_of == "2018-05-11"  # "ClinicalTrials.gov processed this data on May 11, 2018"
    assert t.phases == ["PHASE1", "PHASE2"]
    assert t.start_date == "2001-07" and t.completion_date == "2013-11" and t.completion_date_type == "ACTUAL"
    assert t.design is not None
    assert (t.design.allocation, t.design.intervention_model, t.design.masking) == (
        "NON_RANDOMIZED",
        "SINGLE_GROUP",
        "NONE",
    )
    assert t.enrollment == 63 and t.enrollment_type == "ACTUAL"
    assert t.arms[0].intervention_names == [
        "Drug: carboplatin",
        "Drug: paclitaxel",
        "Radiation: three-dimensional conformal radiation therapy",
    ]
    crit = t.eligibility.criteria_text or ""
    assert crit.startswith(
        "DISEASE CHARACTERISTICS:\n\n* Histologically or cytologically confirmed unresectable"
    )
    assert "\n  * Squamous cell carcinoma\n" in crit  # nested item, wrapped lines joined


def test_legacy_masking_and_healthy_volunteers(shared: Path) -> None:
    trials = [r for r in read_path(XML) if isinstance(r, Trial)]
    quad = [t for t in trials if t.design and t.design.masking == "QUADRUPLE"]
    assert quad and all(
        set(t.design.who_masked) == {"PARTICIPANT", "CARE_PROVIDER", "INVESTIGATOR", "OUTCOMES_ASSESSOR"}
        for t in quad
        if t.design
    )
    assert any(t.eligibility.healthy_volunteers is True for t in trials)
    assert all(t.eligibility.sex in (None, "ALL", "FEMALE", "MALE") for t in trials)
    assert all(t.eligibility.minimum_age != "N/A" for t in trials)


def test_classic_api_json_maps_like_v2(shared: Path) -> None:
    (t,) = list(read_path(API / "NCT00023673.json"))
    assert isinstance(t, Trial)
    assert t.secondary_ids[0].type == "REGISTRY"
    assert t.phases == ["PHASE1", "PHASE2"] and t.overall_status == "COMPLETED"
    assert t.first_posted == "2003-04-09"
    assert t.current_as_of == "2023-10-18"  # DerivedSection.MiscInfoModule.VersionHolder
    assert t.investigators[0].role == "STUDY_CHAIR"


def test_fast_built_records_pass_full_validation(shared: Path) -> None:
    """The importer skips per-record validation; every record it builds must still be valid."""
    from trialmatch.importers.ctgov_json import _fast_build, build

    assert build is _fast_build  # the fast path is active on this pydantic version
    trials = [r for folder in (API, XML) for r in read_path(folder) if isinstance(r, Trial)]
    assert len(trials) > 250
    for t in trials:
        checked = Trial.model_validate(t.model_dump())
        assert checked == t
        assert checked.model_dump_json() == t.model_dump_json()
