"""``criteria.clinical.concept_ids``: the concepts of the memoised hits of a text, built per call."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.criteria.clinical import _hits, concept_hits, concept_ids

_PIECES = [
    "breast cancer",
    "NSCLC",
    "prior",
    "cisplatin",
    "hepatitis B",
    "HIV",
    "no",
    "and",
    ",",
    "brain metastases",
    "x",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12).map(" ".join))
def test_ids_are_the_concepts_of_the_hits(text: str) -> None:
    ids = concept_ids(text)
    assert isinstance(ids, frozenset)
    assert ids == {h.concept for h in concept_hits(text)}
    assert ids == concept_ids(text)


def test_examples() -> None:
    assert concept_ids("") == frozenset()
    assert concept_ids("no concept here") == frozenset()
    assert _hits("no concept here", ("drug",)) == []
    assert "cisplatin" in concept_ids("prior cisplatin for breast cancer")
    assert [h.concept for h in _hits("prior cisplatin for breast cancer", ("drug",))] == ["cisplatin"]
