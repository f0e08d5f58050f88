"""LOINC codes in ``labs.yaml`` name one lab each: 85319-2 is a HER2 code and is not Ki-67, so a HER2
result coded with it never becomes a Ki-67 value."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from trialmatch.patients.derive import PatientFacts
from trialmatch.patients.fhir import bundle_to_patient
from trialmatch.patients.terms import lab_key_for
from trialmatch.vocab import lab_key, labs
from trialmatch.vocab._load import data_version


def test_no_loinc_code_is_listed_under_two_labs() -> None:
    seen = Counter(code for lv in labs() for code in lv.loinc)
    assert [code for code, n in seen.items() if n > 1] == []


def test_the_her2_code_is_not_ki67() -> None:
    assert lab_key("85319-2") != "ki67"
    assert lab_key_for("HER2 [Presence] in Breast cancer specimen by Immune stain", "85319-2") != "ki67"
    assert lab_key("29593-1") == "ki67"  # the Ki-67 code stays
    assert int(data_version("labs")) >= 2


def _observation(code: str, display: str, value: float) -> dict[str, object]:
    return {
        "resource": {
            "resourceType": "Observation",
            "id": code,
            "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": code, "display": display}]},
            "valueQuantity": {"value": value},
        }
    }


def test_a_her2_observation_is_not_read_as_ki67() -> None:
    bundle = {
        "resourceType": "Bundle",
        "entry": [
            {
                "resource": {
                    "resourceType": "Patient",
                    "id": "p",
                    "gender": "female",
                    "birthDate": "1960-01-01",
                }
            },
            _observation("85319-2", "HER2 [Presence] in Breast cancer specimen by Immune stain", 3),
        ],
    }
    p = bundle_to_patient(bundle)
    facts = PatientFacts.build(p, dt.date(2026, 11, 1))
    assert facts.lab("ki67") is None
    assert p.cancer is None or p.cancer.ki67_percent is None
