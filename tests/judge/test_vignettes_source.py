"""Each synthetic vignette was written to fit its source trial: the judge must not fail it on that
trial's criteria (a check of false exclusions / false not-met on real trial text)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trialmatch.matching.judge import context_for, judge


@pytest.mark.slow
def test_source_trials_have_almost_no_failed_criteria(shared: Path) -> None:
    from benchmarks.vignettes_bench import _items

    base = shared / "data/benchmarks/synthetic_oncology_patients"
    lines = [
        json.loads(x)
        for x in (base / "synthetic_patient_cases_random_30_modified.jsonl").read_text().splitlines()
        if x.strip()
    ]
    failures = []
    checked = 0
    for d in lines:
        path = shared / "data/trials/trial_info" / (d["_id"].removeprefix("P_") + ".json")
        if not path.is_file():
            continue
        t = json.loads(path.read_text())
        crit = (
            "Inclusion Criteria:\n\n"
            + (t.get("inclusion_criteria") or "")
            + "\n\nExclusion Criteria:\n\n"
            + (t.get("exclusion_criteria") or "")
        )
        ctx = context_for(d["text"])
        for kind, text in _items(crit):
            checked += 1
            r = judge(ctx, text, kind)  # type: ignore[arg-type]
            if (kind == "inclusion" and r.verdict == "not_met") or (
                kind == "exclusion" and r.verdict == "met"
            ):
                failures.append((d["_id"], kind, text[:80], r.rule))
    assert checked > 500
    assert len(failures) <= 3, failures
