"""The prefilters of the numeric readers are necessary conditions: a needle set derived from a
regex / phrase list, or a lab's first token, is present in every text the full scan accepts."""

from __future__ import annotations

import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.criteria import numeric_values as nv
from trialmatch.criteria.lab_mentions import lab_mentions, may_mention_lab
from trialmatch.criteria.lexicon import phrase_re, phrases
from trialmatch.criteria.needles import SAFE, group_needles, has_needle, phrase_needles

_ALL = "".join(chr(i) for i in range(sys.maxunicode + 1) if not 0xD800 <= i <= 0xDFFF)


def test_safe_characters_lower_like_ignorecase() -> None:
    """Every character re.IGNORECASE matches to a SAFE one lower-cases to it (K, the Kelvin sign, to
    k); i and s do not have that property (ı, İ, ſ), which is why they are left out."""
    for c in SAFE:
        for x in re.findall(re.escape(c), _ALL, re.I):
            assert x.lower() == c, (c, x)
    for c in "is":
        assert any(x.lower() != c for x in re.findall(c, _ALL, re.I)), c


def test_group_needles_of_the_bare_uln_reference() -> None:
    assert group_needles(nv._BARE_ULN, "ref") == frozenset({"uln", "upper", "lln", "lower"})
    assert group_needles(nv._BARE_ULN, "op") is None  # "≤", "<=" ...: no literal word


def test_group_needles_only_for_a_required_group() -> None:
    assert group_needles(re.compile(r"a(?P<g>foo|barx?)"), "g") == frozenset({"foo", "bar"})
    assert group_needles(re.compile(r"(?P<g>Upper\s+limit|LLN)", re.I), "g") == frozenset({"upper", "lln"})
    assert group_needles(re.compile(r"a(?P<g>foo|bar)?"), "g") is None  # optional group
    assert group_needles(re.compile(r"x|(?P<g>foo)"), "g") is None  # in a top-level alternation
    assert group_needles(re.compile(r"(?:x(?P<g>foo))?"), "g") is None  # nested
    assert group_needles(re.compile(r"(?P<g>\d+|foo)"), "g") is None  # an alternative without a word
    assert group_needles(re.compile(r"(?P<g>s|foo)"), "g") is None  # too short
    assert group_needles(re.compile(r"(?P<g>fo[)|]o|bar)"), "g") == frozenset({"fo", "bar"})  # class
    assert group_needles(re.compile(r"(?P<g>foo)", re.X), "g") is None
    assert group_needles(re.compile(r"(?P<h>foo)"), "g") is None


def test_phrase_needles() -> None:
    assert phrase_needles(["within normal limits", "wnl", "normal"]) == frozenset({"normal", "wnl"})
    assert phrase_needles(["or less"]) == frozenset({"or"})  # "less" has an s: "le" is shorter
    assert phrase_needles(["+"]) is None
    assert phrase_needles(phrases()["normal_limits"]) is not None


def test_has_needle() -> None:
    assert has_needle("alt <= uln", frozenset({"uln"}))
    assert not has_needle("alt <= 3", frozenset({"uln"}))
    assert has_needle("anything", None)


_WORDS = [
    "ALT",
    "AST",
    "ANC",
    "creatinine",
    "Hemoglobin",
    "platelets",
    "bilirubin",
    "INR",
    "total",
    "<=",
    "=<",
    "≤",
    ">",
    "less than",
    "at most",
    "above",
    "not greater than",
    "below",
    "under",
    "ULN",
    "uln",
    "Upper  limit of normal",
    "upper limits of the normal",
    "LLN",
    "Lower limit of normal",
    "the",
    "institutional",
    "normal",
    "within normal limits",
    "WNL",
    "Within  Normal Range",
    "nOrMaL",
    "1.5",
    "100,000",
    ".5",
    "3x",
    "x",
    "mg/dL",
    "g/L",
    "×10^9/L",
    "(",
    ")",
    ";",
    ",",
    "or",
    "and",
    "ı",
    "İ",
    "K",
    "ſ",
    "\n",
    "  ",
]
_LABS = ["ALT", "AST/ALT", "creatinine", "Hemoglobin", "total bilirubin", "ANC", "platelets", "INR"]
_OPS = ["<=", "=<", "≤", ">", "less than", "at most", "above", "not greater than", "below", "under", "of"]
_REFS = [
    "ULN",
    "uln",
    "Upper  limit of normal",
    "upper limits of the normal",
    "LLN",
    "lln",
    "Lower limit of normal",
    "1.5 x ULN",
    "100,000/mm3",
    "2.5 times the institutional ULN",
    "normal",
    "within normal limits",
    "WNL",
    "nOrMaL range",
    "9 g/dL or more",
]
_limit = st.tuples(
    st.sampled_from(_LABS),
    st.sampled_from(_OPS),
    st.sampled_from(["", "the ", "institutional "]),
    st.sampled_from(_REFS),
).map(" ".join)
_texts = (
    st.lists(_limit | st.sampled_from(_WORDS), max_size=10).map(" ".join)
    | st.lists(st.sampled_from(_WORDS), max_size=14).map(" ".join)
    | st.text(max_size=60)
)


@settings(max_examples=400, deadline=None)
@given(_texts)
def test_prefilters_never_reject_a_match(text: str) -> None:
    low = text.lower()
    if nv._BARE_ULN.search(text):
        assert has_needle(low, nv._bare_ref_needles())
    if phrase_re("normal_limits").search(text):
        assert has_needle(low, nv._normal_lists()[1])
    if nv._cmp_re().search(text):
        assert nv._DIGIT.search(text)
    if lab_mentions(text):
        assert may_mention_lab(text)


def test_unit_after_reads_units_and_multiples() -> None:
    assert nv._unit_after(" x ULN or more") == (None, "uln", 6)
    assert nv._unit_after("xULN") == (None, "uln", 4)
    assert nv._unit_after(" mg/dL or creatinine") == ("mg/dL", None, 6)
    assert nv._unit_after(" x 10^9/L") == ("10*9/L", None, 9)
    assert nv._unit_after(" patients") == (None, None, 0)
