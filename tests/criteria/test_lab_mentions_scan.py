"""``criteria.lab_mentions.lab_mentions`` against a plain scan of the text's tokens: lab names on
normalised tokens, abbreviations as written, longest first, left to right, without overlap (a name
wins over an abbreviation of the same length); a mention is an immutable record."""

from __future__ import annotations

import re
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.vocab.test_concepts_scan import plain_scan
from trialmatch.criteria.lab_mentions import LabMention, lab_mentions, may_mention_lab
from trialmatch.vocab.concepts import norm_token
from trialmatch.vocab.labs import labs

_TOKEN = re.compile(r"[^\W_]+")


@cache
def _lab_index() -> tuple[dict[tuple[str, ...], tuple[str, str]], dict[tuple[str, ...], tuple[str, str]]]:
    names: dict[tuple[str, ...], tuple[str, str]] = {}
    abbrs: dict[tuple[str, ...], tuple[str, str]] = {}
    for lv in labs():
        for n in lv.names:
            names.setdefault(tuple(norm_token(t) for t in _TOKEN.findall(n)), (lv.key, lv.var))
        for a in lv.abbr:
            abbrs.setdefault(tuple(_TOKEN.findall(a)), (lv.key, lv.var))
    return names, abbrs


def _plain(text: str) -> list[tuple[str, str, int, int]]:
    return [(*kv, s, e) for kv, s, e in plain_scan(text, *_lab_index())]


_PIECES = [
    "ALT",
    "AST",
    "ANC",
    "alt",
    "absolute neutrophil count",
    "Hemoglobin",
    "haemoglobin",
    "total",
    "bilirubin",
    "serum",
    "creatinine",
    "clearance",
    "platelets",
    "INR",
    "x",
    "≥",
    "1.5",
    " ",
    ", ",
    "(",
    ")",
    "ULN",
    "and",
    "of",
    "é",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=25).map(" ".join))
def test_lab_mentions_are_the_plain_scan(text: str) -> None:
    got = [tuple(m) for m in lab_mentions(text)]
    assert got == _plain(text)
    assert may_mention_lab(text) or not got


def test_a_mention_is_an_immutable_record() -> None:
    (m,) = lab_mentions("ANC >= 1.5")
    assert isinstance(m, LabMention)
    assert (m.start, m.end) == (0, 3)
    with pytest.raises(AttributeError):
        m.start = 1  # type: ignore[misc]
