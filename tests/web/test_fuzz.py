"""Untrusted input never makes a 500: random JSON to /api/match, random form answers."""

from __future__ import annotations

import datetime as dt
import json

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialmatch.criteria.model import Criterion
from trialmatch.criteria.rules import Compare, Flag, Has, Is
from trialmatch.web.questionnaire import answers_to_patient, questions_for

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=12), kids, max_size=4),
    max_leaves=12,
)
PATIENT_KEYS = st.sampled_from(["age", "sex", "cancer", "labs", "performance_status", "as_of", "treatments"])


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(patient=st.dictionaries(PATIENT_KEYS, JSON, max_size=4), extra=JSON)
def test_api_match_never_500(client: TestClient, patient: dict, extra: object) -> None:  # type: ignore[type-arg]
    body = {"patient": patient, "trial_ids": ["NCT07077551"], "x": extra}
    r = client.post("/api/match", content=json.dumps(body), headers={"content-type": "application/json"})
    assert r.status_code in (200, 422, 429), r.text


QUESTIONS = questions_for(
    [
        Criterion(kind="inclusion", text="a", rule=Compare("age", ">=", 18)),
        Criterion(kind="inclusion", text="b", rule=Compare("lab.alt", "<=", 2.5, ref="uln")),
        Criterion(kind="inclusion", text="c", rule=Is("cancer.grade", ("G3",))),
        Criterion(kind="exclusion", text="d", rule=Flag("pregnant")),
        Criterion(kind="exclusion", text="e", rule=Has("mi", kinds=("condition",))),
        Criterion(kind="inclusion", text="f", rule=Compare("ecog", "<=", 1)),
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    form=st.dictionaries(
        st.sampled_from([q.key for q in QUESTIONS] + ["lab.alt.uln", "lab.alt.unit"]),
        st.text(max_size=30),
        max_size=8,
    )
)
def test_questionnaire_answers_never_crash(form: dict[str, str]) -> None:
    from trialmatch.patients.model import Patient

    p = answers_to_patient(QUESTIONS, form, dt.date(2026, 11, 1))
    Patient.model_validate(p)  # always a valid profile
