"""``vocab.prefilter``: the literals a pattern's matches must contain are a true necessary
condition, so a ``Cue`` answers exactly as its regex does."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.vocab.patterns import pattern, pattern_entries, pattern_files
from trialmatch.vocab.prefilter import Cue, folded, needed, needed_alts

ENTRIES = [(g, k) for g in pattern_files() for k in pattern_entries(g)]


@pytest.mark.parametrize(
    ("regex", "flags", "expected"),
    [
        (r"\bage[ds]?\b|\byears?\b|\byrs?\b|\bolder\b", re.I, {"older", "year", "age", "yr"}),
        (r"blood\s+pressure|\bBP\b", 0, {"pressure", "bp"}),  # case-sensitive "BP" is "bp" folded
        (r"contraindicat", re.I, {"contraindicat"}),
        (r"(?:ab|cd)+x", 0, {"ab", "cd"}),  # a repeat with a minimum of one keeps its strings
        (r"\d+\s*mg", 0, {"mg"}),
        (r"(?!cancer)\d", 0, None),  # a negative lookahead promises nothing
        (r"x*|abc", 0, None),  # one branch needs no string
        (r"(?:mab|nib)\b", 0, {"mab", "nib"}),
    ],
)
def test_needed(regex: str, flags: int, expected: set[str] | None) -> None:
    got = needed(re.compile(regex, flags))
    assert (set(got) if got else None) == expected


def test_unicode_case_equivalents_never_hide_a_match() -> None:
    # "ſ" (long s) matches "s" and the Kelvin sign matches "k" under IGNORECASE; "İ" lower-cases to two
    cases = [(r"stage", "ſtage"), (r"kg", "\u212ag"), (r"\bKi[\s-]?67", "\u212ai-67"), (r"ill", "İll")]
    for regex, text in cases:
        cue = Cue(re.compile(regex, re.I))
        assert bool(cue.search(text)) == bool(re.search(regex, text, re.I)), (regex, text)


@pytest.mark.parametrize(("group", "key"), ENTRIES, ids=[f"{g}.{k}" for g, k in ENTRIES])
def test_cue_answers_as_its_regex_on_its_examples(group: str, key: str) -> None:
    cue = pattern(f"{group}.{key}")
    e = pattern_entries(group)[key]
    for ex in [*e.get("match", []), *e.get("no_match", [])]:
        text = str(ex)
        assert bool(cue.search(text)) == bool(cue.rx.search(text))
        assert cue.sub("#", text) == cue.rx.sub("#", text)
        assert cue.split(text) == cue.rx.split(text)
        assert [m.span() for m in cue.finditer(text)] == [m.span() for m in cue.rx.finditer(text)]
        assert cue.findall(text) == cue.rx.findall(text)
        assert bool(cue.match(text)) == bool(cue.rx.match(text))
        assert bool(cue.fullmatch(text)) == bool(cue.rx.fullmatch(text))
        assert cue.subn("#", text) == cue.rx.subn("#", text)
        if cue.rx.search(text):
            assert cue.admits(text), f"{group}.{key}: prefilter {cue.strs} rejects {text!r}"


_EXAMPLES = [str(x) for g, k in ENTRIES for x in pattern_entries(g)[k].get("match", [])]


@settings(max_examples=400)
@given(
    st.sampled_from(_EXAMPLES),
    st.text(alphabet=st.sampled_from(list("aAsSſkK\u212aiIİı -:;.()0123456789≥<")), max_size=12),
    st.integers(min_value=0, max_value=200),
    st.sampled_from(ENTRIES),
)
def test_prefilter_never_rejects_a_text_the_regex_matches(
    example: str, noise: str, at: int, entry: tuple[str, str]
) -> None:
    text = example[:at] + noise + example[at:]
    for variant in (text, text.upper(), text.swapcase()):
        cue = pattern(f"{entry[0]}.{entry[1]}")
        if cue.rx.search(variant):
            assert cue.admits(variant), (entry, variant, cue.strs)


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        (r"blood\s+pressure|\bBP\b", [[{"pressure"}, {"blood"}], [{"bp"}]]),
        (r"\b(?:history\s+of|prior)\b", [[{"history"}, {"of"}], [{"prior"}]]),  # one group inside \b
        (r"x*|abc", None),  # an alternative needs no string
        (r"a(?:b|c)d", None),  # not one alternation
    ],
)
def test_needed_alts(regex: str, expected: list[list[set[str]]] | None) -> None:
    got = needed_alts(re.compile(regex, re.I))
    assert (got if got is None else [[set(s) for s in a] for a in got]) == expected


@pytest.mark.parametrize(("group", "key"), ENTRIES)
def test_some_alternative_holds_in_every_example_match(group: str, key: str) -> None:
    alts = needed_alts(pattern(f"{group}.{key}").rx)
    for text in pattern_entries(group)[key].get("match", []):
        low = folded(str(text))
        assert alts is None or any(all(any(n in low for n in s) for s in a) for a in alts), text
