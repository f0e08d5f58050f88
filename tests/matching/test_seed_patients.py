"""All patients of ``shared/spec/seed_patients.yaml`` against the five seed trials, as profiles and
as FHIR bundles generated from the profiles.

Semantics (from the top of that file):
  possible     - the verdict is eligible or possibly eligible, and no criterion is failed
                 (no inclusion not met, no exclusion met).
  ineligible   - the verdict is ineligible, and one of the failed criteria's source text
                 contains `because` (case-insensitive).
  not_eligible - the verdict is not "eligible".
A variant is the trial's base patient with `change` merged in (objects merge key by key, lists
and values replace; `remove` lists dotted paths to delete), judged as of `defaults.as_of`.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import SHARED
from tests.seedspec import expand, judge
from trialmatch.matching.match import PreparedTrial, match_patient
from trialmatch.patients.fhir import bundle_to_patient
from trialmatch.patients.fhir_write import patient_to_fhir
from trialmatch.patients.model import Patient

SPEC = SHARED / "spec" / "seed_patients.yaml"
VARIANTS = expand(SPEC) if SPEC.is_file() else []


@pytest.fixture(scope="module")
def seed_trials(shared: Path) -> dict[str, PreparedTrial]:
    crit_mod = pytest.importorskip("trialmatch.criteria")
    trial_criteria = getattr(crit_mod, "trial_criteria", None)
    if trial_criteria is None:
        pytest.skip("criteria parser not available yet")
    from trialmatch.importers import RecordError, read_path

    spec = yaml.safe_load(SPEC.read_text())
    trials = []
    for f in sorted((shared / "seeds").glob("*.txt")):
        for item in read_path(f):
            if not isinstance(item, RecordError):
                trials.append(item)
    out: dict[str, PreparedTrial] = {}
    for key, tspec in spec["trials"].items():
        for t in trials:
            title = (t.title or "").lower()
            if t.registry_id == key or (tspec.get("match_title") and tspec["match_title"].lower() in title):
                out[key] = PreparedTrial.from_trial(t, trial_criteria(t))
    return out


def _run(key: str, v: dict[str, Any], patient: Patient, seed_trials: dict[str, PreparedTrial]) -> None:
    pt = seed_trials.get(key)
    assert pt is not None, f"seed trial {key} not imported"
    rep = match_patient(patient, [pt], dt.date(2026, 11, 1), trial_ids=[pt.trial_id])
    res = next((r for r in rep.results if r.trial_id == pt.trial_id), None)
    ok, why = judge(v, res)
    assert ok, f"{patient.id} expect={v['expect']} {v.get('because', '')!r}: {why}"


@pytest.mark.parametrize(
    ("key", "variant", "patient"), [(k, v, p) for k, _, v, p in VARIANTS], ids=[p["id"] for *_, p in VARIANTS]
)
def test_seed_patient(
    key: str, variant: dict[str, Any], patient: dict[str, Any], seed_trials: dict[str, PreparedTrial]
) -> None:
    _run(key, variant, Patient.model_validate(patient), seed_trials)


@pytest.mark.parametrize(
    ("key", "variant", "patient"), [(k, v, p) for k, _, v, p in VARIANTS], ids=[p["id"] for *_, p in VARIANTS]
)
def test_seed_patient_as_fhir(
    key: str, variant: dict[str, Any], patient: dict[str, Any], seed_trials: dict[str, PreparedTrial]
) -> None:
    bundle = json.loads(json.dumps(patient_to_fhir(Patient.model_validate(patient))))
    p = bundle_to_patient(bundle)
    assert p.id == patient["id"]
    _run(key, variant, p, seed_trials)


def test_variant_count(shared: Path) -> None:
    assert len(VARIANTS) == 88  # every variant of ../shared/spec/seed_patients.yaml is parametrised
