"""Helpers for reading FHIR JSON leniently: codes, texts, dates, extensions, constants."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any

from trialmatch.vocab.labs import lab

__all__ = [
    "CANCER_EXT_FIELDS",
    "LIST_FIELDS",
    "LOINC",
    "TM_CODES",
    "TM_EXT",
    "_ECOG_LA",
    "_KI67_EXTRA",
    "_STAGE",
    "_VITALS",
    "_codes",
    "_date",
    "_ext",
    "_ki67_loincs",
    "_profiles",
    "_stage_group",
    "_text",
    "_values",
]

TM_EXT = "https://trialmatch.example/fhir/StructureDefinition/"
TM_CODES = "https://trialmatch.example/fhir/CodeSystem/patient-facts"
LOINC = "http://loinc.org"
#: Cancer fields carried as TrialMatch extensions on the primary-cancer Condition (written by
#: fhir_write, read back by fhir) where FHIR/mCODE has no standard element for them.
CANCER_EXT_FIELDS = (
    "differentiation",
    "grade",
    "ki67_percent",
    "mitoses_per_2mm2",
    "ne_component_percent",
    "functional_syndrome",
    "confirmed_by",
    "metastatic",
    "resectable",
    "resected",
    "residual_disease",
    "measurable_disease",
    "icd_o3_topography",
)
#: List.title -> the profile list it makes complete
LIST_FIELDS = (
    "conditions",
    "other_cancers",
    "procedures",
    "treatments",
    "medications",
    "allergies",
    "biomarkers",
    "imaging",
)
_ECOG_LA = {"LA9622-7": 0, "LA9623-5": 1, "LA9624-3": 2, "LA9625-0": 3, "LA9626-8": 4, "LA9627-6": 5}
_VITALS = {
    "29463-7": "weight_kg",
    "8302-2": "height_cm",
    "8480-6": "systolic_bp",
    "8462-4": "diastolic_bp",
    "8867-4": "heart_rate",
}
_STAGE = {
    "21908-9": "group",
    "21902-2": "group",
    "21905-5": "t",
    "21906-3": "n",
    "21907-1": "m",
    "21899-0": "t",
    "21900-6": "n",
    "21901-4": "m",
}
#: LOINC 85330-9 (Ki-67 nuclear Ag/100 cells in Breast cancer specimen by Immune stain) is read as a
#: Ki-67 index beside the codes of the ``ki67`` entry of vocab/data/labs.yaml, which does not list it.
_KI67_EXTRA = ("85330-9",)


@cache
def _ki67_loincs() -> frozenset[str]:
    """LOINC codes of a Ki-67 index: labs.yaml's ``ki67`` codes and :data:`_KI67_EXTRA`."""
    ki67 = lab("ki67")
    return frozenset((ki67.loinc if ki67 else ()) + _KI67_EXTRA)


_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?")


def _date(v: Any) -> dt.date | None:
    if not isinstance(v, str):
        return None
    m = _DATE.match(v.strip())
    if not m:
        return None
    s = m.group(0)
    try:
        if len(s) == 4:
            return dt.date(int(s), 1, 1)
        if len(s) == 7:
            return dt.date(int(s[:4]), int(s[5:7]), 1)
        return dt.date.fromisoformat(s)
    except ValueError:
        return None


_ROMAN = {"0": "0", "1": "I", "2": "II", "3": "III", "4": "IV"}


def _stage_group(text: str) -> str | None:
    """ "Stage 3A (qualifier value)" -> "IIIA"; "IV" stays "IV"."""
    t = re.sub(r"\(.*?\)", "", text).upper().replace("STAGE", "").replace("AJCC", "").strip()
    m = re.search(r"\b(0|I{1,3}V?|IV|[0-4])([A-C]?\d?)\b", t)
    if not m:
        return None
    return _ROMAN.get(m.group(1), m.group(1)) + m.group(2)


def _text(cc: Any) -> str | None:
    """Readable text of a CodeableConcept (text, else first display, else first code)."""
    if isinstance(cc, list):
        cc = cc[0] if cc else None
    if not isinstance(cc, dict):
        return None
    if cc.get("text"):
        return str(cc["text"])
    for c in cc.get("coding") or []:
        if isinstance(c, dict) and c.get("display"):
            return re.sub(
                r"\s*\((disorder|procedure|finding|qualifier value|morphologic abnormality|body structure)\)",
                "",
                str(c["display"]),
            )
    for c in cc.get("coding") or []:
        if isinstance(c, dict) and c.get("code"):
            return str(c["code"])
    return None


def _codes(cc: Any, system: str | None = None) -> list[str]:
    if isinstance(cc, list):
        return [c for x in cc for c in _codes(x, system)]
    if not isinstance(cc, dict):
        return []
    return [
        str(c.get("code"))
        for c in cc.get("coding") or []
        if isinstance(c, dict) and c.get("code") and (system is None or c.get("system") == system)
    ]


def _ext(res: dict[str, Any], name: str) -> Any:
    """Value of a TrialMatch (or any matching-suffix) extension on a resource."""
    for e in res.get("extension") or []:
        if not isinstance(e, dict):
            continue
        url = str(e.get("url", ""))
        if url == TM_EXT + name or url.rsplit("/", 1)[-1] == name:
            for k, v in e.items():
                if k.startswith("value"):
                    return _text(v) if k == "valueCodeableConcept" else v
    return None


def _profiles(res: dict[str, Any]) -> str:
    return " ".join(str(p) for p in (res.get("meta") or {}).get("profile") or [])


def _values(res: dict[str, Any]) -> list[str]:
    return [k for k in res if k.startswith("value") and k != "valueSet"]
