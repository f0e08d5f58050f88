"""The free-text note reader: facts with status and evidence, structured fields, robustness."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.timing import cpu_budget
from trialmatch.patients.notes import MAX_NOTE_CHARS, read_note
from trialmatch.patients.notes_extract import (
    find_age,
    find_cancer_details,
    find_ecog,
    find_karnofsky,
    find_labs,
    find_relative_date,
    find_sex,
    split_sentences,
)

AS_OF = dt.date(2025, 6, 1)

NET_NOTE = (
    "A 58-year-old African-American woman with metastatic well-differentiated pancreatic neuroendocrine "
    "tumor, grade 2, Ki-67 of 12%, with liver metastases. ECOG 1. She has no history of diabetes. "
    "Her mother had breast cancer. Labs: Hb 9.8 g/dL, platelets of 85,000, creatinine 1.4. "
    "She received octreotide two years ago. Current medications include metformin and lisinopril. "
    "Nonsmoker. Allergic to penicillin."
)


def _facts(p, kind):  # type: ignore[no-untyped-def]
    return {f.name: f for f in p.facts or [] if f.kind == kind}


def test_demographics_variants() -> None:
    assert find_age("A 58-year-old African-American woman")[0] == 58  # type: ignore[index]
    assert find_age("58 yo M with chest pain")[0] == 58  # type: ignore[index]
    assert find_sex("58 yo M with chest pain")[0] == "male"  # type: ignore[index]
    assert find_sex("An 8-year-old boy")[0] == "male"  # type: ignore[index]
    age = find_age("An 8-month-old girl")
    assert age is not None and abs(age[0] - 8 / 12) < 1e-6
    assert find_age("He had fever for 5 years.") is None


def test_labs_in_many_forms() -> None:
    labs = {
        k: (v, u) for k, _a, v, u, _s, _e in find_labs("Hb 9.8 g/dL, platelets of 85,000, creatinine 1.4")
    }
    assert labs["hemoglobin"] == (9.8, "g/dL")
    assert labs["platelets"][0] == 85000
    assert labs["creatinine"] == (1.4, "mg/dL")  # default unit when none is written


def test_performance_status_words_and_numbers() -> None:
    assert find_ecog("ECOG 1")[0] == 1  # type: ignore[index]
    assert find_ecog("ECOG performance status of 2")[0] == 2  # type: ignore[index]
    assert find_ecog("She is fully active")[0] == 0  # type: ignore[index]
    assert find_karnofsky("Karnofsky 80%")[0] == 80  # type: ignore[index]


def test_relative_times() -> None:
    d = find_relative_date("She had surgery two years ago", AS_OF)
    assert d is not None and d[0].year == 2023
    d = find_relative_date("taking it for the past 3 months", AS_OF)
    assert d is not None and (AS_OF - d[0]).days in range(88, 95)
    assert find_relative_date("two years ago", None) is None


def test_cancer_details() -> None:
    det = find_cancer_details("well-differentiated grade 2 NET, Ki-67 of 12%, stage IV, pT3 N1 M1")
    assert det["grade"] == "G2" and det["ki67_percent"] == 12 and det["stage_group"] == "IV"
    assert det["differentiation"] == "well" and det["tnm"] == ("T3", "N1", "M1")


def test_read_note_structured_fields_and_facts() -> None:
    p = read_note(NET_NOTE, AS_OF)
    assert p.age == 58 and p.sex == "female" and p.source_format == "note"
    assert p.cancer is not None and p.cancer.ki67_percent == 12 and p.cancer.grade == "G2"
    assert p.cancer.metastatic is True and "liver" in (p.cancer.metastasis_sites or [])
    assert p.cancer.primary_site == "pancreatic"
    assert p.performance_status is not None and p.performance_status.ecog == 1
    assert {lab.name for lab in p.labs or []} >= {"hemoglobin", "platelets", "creatinine"}
    assert {m.name for m in p.medications or []} >= {"metformin", "lisinopril"}
    assert p.allergies == ["penicillin"]
    tr = {t.name: t for t in p.treatments or []}
    assert tr["octreotide"].kind == "somatostatin analogue" and tr["octreotide"].start_date.year == 2023  # type: ignore[union-attr]
    cond = {(f.name, f.status) for f in p.facts or [] if f.kind == "condition"}
    assert ("diabetes", "absent") in cond
    assert any(st == "family" and "breast" in name for name, st in cond)
    # every fact cites its sentence, and the offsets point at it
    for f in p.facts or []:
        assert f.source_text
        if f.char_start is not None and f.char_end is not None:
            assert NET_NOTE[f.char_start : f.char_end] == f.source_text
    assert _facts(p, "smoking")["smoking"].value == "never"


def test_status_history_hypothetical_possible() -> None:
    p = read_note(
        "History of present illness: 61 yo man with pneumonia.\n"
        "Past Medical History: myocardial infarction in 2015.\n"
        "Rule out pulmonary embolism.\nIf he develops fever, call.",
        AS_OF,
    )
    cond = {f.name: f.status for f in p.facts or [] if f.kind == "condition"}
    assert cond["pneumonia"] == "present"
    assert cond["myocardial infarction"] == "history"
    assert cond["pulmonary embolism"] == "possible"
    assert cond["fever"] == "hypothetical"


def test_pregnancy() -> None:
    assert read_note("A 27-year-old woman at 11 weeks gestation.").pregnant is True
    assert read_note("A 30-year-old woman; pregnancy test negative. She is not pregnant.").pregnant is False


def test_conditions_dated_from_relative_times() -> None:
    p = read_note(
        "A 70-year-old man. He had a myocardial infarction two years ago. "
        "He now presents with chest pain that started two days ago.",
        AS_OF,
    )
    cond = {c.name: c for c in p.conditions or []}
    mi = cond["myocardial infarction"]
    assert mi.status == "history" and mi.onset_date is not None
    assert (AS_OF - mi.onset_date).days in range(725, 735)
    pain = cond["chest pain"]  # began two days ago and is still there
    assert pain.status == "active" and pain.onset_date is not None and (AS_OF - pain.onset_date).days == 2
    # a chronic disease diagnosed long ago stays active, with its onset date
    dm = {
        c.name: c for c in read_note("She was diagnosed with diabetes 10 years ago.", AS_OF).conditions or []
    }
    assert dm["diabetes"].status == "active" and dm["diabetes"].onset_date is not None
    # two events in one sentence each get their own time
    two = read_note(
        "The patient had a myocardial infarction 2 years earlier and pneumonia 6 months ago.", AS_OF
    )
    dates = {c.name: c.onset_date for c in two.conditions or []}
    assert dates["myocardial infarction"] is not None and dates["pneumonia"] is not None
    assert dates["myocardial infarction"] < dates["pneumonia"]


def test_pregnancy_test_results() -> None:
    assert read_note("A 29-year-old woman. Her urine beta-hCG was negative.").pregnant is False
    assert read_note("A 29-year-old woman with a negative serum pregnancy test.").pregnant is False
    assert read_note("A 24-year-old woman. The pregnancy test came back positive.").pregnant is True
    # a negative result of another test in the same sentence says nothing about pregnancy
    assert read_note("A 31-year-old woman. hCG pending, HIV negative.").pregnant is None


def test_numbered_trialgpt_sentences() -> None:
    sents = split_sentences("0. An 8-year-old male. Fever.\n1. He denies cough.")
    assert [s.text for s in sents] == ["An 8-year-old male. Fever.", "He denies cough."]


def test_real_benchmark_notes(shared: Path) -> None:
    pairs = json.loads((shared / "data/benchmarks/trialgpt/criterion_annotations_train.json").read_text())
    notes = {x["patient_id"]: x["note"] for x in pairs}
    p = read_note(notes["sigir-20142"])
    assert p.age == 8 and p.sex == "male"
    cond = {(f.name, f.status) for f in p.facts or [] if f.kind == "condition"}
    assert ("fever", "present") in cond
    nen = [
        json.loads(x)
        for x in (shared / "data/benchmarks/nih_trialbench_nen/patients.jsonl").read_text().splitlines()
    ]
    p2 = read_note(nen[0]["patient_summary"])
    assert p2.age == 73 and p2.sex == "female"
    assert p2.cancer is not None and p2.cancer.metastatic
    assert any(t.name == "pembrolizumab" for t in p2.treatments or [])


def test_size_cap_and_empty() -> None:
    p = read_note("x " * (MAX_NOTE_CHARS))
    assert p.warnings and "cut" in p.warnings[0]
    assert read_note("").facts == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_fuzz_never_crashes(text: str) -> None:
    p = read_note(text, AS_OF)
    assert p.source_format == "note"


@pytest.mark.parametrize(
    "evil", ["1" * 5000, "Hb " * 3000, "ECOG " * 2000 + "1", "(" * 5000, "ki-67 " * 2000]
)
def test_pathological_inputs_are_fast(evil: str) -> None:
    with cpu_budget(5, evil):
        read_note(evil)


def test_vitals() -> None:
    p = read_note(
        "A 70 yo man. His blood pressure is 80/60, heart rate 120 bpm, weighs 180 lbs, temperature 101.3 F."
    )
    v = p.vitals
    assert v is not None and v.systolic_bp == 80 and v.diastolic_bp == 60 and v.heart_rate == 120
    assert v.weight_kg == 81.6 and getattr(v, "temperature_c", None) == 38.5
    assert any(f.kind == "vital" and f.name == "heart_rate" for f in p.facts or [])


def test_absolute_dates_and_treatment_courses() -> None:
    from trialmatch.patients.notes_extract import find_dates

    ds = [str(d) for d, _a, _b in find_dates("cisplatin (1/31/22-4/4/22), MRI 2025-02-16, in March 2019")]
    assert ds == ["2022-01-31", "2022-04-04", "2025-02-16", "2019-03-01"]
    p = read_note(
        "A 73-year-old woman with small cell carcinoma of the bladder, metastatic to the liver. "
        "She received cisplatin and etoposide (1/31/22-4/4/22) with a complete clinical response. "
        "She progressed following pembrolizumab (5/29/24-2/2/25)."
    )
    assert p.cancer is not None and p.cancer.primary_site == "bladder"
    tr = {t.name: t for t in p.treatments or []}
    assert str(tr["cisplatin"].start_date) == "2022-01-31" and str(tr["cisplatin"].end_date) == "2022-04-04"
    assert tr["cisplatin"].outcome == "response" and tr["pembrolizumab"].outcome == "progression"
