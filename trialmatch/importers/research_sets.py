"""Trial records from research data sets built on ClinicalTrials.gov (both in ../shared/data/trials):

* TrialGPT ``trial_info`` JSON (``NCT_ID``, ``brief_title``, ``phase``, ``diseases_list``,
  ``drugs_list``, ``enrollment``, ``inclusion_criteria``, ``exclusion_criteria``, ``brief_summary``);
* HINT/TOP trial-outcome CSV (``nctid``, ``status``, ``why_stop``, ``phase``, ``diseases``,
  ``drugs``, ``criteria``), read row by row.

Only what the set states is kept (no status for TrialGPT records, no intervention types).
"""

from __future__ import annotations

import ast
import csv
import io
import re
from collections.abc import Iterator
from typing import IO, Any

from trialmatch.importers.ctgov_json import build
from trialmatch.importers.errors import MAX_RECORD_BYTES, RecordError
from trialmatch.importers.normalize import phases, status_value, to_int
from trialmatch.records.model import Eligibility, Intervention, Provenance, Trial

__all__ = ["is_hint_header", "is_trialgpt", "iter_hint_csv", "trialgpt_to_trial"]

_QUOTED = re.compile(r"'((?:[^'\\]|\\.){1,300})'|\"((?:[^\"\\]|\\.){1,300})\"")
_HINT_COLUMNS = {"nctid", "criteria"}


def is_trialgpt(obj: object) -> bool:
    return isinstance(obj, dict) and "NCT_ID" in obj and ("inclusion_criteria" in obj or "brief_title" in obj)


def _names(value: Any) -> list[str]:
    """A list, or its Python repr (``"['a', 'b']"``, possibly cut short), as clean strings."""
    if isinstance(value, list):
        items: list[Any] = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()[:20_000]
        try:
            parsed = ast.literal_eval(text) if text.startswith("[") else [text]
            items = list(parsed) if isinstance(parsed, (list, tuple)) else [text]
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            items = [m.group(1) or m.group(2) for m in _QUOTED.finditer(text)]
    else:
        return []
    out: list[str] = []
    for x in items:
        s = str(x).strip()
        if s and s not in out:
            out.append(s)
    return out


def _criteria(inclusion: str | None, exclusion: str | None) -> str | None:
    def body(text: str | None, label: str) -> str:
        t = (text or "").strip()
        return re.sub(rf"^\s*(?:{label}\s*criteria)?\s*:\s*", "", t, count=1, flags=re.IGNORECASE).strip()

    inc, exc = body(inclusion, "inclusion"), body(exclusion, "exclusion")
    parts = []
    if inc:
        parts.append("Inclusion Criteria:\n\n" + inc)
    if exc:
        parts.append("Exclusion Criteria:\n\n" + exc)
    return "\n\n".join(parts) or None


def _trial(
    nct: str,
    fields: dict[str, Any],
    fmt: str,
    source: str | None,
    index: int | None,
    source_url: str | None,
) -> Trial:
    return build(
        Trial,
        id=nct,
        registry_id=nct,
        provenance=build(
            Provenance, source_format=fmt, source=source, record_index=index, source_url=source_url
        ),
        **fields,
    )


def trialgpt_to_trial(
    d: dict[str, Any], source: str | None = None, index: int | None = None, source_url: str | None = None
) -> Trial | RecordError:
    nct = str(d.get("NCT_ID") or "").strip()
    if not nct:
        return RecordError(source or "<bytes>", index, "record without id: no NCT_ID")
    enrollment = to_int(d.get("enrollment"))
    fields: dict[str, Any] = {
        "brief_title": (str(d.get("brief_title") or "").strip() or None),
        "phases": phases(d.get("phase")) if d.get("phase") else [],
        "enrollment": enrollment if enrollment is not None and enrollment >= 0 else None,
        "conditions": _names(d.get("diseases_list") or d.get("diseases")),
        "interventions": [build(Intervention, name=n) for n in _names(d.get("drugs_list") or d.get("drugs"))],
        "brief_summary": (str(d.get("brief_summary") or "").strip() or None),
        "eligibility": build(
            Eligibility, criteria_text=_criteria(d.get("inclusion_criteria"), d.get("exclusion_criteria"))
        ),
    }
    return _trial(nct, fields, "trialgpt-json", source, index, source_url)


def is_hint_header(head: bytes) -> bool:
    first = head.split(b"\n", 1)[0].decode("utf-8", "replace").strip().lower()
    cols = {c.strip().strip('"') for c in first.split(",")}
    return cols >= _HINT_COLUMNS


def iter_hint_csv(fp: IO[bytes], source: str, source_url: str | None = None) -> Iterator[Trial | RecordError]:
    """One trial per CSV row (a trial repeated on later rows is yielded again; the store dedupes)."""
    text = io.TextIOWrapper(fp, encoding="utf-8-sig", errors="replace", newline="")
    csv.field_size_limit(MAX_RECORD_BYTES)
    try:
        for i, row in enumerate(csv.DictReader(text)):
            nct = (row.get("nctid") or "").strip()
            if not nct:
                yield RecordError(source, i, "record without id: empty nctid")
                continue
            why = (row.get("why_stop") or "").strip()
            status = (row.get("status") or "").strip()
            fields: dict[str, Any] = {
                "overall_status": status_value(status) if status else None,
                "why_stopped": why or None,
                "phases": phases(row.get("phase")) if (row.get("phase") or "").strip() else [],
                "conditions": _names(row.get("diseases")),
                "interventions": [build(Intervention, name=n) for n in _names(row.get("drugs"))],
                "eligibility": build(Eligibility, criteria_text=(row.get("criteria") or "").strip() or None),
            }
            yield _trial(nct, fields, "hint-csv", source, i, source_url)
    except csv.Error as exc:
        yield RecordError(source, None, f"malformed CSV: {exc}")
    finally:
        text.detach()
