"""The ASCII tokenisers (``vocab.concepts._ASCII_TOKEN``, ``criteria.lexicon._ASCII_TOK``) find the
tokens of the general ones in every ASCII text (per character the classes agree, and on texts);
a concept hit is an immutable record."""

from __future__ import annotations

import importlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.criteria import lexicon
from trialmatch.vocab.concepts import ConceptHit, concepts_in, normed_words

C = importlib.import_module("trialmatch.vocab.concepts")  # ``trialmatch.vocab.concepts`` is also a function
ASCII = [chr(i) for i in range(128)]


def test_each_ascii_character_is_in_the_same_class() -> None:
    for c in ASCII:
        assert bool(C._TOKEN.fullmatch(c)) is bool(C._ASCII_TOKEN.fullmatch(c)), repr(c)
        assert bool(lexicon._TOK.fullmatch(c)) is bool(lexicon._ASCII_TOK.fullmatch(c)), repr(c)
        assert lexicon._ASCII_TOK.findall(c + c) == lexicon._TOK.findall(c + c), repr(c)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*ASCII, "ab", "Tumours", "HER2", "x_y"]), max_size=40).map("".join))
def test_ascii_texts_give_the_same_tokens(text: str) -> None:
    assert C._ASCII_TOKEN.findall(text) == C._TOKEN.findall(text)
    low = text.lower()
    assert lexicon._ASCII_TOK.findall(low) == lexicon._TOK.findall(low)
    assert normed_words(text)[0] == tuple(C._TOKEN.findall(text))


def test_a_hit_is_an_immutable_record() -> None:
    (h,) = concepts_in("History of deep vein thrombosis")
    assert isinstance(h, ConceptHit)
    assert (h.concept, h.start, h.end, h.text) == ("dvt", 11, 31, "deep vein thrombosis")
    assert h == ConceptHit("dvt", 11, 31, "deep vein thrombosis")
    assert repr(h) == "ConceptHit(concept='dvt', start=11, end=31, text='deep vein thrombosis')"
    with pytest.raises(AttributeError):
        h.start = 0  # type: ignore[misc]
