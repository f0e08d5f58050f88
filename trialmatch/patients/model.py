"""The patient: the JSON contract of ``shared/spec/patient-profile.md`` (version 1).

Every field is optional; a missing field means "not known", never "normal" or "no".
Unknown extra keys are kept (``extra="allow"``) so that richer inputs survive a round trip.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "Biomarker",
    "Cancer",
    "Condition",
    "Fact",
    "Imaging",
    "Lab",
    "Location",
    "Medication",
    "OtherCancer",
    "Patient",
    "PerformanceStatus",
    "Procedure",
    "Stage",
    "Treatment",
    "Vitals",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Location(_Model):
    city: str | None = None
    state: str | None = None
    country: str | None = None
    postal_code: str | None = None
    lat: float | None = None
    lon: float | None = None
    travel_radius_km: float | None = None


class Stage(_Model):
    system: str | None = None
    group: str | None = None  # "IV", "IIIB" ...
    t: str | None = None
    n: str | None = None
    m: str | None = None


class Cancer(_Model):
    name: str | None = None
    icd_o3_morphology: str | None = None
    icd_o3_topography: str | None = None
    differentiation: str | None = None  # well | poorly
    grade: str | None = None  # G1 | G2 | G3
    ki67_percent: float | None = None
    mitoses_per_2mm2: float | None = None
    ne_component_percent: float | None = None
    primary_site: str | None = None
    functional_syndrome: str | None = None
    diagnosis_date: dt.date | None = None
    confirmed_by: str | None = None  # histology | cytology | imaging | clinical
    stage: Stage | None = None
    metastatic: bool | None = None
    metastasis_sites: list[str] | None = None
    resectable: bool | None = None
    resected: bool | None = None
    residual_disease: bool | None = None
    progression_dates: list[dt.date] | None = None
    measurable_disease: bool | None = None


class OtherCancer(_Model):
    name: str
    status: str | None = None  # active | treated | complete remission | ...
    end_date: dt.date | None = None
    on_treatment: bool | None = None


class Condition(_Model):
    name: str
    onset_date: dt.date | None = None
    status: str | None = None  # active | resolved | treated | history ...
    controlled: bool | None = None
    severity: str | None = None
    nyha_class: int | None = None
    stable: bool | None = None


class Procedure(_Model):
    name: str
    kind: str | None = None  # surgery | radiotherapy | biopsy | ...
    major: bool | None = None
    site: str | None = None
    date: dt.date | None = None


class Treatment(_Model):
    name: str
    kind: str | None = None  # chemotherapy | somatostatin analogue | PRRT | targeted therapy ...
    line: int | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    ongoing: bool | None = None
    outcome: str | None = None  # progression | intolerance | response | stable | completed


class Medication(_Model):
    name: str
    ongoing: bool | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None


class PerformanceStatus(_Model):
    ecog: int | None = None
    karnofsky: int | None = None


class Vitals(_Model):
    weight_kg: float | None = None
    height_cm: float | None = None
    systolic_bp: float | None = None
    diastolic_bp: float | None = None
    heart_rate: float | None = None
    qtc_ms: float | None = None
    lvef_percent: float | None = None


class Lab(_Model):
    name: str | None = None
    loinc: str | None = None
    value: float
    unit: str | None = None
    uln: float | None = None
    lln: float | None = None
    date: dt.date | None = None


class Imaging(_Model):
    modality: str | None = None
    finding: str | None = None
    krenning_score: int | None = None
    date: dt.date | None = None


class Biomarker(_Model):
    name: str
    result: str | None = None
    origin: str | None = None  # germline | somatic
    value: float | None = None
    unit: str | None = None


class Fact(_Model):
    """A statement read from free text, kept with the sentence it came from (see notes reader)."""

    kind: str  # diagnosis | condition | medication | lab | ...
    name: str
    status: Literal["present", "absent", "history", "family", "hypothetical", "possible"] = "present"
    value: Any = None
    source_text: str | None = None
    char_start: int | None = None
    char_end: int | None = None


class Patient(_Model):
    id: str | None = None
    as_of: dt.date | None = None
    age: float | None = None
    birth_date: dt.date | None = None
    sex: Literal["female", "male", "other", "unknown"] | None = None
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    childbearing_potential: bool | None = None
    location: Location | None = None
    cancer: Cancer | None = None
    other_cancers: list[OtherCancer] | None = None
    conditions: list[Condition] | None = None
    procedures: list[Procedure] | None = None
    treatments: list[Treatment] | None = None
    medications: list[Medication] | None = None
    allergies: list[str] | None = None
    performance_status: PerformanceStatus | None = None
    life_expectancy_months: float | None = None
    vitals: Vitals | None = None
    labs: list[Lab] | None = None
    imaging: list[Imaging] | None = None
    biomarkers: list[Biomarker] | None = None
    recent_trial_participation_end_date: dt.date | None = None
    notes: str | None = None
    # Filled by the note and FHIR readers: facts with their source sentence.
    facts: list[Fact] | None = None
    # Where the patient came from ("profile", "fhir", "note") and what was skipped or repaired.
    source_format: str | None = None
    warnings: list[str] | None = None
