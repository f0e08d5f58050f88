"""The questionnaire and the patient matcher pages."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.web.conftest import csrf_of
from trialmatch.criteria.model import Criterion
from trialmatch.criteria.rules import Compare, Flag, Has, Is, Window
from trialmatch.web.questionnaire import answers_to_patient, questions_for


def test_questions_from_rules() -> None:
    crit = [
        Criterion(kind="inclusion", text="Aged 18-75", rule=Compare("age", "between", 18, high=75)),
        Criterion(kind="inclusion", text="ECOG 0-1", rule=Compare("ecog", "<=", 1)),
        Criterion(kind="inclusion", text="ANC", rule=Compare("lab.anc", ">=", 1.5, unit="10*9/L")),
        Criterion(kind="inclusion", text="ALT", rule=Compare("lab.alt", "<=", 2.5, ref="uln")),
        Criterion(kind="inclusion", text="Grade", rule=Is("cancer.grade", ("G3",))),
        Criterion(kind="exclusion", text="Pregnant", rule=Flag("pregnant")),
        Criterion(
            kind="exclusion", text="MI", rule=Has("mi", kinds=("condition",), window=Window(6, "month"))
        ),
        Criterion(kind="inclusion", text="Age again", rule=Compare("age", ">=", 18)),
    ]
    qs = questions_for(crit)
    keys = [q.key for q in qs]
    assert keys == ["age", "ecog", "lab.anc", "lab.alt", "cancer.grade", "pregnant", "has.condition:mi"]
    by = {q.key: q for q in qs}
    assert by["age"].unit == "years" and by["lab.anc"].unit == "10*9/L" and by["lab.alt"].uln
    assert "in the last 6 months" in by["has.condition:mi"].text
    p = answers_to_patient(
        qs,
        {
            "age": "58",
            "ecog": "2",
            "lab.anc": "1,8",
            "lab.alt": "30",
            "lab.alt.uln": "40",
            "cancer.grade": "G3",
            "pregnant": "no",
            "has.condition:mi": "no",
        },
        __import__("datetime").date(2026, 11, 1),
    )
    assert p["age"] == 58 and p["performance_status"] == {"ecog": 2}
    assert p["pregnant"] is False and p["cancer"]["grade"] == "G3" and p["conditions"] == []
    labs = {lab["name"]: lab for lab in p["labs"]}
    assert labs["anc"]["value"] == 1.8 and labs["anc"]["unit"] == "10*9/L" and labs["alt"]["uln"] == 40
    unknown = answers_to_patient(qs, {}, __import__("datetime").date(2026, 11, 1))
    assert set(unknown) == {"id", "as_of"}  # nothing answered = nothing known


def test_questionnaire_page(client: TestClient) -> None:
    page = client.get("/trials/NCT07077551").text
    r = client.post("/trials/NCT07077551/eligibility", data={"csrf_token": csrf_of(page), "age": "58"})
    assert r.status_code == 200
    assert "Criterion by criterion" in r.text and "Result:" in r.text


def test_matcher_form_note_and_json(client: TestClient) -> None:
    page = client.get("/match")
    assert page.status_code == 200 and 'type="file"' in page.text
    token = csrf_of(page.text)
    r = client.post(
        "/match",
        data={
            "csrf_token": token,
            "age": "58",
            "sex": "female",
            "cancer_name": "neuroendocrine carcinoma",
            "ecog": "1",
        },
    )
    assert r.status_code == 200 and "NCT07077551" in r.text and "Printable report" in r.text
    profile = {"age": 58, "sex": "female", "cancer": {"name": "neuroendocrine carcinoma"}}
    r = client.post("/match", data={"csrf_token": token, "profile_json": json.dumps(profile)})
    assert r.status_code == 200 and "NCT07077551" in r.text
    r = client.post("/match", data={"csrf_token": token, "profile_json": "{broken"})
    assert r.status_code == 400 and "not valid JSON" in r.text
    r = client.post(
        "/match", data={"csrf_token": token}, files={"fhir": ("b.json", b"not json", "application/json")}
    )
    assert r.status_code == 400
    r = client.post("/match/report", data={"csrf_token": token, "patient_json": json.dumps(profile)})
    assert (
        r.status_code == 200
        and "NCT07077551" in r.text
        and "<script" not in r.text.lower().replace('<script src="/static/', "")
    )


def test_matcher_fhir_upload_and_api_note(client: TestClient, shared) -> None:  # type: ignore[no-untyped-def]
    bundle = (shared / "data" / "fhir_patients" / "patient_data.json").read_bytes()
    token = csrf_of(client.get("/match").text)
    files = {"fhir": ("p.json", bundle, "application/json")}
    r = client.post("/match", data={"csrf_token": token}, files=files)
    assert r.status_code == 200 and "Matching trials" in r.text and "FHIR bundle" in r.text
    r = client.post("/api/match", json={"patient": json.loads(bundle), "trial_ids": ["NCT07077551"]})
    assert r.status_code == 200 and r.json()["results"][0]["trial_id"] == "NCT07077551"
    note = "58 year old woman with metastatic neuroendocrine carcinoma. ECOG 2."
    r = client.post("/api/match", json={"patient": note, "trial_ids": ["NCT07077551"]})
    assert r.status_code == 200 and r.json()["results"][0]["verdict"] in ("ineligible", "possibly_eligible")
