"""Patterns that embed a shared building block of the parsers in their text (the number format
``NUM`` of criteria/numeric.py, the number words of criteria/temporal.py) stay in step with it:
a change to the block must be made in the pattern files too."""

from __future__ import annotations

from trialmatch.criteria.numeric import NUM
from trialmatch.criteria.temporal import NUMBER_WORDS
from trialmatch.vocab.patterns import pattern


def test_age_and_ne_component_patterns_use_the_parsers_number_format() -> None:
    for name in ("facets.age_trail", "facets.age_words", "facets.ne_component"):
        assert f"(?P<n>{NUM})" in pattern(name).pattern, name


def test_life_expectancy_pattern_knows_every_number_word() -> None:
    words = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
    assert f"(?P<n>\\d{{1,3}}(?:\\.\\d)?|{words})" in pattern("facets.life_expectancy_limit").pattern


def test_number_formats_read_as_the_parser_reads_them() -> None:
    m = pattern("facets.age_trail").search("Age 18,5 years or older")
    assert m is not None and m.group("n") == "18,5"
    m2 = pattern("facets.life_expectancy_limit").search("life expectancy of twenty-four weeks")
    assert m2 is not None and m2.group("n") == "twenty-four" and m2.group("u") == "weeks"
