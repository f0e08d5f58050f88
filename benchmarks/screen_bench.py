"""Batch screening throughput: patient x trial pairs per second in-process and on Dask
(1 and 2 local workers), and the scaling efficiency of the second worker.

Trials: the first ``n_trials`` real records of ../shared/data/trials (parsed once); patients:
the seed patients' variants (../shared/spec/seed_patients.yaml), every pair explained in full.
``python -m benchmarks.screen_bench`` prints a table.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import yaml

from benchmarks.match_bench import build_trials
from trialmatch.batch.screen import TrialSpec, screen_patients
from trialmatch.criteria import trial_criteria
from trialmatch.patients.model import Patient

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
AS_OF = dt.date(2026, 11, 1)

__all__ = ["run"]


def _merge(base: Any, change: Any) -> Any:
    if isinstance(base, dict) and isinstance(change, dict):
        out = copy.deepcopy(base)
        for k, v in change.items():
            out[k] = _merge(out.get(k), v) if k in out else copy.deepcopy(v)
        return out
    return copy.deepcopy(change)


def seed_patients() -> list[Patient]:
    spec = yaml.safe_load((SHARED / "spec" / "seed_patients.yaml").read_text())
    out = []
    for key, trial in spec["trials"].items():
        for v in trial["variants"]:
            p = _merge(trial["base"], v.get("change", {}))
            p["id"] = f"{key}--{v['id']}"
            out.append(Patient.model_validate(json.loads(json.dumps(p, default=str))))
    return out


def _specs(n_trials: int) -> list[TrialSpec]:
    specs = []
    for t in build_trials(n_trials):
        crit = tuple(c.to_dict() for c in trial_criteria(t))
        specs.append(TrialSpec(t.id, t.registry_id, t.title, t.overall_status, tuple(t.conditions), crit))
    return specs


def run(n_trials: int = 150, n_patients: int = 88) -> dict[str, Any]:
    """Pairs/s in-process and on a running LocalCluster of 1 and 2 worker processes."""
    specs = _specs(n_trials)
    patients = seed_patients()[:n_patients]
    pairs = len(specs) * len(patients)
    res: dict[str, Any] = {"patients": len(patients), "trials": len(specs), "pairs": pairs}
    rates = {}
    t = time.perf_counter()
    n = sum(1 for _ in screen_patients(patients, specs, as_of=AS_OF, chunk_size=4))
    rates["in-process"] = pairs / (time.perf_counter() - t)
    res["in-process pairs/s"] = round(rates["in-process"])
    from dask.distributed import LocalCluster

    for label, workers in (("dask 1 worker", 1), ("dask 2 workers", 2)):
        t = time.perf_counter()
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        res[f"{label}: cluster start s"] = round(time.perf_counter() - t, 2)
        try:  # throughput on a running cluster (scatter of the trials included)
            t = time.perf_counter()
            n = sum(
                1
                for _ in screen_patients(
                    patients, specs, as_of=AS_OF, scheduler=cluster.scheduler_address, chunk_size=4
                )
            )
            elapsed = time.perf_counter() - t
        finally:
            cluster.close()
        assert n == pairs
        rates[label] = pairs / elapsed
        res[f"{label} pairs/s"] = round(rates[label])
    efficiency = rates["dask 2 workers"] / (2 * rates["dask 1 worker"])
    res["scaling efficiency (2 workers vs 1)"] = round(efficiency, 2)
    return res


if __name__ == "__main__":
    for k, v in run().items():
        print(f"{k:<40} {v}")
