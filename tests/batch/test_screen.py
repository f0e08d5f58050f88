"""Batch screening: the same rows in-process and on a Dask LocalCluster; every output format."""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from trialmatch.batch.screen import screen_patients, write_rows
from trialmatch.cli.scale_cmd import load_specs
from trialmatch.importers import read_path
from trialmatch.patients.load import load_patient
from trialmatch.store import Store

AS_OF = dt.date(2026, 11, 1)


def _base_patients(shared: Path) -> list[dict[str, Any]]:
    spec = yaml.safe_load((shared / "spec" / "seed_patients.yaml").read_text())
    out = []
    for key, trial in spec["trials"].items():
        p = json.loads(json.dumps(trial["base"], default=str))
        p["id"] = f"{key}--base"
        out.append(p)
        older = dict(p, id=f"{key}--age-90", age=90)
        out.append(older)
    return out


@pytest.fixture(scope="module")
def seeded(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[dict[str, Any]]]:
    db = tmp_path_factory.mktemp("screen") / "tm.db"
    store = Store(f"sqlite:///{db}")
    store.import_trials(read_path(shared / "seeds"))
    return str(db), _base_patients(shared)


def test_rows_cover_every_patient_and_trial(seeded: tuple[str, list[dict[str, Any]]]) -> None:
    db, pdicts = seeded
    specs, errors = load_specs(db, [])
    assert not errors and len(specs) >= 4  # the open seed trials
    patients = [load_patient(p) for p in pdicts]
    rows = list(screen_patients(patients, specs, as_of=AS_OF))
    assert len(rows) == len(patients) * len(specs)
    by = {(r["patient_id"], r["trial_id"]): r for r in rows}
    assert by[("NCT07077551--base", "NCT07077551")]["verdict"] in ("eligible", "possibly_eligible")
    # aged 90: too old for the 18-75 trial, and the failing criterion is explained
    old = by[("NCT07077551--age-90", "NCT07077551")]
    assert old["verdict"] == "ineligible"
    assert any(c["verdict"] == "not_met" and "75" in c["text"] for c in old["criteria"])


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_rows(seeded: tuple[str, list[dict[str, Any]]]) -> None:
    db, pdicts = seeded
    specs, _ = load_specs(db, ["NCT07077551", "NCT06540937"])
    patients = [load_patient(p) for p in pdicts]
    local = list(screen_patients(patients, specs, as_of=AS_OF, chunk_size=3))
    on_dask = list(screen_patients(patients, specs, as_of=AS_OF, workers=2, chunk_size=3))
    assert on_dask == local
    assert len(local) == len(patients) * 2


def test_write_rows_formats_and_atomicity(tmp_path: Path) -> None:
    rows = [
        {
            "patient_id": "p1",
            "as_of": "2026-11-01",
            "trial_id": "T1",
            "registry_id": None,
            "title": "A <b>trial</b>",
            "verdict": "ineligible",
            "score": 0.25,
            "criteria": [{"kind": "inclusion", "text": "Age >= 18", "verdict": "not_met"}],
        }
    ]
    import pyarrow.parquet as pq

    assert write_rows(rows, tmp_path / "o.parquet") == 1
    table = pq.read_table(tmp_path / "o.parquet").to_pylist()
    assert table[0]["verdict"] == "ineligible"
    assert json.loads(table[0]["criteria"])[0]["text"] == "Age >= 18"
    assert write_rows(rows, tmp_path / "o.csv") == 1
    with (tmp_path / "o.csv").open() as fh:
        assert next(csv.DictReader(fh))["trial_id"] == "T1"
    assert write_rows(rows, tmp_path / "o.jsonl") == 1
    assert json.loads((tmp_path / "o.jsonl").read_text())["criteria"][0]["verdict"] == "not_met"

    def boom() -> Any:
        yield rows[0]
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        write_rows(boom(), tmp_path / "half.jsonl")
    assert not (tmp_path / "half.jsonl").exists()
    assert not list(tmp_path.glob("half.jsonl.*"))  # no partial file left behind
    with pytest.raises(ValueError, match="unknown output format"):
        write_rows(rows, tmp_path / "o.xlsx")


def test_cli_screen_writes_parquet(seeded: tuple[str, list[dict[str, Any]]], tmp_path: Path) -> None:
    db, pdicts = seeded
    src = tmp_path / "patients.jsonl"
    src.write_text("\n".join(json.dumps(p) for p in pdicts) + "\n{not json\n")
    out = tmp_path / "screen.parquet"
    exe = Path(sys.executable).with_name("trialmatch")
    r = subprocess.run(
        [str(exe), "screen", "--patients", str(src), "--trial", "NCT07077551", "--out", str(out),
         "--as-of", "2026-11-01", "--db", db],
        capture_output=True, text=True, timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert "line 11: not JSON" in r.stderr  # the bad line is named, the rest is screened
    import pyarrow.parquet as pq

    rows = pq.read_table(out).to_pylist()
    assert len(rows) == len(pdicts)
    assert {r["trial_id"] for r in rows} == {"NCT07077551"}


def test_a_new_trial_list_is_never_served_from_the_cache(seeded: tuple[str, list[dict[str, Any]]]) -> None:
    """Screening one trial list, then another, must judge the second list's trials."""
    db, pdicts = seeded
    patients = [load_patient(pdicts[0])]
    for ids in (["NCT07077551"], ["NCT06540937"], ["NCT07077551"]):
        specs, _ = load_specs(db, ids)
        rows = list(screen_patients(patients, specs, as_of=AS_OF))
        assert [r["trial_id"] for r in rows] == ids
        del specs  # free the list: a reused id must not hit the cache
