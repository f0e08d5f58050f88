"""Facts derived from a patient at a date, each with how it was derived. Pure: (patient, as_of).

``PatientFacts.build(patient, as_of)`` reads the profile once and prepares everything the
evaluator asks for: scalar variables (``age``, ``ecog``, ``cancer.grade`` ...), labs by key with
unit conversion on demand, derived clearances (Cockcroft-Gault, CKD-EPI 2021), BMI / BSA, lines
of prior systemic therapy, and the patient's listed items (conditions, treatments ...) with the
concepts they name, so that ``Has`` tests are set lookups.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from trialmatch.patients import terms as T
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
from trialmatch.patients.items import Item, build_absent, build_items
from trialmatch.patients.model import Lab, Patient

__all__ = ["ITEM_KINDS", "Fact", "Item", "LabObs", "PatientFacts"]  # the formulas: patients.formulas

ITEM_KINDS = (
    "diagnosis",
    "site",
    "metastasis",
    "condition",
    "other_cancer",
    "treatment",
    "medication",
    "procedure",
    "allergy",
    "biomarker",
    "imaging",
    "trial_participation",
    "progression",  # dated disease progressions of the main cancer
)


@dataclass(frozen=True, slots=True)
class Fact:
    """A value and how it was obtained (``given`` or a formula with its inputs)."""

    value: Any
    how: str = "given"


@dataclass(frozen=True, slots=True)
class LabObs:
    key: str
    name: str
    value: float
    unit: str | None
    uln: float | None = None
    lln: float | None = None
    date: dt.date | None = None
    how: str = "given"


_ARABIC_STAGE = {"1": "I", "2": "II", "3": "III", "4": "IV"}


class PatientFacts:
    """Everything the evaluator reads about one patient at ``as_of``."""

    __slots__ = (
        "absent",
        "as_of",
        "cache",
        "derivations",
        "items",
        "known",
        "labs",
        "patient",
        "scalars",
    )

    def __init__(self, patient: Patient, as_of: dt.date) -> None:
        self.patient = patient
        self.as_of = as_of
        self.scalars: dict[str, Fact] = {}
        self.labs: dict[str, LabObs] = {}
        self.items: dict[str, list[Item]] = {k: [] for k in ITEM_KINDS}
        self.known: dict[str, bool] = {k: False for k in ITEM_KINDS}
        self.derivations: list[str] = []
        self.cache: dict[Any, Any] = {}  # memo of leaf outcomes (by leaf slot)
        self.absent: list[Item] = []  # things a note says the patient does not have

    @classmethod
    def build(cls, patient: Patient, as_of: dt.date) -> PatientFacts:
        f = cls(patient, as_of)
        f._build_scalars()
        f._build_labs()
        build_items(f)
        f._build_derived()
        build_absent(f)
        return f

    # ------------------------------------------------------------ helpers
    def get(self, var: str) -> Fact | None:
        return self.scalars.get(var)

    def _set(self, var: str, value: Any, how: str = "given") -> None:
        if value is None:
            return
        self.scalars[var] = Fact(value, how)
        if how != "given":
            self.derivations.append(f"{var} = {value!r} ({how})")

    def days_since(self, d: dt.date) -> int:
        return (self.as_of - d).days

    def timeline(self) -> list[dict[str, Any]]:
        """Every dated event with the days since it (at ``as_of``), most recent first."""
        out: list[dict[str, Any]] = []
        for kind, items in self.items.items():
            for it in items:
                for label, d in (("start", it.start), ("end", it.end)):
                    if d is not None and (label == "start" or it.end != it.start):
                        out.append(
                            {
                                "kind": kind,
                                "name": it.name,
                                "event": label,
                                "date": d,
                                "days_since": self.days_since(d),
                            }
                        )
        for obs in self.labs.values():
            if obs.date is not None:
                out.append(
                    {
                        "kind": "lab",
                        "name": obs.name,
                        "event": "measured",
                        "date": obs.date,
                        "days_since": self.days_since(obs.date),
                    }
                )
        return sorted(out, key=lambda e: e["days_since"])

    def lab(self, key: str) -> LabObs | None:
        return self.labs.get(key)

    def lab_in(self, key: str, unit: str | None) -> tuple[float, str] | None:
        """The lab converted to ``unit`` and how; None when missing or not convertible."""
        obs = self.labs.get(key)
        if obs is None:
            return None
        if unit is None or obs.unit is None:
            how = (
                obs.how
                if obs.unit is not None or unit is None
                else f"{obs.how}; unit not given, read as {unit}"
            )
            return obs.value, how
        v = T.convert(obs.value, obs.unit, unit, key)
        if v is None:
            return None
        if T.norm_unit(obs.unit) == T.norm_unit(unit):
            return v, obs.how
        return v, f"{obs.value:g} {obs.unit} = {v:.4g} {unit}"

    # ------------------------------------------------------------ scalars
    def _build_scalars(self) -> None:
        p = self.patient
        if p.age is not None:
            self._set("age", float(p.age))
        elif p.birth_date is not None:
            self._set("age", float(age_at(p.birth_date, self.as_of)), f"from birth date {p.birth_date}")
        if p.sex is not None and p.sex != "unknown":
            self._set("sex", p.sex)
        for var in ("pregnant", "breastfeeding", "childbearing_potential", "life_expectancy_months"):
            self._set(var, getattr(p, var))
        if p.sex == "male":
            for var in ("pregnant", "breastfeeding"):
                if var not in self.scalars:
                    self._set(var, False, "male patient")
        ps = p.performance_status
        if ps is not None:
            if ps.ecog is not None:
                self._set("ecog", int(ps.ecog))
            if ps.karnofsky is not None:
                self._set("karnofsky", float(ps.karnofsky))
            if ps.ecog is None and ps.karnofsky is not None:
                self._set("ecog", ecog_from_karnofsky(ps.karnofsky), f"from Karnofsky {ps.karnofsky:g}")
            if ps.karnofsky is None and ps.ecog is not None:
                self._set("karnofsky", karnofsky_from_ecog(ps.ecog), f"range for ECOG {ps.ecog}")
        v = p.vitals
        if v is not None:
            for name in (
                "systolic_bp",
                "diastolic_bp",
                "heart_rate",
                "qtc_ms",
                "lvef_percent",
                "weight_kg",
                "height_cm",
            ):
                val = getattr(v, name)
                if val is not None:
                    self._set(f"vital.{name}", float(val))
            if v.weight_kg is not None:
                self._set("weight_kg", float(v.weight_kg))
            if v.height_cm is not None:
                self._set("height_cm", float(v.height_cm))
            if v.weight_kg and v.height_cm:
                self._set(
                    "bmi",
                    round(bmi(v.weight_kg, v.height_cm), 2),
                    f"BMI from {v.weight_kg:g} kg, {v.height_cm:g} cm",
                )
                self._set(
                    "bsa",
                    round(bsa_mosteller(v.weight_kg, v.height_cm), 3),
                    f"BSA (Mosteller) from {v.weight_kg:g} kg, {v.height_cm:g} cm",
                )
        c = p.cancer
        if c is None:
            return
        for name in ("ki67_percent", "ne_component_percent", "mitoses_per_2mm2"):
            val = getattr(c, name)
            if val is not None:
                self._set(f"cancer.{name}", float(val))
        for name in ("differentiation", "functional_syndrome", "primary_site", "confirmed_by", "name"):
            val = getattr(c, name)
            if val:
                self._set(f"cancer.{name}", str(val).lower())
        for name in ("metastatic", "measurable_disease", "resectable", "resected", "residual_disease"):
            val = getattr(c, name)
            if val is not None:
                self._set(f"cancer.{name}", bool(val))
        if c.grade:
            self._set("cancer.grade", c.grade.upper().replace("GRADE", "G").replace(" ", ""))
        else:
            g = who_grade(c.ki67_percent, c.mitoses_per_2mm2)
            if g:
                src = (
                    f"Ki-67 {c.ki67_percent:g}%"
                    if c.ki67_percent is not None
                    else f"{c.mitoses_per_2mm2:g} mitoses"
                )
                self._set("cancer.grade", g, f"WHO grade from {src}")
        if c.stage is not None:
            for name in ("group", "t", "n", "m", "system"):
                val = getattr(c.stage, name)
                if val:
                    text = str(val).upper().replace("STAGE", "").strip()
                    if name == "group" and text[:1] in _ARABIC_STAGE:  # "3B" -> "IIIB"
                        text = _ARABIC_STAGE[text[0]] + text[1:]
                    self._set(f"cancer.stage_{name}", text)
        if c.metastatic is None:
            if c.metastasis_sites:
                self._set(
                    "cancer.metastatic", True, f"metastasis sites listed: {', '.join(c.metastasis_sites)}"
                )
            elif c.stage is not None and c.stage.m and c.stage.m.upper().startswith("M1"):
                self._set("cancer.metastatic", True, f"stage {c.stage.m}")
            elif c.stage is not None and c.stage.group and c.stage.group.upper().strip() == "IV":
                self._set("cancer.metastatic", True, "stage IV")
            elif c.stage is not None and c.stage.m and c.stage.m.upper().startswith("M0"):
                self._set("cancer.metastatic", False, f"stage {c.stage.m}")
            elif c.metastasis_sites is not None:
                self._set("cancer.metastatic", False, "no metastasis sites listed")
        if c.progression_dates:
            last = max(c.progression_dates)
            self._set("cancer.last_progression_date", last)
            days = self.days_since(last)
            self._set("cancer.days_since_progression", days, f"since progression on {last}")
            self._set(
                "cancer.months_since_progression", round(days / 30.4375, 1), f"since progression on {last}"
            )
            self._set("cancer.progressive", True, f"progression on {last}")
        if c.diagnosis_date:
            self._set(
                "cancer.days_since_diagnosis", self.days_since(c.diagnosis_date), f"since {c.diagnosis_date}"
            )
        scores = [i.krenning_score for i in (p.imaging or []) if i.krenning_score is not None]
        if scores:
            latest = max(
                (i for i in p.imaging or [] if i.krenning_score is not None),
                key=lambda i: i.date or dt.date.min,
            )
            self._set(
                "cancer.krenning_score", int(latest.krenning_score or 0), f"{latest.modality or 'imaging'}"
            )

    # ------------------------------------------------------------ labs
    def _build_labs(self) -> None:
        labs: list[Lab] = list(self.patient.labs or [])
        for lab in labs:
            key = T.lab_key_for(lab.name, lab.loinc)
            if key is None:
                continue
            old = self.labs.get(key)
            if old is not None and old.date and lab.date and old.date > lab.date:
                continue
            self.labs[key] = LabObs(
                key=key,
                name=lab.name or key,
                value=float(lab.value),
                unit=lab.unit,
                uln=lab.uln,
                lln=lab.lln,
                date=lab.date,
            )

    def _build_derived(self) -> None:
        age = self.scalars.get("age")
        sex = self.patient.sex
        weight = self.scalars.get("weight_kg")
        crkey = T.lab_key_for("creatinine") or "creatinine"
        scr = self.lab_in(crkey, "mg/dL")
        if scr is None or age is None or sex not in ("female", "male") or scr[0] <= 0:
            pass
        else:
            female = sex == "female"
            if weight is not None:
                key = T.lab_key_for("creatinine clearance") or "crcl"
                if key not in self.labs:
                    v = cockcroft_gault(age.value, weight.value, female, scr[0])
                    self.labs[key] = LabObs(
                        key,
                        "creatinine clearance (Cockcroft-Gault)",
                        round(v, 1),
                        "mL/min",
                        how=(
                            f"Cockcroft-Gault: ((140 - {age.value:g}) x {weight.value:g} kg)"
                            + f" / (72 x {scr[0]:.3g} mg/dL)"
                            + (" x 0.85 (female)" if female else "")
                            + f" = {v:.1f} mL/min"
                        ),
                    )
            key = T.lab_key_for("egfr") or "egfr"
            if key not in self.labs:
                v = ckd_epi_2021(age.value, female, scr[0])
                self.labs[key] = LabObs(
                    key,
                    "eGFR (CKD-EPI 2021)",
                    round(v, 1),
                    "mL/min/{1.73_m2}",
                    how=f"CKD-EPI 2021: creatinine {scr[0]:.3g} mg/dL, age {age.value:g}, {sex} = {v:.1f}",
                )
        for k, obs in self.labs.items():
            self.scalars.setdefault(f"lab.{k}", Fact(obs.value, obs.how))
            if obs.how != "given":
                self.derivations.append(f"{obs.name}: {obs.how}")

    # ------------------------------------------------------------ items
