"""The patients-YAML format of ``shared/spec/seed_patients.yaml`` (also used by our own
``tests/generalization/nen_patients.yaml``): variant expansion and the verdict semantics.

Semantics (from the top of the seed file):
  possible     - the verdict is eligible or possibly eligible, and no criterion is failed
                 (no inclusion not met, no exclusion met).
  ineligible   - the verdict is ineligible, and one of the failed criteria's source text
                 contains `because` (case-insensitive).
  not_eligible - the verdict is not "eligible".
A variant is the trial's base patient with `change` merged in (objects merge key by key, lists
and values replace; `remove` lists dotted paths to delete), with the file's `defaults` under it.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml

from trialmatch.matching.model import TrialResult

__all__ = ["FAILED", "expand", "judge", "merge", "remove_path"]

FAILED = {("inclusion", "not_met"), ("exclusion", "met")}


def merge(base: Any, change: Any) -> Any:
    if isinstance(base, dict) and isinstance(change, dict):
        out = copy.deepcopy(base)
        for k, v in change.items():
            out[k] = merge(out[k], v) if k in out else copy.deepcopy(v)
        return out
    return copy.deepcopy(change)


def remove_path(obj: dict[str, Any], dotted: str) -> None:
    *head, last = dotted.split(".")
    for part in head:
        obj = obj.get(part, {})
    obj.pop(last, None)


def expand(spec_file: Path) -> list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]]:
    """(trial key, trial spec, variant, patient dict) for every variant of a patients YAML."""
    spec = yaml.safe_load(spec_file.read_text())
    defaults = spec.get("defaults", {})
    out = []
    for key, trial in spec["trials"].items():
        for v in trial["variants"]:
            p = merge(trial["base"], v.get("change", {}))
            for path in v.get("remove", []):
                remove_path(p, path)
            p = merge(defaults, p)
            p["id"] = f"{key}--{v['id']}"
            out.append((key, trial, v, json.loads(json.dumps(p, default=str))))
    return out


def judge(v: dict[str, Any], result: TrialResult | None) -> tuple[bool, str]:
    """Whether a trial result satisfies the variant's expectation, and why (for messages)."""
    if result is None:
        return False, "no result for this trial"
    failed = [c for c in result.criteria if (c.kind, c.verdict) in FAILED]
    why = f"verdict={result.verdict} failed={[c.text[:80] for c in failed]}"
    if v["expect"] == "possible":
        return result.verdict in ("eligible", "possibly_eligible") and not failed, why
    if v["expect"] == "not_eligible":
        return result.verdict != "eligible", why
    because = v["because"].lower()
    return result.verdict == "ineligible" and any(because in c.text.lower() for c in failed), why
