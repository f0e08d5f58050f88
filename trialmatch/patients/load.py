"""Read a patient from a file or an object: profile JSON (v1), FHIR R4 bundle, or a text note."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from trialmatch.patients.model import Patient

__all__ = ["MAX_PATIENT_BYTES", "PatientLoadError", "load_patient", "patient_from_obj"]

MAX_PATIENT_BYTES = 20_000_000


class PatientLoadError(ValueError):
    """A patient file that cannot be read; the message names the file and the field."""


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(root)"


def _msg(err: dict[str, Any]) -> str:
    t = str(err.get("type", ""))
    if t.startswith("float") or t.startswith("int"):
        return "not a number"
    if t.startswith("date"):
        return "not a date (use YYYY-MM-DD)"
    if t.startswith("bool"):
        return "not true/false"
    if t == "literal_error":
        return str(err.get("msg", "not an allowed value")).lower()
    if t == "missing":
        return "required"
    return str(err.get("msg", "invalid"))


def _validation_message(name: str, exc: ValidationError) -> str:
    lines = [f"{name}: {_loc(tuple(e['loc']))}: {_msg(dict(e))}" for e in exc.errors()[:10]]
    more = len(exc.errors()) - 10
    if more > 0:
        lines.append(f"{name}: ... and {more} more problems")
    return "\n".join(lines)


def patient_from_obj(obj: dict[str, Any], name: str = "patient") -> Patient:
    """A Patient from a decoded JSON object (profile v1 or FHIR Bundle)."""
    if not isinstance(obj, dict):
        raise PatientLoadError(f"{name}: expected a JSON object, got {type(obj).__name__}")
    if obj.get("resourceType") == "Bundle":
        from trialmatch.patients.fhir import bundle_to_patient

        return bundle_to_patient(obj, source=name)
    if "resourceType" in obj:
        raise PatientLoadError(f"{name}: a FHIR {obj['resourceType']} resource, not a Bundle")
    if not set(obj) & set(Patient.model_fields):
        raise PatientLoadError(
            f"{name}: not a patient profile (none of the profile fields; see patient-profile.md)"
        )
    try:
        p = Patient.model_validate(obj)
    except ValidationError as exc:
        raise PatientLoadError(_validation_message(name, exc)) from None
    if p.source_format is None:
        p.source_format = "profile"
    return p


def _read_note(text: str, name: str, as_of: dt.date | None = None) -> Patient:
    try:
        from trialmatch.patients.notes import read_note
    except ImportError as exc:
        raise PatientLoadError(f"{name}: reading free-text notes is not available ({exc})") from None
    p: Patient = read_note(text, as_of=as_of)
    if p.id is None:
        p.id = Path(name).stem
    if p.as_of is None and as_of is not None:
        p.as_of = as_of
    return p


def load_patient(path_or_obj: str | Path | dict[str, Any] | Patient, as_of: dt.date | None = None) -> Patient:
    """Detects the input: a Patient, a dict, a ``.json`` profile or FHIR bundle, or a ``.txt`` note.

    ``as_of`` anchors relative times in a note ("two years ago"); profiles carry their own dates."""
    if isinstance(path_or_obj, Patient):
        return path_or_obj
    if isinstance(path_or_obj, dict):
        return patient_from_obj(path_or_obj)
    path = Path(path_or_obj)
    name = path.name
    if not path.is_file():
        raise PatientLoadError(f"{name}: no such file")
    if path.stat().st_size > MAX_PATIENT_BYTES:
        raise PatientLoadError(f"{name}: file too large (over {MAX_PATIENT_BYTES // 1_000_000} MB)")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise PatientLoadError(f"{name}: not UTF-8 text") from None
    if path.suffix.lower() in (".txt", ".md", ".note"):
        return _read_note(text, name, as_of)
    stripped = text.lstrip()
    if not stripped.startswith(("{", "[")):
        if path.suffix.lower() == ".json":
            raise PatientLoadError(f"{name}: not JSON")
        return _read_note(text, name, as_of)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PatientLoadError(
            f"{name}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    p = patient_from_obj(obj, name)
    if p.id is None:
        p.id = path.stem
    return p
