"""The ``match`` / ``report`` commands end to end on a scratch store, with a stand-in parser so that
the test does not depend on the real one; and the match report's ranking and next questions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import trialmatch.criteria as crit_pkg
from trialmatch.cli.main import app
from trialmatch.criteria.model import Criterion
from trialmatch.criteria.rules import Compare, Has, Is, Review
from trialmatch.matching.match import PreparedTrial, match_patient
from trialmatch.matching.report import render_report
from trialmatch.patients.model import Patient
from trialmatch.records.model import Eligibility, Trial

AS_OF = dt.date(2026, 11, 1)


def fake_parser(trial: Trial) -> list[Criterion]:
    out = [
        Criterion(
            "inclusion", "Aged 18-75", "age", "parsed", Compare("age", "between", 18, high=75), index=0
        ),
        Criterion("inclusion", "ECOG 0-1", "performance_status", "parsed", Compare("ecog", "<=", 1), index=1),
        Criterion(
            "exclusion",
            "Known brain metastases",
            "metastases",
            "parsed",
            Has("brain_metastases", kinds=("metastasis",)),
            index=2,
        ),
    ]
    if "NEC" in (trial.brief_title or ""):
        out.append(
            Criterion(
                "inclusion",
                "Neuroendocrine carcinoma",
                "diagnosis",
                "parsed",
                Has("nen.nec", kinds=("diagnosis",)),
                index=3,
            )
        )
        out.append(
            Criterion(
                "inclusion",
                "Platelets >= 100",
                "lab",
                "parsed",
                Compare("lab.platelets", ">=", 100, "10*9/L"),
                index=4,
            )
        )
    if "judged" in (trial.brief_title or ""):
        out.append(
            Criterion(
                "inclusion",
                "Investigator judges fit",
                "investigator_judgement",
                "needs_review",
                Review("fit", "Does the investigator judge the patient fit?", True),
                index=5,
            )
        )
    if "men" in (trial.brief_title or ""):
        out.append(Criterion("inclusion", "Men only", "sex", "parsed", Is("sex", ("male",)), index=6))
    return out


def trial(tid: str, title: str, conditions: list[str], status: str = "RECRUITING") -> Trial:
    return Trial(
        id=tid,
        registry_id=tid,
        brief_title=title,
        overall_status=status,
        conditions=conditions,
        eligibility=Eligibility(criteria_text=f"criteria of {tid}"),
    )


TRIALS = [
    trial("NCT00000001", "Chemotherapy for NEC", ["Neuroendocrine Carcinoma"]),
    trial("NCT00000002", "Breast cancer study judged", ["Breast Cancer"]),
    trial("NCT00000003", "A trial in men", ["Prostate Cancer"]),
    trial("NCT00000004", "Closed NEC trial", ["Neuroendocrine Carcinoma"], status="COMPLETED"),
]
PATIENT: dict[str, Any] = {
    "id": "p1",
    "as_of": "2026-11-01",
    "age": 58,
    "sex": "female",
    "cancer": {"name": "neuroendocrine carcinoma", "grade": "G3", "metastasis_sites": ["liver"]},
    "performance_status": {"ecog": 1},
}


@pytest.fixture()
def store_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    from trialmatch.store import Store

    monkeypatch.setattr(crit_pkg, "trial_criteria", fake_parser, raising=False)
    monkeypatch.setattr(crit_pkg, "PARSER_VERSION", "test-fake", raising=False)
    db = str(tmp_path / "tm.db")
    Store.from_db_option(db).import_trials(TRIALS)
    return db


def test_match_json_and_table(store_db: str, tmp_path: Path) -> None:
    pf = tmp_path / "p1.json"
    pf.write_text(json.dumps(PATIENT))
    r = CliRunner().invoke(app, ["match", str(pf), "--db", store_db, "--format", "json"])
    assert r.exit_code == 0, r.output
    rep = json.loads(r.stdout)
    assert rep["patient_id"] == "p1" and rep["as_of"] == "2026-11-01"
    ids = [x["trial_id"] for x in rep["results"]]
    assert ids[0] == "NCT00000001"  # NEC trial first: best disease fit
    assert "NCT00000003" not in ids  # men only: ineligible, left out without --all
    assert "NCT00000004" not in ids  # closed
    first = rep["results"][0]
    assert first["verdict"] == "possibly_eligible"  # platelets unknown
    assert {"kind", "text", "verdict", "explanation", "evidence", "missing"} <= set(first["criteria"][0])
    facts = [q["fact"] for q in rep["next_questions"]]
    assert "lab.platelets" in facts

    r = CliRunner().invoke(app, ["match", str(pf), str(pf), "--db", store_db, "--trial", "NCT00000003"])
    lines = [json.loads(x) for x in r.stdout.splitlines() if x.strip()]
    assert len(lines) == 2 and lines[0]["results"][0]["verdict"] == "ineligible"
    failed = [
        c for c in lines[0]["results"][0]["criteria"] if (c["kind"], c["verdict"]) == ("inclusion", "not_met")
    ]
    assert failed and failed[0]["text"] == "Men only"

    r = CliRunner().invoke(app, ["match", str(pf), "--db", store_db, "--format", "table"])
    assert r.exit_code == 0 and "NCT00000001" in r.stdout


def test_report_html_is_escaped(store_db: str, tmp_path: Path) -> None:
    pf = tmp_path / "p.json"
    pf.write_text(json.dumps({**PATIENT, "id": "<script>x</script>"}))
    out = tmp_path / "r.html"
    r = CliRunner().invoke(app, ["report", str(pf), "--db", store_db, "--out", str(out)])
    assert r.exit_code == 0, r.output
    html = out.read_text()
    assert "&lt;script&gt;" in html and "<script>x" not in html
    assert "@media print" in html and "What to find out next" in html


def test_bad_patient_file_is_reported(store_db: str, tmp_path: Path) -> None:
    pf = tmp_path / "bad.json"
    pf.write_text(json.dumps({"age": "old"}))
    r = CliRunner().invoke(app, ["match", str(pf), "--db", store_db])
    assert r.exit_code == 2
    assert "bad.json: age: not a number" in r.output


def test_ranking_and_questions_in_memory() -> None:
    p = Patient.model_validate(PATIENT)
    prepared = [PreparedTrial.from_trial(t, fake_parser(t)) for t in TRIALS]
    rep = match_patient(p, prepared, AS_OF, include_ineligible=True)
    verdicts = {r.trial_id: r.verdict for r in rep.results}
    assert verdicts["NCT00000003"] == "ineligible"
    assert rep.results[-1].verdict == "ineligible"
    assert rep.next_questions and rep.next_questions[0].trials
    html = render_report(rep, p)
    assert "NCT00000001" in html


def test_distance_to_nearest_recruiting_site() -> None:
    from trialmatch.records.model import Location

    t = trial("NCT00000009", "NEC trial", ["Neuroendocrine Carcinoma"])
    t.locations = [
        Location(city="Shanghai", country="China", lat=31.23, lon=121.47, status="RECRUITING"),
        Location(city="Hangzhou", country="China", lat=30.27, lon=120.16, status="COMPLETED"),
        Location(city="Ningbo", country="China", status="RECRUITING"),
    ]
    p = Patient.model_validate({**PATIENT, "location": {"city": "Hangzhou", "lat": 30.27, "lon": 120.16}})
    pt = PreparedTrial.from_trial(t, fake_parser(t))
    rep = match_patient(p, [pt], AS_OF)
    assert rep.results[0].distance_km is not None and 150 < rep.results[0].distance_km < 200  # Shanghai
    rep = match_patient(p, [pt], AS_OF, geocode=lambda q: (29.87, 121.54) if "Ningbo" in q else None)
    assert rep.results[0].nearest_site is not None and "Ningbo" in rep.results[0].nearest_site
    far = Patient.model_validate(
        {**PATIENT, "location": {"lat": 39.9, "lon": 116.4, "travel_radius_km": 300}}
    )
    rep = match_patient(far, [pt], AS_OF)
    assert "beyond the 300 km travel radius" in (rep.results[0].nearest_site or "")
