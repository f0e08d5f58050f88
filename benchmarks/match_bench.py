"""Matching speed: one patient against the ~5,800 real trials of ``../shared/data/trials`` and 10x that.

Trials are built from the TrialGPT ``trial_info`` JSON files and the HINT CSVs (criteria text,
conditions, status), their criteria parsed once with ``trialmatch.criteria.trial_criteria`` and
prepared (rules compiled lazily, once); then ``match_patient`` is timed. The 10x run repeats the
trials with new ids and the same (shared) parsed criteria, as a store would hand them over.

Usage: ``python -m benchmarks.match_bench [--limit N] [--copies 10] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import ast
import csv
import datetime as dt
import gc
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
AS_OF = dt.date(2026, 11, 1)

PATIENT: dict[str, Any] = {
    "id": "bench-nec",
    "age": 58,
    "sex": "female",
    "pregnant": False,
    "cancer": {
        "name": "neuroendocrine carcinoma",
        "differentiation": "poorly",
        "grade": "G3",
        "ki67_percent": 70,
        "primary_site": "pancreas",
        "metastatic": True,
        "metastasis_sites": ["liver"],
        "measurable_disease": True,
        "progression_dates": ["2026-08-20"],
    },
    "treatments": [
        {
            "name": "etoposide + cisplatin",
            "kind": "chemotherapy",
            "line": 1,
            "start_date": "2025-10-01",
            "end_date": "2026-08-20",
            "outcome": "progression",
        }
    ],
    "performance_status": {"ecog": 1},
    "life_expectancy_months": 12,
    "vitals": {"weight_kg": 65, "height_cm": 162, "systolic_bp": 126, "diastolic_bp": 80},
    "labs": [
        {"name": "absolute neutrophil count", "value": 2.5, "unit": "10*9/L"},
        {"name": "platelets", "value": 180, "unit": "10*9/L"},
        {"name": "hemoglobin", "value": 11.5, "unit": "g/dL"},
        {"name": "total bilirubin", "value": 0.8, "unit": "mg/dL", "uln": 1.2},
        {"name": "ALT", "value": 35, "unit": "U/L", "uln": 40},
        {"name": "AST", "value": 30, "unit": "U/L", "uln": 40},
        {"name": "creatinine", "value": 0.9, "unit": "mg/dL", "uln": 1.1},
    ],
    "conditions": [],
    "procedures": [],
    "allergies": [],
    "other_cancers": [],
}


def _list(s: str) -> list[str]:
    try:
        return [str(x) for x in ast.literal_eval(s)]
    except Exception:
        return []


def build_trials(limit: int | None = None) -> list[Any]:
    """Trial objects from trial_info JSON and HINT CSV (our own reading of those files)."""
    from trialmatch.records.model import Eligibility, Trial

    out: list[Trial] = []
    seen: set[str] = set()
    for f in sorted((SHARED / "data/trials/trial_info").glob("*.json")):
        d = json.loads(f.read_text())
        crit = (
            "Inclusion Criteria:\n\n"
            + (d.get("inclusion_criteria") or "")
            + "\n\nExclusion Criteria:\n\n"
            + (d.get("exclusion_criteria") or "")
        )
        nct = d["NCT_ID"]
        seen.add(nct)
        out.append(
            Trial(
                id=nct,
                registry_id=nct,
                brief_title=d.get("brief_title"),
                overall_status="RECRUITING",
                conditions=list(d.get("diseases_list") or []),
                eligibility=Eligibility(
                    criteria_text=crit, sex="ALL", minimum_age="18 Years", min_age_years=18
                ),
            )
        )
    csv.field_size_limit(10**9)
    for f in sorted((SHARED / "data/trials/hint").glob("*.csv")):
        with f.open() as fh:
            for row in csv.DictReader(fh):
                nct = row["nctid"]
                if nct in seen or not row.get("criteria"):
                    continue
                seen.add(nct)
                diseases = _list(row["diseases"])
                status = (row.get("status") or "UNKNOWN").upper().replace(" ", "_").replace(",", "")
                out.append(
                    Trial(
                        id=nct,
                        registry_id=nct,
                        brief_title=", ".join(diseases)[:200],
                        overall_status=status,
                        conditions=diseases,
                        eligibility=Eligibility(criteria_text=row["criteria"]),
                    )
                )
    return out[:limit] if limit else out


def _parse_all(trials: list[Any]) -> tuple[list[list[Any]], float, str]:
    try:
        from trialmatch.criteria import trial_criteria  # type: ignore[attr-defined]
    except ImportError:
        return [[] for _ in trials], 0.0, "parser not available"
    t = time.perf_counter()
    out = []
    for tr in trials:
        try:
            out.append(list(trial_criteria(tr)))
        except Exception:
            out.append([])
    return out, time.perf_counter() - t, "trial_criteria"


SIZES = (1_000, 10_000, 100_000)


def run(limit: int | None = None, copies: int = 10, repeat: int = 5) -> dict[str, Any]:
    from trialmatch.matching.match import PreparedTrial, match_patient
    from trialmatch.patients.model import Patient

    patient = Patient.model_validate(PATIENT)
    t0 = time.perf_counter()
    trials = build_trials(limit)
    t_build = time.perf_counter() - t0
    crits, t_parse, parser = _parse_all(trials)
    n = len(trials)
    n_crit = sum(len(c) for c in crits)
    res: dict[str, Any] = {
        "trials": n,
        "criteria": n_crit,
        "parser": parser,
        "build s": round(t_build, 2),
        "parse s": round(t_parse, 2),
    }

    def timed(prepared: list[PreparedTrial]) -> tuple[list[float], Any]:
        times, rep = [], None
        for _ in range(repeat):
            t = time.perf_counter()
            rep = match_patient(patient, prepared, AS_OF, detail_top=50)
            times.append(time.perf_counter() - t)
        return times, rep

    prepared = [PreparedTrial.from_trial(t, c) for t, c in zip(trials, crits, strict=True)]
    gc.collect()
    gc.freeze()  # as the CLI does after loading: the loaded trials are never scanned by the GC again
    first_t = time.perf_counter()
    match_patient(patient, prepared, AS_OF, detail_top=50)
    res["first match s (compiles rules)"] = round(time.perf_counter() - first_t, 3)
    times, rep = timed(prepared)
    p50 = statistics.median(times)
    res["match 1x p50 ms"] = round(p50 * 1000, 1)
    res["match 1x p95 ms"] = round(sorted(times)[max(0, int(len(times) * 0.95) - 1)] * 1000, 1)
    res["trial evaluations/s (1x)"] = round(n / p50)
    res["candidates (not ineligible)"] = len(rep.results) if rep is not None else 0
    if copies > 1:
        # issue 8: one patient vs 1,000 / 10,000 / 100,000 trials (the real records repeated with new ids)
        need = max(SIZES)
        big: list[PreparedTrial] = []
        c = 0
        while len(big) < need:
            for i, (t, cr) in enumerate(zip(trials, crits, strict=True)):
                tid = t.id if c == 0 else f"NCT9{c:02d}{i:05d}"
                big.append(PreparedTrial.from_parts(tid, tid, t.title, t.overall_status, t.conditions, cr))
            c += 1
        gc.freeze()
        for size in SIZES:
            part = big[:size]
            match_patient(patient, part, AS_OF, detail_top=50)  # compile the rules once
            times_b, _ = timed(part)
            p50b = statistics.median(times_b)
            label = f"{size:,}"
            res[f"match {label} trials p50 ms"] = round(p50b * 1000, 1)
            res[f"match {label} trials p95 ms"] = round(
                sorted(times_b)[max(0, int(len(times_b) * 0.95) - 1)] * 1000, 1
            )
            res[f"trial evaluations/s ({label})"] = round(size / p50b)
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--copies", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args(argv)
    res = run(a.limit, a.copies, a.repeat)
    width = max(len(k) for k in res)
    print("match benchmark (one patient, as of 2026-11-01)")
    for k, v in res.items():
        print(f"  {k:<{width}}  {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
