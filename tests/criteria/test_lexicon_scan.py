"""The phrase matcher's scan helpers (``criteria.lexicon``): the lower-case tokeniser, the
positions of a list's first tokens and the one-token phrases that answer ``has_phrase`` at once."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.criteria import lexicon
from trialmatch.criteria.lexicon import has_phrase, phrases

ASCII = [chr(i) for i in range(128)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*ASCII, "ab", "Tumours", "HER2", "x_y"]), max_size=40).map("".join))
def test_the_lower_case_tokeniser_reads_a_lowered_ascii_text_as_the_general_one(text: str) -> None:
    low = text.lower()
    assert lexicon._LOW_TOK.findall(low) == lexicon._ASCII_TOK.findall(low) == lexicon._TOK.findall(low)


@settings(max_examples=300, deadline=None)
@given(
    toks=st.lists(st.sampled_from(["a", "b", "c", "d", ","]), max_size=30).map(tuple),
    common=st.frozensets(st.sampled_from(["a", "b", "z"]), max_size=3),
)
def test_occurrences_are_the_positions_of_the_common_tokens_in_order(
    toks: tuple[str, ...], common: frozenset[str]
) -> None:
    assert lexicon._occurrences(toks, common) == [i for i, t in enumerate(toks) if t in common]


def test_a_one_token_phrase_is_a_first_token_that_is_a_phrase_by_itself() -> None:
    idx, firsts, ones = lexicon._tables("pregnancy_cues")
    singles = {str(p).lower() for p in phrases()["pregnancy_cues"] if len(lexicon._TOK.findall(str(p))) == 1}
    assert ones == frozenset(singles) and ones <= firsts == frozenset(idx)
    assert has_phrase("pregnancy_cues", "Patients who are PREGNANT.")
    assert "breast" in firsts and "breast" not in ones
    assert not has_phrase("pregnancy_cues", "Breast cancer, feeding tube")  # "breast" starts no phrase here
    assert has_phrase("pregnancy_cues", "Breast cancer; breast-feeding")
