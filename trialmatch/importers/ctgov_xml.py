"""Legacy ClinicalTrials.gov ``clinical_study`` XML translated to the API v2 study shape.

The XML is read with ``xml.etree.ElementTree.iterparse`` one ``clinical_study`` at a time (a file
with many studies streams). Safety: documents that declare entities (``<!ENTITY``) are refused
before parsing, and ElementTree never fetches external resources, so there is no entity expansion.
The v2-shaped dict goes through :func:`study_to_trial`, the same mapping as the JSON importers.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import IO, Any

from trialmatch.importers.normalize import clean_text, iso_date, reflow_textblock

__all__ = ["XmlRejected", "iter_xml_studies", "split_masking", "xml_to_v2"]


class XmlRejected(ValueError):
    """The XML is well formed but holds no ``clinical_study`` records, or is unsafe."""


def _block(el: ET.Element | None, path: str) -> str | None:
    """A ``textblock`` reflowed to the API v2 style."""
    if el is None:
        return None
    found = el.find(path)
    return None if found is None else reflow_textblock("".join(found.itertext()))


def _t(el: ET.Element | None, path: str) -> str | None:
    if el is None:
        return None
    found = el.find(path)
    if found is None:
        return None
    return clean_text("".join(found.itertext()))


def _all(el: ET.Element, path: str) -> list[str]:
    out = []
    for found in el.findall(path):
        text = clean_text("".join(found.itertext()))
        if text:
            out.append(text)
    return out


def _put(d: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, "", [], {}):
        d[key] = value


def split_masking(text: str | None) -> tuple[str | None, list[str]]:
    """``"Double (Participant, Investigator)"`` -> ("Double", ["Participant", "Investigator"]).

    ``"None (Open Label)"`` keeps no roles."""
    if not text:
        return None, []
    head, _, rest = text.partition("(")
    roles = [r.strip() for r in rest.rstrip(")").split(",") if r.strip()] if rest else []
    if head.strip().lower().startswith("none") or head.strip().lower() == "open label":
        return "None (Open Label)", []
    head = head.strip().split()[0] if head.strip() else head
    return head.strip() or None, [r for r in roles if r.lower() != "open label"]


def _split_design(text: str) -> dict[str, str]:
    """``"Allocation: Randomized, Masking: Double Blind (Subject, Investigator), ..."`` -> dict."""
    parts: list[str] = []
    depth = 0
    cur: list[str] = []
    for ch in text[:2000]:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    out: dict[str, str] = {}
    last = None
    for p in parts:
        k, sep, v = p.partition(":")
        if sep:
            last = k.strip().lower()
            out[last] = v.strip()
        elif last:
            out[last] += "," + p
    return out


def _contact(el: ET.Element, role: str | None = None) -> dict[str, Any]:
    c: dict[str, Any] = {}
    name = " ".join(x for x in (_t(el, "first_name"), _t(el, "middle_name"), _t(el, "last_name")) if x)
    _put(c, "name", name or None)
    _put(c, "role", role or _t(el, "role"))
    _put(c, "phone", _t(el, "phone"))
    _put(c, "email", _t(el, "email"))
    return c


def _design_info(root: ET.Element) -> dict[str, Any]:
    info: dict[str, Any] = {}
    sdi = root.find("study_design_info")
    if sdi is not None:
        fields = {
            "allocation": _t(sdi, "allocation"),
            "intervention model": _t(sdi, "intervention_model"),
            "primary purpose": _t(sdi, "primary_purpose"),
            "observational model": _t(sdi, "observational_model"),
            "time perspective": _t(sdi, "time_perspective"),
            "masking": _t(sdi, "masking"),
        }
    else:
        fields = {k: v for k, v in _split_design(_t(root, "study_design") or "").items()}
    _put(info, "allocation", fields.get("allocation"))
    _put(info, "interventionModel", fields.get("intervention model"))
    _put(info, "primaryPurpose", fields.get("primary purpose"))
    _put(info, "observationalModel", fields.get("observational model"))
    _put(info, "timePerspective", fields.get("time perspective"))
    masking, who = split_masking(fields.get("masking"))
    if masking:
        info["maskingInfo"] = {"masking": masking}
        _put(info["maskingInfo"], "whoMasked", who)
    return info


def _date(root: ET.Element, *tags: str) -> dict[str, Any]:
    for tag in tags:
        el = root.find(tag)
        if el is not None and (el.text or "").strip():
            d: dict[str, Any] = {"date": el.text.strip()}  # type: ignore[union-attr]
            _put(d, "type", el.get("type"))
            return d
    return {}


def xml_to_v2(root: ET.Element) -> dict[str, Any]:
    """One ``clinical_study`` element as an API v2 study dict (only what the XML states)."""
    ident: dict[str, Any] = {}
    _put(ident, "nctId", _t(root, "id_info/nct_id"))
    _put(
        ident,
        "orgStudyIdInfo",
        {"id": _t(root, "id_info/org_study_id")} if _t(root, "id_info/org_study_id") else None,
    )
    _put(ident, "secondaryIdInfos", [{"id": s} for s in _all(root, "id_info/secondary_id")])
    _put(ident, "briefTitle", _t(root, "brief_title"))
    _put(ident, "officialTitle", _t(root, "official_title"))
    _put(ident, "acronym", _t(root, "acronym"))

    status: dict[str, Any] = {}
    _put(status, "overallStatus", _t(root, "overall_status"))
    _put(status, "whyStopped", _t(root, "why_stopped"))
    _put(status, "statusVerifiedDate", _t(root, "verification_date"))
    _put(status, "startDateStruct", _date(root, "start_date"))
    _put(status, "primaryCompletionDateStruct", _date(root, "primary_completion_date"))
    _put(status, "completionDateStruct", _date(root, "completion_date"))
    _put(status, "studyFirstPostDateStruct", _date(root, "study_first_posted", "firstreceived_date"))
    _put(status, "lastUpdatePostDateStruct", _date(root, "last_update_posted", "lastchanged_date"))

    lead: dict[str, Any] = {}
    _put(lead, "name", _t(root, "sponsors/lead_sponsor/agency"))
    _put(lead, "class", _t(root, "sponsors/lead_sponsor/agency_class"))
    sponsor: dict[str, Any] = {}
    _put(sponsor, "leadSponsor", lead)
    _put(sponsor, "collaborators", [{"name": n} for n in _all(root, "sponsors/collaborator/agency")])

    desc: dict[str, Any] = {}
    _put(desc, "briefSummary", _block(root, "brief_summary/textblock"))
    _put(desc, "detailedDescription", _block(root, "detailed_description/textblock"))

    design: dict[str, Any] = {}
    _put(design, "studyType", _t(root, "study_type"))
    phase = _t(root, "phase")
    _put(design, "phases", [phase] if phase else [])
    _put(design, "designInfo", _design_info(root))
    enroll_el = root.find("enrollment")
    if enroll_el is not None and (enroll_el.text or "").strip():
        enroll: dict[str, Any] = {"count": enroll_el.text.strip()}  # type: ignore[union-attr]
        _put(enroll, "type", enroll_el.get("type"))
        design["enrollmentInfo"] = enroll

    interventions = []
    arm_interventions: dict[str, list[str]] = {}
    for iv in root.findall("intervention"):
        d: dict[str, Any] = {}
        _put(d, "type", _t(iv, "intervention_type"))
        _put(d, "name", _t(iv, "intervention_name"))
        _put(d, "description", _t(iv, "description"))
        _put(d, "armGroupLabels", _all(iv, "arm_group_label"))
        _put(d, "otherNames", _all(iv, "other_name"))
        interventions.append(d)
        label = f"{d.get('type')}: {d.get('name')}" if d.get("type") else d.get("name")
        for arm in d.get("armGroupLabels", []):
            arm_interventions.setdefault(arm, []).append(str(label))
    arms = []
    for ag in root.findall("arm_group"):
        a: dict[str, Any] = {}
        _put(a, "label", _t(ag, "arm_group_label"))
        _put(a, "type", _t(ag, "arm_group_type"))
        _put(a, "description", _t(ag, "description"))
        _put(a, "interventionNames", arm_interventions.get(a.get("label", ""), []))
        arms.append(a)

    elig: dict[str, Any] = {}
    el = root.find("eligibility")
    if el is not None:
        _put(elig, "eligibilityCriteria", _block(el, "criteria/textblock"))
        _put(elig, "sex", _t(el, "gender"))
        _put(elig, "genderBased", _t(el, "gender_based"))
        for tag, key in (("minimum_age", "minimumAge"), ("maximum_age", "maximumAge")):
            v = _t(el, tag)
            if v and v.upper() not in ("N/A", "NA", "NONE"):
                elig[key] = v
        _put(elig, "healthyVolunteers", _t(el, "healthy_volunteers"))

    contacts: dict[str, Any] = {}
    central = [
        _contact(c, "CONTACT")
        for c in root.findall("overall_contact") + root.findall("overall_contact_backup")
    ]
    _put(contacts, "centralContacts", [c for c in central if c])
    officials = []
    for o in root.findall("overall_official"):
        d = {}
        _put(d, "name", " ".join(x for x in (_t(o, "first_name"), _t(o, "last_name")) if x) or None)
        _put(d, "affiliation", _t(o, "affiliation"))
        _put(d, "role", _t(o, "role"))
        officials.append(d)
    _put(contacts, "overallOfficials", officials)
    locations = []
    for loc in root.findall("location"):
        d = {}
        _put(d, "facility", _t(loc, "facility/name"))
        _put(d, "status", _t(loc, "status"))
        _put(d, "city", _t(loc, "facility/address/city"))
        _put(d, "state", _t(loc, "facility/address/state"))
        _put(d, "zip", _t(loc, "facility/address/zip"))
        _put(d, "country", _t(loc, "facility/address/country"))
        site_contacts = [
            _contact(c, "CONTACT") for c in loc.findall("contact") + loc.findall("contact_backup")
        ]
        site_contacts += [_contact(c) for c in loc.findall("investigator")]
        _put(d, "contacts", [c for c in site_contacts if c])
        locations.append(d)
    _put(contacts, "locations", locations)

    conditions: dict[str, Any] = {}
    _put(conditions, "conditions", _all(root, "condition"))
    _put(conditions, "keywords", _all(root, "keyword"))
    out: dict[str, Any] = {}
    # "ClinicalTrials.gov processed this data on May 11, 2018": the date the record is current as of
    processed = iso_date((_t(root, "required_header/download_date") or "").rpartition(" on ")[2] or None)
    if processed:
        out["derivedSection"] = {"miscInfoModule": {"versionHolder": processed}}
    return out | {
        "protocolSection": {
            "identificationModule": ident,
            "statusModule": status,
            "sponsorCollaboratorsModule": sponsor,
            "descriptionModule": desc,
            "conditionsModule": conditions,
            "designModule": design,
            "armsInterventionsModule": {"armGroups": arms, "interventions": interventions},
            "eligibilityModule": elig,
            "contactsLocationsModule": contacts,
        }
    }


def iter_xml_studies(fp: IO[bytes]) -> Iterator[dict[str, Any]]:
    """Each ``clinical_study`` in an XML stream as a v2 dict. Raises ``ET.ParseError`` on bad XML and
    :class:`XmlRejected` when the document has no studies (its root tag is in the message)."""
    root_tag: str | None = None
    found = 0
    depth = 0
    for event, el in ET.iterparse(fp, events=("start", "end")):
        if event == "start":
            if root_tag is None:
                root_tag = el.tag
            depth += 1
            continue
        depth -= 1
        if el.tag == "clinical_study":
            found += 1
            yield xml_to_v2(el)
            el.clear()
        elif depth == 1 and root_tag != "clinical_study":
            el.clear()  # keep memory flat for big non-study documents
    if not found:
        raise XmlRejected(f"XML document <{root_tag}> holds no clinical_study record")
