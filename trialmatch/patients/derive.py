"""Facts derived from a patient at a date, each with how it was derived. Pure: (patient, as_of).

``PatientFacts.build(patient, as_of)`` reads the profile once and prepares everything the
evaluator asks for: scalar variables (``age``, ``ecog``, ``cancer.grade`` ...), labs by key with
unit conversion on demand, derived clearances (Cockcroft-Gault, CKD-EPI 2021), BMI / BSA, lines
of prior systemic therapy, and the patient's listed items (conditions, treatments ...) with the
concepts they name, so that ``Has`` tests are set lookups.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from trialmatch.patients import terms as T
from trialmatch.patients.model import Lab, Patient

__all__ = [
    "ITEM_KINDS",
    "Fact",
    "Item",
    "LabObs",
    "PatientFacts",
    "age_at",
    "bmi",
    "bsa_mosteller",
    "ckd_epi_2021",
    "cockcroft_gault",
    "ecog_from_karnofsky",
    "karnofsky_from_ecog",
    "who_grade",
]

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


@dataclass(slots=True)
class Item:
    """One thing the patient has or had (a condition, a treatment, an allergy ...)."""

    kind: str
    name: str
    text: str
    concepts: frozenset[str]
    active: bool | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    ongoing: bool | None = None
    negative: bool = False  # a negative finding (biomarker "no pathogenic variant")
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def last_date(self) -> dt.date | None:
        return self.end or self.start


_PROGRESSION_TEXT = "progressive disease progression radiological progression"
_PROGRESSION = frozenset({"progression", "disease_progression", "progressive_disease"})

#: item kind -> the profile list it comes from
_LIST_OF = {
    "condition": "conditions",
    "other_cancer": "other_cancers",
    "procedure": "procedures",
    "treatment": "treatments",
    "medication": "medications",
    "allergy": "allergies",
    "biomarker": "biomarkers",
    "imaging": "imaging",
}

# ---------------------------------------------------------------- formulas (pure)


def age_at(birth: dt.date, as_of: dt.date) -> int:
    return as_of.year - birth.year - ((as_of.month, as_of.day) < (birth.month, birth.day))


def cockcroft_gault(age: float, weight_kg: float, female: bool, scr_mg_dl: float) -> float:
    """Creatinine clearance (mL/min): ((140 - age) x weight) / (72 x Scr), x 0.85 if female."""
    crcl = ((140.0 - age) * weight_kg) / (72.0 * scr_mg_dl)
    return crcl * 0.85 if female else crcl


def ckd_epi_2021(age: float, female: bool, scr_mg_dl: float) -> float:
    """eGFR (mL/min/1.73 m2), CKD-EPI 2021 race-free equation."""
    kappa, alpha = (0.7, -0.241) if female else (0.9, -0.302)
    r = scr_mg_dl / kappa
    e = 142.0 * min(r, 1.0) ** alpha * max(r, 1.0) ** -1.200 * 0.9938**age
    return e * 1.012 if female else e


def bmi(weight_kg: float, height_cm: float) -> float:
    return weight_kg / (height_cm / 100.0) ** 2


def bsa_mosteller(weight_kg: float, height_cm: float) -> float:
    return math.sqrt(weight_kg * height_cm / 3600.0)


def who_grade(ki67: float | None, mitoses: float | None) -> str | None:
    """WHO grade of a well-differentiated NET: Ki-67 <3 G1, 3-20 G2, >20 G3 (or mitoses <2, 2-20, >20);
    the higher of the two when both are given."""
    grades = []
    if ki67 is not None:
        grades.append(1 if ki67 < 3 else 2 if ki67 <= 20 else 3)
    if mitoses is not None:
        grades.append(1 if mitoses < 2 else 2 if mitoses <= 20 else 3)
    return f"G{max(grades)}" if grades else None


def ecog_from_karnofsky(kps: float) -> int:
    if kps >= 100:
        return 0
    if kps >= 80:
        return 1
    if kps >= 60:
        return 2
    if kps >= 40:
        return 3
    if kps > 0:
        return 4
    return 5


def karnofsky_from_ecog(ecog: int) -> tuple[float, float]:
    """The Karnofsky range an ECOG grade corresponds to."""
    return {
        0: (90.0, 100.0),
        1: (80.0, 90.0),
        2: (60.0, 70.0),
        3: (40.0, 50.0),
        4: (10.0, 30.0),
        5: (0.0, 0.0),
    }.get(int(ecog), (0.0, 100.0))


# ---------------------------------------------------------------- the facts


def _concepts(*texts: str | None) -> frozenset[str]:
    out: frozenset[str] = frozenset()
    for t in texts:
        if t:
            out = out | T.concepts_of(t)
    return out


def _join(*parts: Any) -> str:
    return " ".join(str(p) for p in parts if p not in (None, "", [], ()))


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
        f._build_items()
        f._build_derived()
        f._build_absent()
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
                    self._set(f"cancer.stage_{name}", str(val).upper().replace("STAGE", "").strip())
        if c.metastatic is None:
            if c.metastasis_sites:
                self._set(
                    "cancer.metastatic", True, f"metastasis sites listed: {', '.join(c.metastasis_sites)}"
                )
            elif c.stage is not None and c.stage.m and c.stage.m.upper().startswith("M1"):
                self._set("cancer.metastatic", True, f"stage {c.stage.m}")
            elif c.stage is not None and c.stage.group and c.stage.group.upper().strip() == "IV":
                self._set("cancer.metastatic", True, "stage IV")
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

    # ------------------------------------------------------------ items
    def _add(self, item: Item) -> None:
        self.items[item.kind].append(item)

    def _build_items(self) -> None:
        p, as_of = self.patient, self.as_of
        c = p.cancer
        if c is not None and (c.name or c.icd_o3_morphology):
            self.known["diagnosis"] = True
            diff = c.differentiation or ""
            name = c.name or ""
            grade = self.scalars.get("cancer.grade")
            extra = [name, c.icd_o3_morphology]
            if diff:
                extra.append(f"{diff} differentiated {name}")
            if grade is not None:
                extra.append(f"{name} {grade.value}")
                if diff:
                    extra.append(f"{diff} differentiated {name} {grade.value}")
            if c.functional_syndrome:
                extra.append(c.functional_syndrome)
            text = _join(*extra)
            cs = _concepts(*extra)
            gd = T.terms().get("grade_diagnosis") or {}
            fam = gd.get("family", "")
            if grade is not None and gd.get(grade.value) and any(T.concept_matches((x,), "", fam) for x in cs):  # noqa: E501
                cs = cs | _concepts(gd[grade.value])
            self._add(Item("diagnosis", name, text, cs, active=True, start=c.diagnosis_date))
            if "cancer.differentiation" not in self.scalars:
                for concept, diff_word in (T.terms().get("differentiation_from_concept") or {}).items():
                    if any(T.concept_matches((x,), "", concept) for x in cs):
                        self._set("cancer.differentiation", diff_word, f"implied by the diagnosis ({name})")
                        break
        if c is not None and (c.primary_site or c.icd_o3_topography):
            self.known["site"] = True
            text = _join(c.primary_site, c.icd_o3_topography)
            self._add(
                Item("site", c.primary_site or "", text, _concepts(c.primary_site, c.icd_o3_topography), True)
            )
        if c is not None:
            if c.metastasis_sites is not None or c.metastatic is False:
                self.known["metastasis"] = True
            for s in c.metastasis_sites or []:
                t = f"{s} metastases"
                self._add(Item("metastasis", s, t, _concepts(t, f"metastases to {s}"), active=True))
        if c is not None and c.progression_dates is not None:
            self.known["progression"] = True
            for d in c.progression_dates:
                self._add(
                    Item("progression", "disease progression", _PROGRESSION_TEXT, _PROGRESSION, True, d, d)
                )
        self._list_items(p.conditions, "condition")
        self._list_items(p.other_cancers, "other_cancer")
        self._list_items(p.procedures, "procedure")
        self._list_items(p.treatments, "treatment")
        self._list_items(p.medications, "medication")
        partial = (p.model_extra or {}).get("partial_lists") or ()
        if p.allergies is not None:
            self.known["allergy"] = "allergies" not in partial
            for a in p.allergies:
                t = f"allergy to {a}"
                self._add(Item("allergy", a, _join(a, "allergy"), _concepts(a, t), active=True))
        if p.biomarkers is not None:
            self.known["biomarker"] = "biomarkers" not in partial
            for b in p.biomarkers:
                neg = T.is_negative_result(b.result)
                text = _join(b.name, b.result, b.origin)
                self._add(
                    Item(
                        "biomarker",
                        b.name,
                        text,
                        _concepts(b.name, text),
                        active=not neg,
                        negative=neg,
                        attrs={"origin": b.origin, "result": b.result, "value": b.value},
                    )
                )
        if p.imaging is not None:
            self.known["imaging"] = "imaging" not in partial
            kr = T.terms().get("krenning") or {}
            for im in p.imaging:
                text = _join(im.modality, im.finding)
                cs = _concepts(im.modality, im.finding, text)
                if im.krenning_score is not None and kr.get("concept"):
                    sstr = str(kr["concept"])
                    if im.krenning_score >= int(kr.get("positive_min", 2)):
                        cs = cs | {sstr}
                    else:
                        cs = frozenset(c for c in cs if not T.concept_matches((c,), "", sstr))
                self._add(
                    Item(
                        "imaging",
                        im.modality or "imaging",
                        text,
                        cs,
                        active=True,
                        start=im.date,
                        end=im.date,
                        attrs={"krenning_score": im.krenning_score},
                    )
                )
        if p.recent_trial_participation_end_date is not None:
            self.known["trial_participation"] = True
            d = p.recent_trial_participation_end_date
            self._add(
                Item(
                    "trial_participation",
                    "clinical trial",
                    "clinical trial participation",
                    frozenset(),
                    d >= as_of,
                    d,
                    d,
                )
            )
        # the systemic-therapy summary
        if p.treatments is not None:
            prior = [t for t in p.treatments if t.start_date is None or t.start_date <= as_of]
            systemic = [
                t for t in prior if t.kind is None or T.is_systemic_kind(t.kind) or t.line is not None
            ]
            lines = {t.line for t in systemic if t.line is not None}
            n = max(len(lines), len([t for t in systemic if t.line is None]) + len(lines))
            self._set(
                "prior_lines",
                n,
                "given"
                if not systemic
                else "counted: " + "; ".join(f"{t.name} ({t.outcome or 'outcome ?'})" for t in systemic),
            )
            prog = [
                t
                for t in systemic
                if (t.outcome or "").lower() in ("progression", "intolerance", "refractory")
            ]
            self._set("prior_lines_failed", len(prog), "treatments ending in progression or intolerance")

    def _build_absent(self) -> None:
        for fact in self.patient.facts or []:
            if fact.status != "absent":
                continue
            as_written = fact.value.get("as_written") if isinstance(fact.value, dict) else None
            text = str(as_written or fact.name)
            cs = _concepts(fact.name, as_written) | (
                {fact.name} if "." in fact.name or "_" in fact.name else set()
            )
            self.absent.append(Item(fact.kind, fact.name, text, frozenset(cs), active=False, negative=True))

    def _list_items(self, rows: list[Any] | None, kind: str) -> None:
        if rows is None:
            return
        partial = (self.patient.model_extra or {}).get("partial_lists") or ()
        if self.patient.source_format == "note":  # a note lists what it mentions, not everything
            partial = tuple(_LIST_OF.values())
        self.known[kind] = _LIST_OF.get(kind) not in partial
        for r in rows:
            d = r.model_dump(exclude_none=True)
            name = str(d.get("name", ""))
            status = d.get("status")
            start = d.get("start_date") or d.get("onset_date") or d.get("date")
            end = d.get("end_date")
            ongoing = d.get("ongoing")
            if kind == "procedure":
                end = d.get("date")
            kind_word = d.get("kind")
            active: bool | None
            if kind in ("treatment", "medication"):
                if ongoing is True:
                    active = True
                elif ongoing is False or (end is not None and end < self.as_of):
                    active = False
                else:
                    active = (
                        None if end is None and kind == "treatment" else (end is None or end >= self.as_of)
                    )
            elif kind == "procedure":
                active = False
            elif kind == "other_cancer":
                st = (status or "").lower()
                active = bool(d.get("on_treatment")) or st in (
                    "active",
                    "progressing",
                    "progression",
                    "on treatment",
                )
                if not active and not st and d.get("on_treatment") is None and end is None:
                    active = None
            else:
                active = not T.is_inactive_status(status) if status else True
                if d.get("stable") is True and status:
                    active = False
            text = _join(name, kind_word, d.get("site"))
            extra_concepts: frozenset[str] = frozenset()
            if kind == "procedure" and d.get("major") is True:
                extra_concepts = _concepts(f"major {kind_word or 'surgery'}")
                text = _join(text, "major")
            attrs = {k: v for k, v in d.items() if k not in ("name",)}
            self._add(
                Item(
                    kind,
                    name,
                    text,
                    _concepts(name, kind_word, _join(name, kind_word)) | extra_concepts,
                    active=active,
                    start=start,
                    end=end,
                    ongoing=ongoing,
                    attrs=attrs,
                )
            )
