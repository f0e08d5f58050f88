"""The necessary strings ``vocab.prefilter`` derives from the parser patterns and phrase lists are
true necessary conditions: a text the regex (or the phrase matcher) finds something in is never
rejected by the prefilter."""

from __future__ import annotations

import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.criteria import clinical
from trialmatch.criteria.lexicon import has_phrase, phrase_strings, phrases
from trialmatch.vocab.patterns import pattern, pattern_entries, pattern_files
from trialmatch.vocab.prefilter import Cue, finder, folded, gate, needed, needed_all, union

NAMES = [f"{g}.{k}" for g in pattern_files() for k in pattern_entries(g)]
GATES = {n: gate(pattern(n)) for n in NAMES}
LISTS = [k for k, v in phrases().items() if isinstance(v, list) and all(isinstance(x, str) for x in v)]
# characters re.IGNORECASE matches to ASCII letters that str.lower() does not lower to them
ODD = ["\u0130", "\u0131", "\u017f", "\u212a", "\u0307", "≥", "≤", "–", "µ"]


def _examples() -> list[str]:
    out: list[str] = []
    for g in pattern_files():
        for e in pattern_entries(g).values():
            out += [str(x) for x in e.get("match", [])]
    for k in LISTS:
        out += [str(x) for x in phrases()[k]]
    return out


EXAMPLES = _examples()


def test_needed_reads_literals_alternations_and_optional_parts() -> None:
    assert needed(re.compile(r"\bmetastatic\b|\bstage\s+IV\b", re.I)) == {"metastatic", "stage"}
    assert needed(re.compile(r"G[123]\b")) == {"g1", "g2", "g3"}
    assert needed(re.compile(r"tumou?rs?")) == {"tumor", "tumour"}
    assert needed(re.compile(r"\d+\s*%")) == {"%"}
    assert needed(re.compile(r"\d+|x")) is None  # one alternative needs no string
    assert needed(re.compile(r"(?:ab)?\w+")) is None


def test_needed_all_gives_each_necessary_part_of_the_sequence() -> None:
    rx = re.compile(r"\bany\s+(?:solid\s+)?(?:tumou?rs?|cancers?)", re.I)
    assert needed_all(rx) == [frozenset({"tumor", "tumour", "cancer"}), frozenset({"any"})]
    assert needed_all(re.compile(r"\d+")) == []
    g = gate(rx)
    assert g.may("any solid tumours") and not g.may("solid tumours") and not g.may("any other")
    assert gate(re.compile(r"\d+")).may("no digits")  # nothing derived: every text may match


def test_every_pattern_example_passes_its_gate() -> None:
    for n, g in GATES.items():
        for ex in pattern_entries(n.split(".")[0])[n.split(".")[1]].get("match", []):
            assert g.may(folded(str(ex))), (n, ex)
            assert g.search(str(ex)) is not None, (n, ex)


def test_folded_maps_every_character_ignorecase_matches_to_a_derived_letter() -> None:
    """Exhaustive over Unicode: wherever re.IGNORECASE lets a character stand for one of the
    derived strings' characters, ``folded`` turns it into that very character."""
    chars = {c for g in GATES.values() for s in g.strs or () for c in s}
    for k in LISTS:
        chars |= {c for s in phrase_strings(phrases()[k]) or () for c in s}
    every = "".join(chr(i) for i in range(sys.maxunicode + 1) if not 0xD800 <= i < 0xE000)
    for c in chars:
        for m in re.finditer(re.escape(c), every, re.I):
            assert folded(m.group()) == c, (c, m.group())


text_st = st.lists(
    st.one_of(
        st.sampled_from(EXAMPLES),
        st.sampled_from(ODD),
        st.text(alphabet="aeiklmnorstgGI -/()%<>=.,;0123456789" + "".join(ODD), max_size=12),
    ),
    max_size=6,
).map(" ".join)


def _mutate(text: str, upper: bool, odd: int) -> str:
    if upper:
        text = text.upper()
    if odd:  # the characters case-insensitive matching equates with i, s and k
        text = (
            text.replace("i", "\u0131" if odd == 1 else "\u0130")
            .replace("s", "\u017f")
            .replace("k", "\u212a")
        )
    return text


@settings(max_examples=400, deadline=None)
@given(text_st, st.booleans(), st.integers(0, 2))
def test_a_gate_never_rejects_a_text_its_regex_matches(text: str, upper: bool, odd: int) -> None:
    t = _mutate(text, upper, odd)
    low = folded(t)
    for n, g in GATES.items():
        if g.rx.search(t):
            assert g.may(low), (n, t)
            assert g.search(t) is not None


@settings(max_examples=200, deadline=None)
@given(text_st, st.booleans(), st.integers(0, 2))
def test_phrase_strings_never_reject_a_text_with_a_phrase(text: str, upper: bool, odd: int) -> None:
    t = _mutate(text, upper, odd)
    low = folded(t)
    for k in LISTS:
        if has_phrase(k, t):
            assert finder(phrase_strings(phrases()[k]))(low), (k, t)


@settings(max_examples=300, deadline=None)
@given(text_st)
def test_disease_state_prefilter_never_rejects_a_cue(text: str) -> None:
    low = folded(text)
    if any(g.rx.search(text) for g in clinical._STATE_GATES) or any(
        has_phrase(k, text) for k in clinical._STATE_PHRASES
    ):
        assert clinical._may_have_state(text, low), text


def test_union_and_finder() -> None:
    s = union([frozenset({"grade", "g1"}), frozenset({"upgrade", "stage"})])
    assert s == {"grade", "g1", "stage"}  # "upgrade" holds "grade"
    assert union([frozenset({"a"}), None]) is None
    f = finder(s)
    assert f("tumour stage iii") and not f("no cue here")
    assert finder(None)("anything")
    assert isinstance(gate(pattern("clinical.metastatic")), Cue)


def test_disease_state_rule_unchanged_on_cue_free_and_cue_texts() -> None:
    assert clinical.disease_state_rule("Able to swallow tablets") is None
    assert clinical.disease_state_rule("Signed informed consent") is None
    got = clinical.disease_state_rule("Metastatic disease")
    assert got is not None and got[1] == "stage"
    got2 = clinical.disease_state_rule("Measurable disease per RECIST 1.1")
    assert got2 is not None and got2[1] == "measurable_disease"
