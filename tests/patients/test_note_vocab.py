"""The note reader's cue words live in ``vocab/data/note_phrases.yaml``: every list moved there is
non-empty, is read by the code, and a note exercising it is read correctly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from trialmatch.patients.model import Patient
from trialmatch.patients.notes import read_note
from trialmatch.patients.notes_cancer import is_cancer, outcome, primary_site
from trialmatch.patients.notes_extract import (
    cue_regex,
    cue_words,
    find_age,
    find_ecog,
    find_karnofsky,
    find_relative_date,
    find_vitals,
    phrases,
)
from trialmatch.vocab._load import data_version

AS_OF = dt.date(2025, 6, 1)
SRC = Path(__file__).resolve().parents[2] / "trialmatch" / "patients"

#: the lists moved out of inline regexes (with those the code already read from the file)
MOVED = (
    "past_event_cues",
    "ongoing_cues",
    "ago_words",
    "duration_cues",
    "recent_period_cues",
    "ecog_labels",
    "karnofsky_labels",
    "histology_cues",
    "diagnosis_cues",
    "negation_cues",
    "treatment_negations",
    "negation_scope_ends",
    "treatment_history_cues",
    "medication_intro_cues",
    "treatment_outcomes",
    "cancer_conditions",
    "metastasis_words",
    "metastasis_absent",
    "smoking_never",
    "smoking_former",
    "smoking_current",
    "pregnancy_positive",
    "pregnancy_negative",
    "pregnancy_tests",
    "pregnancy_negations",
    "allergy_words",
    "no_allergies",
    "procedure_suffixes",
    "procedure_words",
    "vitals",
    "blood_pressure",
    "spread_cues",
    "treatment_kinds",
    "pronouns",
)


def _read(text: str) -> Patient:
    return read_note(text, AS_OF)


def test_version_bumped() -> None:
    assert int(data_version("note_phrases")) >= 3


@pytest.mark.parametrize("key", MOVED)
def test_each_moved_list_is_non_empty_and_read_by_the_code(key: str) -> None:
    value = phrases()[key]
    assert value, key
    lists = value.values() if isinstance(value, dict) else [value]
    for lst in lists:
        assert lst and all(isinstance(w, (str, list)) and w for w in lst), (key, lst)  # no YAML booleans
    code = "".join(p.read_text(encoding="utf-8") for p in SRC.glob("notes*.py"))
    assert f'"{key}' in code or f"'{key}" in code, f"{key} is not read by the note reader"


def test_nested_lists_compile() -> None:
    for name in phrases()["treatment_outcomes"]:
        assert cue_words(f"treatment_outcomes.{name}")
        assert cue_regex(f"treatment_outcomes.{name}").pattern


def test_stems_match_word_starts() -> None:
    rx = cue_regex("ongoing_cues")
    assert rx.search("the pain persists") and rx.search("continuing") and not rx.search("insistent")


# --- one note per list -------------------------------------------------------------------------


def test_past_event_and_ago_words_make_a_condition_history() -> None:
    p = _read("A 70-year-old man. He had a myocardial infarction two years ago.")
    mi = [c for c in p.conditions or [] if c.name == "myocardial infarction"]
    assert mi and mi[0].status == "history" and mi[0].onset_date is not None


def test_ongoing_cues_keep_a_condition_active() -> None:
    p = _read("A 70-year-old man. He has had hypertension for the past 5 years.")
    assert any(c.name == "hypertension" and c.status == "active" for c in p.conditions or [])


def test_duration_cues_are_not_ages() -> None:
    assert find_age("Diabetes for 5 years. A 60-year-old man.") is not None
    assert find_age("Diabetes for 5 years. A 60-year-old man.")[0] == 60  # type: ignore[index]


def test_recent_period_and_number_words() -> None:
    d = find_relative_date("fatigue over the last three months", AS_OF)
    assert d is not None and 88 <= (AS_OF - d[0]).days <= 93


def test_performance_labels() -> None:
    assert find_ecog("Zubrod score of 2")[0] == 2  # type: ignore[index]
    assert find_karnofsky("KPS 70%")[0] == 70  # type: ignore[index]


def test_histology_and_diagnosis_cues() -> None:
    p = _read(
        "A 60-year-old woman. She was diagnosed with a pancreatic neuroendocrine tumor in March 2019. "
        "The biopsy showed a well-differentiated tumor."
    )
    assert p.cancer is not None and p.cancer.confirmed_by == "histology"
    assert p.cancer.diagnosis_date == dt.date(2019, 3, 1)


def test_negation_cues_on_medications_and_treatments() -> None:
    p = _read("A 60-year-old man. He denies taking aspirin. He has never received lanreotide.")
    assert not any(m.name == "aspirin" for m in p.medications or [])
    assert not p.treatments


def test_a_negation_scope_ends_at_but() -> None:
    p = _read("A 60-year-old man. No fever was noted at first, but later he received cisplatin.")
    assert p.treatments and p.treatments[0].name == "cisplatin"


def test_treatment_history_and_outcome() -> None:
    p = _read("A 60-year-old man. He previously received everolimus, stopped due to toxicity.")
    t = p.treatments[0]  # type: ignore[index]
    assert t.name == "everolimus" and t.outcome == "intolerance" and t.ongoing is False
    assert outcome("progressed on sunitinib") == "progression"
    assert outcome("with a partial response") == "response"


def test_medication_intro_reads_drug_suffixes() -> None:
    p = _read("A 60-year-old man. Medications: rosuvastatin.")
    assert any(m.name == "rosuvastatin" for m in p.medications or [])


def test_cancer_conditions() -> None:
    assert all(is_cancer(n) for n in phrases()["cancer_conditions"])


def test_metastasis_words() -> None:
    assert _read("A 60-year-old man with lung cancer and liver metastases.").cancer.metastatic is True  # type: ignore[union-attr]
    p = _read("A 60-year-old man with lung cancer. No evidence of metastatic disease.")
    assert p.cancer is None or not p.cancer.metastatic


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("He is a never-smoker.", "never"),
        ("He is an ex-smoker.", "former"),
        ("He smokes 10 cigarettes a day.", "current"),
    ],
)
def test_smoking_lists(text: str, status: str) -> None:
    assert getattr(_read("A 60-year-old man. " + text), "smoking", None) == status


@pytest.mark.parametrize(
    ("text", "pregnant"),
    [
        ("She is 12 weeks pregnant.", True),
        ("Positive urine pregnancy test.", True),
        ("Serum beta-hCG was negative.", False),
        ("She is postmenopausal.", False),
        ("She denies being pregnant.", False),
    ],
)
def test_pregnancy_lists(text: str, pregnant: bool) -> None:
    assert _read("A 30-year-old woman. " + text).pregnant is pregnant


def test_allergy_lists() -> None:
    p = _read("A 60-year-old man. He is allergic to penicillin. NKDA otherwise.")
    assert p.allergies == ["penicillin"]
    assert any(f.kind == "allergy" and f.status == "absent" for f in p.facts or [])


def test_procedure_lists() -> None:
    p = _read(
        "A 60-year-old man. He underwent a cholecystectomy in 2015 and a liver transplantation in 2018."
    )
    names = {x.name for x in p.procedures or []}
    assert {"cholecystectomy", "transplantation"} <= names


def test_vital_labels() -> None:
    v = find_vitals("BP 130/80, pulse 72 bpm, weighing 70 kg, temp 38.5 C, LVEF 55%, BMI 24")
    assert v["systolic_bp"] == 130 and v["heart_rate"] == 72 and v["weight_kg"] == 70
    assert v["temperature_c"] == 38.5 and v["lvef_percent"] == 55 and v["bmi"] == 24
    assert set(phrases()["vitals"]) <= {
        "heart_rate",
        "weight_kg",
        "height_cm",
        "temperature_c",
        "lvef_percent",
        "qtc_ms",
        "bmi",
    }


def test_pronouns_decide_sex_only_without_a_sex_word() -> None:
    from trialmatch.patients.notes_extract import find_sex

    assert find_sex("Patient presents with cough. She reports her fatigue.")[0] == "female"  # type: ignore[index]
    assert find_sex("A 60-year-old man. She (his wife) reports his fatigue.")[0] == "male"  # type: ignore[index]


def test_spread_cues_are_not_the_primary_site() -> None:
    p = _read("A 60-year-old man with a carcinoma metastatic to the liver, primary in the pancreas.")
    assert p.cancer is not None and p.cancer.primary_site != "liver"
    from trialmatch.patients.model import Fact

    f = Fact(
        kind="condition",
        name="cancer",
        value={"as_written": "carcinoma"},
        source_text="carcinoma spread to the liver",
    )
    assert primary_site(f) is None


def test_treatment_kinds_from_concepts() -> None:
    p = _read("A 60-year-old man. He received nedaplatin and later pembrolizumab.")
    kinds = {t.name: t.kind for t in p.treatments or []}
    assert kinds == {"nedaplatin": "chemotherapy", "pembrolizumab": "immunotherapy"}
