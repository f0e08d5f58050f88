"""Import benchmark: parse-only speed and peak memory of the importer on large list responses.

Two corpora, written to a temp dir as API v2 list responses (``{"studies": [...]}``):

* ``corpus`` - every real trial in ../shared/data/trials (TrialGPT trial_info JSON and HINT CSV,
  ~5,800 studies with criteria text) mapped to API v2 studies, repeated ``n_copies`` times with
  new ids;
* ``bulk-zip`` - the same real studies as one JSON file per study in a ZIP (the shape of
  ClinicalTrials.gov's all-studies download);
* ``full`` - the complete API v2 study records in ../shared/data/ctgov_api_v2 (protocol section
  only: sites, contacts, arms, outcomes...) repeated to ~1,000 studies, for the per-record cost of
  rich records.

Figures: studies/s through ``read_path`` (one core, no database) by wall clock and by CPU time
(the machine may be shared), MB/s, and the peak memory traced while streaming (tracemalloc, a
second pass).

    python -m benchmarks.import_bench [--copies N]
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from trialmatch.importers import RecordError, read_path

__all__ = ["build_corpus", "run"]

SHARED = Path(__file__).resolve().parents[2] / "shared"


def _lst(s: str | None) -> list[str]:
    try:
        v = ast.literal_eval(s or "[]")
    except (ValueError, SyntaxError):
        return []
    return [str(x) for x in v] if isinstance(v, (list, tuple)) else []


def _from_trial_info(d: dict[str, Any]) -> dict[str, Any]:
    crit = (
        "Inclusion Criteria:\n\n"
        + (d.get("inclusion_criteria") or "")
        + "\n\nExclusion Criteria:\n\n"
        + (d.get("exclusion_criteria") or "")
    )
    phase = d.get("phase") or ""
    return {
        "protocolSection": {
            "identificationModule": {"nctId": d["NCT_ID"], "briefTitle": d.get("brief_title")},
            "statusModule": {"overallStatus": "RECRUITING"},
            "descriptionModule": {"briefSummary": d.get("brief_summary") or ""},
            "conditionsModule": {"conditions": d.get("diseases_list") or []},
            "designModule": {"phases": [p.strip().upper().replace(" ", "") for p in phase.split("/") if p]},
            "armsInterventionsModule": {
                "interventions": [{"type": "DRUG", "name": n} for n in d.get("drugs_list") or []]
            },
            "eligibilityModule": {"eligibilityCriteria": crit, "sex": "ALL", "minimumAge": "18 Years"},
        }
    }


def _from_hint(row: dict[str, str]) -> dict[str, Any]:
    status = (row.get("status") or "UNKNOWN").upper().replace(" ", "_").replace(",", "")
    diseases, drugs = _lst(row.get("diseases")), _lst(row.get("drugs"))
    return {
        "protocolSection": {
            "identificationModule": {"nctId": row["nctid"], "briefTitle": ", ".join(diseases)[:200]},
            "statusModule": {"overallStatus": status},
            "conditionsModule": {"conditions": diseases},
            "armsInterventionsModule": {"interventions": [{"type": "DRUG", "name": n} for n in drugs]},
            "eligibilityModule": {"eligibilityCriteria": row.get("criteria") or ""},
        }
    }


def _base_studies(shared: Path) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for f in sorted((shared / "data/trials/trial_info").glob("*.json")):
        s = _from_trial_info(json.loads(f.read_text(encoding="utf-8")))
        seen.add(s["protocolSection"]["identificationModule"]["nctId"])
        out.append(s)
    csv.field_size_limit(10**9)
    for f in sorted((shared / "data/trials/hint").glob("*.csv")):
        with f.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row.get("nctid") in seen or not row.get("criteria"):
                    continue
                seen.add(row["nctid"])
                out.append(_from_hint(row))
    return out


def _full_studies(shared: Path) -> list[dict[str, Any]]:
    out = []
    for f in sorted((shared / "data/ctgov_api_v2").glob("NCT*.json")):
        d = json.loads(f.read_text(encoding="utf-8"))
        if "protocolSection" in d:
            out.append({"protocolSection": d["protocolSection"], "hasResults": d.get("hasResults", False)})
    return out


def _write_list(path: Path, studies: Iterator[dict[str, Any]]) -> int:
    """Write a list response one study at a time (the corpus never sits in memory as text)."""
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{"studies": [')
        for s in studies:
            if n:
                fh.write(",\n")
            fh.write(json.dumps(s, ensure_ascii=False))
            n += 1
        fh.write('], "nextPageToken": null}')
    return n


def _copies(base: list[dict[str, Any]], n_copies: int) -> Iterator[dict[str, Any]]:
    for c in range(n_copies):
        for i, s in enumerate(base):
            if c:
                s = json.loads(json.dumps(s))
                s["protocolSection"]["identificationModule"]["nctId"] = f"NCT9{c:02d}{i:05d}"
            yield s


def build_corpus(out: Path, n_copies: int = 1, shared: Path = SHARED) -> int:
    """Write the ~5,800-study list response (times ``n_copies``) to ``out``; returns the count."""
    return _write_list(out, _copies(_base_studies(shared), n_copies))


def _measure(path: Path) -> dict[str, float]:
    t, cpu = time.perf_counter(), time.process_time()
    ok = bad = 0
    for r in read_path(path):
        if isinstance(r, RecordError):
            bad += 1
        else:
            ok += 1
    secs, cpu_secs = time.perf_counter() - t, time.process_time() - cpu
    tracemalloc.start()
    for _ in read_path(path):
        pass
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    mb = path.stat().st_size / 1e6
    return {
        "studies": ok,
        "rejected": bad,
        "file MB": mb,
        "seconds": secs,
        "studies/s": ok / secs if secs else 0.0,
        "studies/s (CPU time)": ok / cpu_secs if cpu_secs else 0.0,
        "MB/s": mb / secs if secs else 0.0,
        "peak traced MB": peak / 1e6,
    }


def run(n_copies: int = 1) -> dict[str, Any]:
    """Build both corpora in a temp dir and measure them; figures keyed "<corpus> <figure>"."""
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="tm-import-bench-") as tmp:
        corpus = Path(tmp) / "corpus.json"
        build_corpus(corpus, n_copies)
        for k, v in _measure(corpus).items():
            figures[f"corpus {k}"] = v
        corpus.unlink()
        bulk = Path(tmp) / "bulk.zip"
        with zipfile.ZipFile(bulk, "w", zipfile.ZIP_DEFLATED) as zf:
            for s in _base_studies(SHARED):
                nct = s["protocolSection"]["identificationModule"]["nctId"]
                zf.writestr(f"ctg-studies/{nct}.json", json.dumps(s, ensure_ascii=False))
        for k, v in _measure(bulk).items():
            figures[f"bulk-zip {k}"] = v
        bulk.unlink()
        full = Path(tmp) / "full.json"
        base = _full_studies(SHARED)
        if base:
            reps = max(1, 1000 // len(base))
            _write_list(full, _copies(base * reps, 1))
            for k, v in _measure(full).items():
                figures[f"full-v2 {k}"] = v
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--copies", type=int, default=1, help="repeat the ~5,800 real studies N times")
    a = ap.parse_args()
    figures = run(a.copies)
    w = max(len(k) for k in figures)
    print(f"| {'figure'.ljust(w)} | value |")
    print(f"|{'-' * (w + 2)}|-------|")
    for k, v in figures.items():
        val = f"{v:,.1f}" if isinstance(v, float) else f"{v:,}"
        print(f"| {k.ljust(w)} | {val} |")


if __name__ == "__main__":
    main()
