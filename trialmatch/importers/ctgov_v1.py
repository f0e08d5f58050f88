"""The classic ClinicalTrials.gov API JSON (``FullStudiesResponse``, ``ProtocolSection`` with
``...List`` wrappers and ``Study``-prefixed names) translated to the API v2 shape.

The result goes through :func:`trialmatch.importers.ctgov_json.study_to_trial`, so the two JSON
generations share one mapping to :class:`Trial`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["is_v1_study", "v1_to_v2"]


def is_v1_study(obj: object) -> bool:
    if not isinstance(obj, dict):
        return False
    study = obj.get("Study", obj)
    return isinstance(study, dict) and isinstance(study.get("ProtocolSection"), dict)


def _d(obj: Any, key: str) -> dict[str, Any]:
    v = obj.get(key) if isinstance(obj, dict) else None
    return v if isinstance(v, dict) else {}


def _lst(obj: Any, wrapper: str, item: str) -> list[Any]:
    v = _d(obj, wrapper).get(item)
    if isinstance(v, list):
        return v
    return [v] if v is not None else []


def _pick(src: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    return {new: src[old] for old, new in mapping.items() if src.get(old) not in (None, "")}


def _date(obj: dict[str, Any], struct: str, name: str) -> dict[str, Any]:
    s = _d(obj, struct)
    return _pick(s, {name: "date", f"{name}Type": "type"})


def v1_to_v2(obj: dict[str, Any]) -> dict[str, Any]:
    """A classic-API study (``{"Study": {...}}`` or the study itself) as an API v2 study dict."""
    study = obj.get("Study", obj)
    ps = _d(study, "ProtocolSection")
    im, sm = _d(ps, "IdentificationModule"), _d(ps, "StatusModule")
    sc, de = _d(ps, "SponsorCollaboratorsModule"), _d(ps, "DescriptionModule")
    cm, dm = _d(ps, "ConditionsModule"), _d(ps, "DesignModule")
    am, em = _d(ps, "ArmsInterventionsModule"), _d(ps, "EligibilityModule")
    cl = _d(ps, "ContactsLocationsModule")
    info = _d(dm, "DesignInfo")
    mask = _d(info, "DesignMaskingInfo")
    design_info = _pick(
        info,
        {
            "DesignAllocation": "allocation",
            "DesignInterventionModel": "interventionModel",
            "DesignPrimaryPurpose": "primaryPurpose",
        },
    )
    obs = _lst(info, "DesignObservationalModelList", "DesignObservationalModel")
    if obs:
        design_info["observationalModel"] = obs[0]
    tp = _lst(info, "DesignTimePerspectiveList", "DesignTimePerspective")
    if tp:
        design_info["timePerspective"] = tp[0]
    if mask:
        design_info["maskingInfo"] = _pick(mask, {"DesignMasking": "masking"})
        who = _lst(mask, "DesignWhoMaskedList", "DesignWhoMasked")
        if who:
            design_info["maskingInfo"]["whoMasked"] = who

    def contact(c: dict[str, Any], prefix: str) -> dict[str, Any]:
        return _pick(
            c,
            {
                f"{prefix}Name": "name",
                f"{prefix}Role": "role",
                f"{prefix}Phone": "phone",
                f"{prefix}EMail": "email",
            },
        )

    locations = []
    for loc in _lst(cl, "LocationList", "Location"):
        if not isinstance(loc, dict):
            continue
        out = _pick(
            loc,
            {
                "LocationFacility": "facility",
                "LocationStatus": "status",
                "LocationCity": "city",
                "LocationState": "state",
                "LocationZip": "zip",
                "LocationCountry": "country",
            },
        )
        contacts = [
            contact(c, "LocationContact")
            for c in _lst(loc, "LocationContactList", "LocationContact")
            if isinstance(c, dict)
        ]
        if contacts:
            out["contacts"] = contacts
        locations.append(out)

    enroll = _d(dm, "EnrollmentInfo")
    version = _d(_d(study, "DerivedSection"), "MiscInfoModule").get("VersionHolder")
    derived = {"derivedSection": {"miscInfoModule": {"versionHolder": version}}} if version else {}
    return derived | {
        "protocolSection": {
            "identificationModule": {
                **_pick(
                    im,
                    {
                        "NCTId": "nctId",
                        "BriefTitle": "briefTitle",
                        "OfficialTitle": "officialTitle",
                        "Acronym": "acronym",
                    },
                ),
                "orgStudyIdInfo": _pick(_d(im, "OrgStudyIdInfo"), {"OrgStudyId": "id"}),
                "secondaryIdInfos": [
                    _pick(x, {"SecondaryId": "id", "SecondaryIdType": "type", "SecondaryIdDomain": "domain"})
                    for x in _lst(im, "SecondaryIdInfoList", "SecondaryIdInfo")
                    if isinstance(x, dict)
                ],
            },
            "statusModule": {
                **_pick(
                    sm,
                    {
                        "StatusVerifiedDate": "statusVerifiedDate",
                        "OverallStatus": "overallStatus",
                        "WhyStopped": "whyStopped",
                    },
                ),
                "startDateStruct": _date(sm, "StartDateStruct", "StartDate"),
                "primaryCompletionDateStruct": _date(
                    sm, "PrimaryCompletionDateStruct", "PrimaryCompletionDate"
                ),
                "completionDateStruct": _date(sm, "CompletionDateStruct", "CompletionDate"),
                "studyFirstPostDateStruct": _date(sm, "StudyFirstPostDateStruct", "StudyFirstPostDate"),
                "lastUpdatePostDateStruct": _date(sm, "LastUpdatePostDateStruct", "LastUpdatePostDate"),
            },
            "sponsorCollaboratorsModule": {
                "leadSponsor": _pick(
                    _d(sc, "LeadSponsor"), {"LeadSponsorName": "name", "LeadSponsorClass": "class"}
                ),
                "collaborators": [
                    _pick(c, {"CollaboratorName": "name", "CollaboratorClass": "class"})
                    for c in _lst(sc, "CollaboratorList", "Collaborator")
                    if isinstance(c, dict)
                ],
            },
            "descriptionModule": _pick(
                de, {"BriefSummary": "briefSummary", "DetailedDescription": "detailedDescription"}
            ),
            "conditionsModule": {
                "conditions": _lst(cm, "ConditionList", "Condition"),
                "keywords": _lst(cm, "KeywordList", "Keyword"),
            },
            "designModule": {
                **_pick(dm, {"StudyType": "studyType"}),
                "phases": _lst(dm, "PhaseList", "Phase"),
                "designInfo": design_info,
                "enrollmentInfo": _pick(enroll, {"EnrollmentCount": "count", "EnrollmentType": "type"}),
            },
            "armsInterventionsModule": {
                "armGroups": [
                    {
                        **_pick(
                            a,
                            {
                                "ArmGroupLabel": "label",
                                "ArmGroupType": "type",
                                "ArmGroupDescription": "description",
                            },
                        ),
                        "interventionNames": _lst(a, "ArmGroupInterventionList", "ArmGroupInterventionName"),
                    }
                    for a in _lst(am, "ArmGroupList", "ArmGroup")
                    if isinstance(a, dict)
                ],
                "interventions": [
                    {
                        **_pick(
                            i,
                            {
                                "InterventionType": "type",
                                "InterventionName": "name",
                                "InterventionDescription": "description",
                            },
                        ),
                        "otherNames": _lst(i, "InterventionOtherNameList", "InterventionOtherName"),
                        "armGroupLabels": _lst(
                            i, "InterventionArmGroupLabelList", "InterventionArmGroupLabel"
                        ),
                    }
                    for i in _lst(am, "InterventionList", "Intervention")
                    if isinstance(i, dict)
                ],
            },
            "eligibilityModule": {
                **_pick(
                    em,
                    {
                        "EligibilityCriteria": "eligibilityCriteria",
                        "HealthyVolunteers": "healthyVolunteers",
                        "Gender": "sex",
                        "GenderBased": "genderBased",
                        "MinimumAge": "minimumAge",
                        "MaximumAge": "maximumAge",
                    },
                ),
                "stdAges": _lst(em, "StdAgeList", "StdAge"),
            },
            "contactsLocationsModule": {
                "centralContacts": [
                    contact(c, "CentralContact")
                    for c in _lst(cl, "CentralContactList", "CentralContact")
                    if isinstance(c, dict)
                ],
                "overallOfficials": [
                    _pick(
                        o,
                        {
                            "OverallOfficialName": "name",
                            "OverallOfficialAffiliation": "affiliation",
                            "OverallOfficialRole": "role",
                        },
                    )
                    for o in _lst(cl, "OverallOfficialList", "OverallOfficial")
                    if isinstance(o, dict)
                ],
                "locations": locations,
            },
        }
    }
