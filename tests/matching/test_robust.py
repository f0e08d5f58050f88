"""Random patients never crash the matcher, and fast and full evaluation always agree."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialmatch.criteria.model import Criterion
from trialmatch.criteria.rules import Admin, And, Compare, Flag, Has, If, Is, Not, Or, Review, Window
from trialmatch.matching.evaluate import compile_rule, explain_rule
from trialmatch.matching.match import PreparedTrial, match_patient
from trialmatch.patients.derive import PatientFacts
from trialmatch.patients.model import Patient

AS_OF = dt.date(2026, 11, 1)
dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 1, 1))
names = st.sampled_from(["deep vein thrombosis", "brain metastases", "hypertension", "x", "", "MI", "HIV"])
units = st.sampled_from(["10*9/L", "g/L", "g/dL", "mg/dL", "umol/L", "%", "/mm3", "U/L", "bogus", None])
labs: st.SearchStrategy[dict[str, Any]] = st.builds(
    dict,
    name=st.sampled_from(["ANC", "platelets", "hemoglobin", "creatinine", "ALT", "weird"]),
    value=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    unit=units,
    uln=st.one_of(st.none(), st.floats(min_value=-10, max_value=1e4, allow_nan=False)),
)
patients = st.fixed_dictionaries(
    {},
    optional={
        "age": st.floats(min_value=0, max_value=120),
        "birth_date": dates,
        "sex": st.sampled_from(["female", "male", "other", "unknown"]),
        "pregnant": st.booleans(),
        "cancer": st.fixed_dictionaries(
            {},
            optional={
                "name": st.sampled_from(["neuroendocrine carcinoma", "breast cancer", "", "NET G2"]),
                "ki67_percent": st.floats(min_value=0, max_value=100),
                "metastasis_sites": st.lists(names, max_size=3),
                "stage": st.fixed_dictionaries(
                    {}, optional={"group": st.sampled_from(["IV", "3", "IIIB", "?"])}
                ),
                "progression_dates": st.lists(dates, max_size=2),
            },
        ),
        "conditions": st.lists(
            st.fixed_dictionaries(
                {"name": names}, optional={"onset_date": dates, "status": st.text(max_size=8)}
            ),
            max_size=3,
        ),
        "treatments": st.lists(
            st.fixed_dictionaries({"name": names}, optional={"end_date": dates, "ongoing": st.booleans()}),
            max_size=3,
        ),
        "performance_status": st.fixed_dictionaries(
            {}, optional={"ecog": st.integers(0, 5), "karnofsky": st.integers(0, 100)}
        ),
        "vitals": st.fixed_dictionaries({}, optional={"weight_kg": st.floats(min_value=0.1, max_value=400)}),
        "labs": st.lists(labs, max_size=4),
    },
)

RULES: list[Any] = [
    Compare("lab.anc", ">=", 1.5, "10*9/L"),
    Compare("lab.alt", "<=", 2.5, ref="uln"),
    Or((Compare("lab.creatinine", "<=", 1.5, ref="uln"), Compare("lab.crcl", ">", 60, "mL/min"))),
    If(Has("liver_metastases", kinds=("metastasis",)), Compare("lab.alt", "<=", 5, ref="uln")),
    Has("dvt", kinds=("condition",), window=Window(6, "month")),
    Not(Has("cancer", kinds=("other_cancer",), status="active")),
    And((Is("sex", ("female",)), Flag("pregnant"))),
    Compare("karnofsky", ">=", 70),
    Is("cancer.stage_group", ("III", "IV")),
    Compare("prior_lines", ">=", 1),
    Review("x"),
    Admin(),
]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patients)
def test_random_patients_never_crash(data: dict[str, Any]) -> None:
    p = Patient.model_validate(data)
    f = PatientFacts.build(p, AS_OF)
    for r in RULES:
        assert compile_rule(r)(f) == explain_rule(r, f).value
    crits = [Criterion("inclusion" if i % 2 else "exclusion", f"c{i}", rule=r) for i, r in enumerate(RULES)]
    rep = match_patient(
        p, [PreparedTrial.from_parts("T", None, "t", None, [], crits)], AS_OF, trial_ids=["T"]
    )
    assert rep.results[0].verdict in ("eligible", "possibly_eligible", "ineligible")
    rep.model_dump_json()
