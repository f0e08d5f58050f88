"""Untrusted values never crash an import: every item is stored or rejected with a reason."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialmatch.records.model import Eligibility, Trial
from trialmatch.store import Store

_STORE = Store(f"sqlite:///{Path(tempfile.mkdtemp(prefix='tm-fuzz-')) / 'fuzz.db'}")

texts = st.text(max_size=300)
trials = st.builds(
    Trial,
    id=st.text(min_size=0, max_size=140),
    registry_id=st.none() | texts,
    brief_title=st.none() | texts,
    overall_status=st.none() | texts,
    conditions=st.lists(texts, max_size=3),
    eligibility=st.builds(Eligibility, criteria_text=st.none() | texts),
)
junk = st.one_of(st.none(), st.integers(), texts, st.builds(ValueError, texts))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(trials, junk), max_size=12))
def test_every_item_is_stored_or_rejected(items: list[object]) -> None:
    s = _STORE.import_trials(items, batch_size=4)
    assert s.new + s.updated + s.unchanged + len(s.rejected) == len(items)
    for item in items:
        if isinstance(item, Trial) and any(r.record is not None for r in s.rejected):
            continue
        if isinstance(item, Trial) and item.id and "\x00" not in item.id and len(item.id) <= 128:
            got = _STORE.get_trial(item.id)
            assert got is not None
