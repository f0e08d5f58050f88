"""Which coded FHIR Observations are read as a Ki-67 index: the codes of labs.yaml's ``ki67`` entry
and 85330-9; a HER2 code (85319-2) is not Ki-67."""

from __future__ import annotations

from typing import Any

import pytest

from trialmatch.patients.fhir import bundle_to_patient
from trialmatch.patients.fhir_util import _ki67_loincs
from trialmatch.vocab.labs import lab


def _bundle(code: str, display: str, value: float) -> dict[str, Any]:
    return {
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
            {
                "resource": {
                    "resourceType": "Observation",
                    "id": "o",
                    "status": "final",
                    "code": {"coding": [{"system": "http://loinc.org", "code": code, "display": display}]},
                    "valueQuantity": {"value": value, "unit": "%"},
                }
            },
        ],
    }


def test_ki67_codes_are_labs_yaml_codes_and_85330_9() -> None:
    ki67 = lab("ki67")
    assert ki67 is not None
    assert _ki67_loincs() == frozenset(ki67.loinc) | {"85330-9"}
    assert "85319-2" not in _ki67_loincs()
    assert not any(c.endswith("x") for c in _ki67_loincs())


@pytest.mark.parametrize("code", ["29593-1", "85330-9"])
def test_a_ki67_coded_observation_without_a_ki67_name_is_read(code: str) -> None:
    p = bundle_to_patient(_bundle(code, "Proliferation fraction", 18))
    assert p.cancer is not None and p.cancer.ki67_percent == 18.0


def test_her2_code_is_not_ki67() -> None:
    p = bundle_to_patient(_bundle("85319-2", "HER2 [Presence] in Breast cancer specimen by Immune stain", 3))
    assert p.cancer is None or p.cancer.ki67_percent is None
