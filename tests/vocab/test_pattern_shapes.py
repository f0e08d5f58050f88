"""Patterns rewritten to a faster shape (``data/patterns/README.md``, "Fast shapes") match what
their earlier form matched: the same spans and groups, searched from every start, on texts built
from the pattern's own words, their case variants, word-joining neighbours and separators."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.vocab.patterns import pattern, pattern_entries
from trialmatch.vocab.prefilter import folded
from trialmatch.vocab.regex_facts import search_twin

# name -> the pattern's source before the rewrite (the flags are unchanged)
_BEFORE = {
    "clinical.permissive_hint": (
        r"eligib|allow|permit|\bmay\b|\bcan\b|accept|exclu|consider|limit|restriction|any\s+number|cautio"
    ),
    "parse.age_word": r"\bage[ds]?\b|\byears?\b|\byrs?\b|\bolder\b",
    "parse.investigator_strong": (
        r"(?:opinion|judge?ment|discretion|judged|deemed|considered|judges|deems|considers|believes"
        r"|determines?)\b[^.;]{0,30}\binvestigator|\binvestigator'?s?\b[^.;]{0,25}(?:opinion"
        r"|judge?ment|discretion|judges|deems|considers|believes)|\b(?:unsuitable|not\s+suitable"
        r"|inappropriate|not\s+appropriate)\s+(?:for|to)\s+(?:participat|enrol|inclusion"
        r"|the\s+(?:study|trial)|this)"
    ),
    "facets.performance_cue": (
        r"\b(?:ECOG|Eastern\s+Cooperative\s+Oncology\s+Group|Zubrod|WHO\s+performance"
        r"|performance\s+status|performance\s+score|physical\s+condition\s+score|Karnofsky|KPS"
        r"|Lansky|PS)\b"
    ),
    "parse.abbreviation": r"\b(e\.g|i\.e|etc|vs|approx|incl|esp|resp)\.",
    "clinical.metastatic": r"\bmetastatic\b|\bmetastasized\b|\bstage\s+IV\b|\bdistant\s+metasta",
    "parse.category_lab": r"laborator|\blab\b|\blevels?\b",
    "parse.sex_only": (
        r"^\s*(?:(?:sex|gender)\s*:\s*)?(?:(?:only\s+)?(?:female|women|woman)s?(?:\s+(?:pa"
        r"tients?|subjects?|participants?))?(?:\s+only)?|(?:only\s+)?(?:male|men|man)s?(?:"
        r"\s+(?:patients?|subjects?|participants?))?(?:\s+only)?)\s*[.,;]?\s*$"
    ),
    "parse.sex_either": (
        r"^\W{0,3}(?:(?:sex|gender)\s*:\s*)?(?:(?:males?|men)\s+(?:and|or|and/or|&)\s+(?:f"
        r"emales?|women)|(?:females?|women)\s+(?:and|or|and/or|&)\s+(?:males?|men)|both\s+"
        r"(?:sexes|genders)|both|either\s+(?:sex|gender))(?:\s+(?:patients?|subjects?|part"
        r"icipants?|adults?|volunteers?))?\s*[.;,]?\s*$"
    ),
}

_SEPARATORS = [" ", "  ", ".", ". ", ";", ",", "-", "'", "/", "\n", "(", ")", "x", "s", "d", "1", "ſ", "K"]


def _pieces(src: str) -> list[str]:
    """The pattern's words and word fragments (literal runs of its source), whole phrases of them
    with one space, and their case variants."""
    plain = re.sub(r"\\[sbwdWSD]|\(\?[:=!<]+|[()?|*+{}\[\],0-9^$]", " ", src).replace("\\", "")
    words = sorted({w for w in plain.split() if w})
    phrases = [" ".join(p.split()) for p in re.split(r"[|()]", src.replace(r"\s+", " ")) if p.strip()]
    base = words + [re.sub(r"\\.|[?\[\]{}^$]", "", p) for p in phrases]
    return sorted({v for w in base for v in (w, w.lower(), w.upper(), w.capitalize(), w[:-1], w[1:]) if v})


def _tokens(name: str) -> list[str]:
    """The pieces of the pattern's earlier form, its examples (whole texts it matches or not) and
    the separators."""
    group, _, key = name.partition(".")
    entry = pattern_entries(group)[key]
    examples = [str(x) for x in entry.get("match", []) + entry.get("no_match", [])]
    return _pieces(_BEFORE[name]) + examples + _SEPARATORS


def _sig(m: re.Match[str] | None) -> object:
    return None if m is None else (m.span(), m.groups(), [m.span(i) for i in range(len(m.groups()) + 1)])


@pytest.mark.parametrize("name", sorted(_BEFORE))
def test_the_rewrite_keeps_the_flags_and_the_examples(name: str) -> None:
    new = pattern(name)
    old = re.compile(_BEFORE[name], new.flags)
    assert new.pattern != old.pattern
    assert old.groupindex == new.groupindex and old.groups == new.rx.groups
    # an IGNORECASE pattern keeps its fast case-sensitive twin
    assert (search_twin(old) is None) == (search_twin(new.rx) is None)


@pytest.mark.parametrize("name", sorted(_BEFORE))
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_rewrite_matches_as_before(name: str, data: st.DataObject) -> None:
    new = pattern(name)
    old = re.compile(_BEFORE[name], new.flags)
    token = st.sampled_from(_tokens(name))
    text = "".join(data.draw(st.lists(token, max_size=14), label="tokens"))
    assert [_sig(m) for m in new.rx.finditer(text)] == [_sig(m) for m in old.finditer(text)]
    for pos in range(len(text) + 1):
        assert _sig(new.rx.search(text, pos)) == _sig(old.search(text, pos))
        assert _sig(new.rx.match(text, pos)) == _sig(old.match(text, pos))
    # the Cue (its index test and its twin) gives the old pattern's answers
    assert _sig(new.search(text)) == _sig(old.search(text))
    assert _sig(new.search(text, low=folded(text))) == _sig(old.search(text))
    assert [_sig(m) for m in new.finditer(text)] == [_sig(m) for m in old.finditer(text)]
    sub = new.sub(lambda m: "<" + m.group() + ">", text)
    assert sub == old.sub(lambda m: "<" + m.group() + ">", text)


@pytest.mark.parametrize("name", sorted(_BEFORE))
def test_the_texts_often_match(name: str) -> None:
    # texts drawn as the property test draws them match often enough to test the matches
    old = re.compile(_BEFORE[name], pattern(name).flags)
    tokens, rnd = _tokens(name), random.Random(0)
    texts = ["".join(rnd.choices(tokens, k=rnd.randint(1, 14))) for _ in range(3000)]
    assert sum(old.search(t) is not None for t in texts) >= 10


@pytest.mark.parametrize("name", sorted(_BEFORE))
def test_the_rewrite_matches_the_examples_as_before(name: str) -> None:
    # (the anchored patterns match whole texts: each example, with a separator before or after)
    new = pattern(name)
    old = re.compile(_BEFORE[name], new.flags)
    examples = [t for t in _tokens(name) if len(t) > 3]
    for x in examples:
        for text in [x, *(s + x for s in _SEPARATORS), *(x + s for s in _SEPARATORS)]:
            assert _sig(new.rx.match(text)) == _sig(old.match(text)), text
            assert _sig(new.search(text)) == _sig(old.search(text)), text
