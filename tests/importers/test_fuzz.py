"""Untrusted input never raises out of the importer and never hangs."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.timing import cpu_budget
from trialmatch.importers import RecordError, read_bytes
from trialmatch.records.model import Trial

_PREFIXES = [
    b"",
    b"{",
    b"[",
    b"<",
    b"<html><body>NCT01234567 Eligibility ",
    b'{"studies": [',
    b"<clinical_study>",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b'{"protocolSection": {"identificationModule": {"nctId": "NCT00000001"',
]

_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _run(data: bytes) -> None:
    with cpu_budget(2.0, data[:40]):  # a hang guard: CPU time, which load on the machine does not stretch
        out = list(read_bytes(data, "fuzz"))
    assert all(isinstance(r, (Trial, RecordError)) for r in out)
    assert out, "something is always reported"


@_SETTINGS
@given(st.sampled_from(_PREFIXES), st.binary(max_size=2000))
def test_random_bytes(prefix: bytes, data: bytes) -> None:
    _run(prefix + data)


@_SETTINGS
@given(st.sampled_from(_PREFIXES), st.text(max_size=2000))
def test_random_text(prefix: bytes, text: str) -> None:
    _run(prefix + text.encode("utf-8", "surrogatepass"))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=12), kids, max_size=4),
    max_leaves=30,
)
module_names = st.sampled_from(
    [
        "identificationModule",
        "statusModule",
        "designModule",
        "eligibilityModule",
        "contactsLocationsModule",
        "armsInterventionsModule",
        "sponsorCollaboratorsModule",
        "conditionsModule",
    ]
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(module_names, st.dictionaries(st.text(max_size=20), json_values, max_size=6)))
def test_random_study_shapes(modules: dict[str, object]) -> None:
    ident = modules.get("identificationModule")
    if isinstance(ident, dict):
        ident["nctId"] = "NCT00000001"
    _run(json.dumps({"protocolSection": modules}).encode())
    _run(json.dumps({"studies": [{"protocolSection": modules}] * 2}).encode())


def test_pathological_inputs_finish() -> None:
    _run(b"[" * 100_000)  # deep nesting
    _run(b'{"studies": [' + b'{"a": "' + b"x" * 200_000)  # unterminated string
    _run(b"<a>" * 50_000)
    _run(("Eligibility " + "1. " * 50_000).encode())


def test_study_to_trial_never_raises() -> None:
    from trialmatch.importers.ctgov_json import study_to_trial

    weird: list[object] = [
        {"protocolSection": {"identificationModule": {"nctId": "NCT1"}, "contactsLocationsModule": {"x": 5}}},
        {"protocolSection": {"identificationModule": {"nctId": ["x"]}}},
        {"protocolSection": []},
        [],
        {"protocolSection": {"identificationModule": {"nctId": "NCT2"}, "designModule": {"phases": "II"}}},
    ]
    for w in weird:
        r = study_to_trial(w, source="w")  # type: ignore[arg-type]
        assert isinstance(r, (Trial, RecordError))
