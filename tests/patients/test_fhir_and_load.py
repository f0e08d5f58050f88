"""Patient input: profile JSON errors, FHIR bundles from MITRE (each gives what it can), round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trialmatch.patients.fhir import bundle_to_patient
from trialmatch.patients.fhir_write import patient_to_fhir
from trialmatch.patients.load import PatientLoadError, load_patient
from trialmatch.patients.model import Patient


def test_profile_errors_name_file_and_field(tmp_path: Path) -> None:
    f = tmp_path / "patient.json"
    f.write_text(
        json.dumps(
            {
                "age": 50,
                "labs": [
                    {"name": "a", "value": 1},
                    {"name": "b", "value": 2},
                    {"name": "c", "value": "lots"},
                ],
            }
        )
    )
    with pytest.raises(PatientLoadError, match=r"patient\.json: labs\[2\]\.value: not a number"):
        load_patient(f)
    f.write_text("{not json")
    with pytest.raises(PatientLoadError, match=r"patient\.json: invalid JSON"):
        load_patient(f)
    f.write_text(json.dumps({"foo": 1}))
    with pytest.raises(PatientLoadError, match="not a patient profile"):
        load_patient(f)


def test_profile_loads_and_keeps_id(tmp_path: Path) -> None:
    f = tmp_path / "p1.json"
    f.write_text(json.dumps({"age": 50, "sex": "female", "conditions": []}))
    p = load_patient(f)
    assert p.id == "p1" and p.source_format == "profile" and p.conditions == []


def test_mitre_bundles_give_what_they_can(shared: Path) -> None:
    d = shared / "data/fhir_patients"
    p = load_patient(d / "patient_data.json")
    assert p.source_format == "fhir" and p.sex == "female" and p.birth_date is not None
    assert p.cancer is not None and "breast" in (p.cancer.name or "").lower()
    assert p.cancer.stage is not None and p.cancer.stage.group == "IIIA"
    assert p.procedures and any(x.kind == "radiotherapy" for x in p.procedures)
    assert p.treatments and "Paclitaxel" in p.treatments[0].name
    warnings = " ".join(p.warnings or [])
    assert "Observation/95d74cb0-15d5-44dd-a289-b622bfed80be" in warnings  # not valid R4 ...
    assert "several values" not in warnings  # ... but its coded result and its number are both read
    her2 = [b for b in p.biomarkers or [] if b.name == "HER2 Receptor"]
    assert her2 and all(b.result == "Positive" for b in her2) and {b.value for b in her2} == {3.0, 0.01}

    q = load_patient(d / "patient_data_missing_birthdate_invalid_ecog_karnofsky.json")
    assert q.birth_date is None and q.performance_status is None
    assert any("ECOG value -1" in w for w in q.warnings or [])

    e = load_patient(d / "eom_patient_1.json")
    assert e.performance_status is not None and e.performance_status.ecog == 3
    assert e.cancer is not None and e.cancer.stage is not None and e.cancer.stage.t == "T3"
    assert e.biomarkers and any((b.result or "").lower().startswith("neg") for b in e.biomarkers)

    cgv = load_patient(d / "patient_data_empty-cgv.json")
    assert any("interpretation given as an object" in w for w in cgv.warnings or [])

    with pytest.raises(PatientLoadError, match="ResearchStudy"):
        load_patient(d / "complete_study.json")


def test_bundle_never_raises_on_garbage() -> None:
    p = bundle_to_patient(
        {
            "resourceType": "Bundle",
            "entry": [
                None,
                {"resource": {"resourceType": "Observation", "id": "x", "code": 5}},
                {"resource": {"resourceType": "Condition", "id": "c"}},
                7,
            ],
        }
    )
    assert isinstance(p, Patient)
    assert len(p.warnings or []) >= 3


def test_round_trip_keeps_matcher_facts() -> None:
    p = Patient.model_validate(
        {
            "id": "rt",
            "as_of": "2026-11-01",
            "age": 58,
            "sex": "female",
            "pregnant": False,
            "cancer": {
                "name": "neuroendocrine carcinoma",
                "grade": "G3",
                "ki67_percent": 70,
                "primary_site": "pancreas",
                "metastatic": True,
                "metastasis_sites": ["liver"],
                "progression_dates": ["2026-08-20"],
                "stage": {"group": "IV", "m": "M1"},
            },
            "treatments": [
                {
                    "name": "etoposide + cisplatin",
                    "kind": "chemotherapy",
                    "line": 1,
                    "outcome": "progression",
                    "end_date": "2026-08-20",
                }
            ],
            "conditions": [],
            "allergies": [],
            "other_cancers": [],
            "performance_status": {"ecog": 1},
            "vitals": {"weight_kg": 65, "systolic_bp": 126, "diastolic_bp": 80},
            "labs": [{"name": "creatinine", "value": 0.9, "unit": "mg/dL", "uln": 1.1, "date": "2026-10-25"}],
            "biomarkers": [{"name": "MEN1", "result": "pathogenic variant", "origin": "germline"}],
            "imaging": [
                {"modality": "68Ga-DOTATATE PET", "finding": "uptake above liver", "krenning_score": 3}
            ],
        }
    )
    q = bundle_to_patient(json.loads(json.dumps(patient_to_fhir(p))))
    a = p.model_dump(exclude_none=True, exclude={"warnings", "source_format"})
    b = q.model_dump(exclude_none=True, exclude={"warnings", "source_format"})
    for lab in b.get("labs", []):
        lab.pop("loinc", None)
    assert a == b
    assert not q.warnings


def test_plain_condition_bundle_gets_a_primary_cancer() -> None:
    b = {
        "resourceType": "Bundle",
        "entry": [
            {"resource": {"resourceType": "Patient", "id": "p", "gender": "male", "birthDate": "1960-05-01"}},
            {"resource": {"resourceType": "Condition", "id": "c1", "code": {"text": "Hypertension"}}},
            {
                "resource": {
                    "resourceType": "Condition",
                    "id": "c2",
                    "code": {"text": "Neuroendocrine carcinoma"},
                    "onsetDateTime": "2025-01-02",
                }
            },
        ],
    }
    p = bundle_to_patient(b)
    assert p.cancer is not None and p.cancer.name == "Neuroendocrine carcinoma"
    assert p.conditions is not None and [c.name for c in p.conditions] == ["Hypertension"]
    assert any("main diagnosis" in w for w in p.warnings or [])
