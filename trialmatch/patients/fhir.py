"""FHIR R4 / mCODE bundle -> Patient (profile v1), resource by resource, never all-or-nothing.

Each resource is first validated with the ``fhir.resources.R4B`` models; whatever the outcome,
the facts the matcher needs are then read leniently from the raw JSON, so one malformed
Observation costs a warning, not the bundle. Every skipped or repaired resource is reported in
``Patient.warnings`` with its id and the reason.

What is read: Patient (birthDate, gender, address), Condition (primary cancer with histology /
morphology, stage, body site; secondary cancer = metastasis sites; other conditions), Observation
(labs by LOINC with reference range; ECOG 89247-1, Karnofsky 89243-0; Ki-67; stage group and TNM;
vitals: weight, height, blood pressure; genetic variants and receptor status as biomarkers),
MedicationStatement / MedicationRequest / MedicationAdministration, Procedure, AllergyIntolerance,
and ``List`` resources marking a list as complete (``emptyReason`` nilknown = known empty).
Facts without a standard home use the TrialMatch extension / code system (see ``fhir_write``).
"""

from __future__ import annotations

import re
from typing import Any

from trialmatch.patients import terms as T
from trialmatch.patients.fhir_obs import ObservationReader
from trialmatch.patients.fhir_util import (
    CANCER_EXT_FIELDS,
    LIST_FIELDS,
    LOINC,
    TM_CODES,
    TM_EXT,
    _codes,
    _date,
    _ext,
    _profiles,
    _stage_group,
    _text,
)
from trialmatch.patients.model import Patient

__all__ = ["LIST_FIELDS", "LOINC", "TM_CODES", "TM_EXT", "bundle_to_patient"]


class _Reader(ObservationReader):
    """Patient, Condition, Medication*, Procedure, AllergyIntolerance and List resources."""

    # -------------------------------------------------------------- resources
    def patient(self, r: dict[str, Any]) -> None:
        if r.get("id"):
            self.p.setdefault("id", str(r["id"]))
        b = _date(r.get("birthDate"))
        if b:
            self.p["birth_date"] = b
        elif r.get("birthDate"):
            self.warn(r, f"birthDate {r.get('birthDate')!r} not a date; skipped")
        g = str(r.get("gender") or "").lower()
        if g in ("female", "male", "other", "unknown"):
            self.p["sex"] = g
        addr = (r.get("address") or [None])[0]
        if isinstance(addr, dict):
            self.p["location"] = {
                k2: addr.get(k1)
                for k1, k2 in (
                    ("city", "city"),
                    ("state", "state"),
                    ("country", "country"),
                    ("postalCode", "postal_code"),
                )
                if addr.get(k1)
            }
        for key in (
            "pregnant",
            "breastfeeding",
            "childbearing_potential",
            "life_expectancy_months",
            "age",
            "recent_trial_participation_end_date",
            "as_of",
        ):
            v = _ext(r, key)
            if v is not None:
                self.p[key] = v

    def condition(self, r: dict[str, Any]) -> None:
        prof = _profiles(r)
        name = _text(r.get("code"))
        status = _codes(r.get("clinicalStatus"))
        onset = _date(r.get("onsetDateTime")) or _date((r.get("onsetPeriod") or {}).get("start"))
        site = _text(r.get("bodySite"))
        if "primary-cancer-condition" in prof or (_ext(r, "primary_cancer") is True):
            c = self.cancer
            c["name"] = name or c.get("name")
            if onset:
                c["diagnosis_date"] = onset
            if site:
                c["primary_site"] = site
            for e in r.get("extension") or []:
                if isinstance(e, dict) and "histology-morphology-behavior" in str(e.get("url")):
                    cc = e.get("valueCodeableConcept")
                    codes = _codes(cc)
                    if codes and re.match(r"^\d{4}/\d$", codes[0]):
                        c["icd_o3_morphology"] = codes[0]
                    morph = _text(cc)
                    if morph and not c.get("name"):
                        c["name"] = morph
            for st in r.get("stage") or []:
                g = _stage_group(_text((st or {}).get("summary")) or "")
                if g:
                    c.setdefault("stage", {})["group"] = g
            for key in (*CANCER_EXT_FIELDS, "stage_system"):
                v = _ext(r, key)
                if v is not None:
                    if key == "stage_system":
                        c.setdefault("stage", {})["system"] = v
                    else:
                        c[key] = v
            for e in r.get("extension") or []:
                if isinstance(e, dict) and str(e.get("url")) == TM_EXT + "progression_date":
                    d = _date(e.get("valueDate") or e.get("valueDateTime"))
                    if d:
                        c.setdefault("progression_dates", []).append(d)
            return
        if "secondary-cancer-condition" in prof:
            if site and site.isdigit():
                site = f"body site (SNOMED {site})"
            where = site or name or "unspecified site"
            where = re.sub(
                r"(?i)^(secondary|metastatic) (malignant )?(neoplasm|cancer|tumou?r) (of|in|to) ", "", where
            )
            if where not in self.cancer.setdefault("metastasis_sites", []):
                self.cancer["metastasis_sites"].append(where)
            self.cancer["metastatic"] = True
            return
        if not name:
            self.warn(r, "condition without code; skipped")
            return
        if _ext(r, "other_cancer") is True:
            oc: dict[str, Any] = {"name": name}
            for key in ("status", "on_treatment"):
                v = _ext(r, key)
                if v is not None:
                    oc[key] = v
            abate = _date(r.get("abatementDateTime"))
            if abate:
                oc["end_date"] = abate
            self.add("other_cancers", oc)
            return
        cond: dict[str, Any] = {"name": name}
        if onset:
            cond["onset_date"] = onset
        st = _ext(r, "status") or (status[0] if status else None)
        if st:
            cond["status"] = st
        sev = _text(r.get("severity"))
        if sev:
            cond["severity"] = sev.lower()
        for key in ("controlled", "nyha_class", "stable"):
            v = _ext(r, key)
            if v is not None:
                cond[key] = v
        self.add("conditions", cond)

    def medication(self, r: dict[str, Any]) -> None:
        rt = r.get("resourceType")
        name = _text(r.get("medicationCodeableConcept")) or _text(
            (r.get("medicationReference") or {}).get("display")
        )
        if not name:
            ref = r.get("medicationReference") or {}
            name = ref.get("display") if isinstance(ref, dict) else None
        if not name:
            self.warn(r, "medication without a name; skipped")
            return
        period = r.get("effectivePeriod") or {}
        start = _date(period.get("start")) or _date(r.get("effectiveDateTime")) or _date(r.get("authoredOn"))
        end = _date(period.get("end"))
        status = str(r.get("status") or "").lower()
        item: dict[str, Any] = {"name": name}
        if start:
            item["start_date"] = start
        if end:
            item["end_date"] = end
        if status in ("active", "in-progress", "intended", "on-hold"):
            item["ongoing"] = True
        elif status in ("completed", "stopped", "cancelled", "entered-in-error", "not-taken"):
            item["ongoing"] = False
            if status == "completed" and not end and rt == "MedicationAdministration" and start:
                item["end_date"] = start
        treatment = "cancer-related-medication" in _profiles(r) or _ext(r, "kind") is not None
        if treatment:
            for key in ("kind", "line", "outcome"):
                v = _ext(r, key)
                if v is not None:
                    item[key] = v
            self.add("treatments", item)
        else:
            self.add("medications", item)

    def procedure(self, r: dict[str, Any]) -> None:
        name = _text(r.get("code"))
        if not name:
            self.warn(r, "procedure without code; skipped")
            return
        prof = _profiles(r)
        item: dict[str, Any] = {"name": name}
        d = _date(r.get("performedDateTime")) or _date((r.get("performedPeriod") or {}).get("start"))
        if d:
            item["date"] = d
        kind = _ext(r, "kind") or (
            "radiotherapy" if "radiation" in prof else "surgery" if "surgical" in prof else None
        )
        if kind:
            item["kind"] = kind
        site = _text(r.get("bodySite"))
        if site:
            item["site"] = site
        major = _ext(r, "major")
        if major is not None:
            item["major"] = major
        self.add("procedures", item)

    def allergy(self, r: dict[str, Any]) -> None:
        name = _text(r.get("code"))
        if name:
            self.add("allergies", name)
        else:
            self.warn(r, "allergy without code; skipped")

    def list_(self, r: dict[str, Any]) -> None:
        title = str(r.get("title") or _text(r.get("code")) or "").strip().lower().replace(" ", "_")
        if title in LIST_FIELDS:
            self.complete.add(title)
        else:
            self.warn(r, f"list {title!r} not used; skipped")


_DISPATCH = {
    "Patient": "patient",
    "Condition": "condition",
    "Observation": "observation",
    "MedicationStatement": "medication",
    "MedicationRequest": "medication",
    "MedicationAdministration": "medication",
    "Procedure": "procedure",
    "AllergyIntolerance": "allergy",
    "List": "list_",
}


def _validate(res: dict[str, Any]) -> str | None:
    try:
        from fhir.resources.R4B import get_fhir_model_class

        get_fhir_model_class(str(res["resourceType"])).model_validate(res)
    except Exception as exc:
        first = [ln.strip() for ln in str(exc).splitlines() if ln.strip()][1:2]
        return (first[0] if first else type(exc).__name__)[:200]
    return None


def bundle_to_patient(bundle: dict[str, Any], source: str = "bundle", validate: bool = True) -> Patient:
    """A Patient from a FHIR R4 Bundle (dict). Never raises on a bad resource; see ``warnings``."""
    rd = _Reader(source)
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        entries = []
        rd.warnings.append("Bundle: entry is not a list; nothing read")
    seen: set[tuple[str, str]] = set()
    for i, e in enumerate(entries[:20000]):
        res = e.get("resource") if isinstance(e, dict) else None
        if not isinstance(res, dict) or "resourceType" not in res:
            rd.warnings.append(f"entry[{i}]: no resource; skipped")
            continue
        rt, rid = str(res["resourceType"]), str(res.get("id", f"#{i}"))
        method = _DISPATCH.get(rt)
        if method is None:
            rd.warn(res, f"{rt} not used by the matcher; skipped")
            continue
        if (rt, rid) in seen:
            rd.warn(res, "duplicate id; read again")
        seen.add((rt, rid))
        if validate:
            problem = _validate(res)
            if problem:
                rd.warn(res, f"not valid R4 ({problem}); read leniently")
        try:
            getattr(rd, method)(res)
        except Exception as exc:  # one bad resource never costs the bundle
            rd.warn(res, f"could not be read ({type(exc).__name__}: {exc}); skipped")
    _promote_primary(rd)
    data = dict(rd.p)
    if rd.cancer:
        data["cancer"] = rd.cancer
    for name in (*LIST_FIELDS, "labs"):
        if name in rd.lists or name in rd.complete:
            data[name] = rd.lists.get(name, [])
    # lists without a List resource marking them complete are kept, but their absence is
    # not known: the matcher sees them only when they match (see facts_has)
    partial = [n for n in LIST_FIELDS if n in rd.lists and n not in rd.complete]
    data["warnings"] = rd.warnings
    try:
        p = Patient.model_validate(data)
    except Exception as exc:
        rd.warnings.append(f"patient fields rejected ({type(exc).__name__}); kept what validates")
        p = _salvage(data)
    if partial:
        p.__pydantic_extra__ = {**(p.__pydantic_extra__ or {}), "partial_lists": partial}
    return p


def _promote_primary(rd: _Reader) -> None:
    """Without an mCODE primary-cancer Condition, the first cancer among the conditions is taken as
    the main diagnosis (and said so in the warnings)."""
    if rd.cancer.get("name"):
        return
    conds = rd.lists.get("conditions") or []
    for i, cond in enumerate(conds):
        name = str(cond.get("name") or "")
        if any(T.concept_matches((c,), "", "cancer") for c in T.concepts_of(name)):
            rd.cancer["name"] = name
            if cond.get("onset_date"):
                rd.cancer.setdefault("diagnosis_date", cond["onset_date"])
            del conds[i]
            rd.warnings.append(f"no mCODE primary cancer condition: took {name!r} as the main diagnosis")
            return


def _salvage(data: dict[str, Any]) -> Patient:
    ok: dict[str, Any] = {}
    for k, v in data.items():
        try:
            Patient.model_validate({k: v})
            ok[k] = v
        except Exception:
            ok.setdefault("warnings", []).append(f"field {k}: invalid value; dropped")
    return Patient.model_validate(ok)
