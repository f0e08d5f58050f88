"""``vocab.prefilter``'s index: a text's bits say which Cue sets it holds a string of, so a Cue's
test (two int operations) answers as testing each of its sets on the text would."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.vocab.patterns import pattern, pattern_entries, pattern_files
from trialmatch.vocab.prefilter import AnyOf, Cue, any_may, folded

CUES = [pattern(f"{g}.{k}") for g in pattern_files() for k in pattern_entries(g)]
ALT_SETS = [s for c in CUES for a in c.alternatives or () for s in a]
STRINGS = sorted({n for s in [s for c in CUES for s in c.sets] + ALT_SETS for n in s})


def _holds_each_set(cue: Cue, low: str) -> bool:
    def holds(sets: list[frozenset[str]]) -> bool:
        return all(any(n in low for n in s) for s in sets)

    alts = cue.alternatives
    return holds(cue.sets) and (alts is None or any(holds(a) for a in alts))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(STRINGS), st.text(alphabet="abcdegilmnorst -–(),.:;%0123456789\n", max_size=8)
        ),
        max_size=12,
    ),
    st.sampled_from(CUES),
)
def test_the_bits_answer_as_the_sets(parts: list[str], cue: Cue) -> None:
    # every derived string is free of whitespace, so the index is exact: neither weaker nor stronger
    text = "".join(parts)
    low = folded(text)
    assert cue.may(low) == _holds_each_set(cue, low), (cue, text)
    assert cue.admits(text) == cue.may(low) == cue.admits(text.upper(), low=text.lower())


def test_a_cue_made_after_texts_were_seen_gets_its_bits() -> None:
    text = "Prior zyxwvut therapy is allowed"
    assert pattern("parse.heading_fragment").admits(text) in (True, False)  # the text has bits now
    late = Cue(re.compile(r"\bzyxwvut\b", re.I))
    assert late.sets == [frozenset({"zyxwvut"})]
    assert late.admits(text) and late.search(text) is not None
    assert not late.admits("Prior therapy is allowed") and late.search("Prior therapy is allowed") is None
    assert Cue(re.compile(r"qqzzqq")).search(text) is None


def test_a_string_with_whitespace_is_tested_by_its_longest_piece() -> None:
    # "not  specified" matches r"not\s+specified" but not its literal "not specified": the index
    # tests the piece "specified", weaker than the string and still necessary
    cue = Cue(re.compile(r"not specified|nothing stated", re.I))
    assert cue.sets == [frozenset({"not specified", "nothing stated"})]
    assert cue.admits("Not specified") and cue.search("Not specified") is not None
    assert cue.admits("specified, not") and cue.search("specified, not") is None
    assert not cue.admits("not given")


def test_texts_longer_than_a_chunk_and_odd_case_characters() -> None:
    cue = Cue(re.compile(r"stage\s+iv", re.I))
    assert cue.search("ſtage IV disease") is not None  # long s: folded to "s"
    assert cue.search("Stage\nIV") is not None
    assert cue.search("stage") is None and not cue.admits("stag e iv")


def test_an_alternation_passes_only_when_one_alternative_has_all_its_sets() -> None:
    cue = Cue(re.compile(r"local\s+(?:treatment|therapy)|previously\s+irradiated", re.I))
    assert cue.alternatives == [
        [frozenset({"treatment", "therapy"}), frozenset({"local"})],
        [frozenset({"previously"}), frozenset({"irradiated"})],
    ]
    for text in ("Prior therapy allowed", "previously treated", "irradiated lesions", "Local consent"):
        assert not cue.may(folded(text)) and cue.search(text) is None and not cue.admits(text)
    for text in ("Prior local therapy", "previously irradiated lesion"):
        assert cue.may(folded(text)) and cue.search(text) is not None
    assert cue.may(folded("therapy, local")) and cue.search("therapy, local") is None  # only necessary
    # one alternative with one set: the union is the whole test
    assert Cue(re.compile(r"\bage\b|\byears?\b", re.I)).alternatives is None


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([*STRINGS, "zz", " ", "-"]), max_size=8),
    st.lists(st.sampled_from(CUES), max_size=5),
)
def test_any_may_is_any_cue_may(parts: list[str], cues: list[Cue]) -> None:
    low = folded(" ".join(parts))
    assert any_may(cues)(low) == any(c.may(low) for c in cues)


def test_any_of_is_a_necessary_test_of_its_strings() -> None:
    test = AnyOf(["qqxzv", "not yet  known", "jjw"])
    assert test(folded("a QQXZV b")) and test("jjw") and not test("nothing here")
    assert test("not yet known") and test("known, not yet")  # a phrase: its longest piece
    assert AnyOf([""])("anything") and AnyOf([" "])("")  # a string every text holds
