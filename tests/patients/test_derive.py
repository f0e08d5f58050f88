"""Derived facts: formulas, grade, performance scales, labs with units, items and absence."""

from __future__ import annotations

import datetime as dt

import pytest

from trialmatch.patients.derive import PatientFacts
from trialmatch.patients.formulas import (
    age_at,
    bmi,
    bsa_mosteller,
    ckd_epi_2021,
    cockcroft_gault,
    ecog_from_karnofsky,
    karnofsky_from_ecog,
    who_grade,
)
from trialmatch.patients.model import Patient

AS_OF = dt.date(2026, 11, 1)


def test_cockcroft_gault_matches_seed_expectations() -> None:
    # seed: 40-year-old 110 kg man with creatinine 1.8 mg/dL: about 85 mL/min
    assert cockcroft_gault(40, 110, False, 1.8) == pytest.approx(84.9, abs=0.2)
    # 70-year-old 50 kg woman, creatinine 160 umol/L (1.81 mg/dL): about 23 mL/min
    assert cockcroft_gault(70, 50, True, 160 / 88.42) == pytest.approx(22.8, abs=0.5)


def test_ckd_epi_2021_reference_values() -> None:
    # published examples: 50-year-old woman, Scr 0.7 -> ~104; 60-year-old man, Scr 1.0 -> ~86
    assert ckd_epi_2021(50, True, 0.7) == pytest.approx(104, abs=1.5)
    assert ckd_epi_2021(60, False, 1.0) == pytest.approx(86, abs=1.5)


def test_bmi_bsa_age() -> None:
    assert bmi(65, 162) == pytest.approx(24.77, abs=0.01)
    assert bsa_mosteller(65, 162) == pytest.approx(1.71, abs=0.01)
    assert age_at(dt.date(1968, 4, 2), AS_OF) == 58
    assert age_at(dt.date(1968, 11, 2), AS_OF) == 57


@pytest.mark.parametrize(
    ("ki67", "mitoses", "grade"),
    [
        (1, None, "G1"),
        (3, None, "G2"),
        (20, None, "G2"),
        (21, None, "G3"),
        (None, 1, "G1"),
        (2, 25, "G3"),
        (None, None, None),
    ],
)
def test_who_grade(ki67: float | None, mitoses: float | None, grade: str | None) -> None:
    assert who_grade(ki67, mitoses) == grade


def test_performance_scales_both_ways() -> None:
    assert [ecog_from_karnofsky(k) for k in (100, 90, 80, 70, 60, 50, 40, 30, 0)] == [
        0,
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        5,
    ]
    assert karnofsky_from_ecog(1) == (80.0, 90.0)


def test_facts_from_profile() -> None:
    p = Patient.model_validate(
        {
            "birth_date": "1968-04-02",
            "sex": "female",
            "performance_status": {"karnofsky": 70},
            "vitals": {"weight_kg": 50},
            "cancer": {"name": "neuroendocrine tumour", "ki67_percent": 12, "metastasis_sites": ["liver"]},
            "labs": [
                {"name": "creatinine", "value": 160, "unit": "umol/L", "uln": 97},
                {"name": "hemoglobin", "value": 75, "unit": "g/L"},
                {"name": "absolute neutrophil count", "value": 1800, "unit": "/mm3"},
            ],
            "conditions": [],
        }
    )
    f = PatientFacts.build(p, AS_OF)
    assert f.get("age").value == 58  # type: ignore[union-attr]
    assert f.get("ecog").value == 2 and "Karnofsky" in f.get("ecog").how  # type: ignore[union-attr]
    assert f.get("cancer.grade").value == "G2"  # type: ignore[union-attr]
    assert f.get("cancer.metastatic").value is True  # type: ignore[union-attr]
    hb = f.lab_in("hemoglobin", "g/dL")
    assert hb is not None and hb[0] == pytest.approx(7.5)
    anc = f.lab_in("anc", "10*9/L")
    assert anc is not None and anc[0] == pytest.approx(1.8)
    cr = f.lab_in("creatinine", "mg/dL")
    assert cr is not None and cr[0] == pytest.approx(1.81, abs=0.01)
    crcl = f.lab("crcl")
    assert crcl is not None and 20 < crcl.value < 30 and "Cockcroft-Gault" in crcl.how
    assert f.lab("egfr") is not None
    assert f.known["condition"] is True and f.items["condition"] == []
    assert f.known["allergy"] is False  # not given: unknown, not "none"


def test_prior_lines_and_male_pregnancy() -> None:
    p = Patient.model_validate(
        {
            "sex": "male",
            "treatments": [
                {"name": "lanreotide", "kind": "somatostatin analogue", "line": 1, "outcome": "progression"},
                {"name": "everolimus", "kind": "targeted therapy", "line": 2, "outcome": "intolerance"},
            ],
        }
    )
    f = PatientFacts.build(p, AS_OF)
    assert f.get("prior_lines").value == 2  # type: ignore[union-attr]
    assert f.get("prior_lines_failed").value == 2  # type: ignore[union-attr]
    assert f.get("pregnant").value is False  # type: ignore[union-attr]


def test_timeline_days_since() -> None:
    p = Patient.model_validate(
        {
            "procedures": [{"name": "laparotomy", "kind": "surgery", "date": "2026-10-18"}],
            "labs": [{"name": "ALT", "value": 30, "unit": "U/L", "date": "2026-10-25"}],
        }
    )
    t = PatientFacts.build(p, AS_OF).timeline()
    assert [(e["name"], e["days_since"]) for e in t] == [("ALT", 7), ("laparotomy", 14)]
