"""ClinicalTrials.gov API v2 study JSON (a ``protocolSection`` dict) -> :class:`Trial`.

Pure: takes the decoded study and provenance facts, no I/O. Models are built with
``build`` (a lean ``model_construct``) from values already normalised here (the hot path of bulk imports).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from trialmatch.importers.errors import RecordError
from trialmatch.importers.normalize import (
    age_years,
    enum_value,
    iso_date,
    phases,
    registry_kind,
    sex_value,
    status_value,
    to_bool,
    to_float,
    to_int,
)
from trialmatch.records.model import (
    Arm,
    Contact,
    Design,
    Eligibility,
    Intervention,
    Investigator,
    Location,
    Provenance,
    SecondaryId,
    Trial,
)

__all__ = ["STUDY_KEYS", "build", "is_v2_study", "study_to_trial"]

_M = TypeVar("_M", bound=BaseModel)
_SPECS: dict[type, list[tuple[str, Any, Any]]] = {}


def _spec(cls: type[BaseModel]) -> list[tuple[str, Any, Any]]:
    spec = _SPECS.get(cls)
    if spec is None:
        spec = [(n, f.default, f.default_factory) for n, f in cls.model_fields.items()]
        _SPECS[cls] = spec
    return spec


def _fast_build(cls: type[_M], **values: Any) -> _M:
    """``cls.model_construct(**values)`` without its per-call overhead (3-4x faster): values must
    already be clean; missing fields get their defaults."""
    data = {
        name: values[name] if name in values else (factory() if factory is not None else default)
        for name, default, factory in _spec(cls)
    }  # in field order: the JSON serialiser follows the dict's order
    return _instance(cls, data, set(values))


def _instance(cls: type[_M], data: dict[str, Any], fields_set: set[str]) -> _M:
    """A model instance over ``data`` as pydantic's ``model_construct`` leaves it, without validation."""
    m = cls.__new__(cls)
    object.__setattr__(m, "__dict__", data)
    object.__setattr__(m, "__pydantic_fields_set__", fields_set)
    object.__setattr__(m, "__pydantic_extra__", None)
    object.__setattr__(m, "__pydantic_private__", None)
    return m


def _construct(cls: type[_M], **values: Any) -> _M:
    return cls.model_construct(**values)


def _wrap_fast(cls: type[_M], data: dict[str, Any]) -> _M:
    return _instance(cls, data, set(data))


def _wrap_construct(cls: type[_M], data: dict[str, Any]) -> _M:
    return cls.model_construct(**data)


def _self_test() -> bool:
    try:
        a = _fast_build(Location, city="x", lat=1.0, contacts=[_fast_build(Contact, name="n")])
        b = Location(city="x", lat=1.0, contacts=[Contact(name="n")])
        return a == b and a.model_dump() == b.model_dump() and a.model_dump_json() == b.model_dump_json()
    except Exception:  # pydantic internals changed: fall back to the public API
        return False


#: Builds a model from clean values (the fast path when this pydantic version allows it).
build = _fast_build if _self_test() else _construct
#: Wraps a dict holding every field in the model's order (same fast path, no defaults step).
_wrap = _wrap_fast if build is _fast_build else _wrap_construct

#: Top-level keys of an API v2 study object.
STUDY_KEYS = frozenset(
    {
        "protocolSection",
        "resultsSection",
        "derivedSection",
        "documentSection",
        "annotationSection",
        "hasResults",
    }
)


def is_v2_study(obj: object) -> bool:
    return isinstance(obj, dict) and (
        "protocolSection" in obj or ("identificationModule" in obj and "statusModule" in obj)
    )


def _d(obj: Any, key: str) -> dict[str, Any]:
    v = obj.get(key) if isinstance(obj, dict) else None
    return v if isinstance(v, dict) else {}


def _l(obj: Any, key: str) -> list[Any]:
    v = obj.get(key) if isinstance(obj, dict) else None
    return v if isinstance(v, list) else []


def _str(v: Any) -> str | None:
    if v.__class__ is str:  # the common case first
        return v.strip() or None  # type: ignore[no-any-return]
    if v is None or isinstance(v, (dict, list)):
        return None
    s = str(v).strip()
    return s or None


def _s(obj: Any, key: str) -> str | None:
    return _str(obj.get(key)) if obj.__class__ is dict else None


def _strs(values: list[Any]) -> list[str]:
    return [str(v).strip() for v in values if isinstance(v, (str, int, float)) and str(v).strip()]


def _contact(c: dict[str, Any]) -> Contact:
    return build(
        Contact,
        name=_s(c, "name"),
        role=enum_value(_s(c, "role"), "role"),
        phone=_s(c, "phone"),
        email=_s(c, "email"),
    )


def _design(dm: dict[str, Any]) -> Design | None:
    info = _d(dm, "designInfo")
    if not info:
        return None
    mask = _d(info, "maskingInfo")
    return build(
        Design,
        allocation=enum_value(_s(info, "allocation")),
        intervention_model=enum_value(_s(info, "interventionModel")),
        observational_model=enum_value(_s(info, "observationalModel")),
        time_perspective=enum_value(_s(info, "timePerspective")),
        primary_purpose=enum_value(_s(info, "primaryPurpose")),
        masking=enum_value(_s(mask, "masking")),
        who_masked=[v for v in (enum_value(w) for w in _strs(_l(mask, "whoMasked"))) if v],
    )


def _location(loc: dict[str, Any]) -> Location:
    """The hottest mapping (studies list up to thousands of sites): built from a complete dict."""
    g = loc.get
    geo = g("geoPoint")
    lat = lon = None
    if geo.__class__ is dict:
        lat, lon = to_float(geo.get("lat")), to_float(geo.get("lon"))
    status = g("status")
    contacts = g("contacts")
    if contacts.__class__ is not list:
        contacts = []
    data = {  # every field, in the model's order
        "facility": _str(g("facility")),
        "city": _str(g("city")),
        "state": _str(g("state")),
        "zip": _str(g("zip")),
        "country": _str(g("country")),
        "status": status_value(_str(status)) if status else None,
        "lat": lat,
        "lon": lon,
        "contacts": [_contact(c) for c in contacts if c.__class__ is dict],
    }
    return _wrap(Location, data)


def study_to_trial(
    study: dict[str, Any],
    *,
    source: str | None = None,
    record_index: int | None = None,
    source_url: str | None = None,
    content_hash: str | None = None,
    source_format: str = "ctgov-json",
) -> Trial | RecordError:
    """Map one API v2 study to a Trial; a study without an NCT id gives a :class:`RecordError`.

    Never raises: a value of an unexpected shape deep in the record gives a RecordError too."""
    try:
        return _study_to_trial(study, source, record_index, source_url, content_hash, source_format)
    except Exception as exc:
        why = f"could not map record: {type(exc).__name__}: {exc}"
        return RecordError(source or "<bytes>", record_index, why)


def _study_to_trial(
    study: dict[str, Any],
    source: str | None,
    rec: int | None,
    source_url: str | None,
    content_hash: str | None,
    source_format: str,
) -> Trial | RecordError:
    if not isinstance(study, dict):
        return RecordError(source or "<bytes>", rec, "a study must be a JSON object")
    ps = study.get("protocolSection", study)
    if not isinstance(ps, dict):
        return RecordError(source or "<bytes>", rec, "protocolSection is not an object")
    ident = _d(ps, "identificationModule")
    nct = _s(ident, "nctId")
    from_secondary = False
    if not nct:  # a study exported from a non-NCT registry carries its id among the secondary ids
        for x in _l(ident, "secondaryIdInfos"):
            sid = _s(x, "id")
            if sid and registry_kind(sid):
                nct, from_secondary = sid, True
                break
    if not nct:
        keys = ", ".join(sorted(ps)[:6])
        has = f"only {keys}" if keys else "an empty protocolSection"
        return RecordError(
            source or "<bytes>", rec, f"record without id: no identificationModule.nctId ({has})"
        )
    status = _d(ps, "statusModule")
    sponsor = _d(ps, "sponsorCollaboratorsModule")
    desc = _d(ps, "descriptionModule")
    cond = _d(ps, "conditionsModule")
    dm = _d(ps, "designModule")
    arms_mod = _d(ps, "armsInterventionsModule")
    elig = _d(ps, "eligibilityModule")
    cl = _d(ps, "contactsLocationsModule")
    lead = _d(sponsor, "leadSponsor")
    enroll = _d(dm, "enrollmentInfo")

    start = _d(status, "startDateStruct")
    primary = _d(status, "primaryCompletionDateStruct")
    completion = _d(status, "completionDateStruct")

    eligibility = build(
        Eligibility,
        criteria_text=_s(elig, "eligibilityCriteria"),
        sex=sex_value(_s(elig, "sex")),  # type: ignore[arg-type]
        gender_based=to_bool(elig.get("genderBased")),
        minimum_age=_s(elig, "minimumAge"),
        maximum_age=_s(elig, "maximumAge"),
        min_age_years=age_years(_s(elig, "minimumAge")),
        max_age_years=age_years(_s(elig, "maximumAge")),
        healthy_volunteers=to_bool(elig.get("healthyVolunteers")),
        std_ages=[v for v in (enum_value(a) for a in _strs(_l(elig, "stdAges"))) if v],
    )
    arms = [
        build(
            Arm,
            label=_s(a, "label") or "",
            type=enum_value(_s(a, "type")),
            description=_s(a, "description"),
            intervention_names=_strs(_l(a, "interventionNames")),
        )
        for a in _l(arms_mod, "armGroups")
        if isinstance(a, dict) and _s(a, "label")
    ]
    interventions = [
        build(
            Intervention,
            type=enum_value(_s(i, "type")),
            name=_s(i, "name") or "",
            description=_s(i, "description"),
            other_names=_strs(_l(i, "otherNames")),
            arm_labels=_strs(_l(i, "armGroupLabels")),
        )
        for i in _l(arms_mod, "interventions")
        if isinstance(i, dict) and _s(i, "name")
    ]
    investigators = [
        build(
            Investigator,
            name=_s(o, "name") or "",
            role=enum_value(_s(o, "role"), "role"),
            affiliation=_s(o, "affiliation"),
        )
        for o in _l(cl, "overallOfficials")
        if isinstance(o, dict) and _s(o, "name")
    ]
    return build(
        Trial,
        id=nct,
        registry_id=nct,
        org_study_id=_s(_d(ident, "orgStudyIdInfo"), "id"),
        secondary_ids=[
            build(
                SecondaryId,
                id=_s(x, "id") or "",
                type=enum_value(_s(x, "type"), "secondary_id_type"),
                domain=_s(x, "domain"),
            )
            for x in _l(ident, "secondaryIdInfos")
            if isinstance(x, dict) and _s(x, "id") and not (from_secondary and _s(x, "id") == nct)
        ],
        brief_title=_s(ident, "briefTitle"),
        official_title=_s(ident, "officialTitle"),
        acronym=_s(ident, "acronym"),
        overall_status=status_value(_s(status, "overallStatus")),
        why_stopped=_s(status, "whyStopped"),
        first_posted=iso_date(_s(_d(status, "studyFirstPostDateStruct"), "date")),
        start_date=iso_date(_s(start, "date")),
        start_date_type=enum_value(_s(start, "type"), "date_type"),
        primary_completion_date=iso_date(_s(primary, "date")),
        completion_date=iso_date(_s(completion, "date")),
        completion_date_type=enum_value(_s(completion, "type"), "date_type"),
        last_update_posted=iso_date(_s(_d(status, "lastUpdatePostDateStruct"), "date")),
        status_verified_date=iso_date(_s(status, "statusVerifiedDate")),
        current_as_of=iso_date(_s(_d(_d(study, "derivedSection"), "miscInfoModule"), "versionHolder")),
        phases=phases(_l(dm, "phases")),
        study_type=enum_value(_s(dm, "studyType"), "study_type"),
        enrollment=to_int(enroll.get("count")),
        enrollment_type=enum_value(_s(enroll, "type"), "date_type"),
        design=_design(dm),
        arms=arms,
        interventions=interventions,
        conditions=_strs(_l(cond, "conditions")),
        keywords=_strs(_l(cond, "keywords")),
        brief_summary=_s(desc, "briefSummary"),
        detailed_description=_s(desc, "detailedDescription"),
        eligibility=eligibility,
        lead_sponsor=_s(lead, "name"),
        lead_sponsor_class=enum_value(_s(lead, "class")),
        collaborators=[n for n in (_s(c, "name") for c in _l(sponsor, "collaborators")) if n],
        investigators=investigators,
        central_contacts=[_contact(c) for c in _l(cl, "centralContacts") if isinstance(c, dict)],
        locations=[_location(loc) for loc in _l(cl, "locations") if isinstance(loc, dict)],
        provenance=build(
            Provenance,
            source_format=source_format,
            source=source,
            record_index=rec,
            source_url=source_url,
            content_hash=content_hash,
        ),
    )
