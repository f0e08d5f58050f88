"""Untrusted text never crashes or hangs the search code."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.timing import cpu_budget
from trialmatch.search.engine import search
from trialmatch.search.glossary import glossary_terms_in
from trialmatch.search.index import SearchIndex
from trialmatch.search.plain import plain_summary
from trialmatch.search.query import SearchQuery
from trialmatch.search.textproc import analyse_query, fts_expression, split_criteria

from .conftest import make

ALPHABET = st.characters(blacklist_categories=("Cs",))
WORDS = st.sampled_from(
    [
        '"',
        "(",
        ")",
        "*",
        ":",
        "{",
        "}",
        "^",
        "NEAR",
        "AND",
        "OR",
        "NOT",
        "-",
        "carcinoid",
        "NET",
        "non-small cell",
        "\x00",
        "é",
        "　",
        "\n",
        "No",
        "Exclusion Criteria:",
    ]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(WORDS, st.text(ALPHABET, max_size=12)), max_size=30))
def test_random_queries_never_crash(small_index: SearchIndex, parts: list[str]) -> None:
    text = " ".join(parts)
    fts_expression(analyse_query(text))
    res = search(small_index, SearchQuery(q=text, status=["any"], limit=5))
    assert res.total >= len(res.hits)


@settings(max_examples=40, deadline=None)
@given(st.text(ALPHABET, max_size=400))
def test_random_records_index_and_summarise(text: str) -> None:
    t = make("NCT01234567", brief_title=text[:200] or None, conditions=[text[:50]], criteria=text)
    idx = SearchIndex.from_trials([t])
    assert idx.count() == 1
    split_criteria(text)
    glossary_terms_in(text)
    assert plain_summary(t).grade >= -20


def test_huge_text_is_bounded() -> None:
    big = ("(((ECOG " + "a" * 50 + " NOT ") * 20_000
    with cpu_budget(5, big):
        analyse_query(big)
        split_criteria(big)
        glossary_terms_in(big)
