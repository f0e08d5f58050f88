"""``Cue.search`` (and ``finditer``) of an IGNORECASE pattern finds where its first match starts
with the pattern's case-sensitive twin (``search_twin``) on the lower-cased text, then searches
from there: the same matches (span, groups) as the pattern's own, on any text, from any ``pos``
to any ``endpos``."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.vocab.patterns import pattern, pattern_entries, pattern_files
from trialmatch.vocab.prefilter import Cue, gate
from trialmatch.vocab.regex_facts import lowered, search_twin

ENTRIES = [(g, k) for g in pattern_files() for k in pattern_entries(g)]
_EXAMPLES = [str(x) for g, k in ENTRIES for x in pattern_entries(g)[k].get("match", [])]
_NOISE = st.text(alphabet=st.sampled_from(list("aAsSſkK\u212aiIİı\u0307 -:;.()0123456789≥<–é")), max_size=12)


def _same(got: re.Match[str] | None, want: re.Match[str] | None) -> bool:
    if got is None or want is None:
        return got is want
    return (got.span(), got.groups(), got.groupdict()) == (want.span(), want.groups(), want.groupdict())


def test_twins_are_derived_for_ignorecase_patterns() -> None:
    cue = gate(re.compile(r"\b(?:opinion|judge?ment)\b[^.;]{0,30}\binvestigator", re.I))
    assert cue.search("In the Investigator's opinion") is None  # (looking the bits up derives it)
    assert cue._twin is not None and not cue._twin.flags & re.IGNORECASE
    m = cue.search("Any condition that, in the OPINION of the investigator, would", 3)
    assert m is not None and m.group() == "OPINION of the investigator"
    assert m.pos == m.start() == 27  # (searched from where the twin found it)
    assert gate(re.compile(r"\bBP\b", re.I)).search("the bp 120")
    assert lowered(re.compile(r"\bBP\b", re.I)) is None  # an upper-case letter: not lowered as it is
    assert gate(re.compile(r"bp")).search("bp") is not None  # case-sensitive: no twin either


@pytest.mark.parametrize(
    ("regex", "twin"),
    [
        (r"\bhepatitis\s+b\b", r"\bhepatitis\s+b\b"),  # lowered as it is
        (r"\b(?:ECOG|PS)\b", r"\b(?:ecog|ps)\b"),  # IGNORECASE ignores the case of a literal
        (r"(?P<op>[<>]=?)\s*ULN", r"(?P<op>[<>]=?)\s*uln"),
        (r"(?P<Op>[<>]=?)\s*ULN", None),  # a group's name is kept: (``lowered``) not lower-case
        (r"\bSTAGE\s+\S+", None),  # \S is not \s
        (r"[A-Z]\d", r"[a-z]\d"),  # IGNORECASE compiles the range as its lower-case one
        (r"[A-z]", None),  # not so this one
        (r"\bBP\b", r"\bbp\b"),
    ],
)
def test_search_twin(regex: str, twin: str | None) -> None:
    got = search_twin(re.compile(regex, re.I))
    assert (got.pattern if got is not None else None) == twin
    assert got is None or not got.flags & re.IGNORECASE
    assert search_twin(re.compile(regex)) is None  # case-sensitive: no twin


@pytest.mark.parametrize(("group", "key"), ENTRIES, ids=[f"{g}.{k}" for g, k in ENTRIES])
def test_search_gives_the_patterns_match_on_its_examples(group: str, key: str) -> None:
    cue = pattern(f"{group}.{key}")
    e = pattern_entries(group)[key]
    for ex in [*e.get("match", []), *e.get("no_match", [])]:
        for text in (str(ex), str(ex).upper(), str(ex).swapcase(), f"x {ex} and {ex}"):
            assert _same(cue.search(text), cue.rx.search(text)), (text, cue.rx.pattern)
            got, want = list(cue.finditer(text)), list(cue.rx.finditer(text))
            assert len(got) == len(want) and all(map(_same, got, want)), (text, cue.rx.pattern)


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(_EXAMPLES),
    _NOISE,
    st.integers(min_value=0, max_value=200),
    st.integers(min_value=0, max_value=30),
    st.integers(min_value=0, max_value=300),
    st.sampled_from(ENTRIES),
)
def test_search_from_pos_to_endpos_is_the_patterns(
    example: str, noise: str, at: int, pos: int, endpos: int, entry: tuple[str, str]
) -> None:
    cue: Cue = pattern(f"{entry[0]}.{entry[1]}")
    text = example[:at] + noise + example[at:]
    for variant in (text, text.upper(), text.swapcase()):
        assert _same(cue.search(variant, pos, endpos), cue.rx.search(variant, pos, endpos)), variant
        low = variant.lower()
        assert _same(cue.search(variant, pos, endpos, low=low), cue.rx.search(variant, pos, endpos)), variant
        got, want = list(cue.finditer(variant, pos, endpos)), list(cue.rx.finditer(variant, pos, endpos))
        assert len(got) == len(want) and all(map(_same, got, want)), variant
