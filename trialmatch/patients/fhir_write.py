"""Patient (profile v1) -> FHIR R4 / mCODE collection Bundle.

Standard resources and codes where they exist (Patient, mCODE primary / secondary cancer
Condition, LOINC Observations for labs, ECOG, Karnofsky, vitals and stage, MedicationStatement,
Procedure, AllergyIntolerance); profile facts without a standard home travel as TrialMatch
extensions (``TM_EXT`` + field name) or Observations in the TrialMatch code system. A ``List``
per profile list says the list is complete (``emptyReason`` nilknown when it is empty), so
"no known conditions" survives the round trip. ``bundle_to_patient`` reads all of it back.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from trialmatch.patients.fhir import LIST_FIELDS, LOINC, TM_CODES, TM_EXT
from trialmatch.patients.fhir_util import CANCER_EXT_FIELDS
from trialmatch.patients.model import Patient
from trialmatch.patients.terms import lab_key_for

__all__ = ["patient_to_fhir"]

MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition/"
_LAB_LOINC = {
    "anc": "751-8",
    "wbc": "6690-2",
    "platelets": "777-3",
    "hemoglobin": "718-7",
    "bilirubin": "1975-2",
    "alt": "1742-6",
    "ast": "1920-8",
    "alp": "6768-6",
    "ldh": "2532-0",
    "albumin": "1751-7",
    "creatinine": "2160-0",
    "crcl": "2164-2",
    "egfr": "98979-8",
    "inr": "6301-6",
    "hba1c": "4548-4",
}


def _ext(name: str, value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"url": TM_EXT + name, "valueBoolean": value}
    if isinstance(value, int):
        return {"url": TM_EXT + name, "valueInteger": value}
    if isinstance(value, float):
        return {"url": TM_EXT + name, "valueDecimal": value}
    if isinstance(value, dt.date):
        return {"url": TM_EXT + name, "valueDate": value.isoformat()}
    return {"url": TM_EXT + name, "valueString": str(value)}


def _exts(obj: Any, names: tuple[str, ...]) -> list[dict[str, Any]]:
    out = []
    for n in names:
        v = getattr(obj, n, None)
        if v is not None:
            out.append(_ext(n, v))
    return out


def _cc(text: str, system: str | None = None, code: str | None = None) -> dict[str, Any]:
    cc: dict[str, Any] = {"text": text}
    if code:
        cc["coding"] = [{"system": system, "code": code, "display": text}]
    return cc


class _Writer:
    def __init__(self, patient: Patient) -> None:
        self.p = patient
        self.pid = patient.id or "patient"
        self.entries: list[dict[str, Any]] = []
        self.by_list: dict[str, list[str]] = {}

    def add(self, res: dict[str, Any], list_name: str | None = None) -> str:
        rid = res.get("id") or str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.pid}/{len(self.entries)}"))
        res["id"] = rid
        if res["resourceType"] not in ("Patient", "AllergyIntolerance"):
            res.setdefault("subject", {"reference": f"Patient/{self.pid}"})
        self.entries.append({"fullUrl": f"urn:uuid:{rid}", "resource": res})
        if list_name:
            self.by_list.setdefault(list_name, []).append(f"{res['resourceType']}/{rid}")
        return str(rid)

    def obs(
        self, code: dict[str, Any], value: dict[str, Any], when: dt.date | None = None, **extra: Any
    ) -> dict[str, Any]:
        r: dict[str, Any] = {"resourceType": "Observation", "status": "final", "code": code, **value, **extra}
        if when:
            r["effectiveDateTime"] = when.isoformat()
        return r


def patient_to_fhir(patient: Patient) -> dict[str, Any]:
    """A FHIR R4 collection Bundle carrying every fact of the profile."""
    p = patient
    w = _Writer(p)
    pr: dict[str, Any] = {"resourceType": "Patient", "id": w.pid}
    if p.birth_date:
        pr["birthDate"] = p.birth_date.isoformat()
    if p.sex:
        pr["gender"] = p.sex
    if p.location is not None:
        addr = {
            k2: getattr(p.location, k1)
            for k1, k2 in (
                ("city", "city"),
                ("state", "state"),
                ("country", "country"),
                ("postal_code", "postalCode"),
            )
            if getattr(p.location, k1)
        }
        if addr:
            pr["address"] = [addr]
    exts = _exts(
        p,
        (
            "pregnant",
            "breastfeeding",
            "childbearing_potential",
            "life_expectancy_months",
            "recent_trial_participation_end_date",
            "as_of",
        ),
    )
    if p.age is not None and p.birth_date is None:
        exts.append(_ext("age", float(p.age)))
    if exts:
        pr["extension"] = exts
    w.add(pr)
    c = p.cancer
    if c is not None:
        cond: dict[str, Any] = {
            "resourceType": "Condition",
            "meta": {"profile": [MCODE + "mcode-primary-cancer-condition"]},
            "clinicalStatus": {
                "coding": [
                    {"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}
                ]
            },
            "code": _cc(c.name or "cancer"),
        }
        ext = _exts(c, CANCER_EXT_FIELDS)
        if c.icd_o3_morphology:
            ext.append(
                {
                    "url": MCODE + "mcode-histology-morphology-behavior",
                    "valueCodeableConcept": {
                        "coding": [
                            {"system": "urn:oid:2.16.840.1.113883.6.43.1", "code": c.icd_o3_morphology}
                        ]
                    },
                }
            )
        for d in c.progression_dates or []:
            ext.append(_ext("progression_date", d))
        if c.stage is not None and c.stage.system:
            ext.append(_ext("stage_system", c.stage.system))
        if ext:
            cond["extension"] = ext
        if c.primary_site:
            cond["bodySite"] = [_cc(c.primary_site)]
        if c.diagnosis_date:
            cond["onsetDateTime"] = c.diagnosis_date.isoformat()
        if c.stage is not None and c.stage.group:
            cond["stage"] = [{"summary": _cc(f"Stage {c.stage.group}")}]
        w.add(cond)
        if c.stage is not None:
            for part, code in (("t", "21905-5"), ("n", "21906-3"), ("m", "21907-1")):
                v = getattr(c.stage, part)
                if v:
                    w.add(
                        w.obs(
                            _cc(f"clinical {part.upper()} category", LOINC, code),
                            {"valueCodeableConcept": _cc(v)},
                        )
                    )
        for s in c.metastasis_sites or []:
            w.add(
                {
                    "resourceType": "Condition",
                    "meta": {"profile": [MCODE + "mcode-secondary-cancer-condition"]},
                    "code": _cc(f"secondary malignant neoplasm of {s}"),
                    "bodySite": [_cc(s)],
                }
            )
    for oc in p.other_cancers or []:
        r: dict[str, Any] = {
            "resourceType": "Condition",
            "code": _cc(oc.name),
            "extension": [_ext("other_cancer", True), *_exts(oc, ("status", "on_treatment"))],
        }
        if oc.end_date:
            r["abatementDateTime"] = oc.end_date.isoformat()
        w.add(r, "other_cancers")
    for cd in p.conditions or []:
        r = {"resourceType": "Condition", "code": _cc(cd.name)}
        ext = _exts(cd, ("status", "controlled", "nyha_class", "stable"))
        if ext:
            r["extension"] = ext
        if cd.onset_date:
            r["onsetDateTime"] = cd.onset_date.isoformat()
        if cd.severity:
            r["severity"] = _cc(cd.severity)
        w.add(r, "conditions")
    for pc in p.procedures or []:
        r = {"resourceType": "Procedure", "status": "completed", "code": _cc(pc.name)}
        ext = _exts(pc, ("kind", "major"))
        if ext:
            r["extension"] = ext
        if pc.date:
            r["performedDateTime"] = pc.date.isoformat()
        if pc.site:
            r["bodySite"] = [_cc(pc.site)]
        w.add(r, "procedures")
    for name, rows, prof in (("treatments", p.treatments, True), ("medications", p.medications, False)):
        for t in rows or []:
            ongoing = getattr(t, "ongoing", None)
            r = {
                "resourceType": "MedicationStatement",
                "status": "active" if ongoing else "completed" if ongoing is False else "unknown",
                "medicationCodeableConcept": _cc(t.name),
            }
            if prof:
                r["meta"] = {"profile": [MCODE + "mcode-cancer-related-medication-statement"]}
                ext = _exts(t, ("kind", "line", "outcome"))
                if ext:
                    r["extension"] = ext
            period = {k: v.isoformat() for k, v in (("start", t.start_date), ("end", t.end_date)) if v}
            if period:
                r["effectivePeriod"] = period
            w.add(r, name)
    for a in p.allergies or []:
        w.add(
            {
                "resourceType": "AllergyIntolerance",
                "code": _cc(a),
                "patient": {"reference": f"Patient/{w.pid}"},
            },
            "allergies",
        )
    ps = p.performance_status
    if ps is not None and ps.ecog is not None:
        w.add(w.obs(_cc("ECOG performance status", LOINC, "89247-1"), {"valueInteger": int(ps.ecog)}))
    if ps is not None and ps.karnofsky is not None:
        w.add(
            w.obs(_cc("Karnofsky performance status", LOINC, "89243-0"), {"valueInteger": int(ps.karnofsky)})
        )
    v = p.vitals
    if v is not None:
        for field, code, unit in (
            ("weight_kg", "29463-7", "kg"),
            ("height_cm", "8302-2", "cm"),
            ("heart_rate", "8867-4", "/min"),
        ):
            val = getattr(v, field)
            if val is not None:
                w.add(
                    w.obs(
                        _cc(field, LOINC, code), {"valueQuantity": {"value": val, "unit": unit, "code": unit}}
                    )
                )
        comps = [
            {"code": _cc(n, LOINC, code), "valueQuantity": {"value": getattr(v, n), "unit": "mm[Hg]"}}
            for n, code in (("systolic_bp", "8480-6"), ("diastolic_bp", "8462-4"))
            if getattr(v, n) is not None
        ]
        if comps:
            w.add(w.obs(_cc("blood pressure panel", LOINC, "85354-9"), {}, component=comps))
    for lab in p.labs or []:
        loinc = lab.loinc or _LAB_LOINC.get(lab_key_for(lab.name, None) or "")
        q: dict[str, Any] = {"value": lab.value}
        if lab.unit:
            q.update(unit=lab.unit, code=lab.unit, system="http://unitsofmeasure.org")
        extra: dict[str, Any] = {"category": [{"coding": [{"code": "laboratory"}]}]}
        rr = {k: {"value": x} for k, x in (("low", lab.lln), ("high", lab.uln)) if x is not None}
        if rr:
            extra["referenceRange"] = [rr]
        w.add(
            w.obs(
                _cc(lab.name or loinc or "lab", LOINC if loinc else None, loinc),
                {"valueQuantity": q},
                lab.date,
                **extra,
            )
        )
    for im in p.imaging or []:
        ext = _exts(im, ("modality", "krenning_score"))
        value: dict[str, Any] = {"valueString": im.finding} if im.finding else {}
        w.add(w.obs(_cc("imaging finding", TM_CODES, "imaging"), value, im.date, extension=ext), "imaging")
    for b in p.biomarkers or []:
        bvalue: dict[str, Any] = {"valueCodeableConcept": _cc(b.result)} if b.result else {}
        if b.value is not None:  # a number beside (or instead of) the result: a component of the same code
            qty: dict[str, Any] = {"value": b.value}
            if b.unit:
                qty["unit"] = b.unit
            bvalue["component"] = [{"code": _cc(b.name), "valueQuantity": qty}]
        ext = _exts(b, ("origin",))
        w.add(
            w.obs(
                _cc(b.name),
                bvalue,
                None,
                meta={"profile": [MCODE + "mcode-genomic-variant"]},
                category=[{"coding": [{"code": "laboratory"}]}],
                **({"extension": ext} if ext else {}),
            ),
            "biomarkers",
        )
    for name in LIST_FIELDS:
        if getattr(p, name) is None:
            continue
        lst: dict[str, Any] = {"resourceType": "List", "status": "current", "mode": "snapshot", "title": name}
        refs = w.by_list.get(name, [])
        if refs:
            lst["entry"] = [{"item": {"reference": r}} for r in refs]
        else:
            lst["emptyReason"] = {
                "coding": [
                    {"system": "http://terminology.hl7.org/CodeSystem/list-empty-reason", "code": "nilknown"}
                ]
            }
        w.add(lst)
    return {"resourceType": "Bundle", "type": "collection", "entry": w.entries}
