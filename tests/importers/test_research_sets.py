"""TrialGPT trial_info JSON and HINT CSV rows (../shared/data/trials)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SHARED
from trialmatch.importers import RecordError, read_bytes, read_path
from trialmatch.records.model import Trial

TRIALS = SHARED / "data" / "trials"


def test_trialgpt_trial_info(shared: Path) -> None:
    (t,) = list(read_path(TRIALS / "trial_info" / "NCT03615326.json"))
    assert isinstance(t, Trial) and t.id == "NCT03615326"
    assert t.provenance is not None and t.provenance.source_format == "trialgpt-json"
    assert t.phases == ["PHASE3"] and t.enrollment == 732
    assert t.conditions == ["Gastric Neoplasms", "Gastroesophageal Junction Adenocarcinoma"]
    assert [i.name for i in t.interventions][-1] == "Trastuzumab"  # from a list repr cut short
    assert t.overall_status is None  # the set does not say: not invented
    crit = t.eligibility.criteria_text or ""
    assert crit.startswith("Inclusion Criteria:\n\nHistologically") and "\n\nExclusion Criteria:\n\n" in crit


def test_whole_research_folders_import(shared: Path) -> None:
    info = list(read_path(TRIALS / "trial_info"))
    assert len(info) == 990 and all(isinstance(r, Trial) for r in info)
    rows = [r for f in sorted((TRIALS / "hint").glob("toy_*.csv")) for r in read_path(f)]
    trials = [r for r in rows if isinstance(r, Trial)]
    assert trials and len(trials) == len(rows)
    assert {t.provenance.source_format for t in trials if t.provenance} == {"hint-csv"}
    assert {t.overall_status for t in trials} <= {
        "COMPLETED",
        "TERMINATED",
        "WITHDRAWN",
        "SUSPENDED",
        "ACTIVE_NOT_RECRUITING",
        "UNKNOWN",
        "RECRUITING",
        None,
    }
    assert all(t.eligibility.criteria_text for t in trials)


def test_hint_csv_rows() -> None:
    data = (
        b"nctid,status,why_stop,label,phase,diseases,icdcodes,drugs,smiless,criteria\n"
        b"NCT00000001,terminated,slow accrual,0,phase 2/phase 3,['nen'],[],\"['drug a', 'drug b']\",[],"
        b'"inclusion criteria:\n - adults"\n'
        b",completed,,1,phase 1,[],[],[],[],x\n"
    )
    out = list(read_bytes(data, "rows.csv"))
    t, err = out
    assert isinstance(t, Trial) and isinstance(err, RecordError)
    assert (t.overall_status, t.why_stopped, t.phases) == ("TERMINATED", "slow accrual", ["PHASE2", "PHASE3"])
    assert [i.name for i in t.interventions] == ["drug a", "drug b"] and t.conditions == ["nen"]
    assert err.record == 1 and "without id" in err.reason
