"""A :class:`Trial` as a ClinicalTrials.gov API v2 study JSON (``protocolSection`` + modules).

Only what the trial holds is written: a ``None`` field, an empty list or an empty module is left
out, never filled with a guess (``0`` and ``False`` are values and are kept). Names and enum values
are the API v2 ones (``RECRUITING``, ``PHASE2``, ``INTERVENTIONAL``...). Ages are written the
registry way (``"18 Years"``, ``"6 Months"``).

Ids: an NCT registry id goes to ``identificationModule.nctId``. A registry id from another
registry (EudraCT, ACTRN, ChiCTR...) has no place there and is written to ``secondaryIdInfos``;
a trial with only a local id has no ``nctId`` (its local id is not a registry id). The page's
"current as of" date is written as ``derivedSection.miscInfoModule.versionHolder``, the API's
date of the data version.
"""

from __future__ import annotations

import re
from typing import Any

from trialmatch.records.model import Contact, Location, Trial

__all__ = ["format_age", "to_ctgov_json"]

_NCT = re.compile(r"NCT\d")
_AGE_TEXT = re.compile(r"\d{1,3}(?:\.\d+)? (?:Years?|Months?|Weeks?|Days?|Hours?|Minutes?)")
_UNITS = (("Years", 1.0), ("Months", 1 / 12), ("Weeks", 7 / 365.25), ("Days", 1 / 365.25))


def _clean(obj: Any) -> Any:
    """Drop None, "", [] and {} recursively (keep 0 and False)."""
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            v = _clean(v)
            if v is None or v == "" or v == [] or v == {}:
                continue
            out[k] = v
        return out
    if isinstance(obj, list):
        items = [_clean(v) for v in obj]
        return [v for v in items if not (v is None or v == "" or v == [] or v == {})]
    return obj


def format_age(text: str | None, years: float | None) -> str | None:
    """The registry's age string when it has the API form, else one made from ``years``."""
    if text and _AGE_TEXT.fullmatch(text.strip()):
        return text.strip()
    if years is None and text:
        from trialmatch.importers.normalize import age_years

        years = age_years(text)
    if years is None:
        return None
    for unit, size in _UNITS:
        n = years / size
        if abs(n - round(n)) < 1e-3 and round(n) >= 1:
            count = round(n)
            return f"{count} {unit[:-1] if count == 1 else unit}"
    return f"{round(years / _UNITS[3][1])} Days"


def _contact(c: Contact) -> dict[str, Any]:
    return {"name": c.name, "role": c.role, "phone": c.phone, "email": c.email}


def _location(loc: Location) -> dict[str, Any]:
    geo = {"lat": loc.lat, "lon": loc.lon} if loc.lat is not None and loc.lon is not None else None
    return {
        "facility": loc.facility,
        "status": loc.status,
        "city": loc.city,
        "state": loc.state,
        "zip": loc.zip,
        "country": loc.country,
        "contacts": [_contact(c) for c in loc.contacts],
        "geoPoint": geo,
    }


def _date(date: str | None, kind: str | None = None) -> dict[str, Any] | None:
    return {"date": date, "type": kind} if date else None


def to_ctgov_json(trial: Trial) -> dict[str, Any]:
    """The trial as an API v2 study dict (JSON-serialisable)."""
    reg = trial.registry_id
    nct = reg if reg and _NCT.match(reg) else None
    secondary = [{"id": s.id, "type": s.type, "domain": s.domain} for s in trial.secondary_ids]
    if reg and not nct and all(s.id != reg for s in trial.secondary_ids):
        from trialmatch.importers.normalize import registry_kind

        kind = registry_kind(reg)
        secondary.insert(
            0, {"id": reg, "type": kind[1] if kind else "REGISTRY", "domain": kind[0] if kind else None}
        )
    d = trial.design
    design_info = None
    if d is not None:
        design_info = {
            "allocation": d.allocation,
            "interventionModel": d.intervention_model,
            "observationalModel": d.observational_model,
            "timePerspective": d.time_perspective,
            "primaryPurpose": d.primary_purpose,
            "maskingInfo": {"masking": d.masking, "whoMasked": list(d.who_masked)},
        }
    e = trial.eligibility
    protocol = {
        "identificationModule": {
            "nctId": nct,
            "orgStudyIdInfo": {"id": trial.org_study_id},
            "secondaryIdInfos": secondary,
            "briefTitle": trial.brief_title,
            "officialTitle": trial.official_title,
            "acronym": trial.acronym,
        },
        "statusModule": {
            "statusVerifiedDate": trial.status_verified_date,
            "overallStatus": trial.overall_status,
            "whyStopped": trial.why_stopped,
            "startDateStruct": _date(trial.start_date, trial.start_date_type),
            "primaryCompletionDateStruct": _date(trial.primary_completion_date),
            "completionDateStruct": _date(trial.completion_date, trial.completion_date_type),
            "studyFirstPostDateStruct": _date(trial.first_posted),
            "lastUpdatePostDateStruct": _date(trial.last_update_posted),
        },
        "sponsorCollaboratorsModule": {
            "leadSponsor": {"name": trial.lead_sponsor, "class": trial.lead_sponsor_class}
            if trial.lead_sponsor
            else None,
            "collaborators": [{"name": n} for n in trial.collaborators],
        },
        "descriptionModule": {
            "briefSummary": trial.brief_summary,
            "detailedDescription": trial.detailed_description,
        },
        "conditionsModule": {"conditions": list(trial.conditions), "keywords": list(trial.keywords)},
        "designModule": {
            "studyType": trial.study_type,
            "phases": list(trial.phases),
            "designInfo": design_info,
            "enrollmentInfo": {"count": trial.enrollment, "type": trial.enrollment_type}
            if trial.enrollment is not None
            else None,
        },
        "armsInterventionsModule": {
            "armGroups": [
                {
                    "label": a.label,
                    "type": a.type,
                    "description": a.description,
                    "interventionNames": list(a.intervention_names),
                }
                for a in trial.arms
            ],
            "interventions": [
                {
                    "type": i.type,
                    "name": i.name,
                    "description": i.description,
                    "armGroupLabels": list(i.arm_labels),
                    "otherNames": list(i.other_names),
                }
                for i in trial.interventions
            ],
        },
        "eligibilityModule": {
            "eligibilityCriteria": e.criteria_text,
            "healthyVolunteers": e.healthy_volunteers,
            "sex": e.sex,
            "genderBased": e.gender_based,
            "minimumAge": format_age(e.minimum_age, e.min_age_years),
            "maximumAge": format_age(e.maximum_age, e.max_age_years),
            "stdAges": list(e.std_ages),
        },
        "contactsLocationsModule": {
            "centralContacts": [_contact(c) for c in trial.central_contacts],
            "overallOfficials": [
                {"name": o.name, "affiliation": o.affiliation, "role": o.role} for o in trial.investigators
            ],
            "locations": [_location(loc) for loc in trial.locations],
        },
    }
    study: dict[str, Any] = {"protocolSection": protocol}
    if trial.current_as_of:
        study["derivedSection"] = {"miscInfoModule": {"versionHolder": trial.current_as_of}}
    out = _clean(study)
    out.setdefault("protocolSection", {})
    return out  # type: ignore[no-any-return]
