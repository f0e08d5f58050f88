"""``criteria.clinical._hits``: the memoised hits of a text whose concept is of the given types."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.criteria.clinical import _hits, concepts_in, hits_of
from trialmatch.vocab.concepts import concepts

TYPES = sorted({c.type for c in concepts().values()})
WORDS = ["breast cancer", "HIV", "cisplatin", "chemotherapy", "brain metastases", "surgery", "of", ",", "PE"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join),
    st.lists(st.sampled_from(TYPES), min_size=1, max_size=3).map(tuple),
)
def test_hits_are_the_hits_of_those_types(text: str, types: tuple[str, ...]) -> None:
    want = [h for h in concepts_in(text) if concepts()[h.concept].type in types]
    assert _hits(text, types) == want
    assert hits_of(text, types) == want


def test_a_drug_is_found_by_its_type() -> None:
    hits = hits_of("prior cisplatin for breast cancer", ("drug",))
    assert [h.text for h in hits] == ["cisplatin"]
