"""Real trial records from ``../shared/data/trials`` as ClinicalTrials.gov API v2 study JSON.

Mirrors ``shared/tools/corpus.py``: a TrialGPT ``trial_info`` record's criteria text is
``"Inclusion Criteria:\\n\\n" + inclusion + "\\n\\nExclusion Criteria:\\n\\n" + exclusion``; a HINT CSV
row's criteria text is used as it is. Structured eligibility fields (sex, ages) are given only where
the source record has them (``trial_info`` has none, HINT has none), never read from the text.
"""

from __future__ import annotations

import ast
import csv
import json
from pathlib import Path
from typing import Any

__all__ = ["find_study", "from_hint", "from_trial_info", "from_trialbench"]


def _list(s: str) -> list[str]:
    try:
        return [str(x) for x in ast.literal_eval(s)]
    except (ValueError, SyntaxError):
        return []


def from_trial_info(d: dict[str, Any]) -> dict[str, Any]:
    crit = (
        "Inclusion Criteria:\n\n"
        + (d.get("inclusion_criteria") or "")
        + "\n\nExclusion Criteria:\n\n"
        + (d.get("exclusion_criteria") or "")
    )
    return {
        "protocolSection": {
            "identificationModule": {"nctId": d["NCT_ID"], "briefTitle": d.get("brief_title")},
            "statusModule": {"overallStatus": "RECRUITING"},
            "descriptionModule": {"briefSummary": d.get("brief_summary") or ""},
            "conditionsModule": {"conditions": d.get("diseases_list") or []},
            "armsInterventionsModule": {
                "interventions": [{"type": "DRUG", "name": n} for n in d.get("drugs_list") or []]
            },
            "eligibilityModule": {"eligibilityCriteria": crit},
        }
    }


def from_hint(row: dict[str, str]) -> dict[str, Any]:
    diseases = _list(row.get("diseases") or "")
    return {
        "protocolSection": {
            "identificationModule": {"nctId": row["nctid"], "briefTitle": ", ".join(diseases)[:200]},
            "statusModule": {
                "overallStatus": (row.get("status") or "UNKNOWN").upper().replace(" ", "_").replace(",", "")
            },
            "conditionsModule": {"conditions": diseases},
            "armsInterventionsModule": {
                "interventions": [{"type": "DRUG", "name": n} for n in _list(row.get("drugs") or "")]
            },
            "eligibilityModule": {"eligibilityCriteria": row.get("criteria") or ""},
        }
    }


def from_trialbench(d: dict[str, Any]) -> dict[str, Any]:
    """An NIH-TrialBench trial (``raw_criteria`` is the registry's text; its age/sex fields are kept)."""
    elig: dict[str, Any] = {"eligibilityCriteria": d.get("raw_criteria") or ""}
    for src, dst in (("sex", "sex"), ("minimum_age", "minimumAge"), ("maximum_age", "maximumAge")):
        if d.get(src):
            elig[dst] = d[src]
    return {
        "protocolSection": {
            "identificationModule": {"nctId": d["nctid"], "briefTitle": d.get("title")},
            "statusModule": {"overallStatus": d.get("overall_status") or "UNKNOWN"},
            "descriptionModule": {"briefSummary": d.get("brief_summary") or ""},
            "conditionsModule": {"conditions": d.get("condition") or []},
            "designModule": {
                "studyType": d.get("study_type") or "INTERVENTIONAL",
                "phases": d.get("phases") or [],
            },
            "eligibilityModule": elig,
        }
    }


def find_study(data_dir: Path, nct_id: str) -> dict[str, Any] | None:
    """The study for ``nct_id`` (``data_dir`` = shared/data): NIH-TrialBench, ``trial_info``, else HINT."""
    bench = data_dir / "benchmarks" / "nih_trialbench_nen" / "trials" / f"{nct_id}.json"
    if bench.is_file():
        return from_trialbench(json.loads(bench.read_text()))
    trials_dir = data_dir / "trials"
    info = trials_dir / "trial_info" / f"{nct_id}.json"
    if info.is_file():
        return from_trial_info(json.loads(info.read_text()))
    csv.field_size_limit(10**9)
    for f in sorted((trials_dir / "hint").glob("*.csv")):
        with f.open(newline="") as fh:
            for row in csv.DictReader(fh):
                if row.get("nctid") == nct_id and row.get("criteria"):
                    return from_hint(row)
    return None
