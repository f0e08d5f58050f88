"""``vocab.prefilter.gate``: the literal prefilter derived from a pattern never turns away a text the pattern
matches, and the gated ``search`` / ``match`` answer exactly as the pattern does."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialmatch.criteria import facets, history
from trialmatch.vocab.patterns import pattern, pattern_entries, pattern_files
from trialmatch.vocab.prefilter import Cue, gate

ALL = [f"{g}.{k}" for g in pattern_files() for k in pattern_entries(g)]


def test_the_gate_answers_as_the_pattern() -> None:
    g = gate(re.compile(r"not\s+specified", re.I))
    assert g.strs == {"specified"}
    assert not g.admits("Sex: female")
    assert g.search("Sex: female") is None
    m = g.search("Age: Not  Specified")
    assert m is not None and m.group() == "Not  Specified"
    assert g.match("Not specified.") is not None
    # under re.I the long s matches "s": the folded text has "s" there
    assert g.admits("not \u017fpecified") and g.search("not \u017fpecified") is not None
    # a pattern with nothing required admits everything
    assert Cue(re.compile(r"\d+")).admits("no digits")


PATTERNS = [pattern(n).rx for n in ALL] + [facets.PS_CUE.rx, history._DRUGLIKE.pattern.rx]


@pytest.mark.parametrize("name", ALL)
def test_every_pattern_example_is_admitted(name: str) -> None:
    g = gate(pattern(name))
    group, _, key = name.partition(".")
    e = pattern_entries(group)[key]
    for ex in e.get("match") or []:
        assert g.admits(ex), (name, ex)
    for ex in (e.get("match") or []) + (e.get("no_match") or []):
        assert _span(g.search(ex)) == _span(pattern(name).rx.search(ex))
        assert _span(g.match(ex)) == _span(pattern(name).rx.match(ex))


def _span(m: re.Match[str] | None) -> tuple[int, int] | None:
    return None if m is None else m.span()


_FILLER = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ.,;:()-\u017f\u212a\u00e9")),
    max_size=30,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_text_the_pattern_matches_is_never_turned_away(data: st.DataObject) -> None:
    rx = data.draw(st.sampled_from(PATTERNS))
    g = Cue(rx)
    try:
        core = data.draw(st.from_regex(rx, fullmatch=False))
    except Exception:  # a construct hypothesis cannot generate: fall back to the literals themselves
        core = data.draw(st.sampled_from(sorted(g.strs or {"x"})))
    text = data.draw(_FILLER) + core + data.draw(_FILLER)
    if rx.search(text) is not None:
        assert g.admits(text), (rx.pattern, text)
    assert _span(g.search(text)) == _span(rx.search(text))
    assert _span(g.match(text)) == _span(rx.match(text))
