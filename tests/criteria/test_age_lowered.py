"""``facets._age_search`` / ``_age_finditer``: the lowered age patterns on an ASCII text's folded
text find what the case-insensitive patterns find on the text (spans; groups up to case)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.criteria import facets
from trialmatch.vocab.prefilter import folded

_PATTERNS = [facets.AGE_CUE, facets._AGE_RANGE, facets._AGE_TRAIL, facets._AGE_WORDS, facets._AGE_LEAD_TRAIL]
_PIECES = [
    "Age", "AGED", "18", "75", "1,000", " ", "-", "–", "to", "years", "Years Old", "yrs", "of age",
    "or older", "and OVER", "+", "younger than", "Over the age of", "between", ":", "months", "ſ", "İ",
    "\u212a", "≥", ".",
]  # fmt: skip
_TEXTS = st.lists(st.sampled_from(_PIECES), max_size=12).map("".join) | st.text(max_size=30)


def _key(m: re.Match[str] | None) -> object:
    return m and (m.span(), tuple((g or "").lower() for g in m.groups()))


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_age_searches_equal_the_patterns(text: str) -> None:
    low = folded(text)
    for p in _PATTERNS:
        assert _key(facets._age_search(p, text, low)) == _key(p.rx.search(text)), p.pattern
        got = [_key(m) for m in facets._age_finditer(p, text, low)]
        assert got == [_key(m) for m in p.rx.finditer(text)], p.pattern


def test_age_rule_examples() -> None:
    r = facets.age_rule("Aged 18-75 years")
    assert r is not None and (r.cmp, r.value, r.high) == ("between", 18.0, 75.0)  # type: ignore[union-attr]
    r2 = facets.age_rule("18 YEARS OR OLDER")
    assert r2 is not None and (r2.cmp, r2.value) == (">=", 18.0)  # type: ignore[union-attr]
    assert facets.age_rule("Adequate organ function") is None


def test_nyha_min_is_memoised_and_exact() -> None:
    assert facets.nyha_min("Congestive heart failure NYHA class II or higher") == 2
    assert facets.nyha_min("Congestive heart failure NYHA class II or higher") == 2
    assert facets.nyha_min("NYHA > II") == 3
    assert facets.nyha_min("no heart disease") is None
