"""FHIR Observation values beyond valueQuantity: a coded result wins, a ratio or number beside it is
kept as the biomarker's value, and only a value that cannot be read at all is warned about."""

from __future__ import annotations

from typing import Any

from trialmatch.patients.fhir import bundle_to_patient

LOINC = "http://loinc.org"
POSITIVE = {
    "coding": [
        {"system": "http://snomed.info/sct", "code": "10828004", "display": "Positive (qualifier value)"}
    ],
    "text": "Positive (qualifier value)",
}


def _obs(oid: str, text: str, loinc: str, **values: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": loinc}], "text": text},
        **values,
    }


def _read(*obs: dict[str, Any]) -> Any:
    return bundle_to_patient(
        {"resourceType": "Bundle", "entry": [{"resource": o} for o in obs]}, validate=False
    )


def test_ratio_alone_is_kept_as_the_biomarker_value() -> None:
    p = _read(
        _obs(
            "r1",
            "HER2/CEP17 ratio",
            "48676-1",
            valueRatio={"numerator": {"value": 2.4}, "denominator": {"value": 1}},
        )
    )
    assert p.biomarkers and p.biomarkers[0].name == "HER2/CEP17 ratio"
    assert p.biomarkers[0].value == 2.4 and p.biomarkers[0].result is None
    assert not p.warnings


def test_coded_value_wins_and_the_ratio_is_kept_beside_it() -> None:
    p = _read(
        _obs(
            "r2",
            "HER2 Receptor",
            "48676-1",
            valueRatio={"numerator": {"value": 1, "comparator": ">="}, "denominator": {"value": 100}},
            valueCodeableConcept=POSITIVE,
        )
    )
    assert p.biomarkers and len(p.biomarkers) == 1
    b = p.biomarkers[0]
    assert b.name == "HER2 Receptor" and b.result == "Positive" and b.value == 0.01
    assert not p.warnings  # nothing was lost


def test_coded_result_with_a_quantity_is_a_biomarker_not_a_lab() -> None:
    # the MITRE sample: HER2 IHC "Positive" with valueQuantity 3 (3+) used to become a lab, losing "Positive"
    p = _read(
        _obs("q1", "HER2 Receptor", "48676-1", valueCodeableConcept=POSITIVE, valueQuantity={"value": 3})
    )
    assert not p.labs
    assert p.biomarkers and p.biomarkers[0].result == "Positive" and p.biomarkers[0].value == 3
    assert not p.warnings


def test_a_lab_with_a_coded_flag_stays_a_lab() -> None:
    p = _read(
        _obs(
            "h1",
            "Hemoglobin",
            "718-7",
            valueQuantity={"value": 9.8, "unit": "g/dL"},
            valueCodeableConcept={"text": "low"},
        )
    )
    assert p.labs and p.labs[0].value == 9.8 and p.labs[0].unit == "g/dL"
    assert not p.biomarkers


def test_unreadable_ratio_is_warned_about_but_the_coded_result_is_read() -> None:
    p = _read(
        _obs(
            "u1",
            "HER2 Receptor",
            "48676-1",
            valueRatio={"denominator": {"value": 1}},
            valueCodeableConcept=POSITIVE,
        )
    )
    assert p.biomarkers and p.biomarkers[0].result == "Positive" and p.biomarkers[0].value is None
    assert any("Observation/u1" in w and "valueRatio" in w for w in p.warnings or [])
    q = _read(
        _obs(
            "u2",
            "HER2 Receptor",
            "48676-1",
            valueRatio={"numerator": {"value": 1}, "denominator": {"value": 0}},
        )
    )
    assert not q.biomarkers
    assert any("Observation/u2" in w and "valueRatio" in w for w in q.warnings or [])


def test_several_values_that_cannot_be_read_together_still_warn() -> None:
    p = _read(_obs("s1", "HER2 Receptor", "48676-1", valueString="3+", valueBoolean=True))
    assert any("Observation/s1" in w and "several values" in w for w in p.warnings or [])
    assert p.biomarkers and p.biomarkers[0].result == "3+"


def test_her2_positive_from_a_coded_and_numeric_observation_meets_the_criterion() -> None:
    import datetime as dt

    from trialmatch.criteria.rules import Has
    from trialmatch.matching.evaluate import compile_rule
    from trialmatch.patients.derive import PatientFacts

    p = _read(
        _obs("q2", "HER2 Receptor", "48676-1", valueCodeableConcept=POSITIVE, valueQuantity={"value": 3})
    )
    f = PatientFacts.build(p, dt.date(2025, 1, 1))
    assert compile_rule(Has("her2_positive", ("biomarker",)), True)(f) is True


def test_biomarker_value_survives_the_fhir_round_trip() -> None:
    from trialmatch.patients.fhir_write import patient_to_fhir
    from trialmatch.patients.model import Patient

    p = Patient.model_validate(
        {
            "age": 50,
            "biomarkers": [
                {"name": "HER2", "result": "positive", "value": 3},
                {"name": "HER2/CEP17 ratio", "value": 2.4},
                {"name": "PD-L1 TPS", "value": 60, "unit": "%"},
            ],
        }
    )
    back = bundle_to_patient(patient_to_fhir(p))
    got = {b.name: (b.result, b.value, b.unit) for b in back.biomarkers or []}
    assert got == {
        "HER2": ("positive", 3, None),
        "HER2/CEP17 ratio": (None, 2.4, None),
        "PD-L1 TPS": (None, 60, "%"),
    }
    assert not back.labs
    assert not [w for w in back.warnings or [] if "Observation" in w]  # valid R4, nothing skipped
