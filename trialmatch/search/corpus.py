"""Build ``Trial`` objects from the TrialGPT ``trial_info`` JSON files and the HINT CSVs (the ~5,800
real trials of ``shared/data/trials``), the same way ``shared/tools/corpus.py`` builds its CT.gov
corpus (trial_info first, HINT rows with criteria after, first occurrence of an id wins; trial_info
trials are marked RECRUITING). Used by the search benchmark and tests."""

from __future__ import annotations

import ast
import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from trialmatch.records.model import Eligibility, Intervention, Trial

__all__ = ["from_hint", "from_trial_info", "load_corpus"]


def _list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(x) for x in value]
    try:
        out = ast.literal_eval(str(value or "[]"))
        return [str(x) for x in out] if isinstance(out, list | tuple) else []
    except (ValueError, SyntaxError):
        return []


def _phases(text: str | None) -> list[str]:
    out: list[str] = []
    for m in re.finditer(r"(early\s*)?phase\s*([1-4])", (text or "").lower()):
        p = "EARLY_PHASE1" if m.group(1) else f"PHASE{m.group(2)}"
        if p not in out:
            out.append(p)
    return out


def from_trial_info(d: dict[str, Any]) -> Trial:
    crit = (
        "Inclusion Criteria:\n\n"
        + (d.get("inclusion_criteria") or "")
        + "\n\nExclusion Criteria:\n\n"
        + (d.get("exclusion_criteria") or "")
    )
    return Trial(
        id=d["NCT_ID"],
        registry_id=d["NCT_ID"],
        brief_title=d.get("brief_title"),
        overall_status="RECRUITING",
        brief_summary=d.get("brief_summary") or None,
        conditions=_list(d.get("diseases_list")),
        interventions=[Intervention(type="DRUG", name=n) for n in _list(d.get("drugs_list"))],
        phases=_phases(d.get("phase")),
        eligibility=Eligibility(criteria_text=crit, sex="ALL", minimum_age="18 Years", min_age_years=18.0),
    )


def from_hint(row: dict[str, str]) -> Trial:
    diseases = _list(row.get("diseases"))
    status = (row.get("status") or "UNKNOWN").upper().replace(" ", "_").replace(",", "")
    return Trial(
        id=row["nctid"],
        registry_id=row["nctid"],
        brief_title=", ".join(diseases)[:200] or None,
        overall_status=status,
        conditions=diseases,
        phases=_phases(row.get("phase")),
        interventions=[Intervention(type="DRUG", name=n) for n in dict.fromkeys(_list(row.get("drugs")))],
        eligibility=Eligibility(criteria_text=row.get("criteria") or None),
    )


def load_corpus(trials_dir: Path, limit: int | None = None) -> Iterator[Trial]:
    """Trials of ``shared/data/trials`` (``trial_info/*.json`` then ``hint/*.csv``)."""
    seen: set[str] = set()
    n = 0
    for f in sorted((trials_dir / "trial_info").glob("*.json")):
        t = from_trial_info(json.loads(f.read_text("utf-8")))
        seen.add(t.id)
        yield t
        n += 1
        if limit is not None and n >= limit:
            return
    csv.field_size_limit(10**9)
    for f in sorted((trials_dir / "hint").glob("*.csv")):
        with f.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["nctid"] in seen or not row.get("criteria"):
                    continue
                seen.add(row["nctid"])
                yield from_hint(row)
                n += 1
                if limit is not None and n >= limit:
                    return
