"""The shortcuts of the number / lab / window readers give exactly what the plain scans give."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.criteria import temporal
from trialmatch.criteria.lowre import caseless_safe, lowered
from trialmatch.criteria.needles import top_alternatives
from trialmatch.vocab.prefilter import gate
from trialmatch.vocab.regex_facts import first_char_gated

_WORDS = [
    "within", "in the last", "past", "days", "day", "d", "2d", "3 d", "wks", "weeks", "wk", "month", "mo",
    "mos", "mths", "mood", "years", "yr", "hours", "hour", "hr", "h", "2h", "12", "1.5", "x", "the",
    "ALT", "ULN", "≥", "<=", "–", "-", ".", ";", ",", "(", ")", "İ", "ı", "é", "",
]  # fmt: skip


@st.composite
def _texts(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(_WORDS), max_size=12))
    seps = draw(
        st.lists(st.sampled_from([" ", "  ", "", "-", "\n"]), min_size=len(words), max_size=len(words))
    )
    text = "".join(w + s for w, s in zip(words, seps, strict=True))
    return text.upper() if draw(st.booleans()) else text


_TEXTS = _texts() | st.text(max_size=30)


def test_top_alternatives() -> None:
    assert top_alternatives("day|mo\\b|(?:a|b)c|[|]x") == ["day", "mo\\b", "(?:a|b)c", "[|]x"]
    assert top_alternatives("abc") == ["abc"]


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_split_unit_hint_is_the_hint(text: str) -> None:
    hint = temporal._searchers()[2]
    assert hint is not None
    low_hint = lowered(temporal._UNIT_HINT)
    assert low_hint is not None
    if caseless_safe(text):
        low = text.lower()
        assert bool(hint[0](low)) == bool(low_hint.search(low))


def test_split_unit_hint_examples() -> None:
    hint = temporal._searchers()[2]
    assert hint is not None
    assert hint[0]("within 3 days")
    assert hint[0]("for 2 mo.") and hint[0]("after 3h") and hint[0]("2 d ago")
    assert not hint[0]("within 3 mths") and not hint[0]("mood") and not hint[0]("hemoglobin 9")


def test_window_lead_as_branch_is_the_optional_group() -> None:
    """``(?:lead|)`` in the window pattern reads what ``(?:lead)?`` reads."""
    src = temporal._window_re().pattern
    opt = re.compile(src.replace(")?|)(?<![\\w.])", ")?)?(?<![\\w.])", 1), re.I)
    assert opt.pattern != src
    for text in ("within the last 6 months prior to day 1", "at least 2 weeks", "in 3 d", "≥ 28 days ago",
                 "for a year", "over the past year", "2-4 weeks before"):  # fmt: skip
        got = [(m.span(), m.groups()) for m in temporal._window_re().finditer(text)]
        assert got == [(m.span(), m.groups()) for m in opt.finditer(text)]
        assert got


_NUM_TEXTS = st.lists(
    st.sampled_from(
        ["ANC", "≥", ">=", "less than", "less  than\tor equal to", "1.5", "100,000", "100 000", "١٢",
         "x ULN", "times the upper limit of normal", "mg/dL", "x 10^9/L", "14 days", "-", "to", "ALT",
         "normal", "İ", " "]
    ),
    max_size=10,
).map(" ".join)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(_NUM_TEXTS)
def test_comparisons_with_low_and_the_operator_lookup(text: str) -> None:
    from trialmatch.criteria import numeric_values as nv

    got = nv.comparisons(text, durations=False)
    assert got == nv.comparisons(text, durations=False, low=text.lower())
    lookup = nv._op_lookup()
    for word in ("less  than\tor equal to", "at least", "≥", "foo"):
        assert nv._op(lookup, word) == lookup.get(nv._WS.sub(" ", word))


@given(st.from_regex(r"\d{1,7}|\d{1,3}(,\d{3})+|\d{1,7}[.,]\d{1,4}|١٢٣", fullmatch=True))
def test_parse_number_fast_path(s: str) -> None:
    from trialmatch.criteria import numeric_values as nv

    slow = s.strip()
    if nv._GROUPED.fullmatch(slow):
        slow = slow.replace(",", "").replace(" ", "")
    assert nv.parse_number(s) == float(slow.replace(",", "."))


_LAB_TEXTS = st.lists(
    st.sampled_from(
        ["Hemoglobin", "ANC", "platelets", "of", "is", ":", "9", "1500", "g/dL", "/mm3", "or more",
         "OR HIGHER", "and above", "or  greater", "ULN", "normal", "within normal limits", "≥", "between",
         "18", "and", "30", "-", "kg/m2", "BMI", ";", "(", ")", "İ"]
    ),
    max_size=12,
).map(" ".join)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(_LAB_TEXTS)
def test_plain_values_gate_is_necessary(text: str) -> None:
    """The trailing-operator words gate of ``plain_values`` never drops a value the scan reads."""
    from trialmatch.criteria import numeric_values as nv
    from trialmatch.criteria.lab_mentions import lab_mentions

    mentions = lab_mentions(text)
    got = nv.plain_values(text, mentions, [], low=text.lower())
    cue = nv._trailing_cue
    always = gate(re.compile(""))  # a real Cue (the compiled module checks the type) with no words
    assert always.admits(text)
    nv._trailing_cue = lambda: always  # type: ignore[method-assign]
    try:
        assert got == nv.plain_values(text, mentions, [])
    finally:
        nv._trailing_cue = cue  # type: ignore[method-assign]


def test_plain_values_examples() -> None:
    from trialmatch.criteria import numeric_values as nv
    from trialmatch.criteria.lab_mentions import lab_mentions

    text = "Hemoglobin of 9 g/dL or more"
    (c,) = nv.plain_values(text, lab_mentions(text), [])
    assert (c.op, c.value, c.unit) == (">=", 9.0, "g/dL")
    assert nv.plain_values("Hemoglobin of 9 g/dL", lab_mentions("Hemoglobin of 9 g/dL"), []) == []


_BARE_TEXTS = st.lists(
    st.sampled_from(
        ["Total", "bilirubin", "=<", "<=", "≤", "above", "BELOW", "not  more than", "at least", "the",
         "institutional", "ULN", "uln", "LLN", "upper limit of normal", "Lower Limits of the normal", "(ULN)",
         "x", "1.5", "İ", "K", " "]
    ),
    max_size=10,
).map(" ".join)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(_BARE_TEXTS)
def test_bare_limit_lowered_is_the_case_insensitive_search(text: str) -> None:
    """The lowered bare-ULN pattern on the lower-cased text reads what the pattern reads."""
    from trialmatch.criteria import numeric_values as nv

    assert nv._BARE_LOW is not None
    if caseless_safe(text):
        low = [
            (m.span(), m.group("op").lower(), m.group("ref").lower())
            for m in nv._BARE_LOW.finditer(text.lower())
        ]
        plain = [
            (m.span(), m.group("op").lower(), m.group("ref").lower()) for m in nv._BARE_ULN.rx.finditer(text)
        ]
        assert low == plain
    got = nv.comparisons(text)
    assert got == nv.comparisons(text, low=text.lower(), safe=caseless_safe(text))


def test_bare_limit_examples() -> None:
    from trialmatch.criteria import numeric_values as nv

    (c,) = nv.comparisons("Total bilirubin =< Upper Limit of Normal (ULN)")
    assert (c.op, c.value, c.ref) == ("<=", 1.0, "uln")
    (c,) = nv.comparisons("troponin ABOVE the institutional LLN")
    assert (c.op, c.ref) == (">", "lln")


def test_mention_inside_a_comparison_is_skipped() -> None:
    """A lab name inside a comparison (the "K" of "K/mm3") starts no group of its own."""
    from trialmatch.criteria.lab_mentions import lab_mentions
    from trialmatch.criteria.numeric import extract_numeric

    text = "Platelets ≥ 100 K/mm3"
    assert [m.key for m in lab_mentions(text)] == ["platelets", "potassium"]
    assert [(v, op, x) for v, op, x, _, _ in extract_numeric(text)] == [("lab.platelets", ">=", 100.0)]
    got = extract_numeric("Absolute neutrophil count (ANC) >/= 1.5 K/mm3; potassium >= 3.5 mmol/L")
    assert [(v, x) for v, _, x, _, _ in got] == [("lab.anc", 1.5), ("lab.potassium", 3.5)]


def test_pattern_needles() -> None:
    from trialmatch.criteria import numeric_values as nv
    from trialmatch.criteria.needles import pattern_needles

    assert pattern_needles(nv._RANGE_JOIN) == frozenset({"and", "to", "-", "–", "—"})
    assert pattern_needles(re.compile("since|days", re.I)) is None  # 's': ſ matches it, lower() keeps ſ
    assert pattern_needles(re.compile(r"\d+")) is None


@settings(max_examples=300, deadline=None)
@given(_LAB_TEXTS)
def test_range_values_gate_is_necessary(text: str) -> None:
    """The join-word gate of ``range_values`` never drops a range the scan reads."""
    from trialmatch.criteria import numeric_values as nv
    from trialmatch.criteria.lab_mentions import lab_mentions

    mentions = lab_mentions(text)
    got = nv.range_values(text, mentions, [])
    needles = nv._range_join_needles
    nv._range_join_needles = lambda: None  # type: ignore[assignment]
    try:
        assert got == nv.range_values(text, mentions, [])
    finally:
        nv._range_join_needles = needles  # type: ignore[method-assign]
    if "BMI 18 - 30" in text:
        assert got


def test_range_values_examples() -> None:
    from trialmatch.criteria import numeric_values as nv
    from trialmatch.criteria.lab_mentions import lab_mentions

    text = "BMI between 18 and 30 kg/m2"
    (c,) = nv.range_values(text, lab_mentions(text), [])
    assert (c.op, c.value, c.high, c.unit) == (">=", 18.0, 30.0, "kg/m2")
    assert nv.range_values("BMI 18 30 kg/m2", lab_mentions("BMI 18 30 kg/m2"), []) == []


def test_first_chars() -> None:
    from trialmatch.vocab.regex_facts import first_chars

    assert first_chars(re.compile(r"a?b|(?<!\w)\d")) == "[\\U00000061\\U00000062\\d]"
    assert first_chars(re.compile(r"x*")) is None  # can match nothing
    assert first_chars(re.compile(r"[^a]b")) is None  # a negated class
    assert first_chars(re.compile(r"(?i:a)b")) is None  # a case-insensitive group
    assert first_chars(re.compile("ab", re.I)) is None
    gated = first_char_gated(re.compile(r"(?:in\s+|)(?P<n>\d+)\s?d\b"))
    assert gated.pattern.startswith("(?=[")
    assert [(m.span(), m.group("n")) for m in gated.finditer("in 3 d, 14d, x5 d")] == [
        ((0, 6), "3"),
        ((8, 11), "14"),
        ((14, 17), "5"),
    ]
    plain = re.compile("ab")
    assert first_char_gated(re.compile("x*")).pattern == "x*" and first_char_gated(plain) is not None


_GATE_TEXTS = st.lists(
    st.sampled_from(
        ["within", "in the last", "at least", "less than", "≥", "<=", "=<", "2", "28", ".5", "1,5", "one",
         "a", "an", "single", "days", "d", "weeks", "months", "years", "h", "prior to", "of the first",
         "ago", "x", "ULN", "mg/dL", "-", "to", "above", "no more than", "İ", "ı", "(", ".", " ", "  "]
    ),
    max_size=14,
).map(" ".join)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(_GATE_TEXTS)
def test_first_char_gated_searches_are_the_searches(text: str) -> None:
    """The gated window and comparison patterns read what the plain lowered ones read."""
    from trialmatch.criteria import numeric_values as nv

    low = text.lower()
    for rx in (lowered(temporal._window_re()), lowered(nv._cmp_re())):
        assert rx is not None
        gated = first_char_gated(rx)
        assert gated is not rx
        assert [(m.span(), m.groups()) for m in gated.finditer(low)] == [
            (m.span(), m.groups()) for m in rx.finditer(low)
        ]


_GRADE_TEXTS = st.lists(
    st.sampled_from(
        ["NET", "G1", "g2", "/", "G3", "grade", "GRADE", "II", "1", "or", "high", "low", "-", "intermediate",
         "to", "and", "well", "differentiated", "İ", "ı", " "]
    ),
    max_size=10,
).map(" ".join)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(_GRADE_TEXTS)
def test_grades_gate_is_necessary(text: str) -> None:
    """The grade-word gate of ``grades_in`` never drops a grade the patterns read."""
    from trialmatch.criteria import facets

    got = facets.grades_in(text)
    gate = facets._grade_finder
    facets._grade_finder = lambda: lambda _low: True  # type: ignore[assignment]
    try:
        assert got == facets.grades_in(text)
    finally:
        facets._grade_finder = gate  # type: ignore[method-assign]


def test_grades_examples() -> None:
    from trialmatch.criteria.facets import grades_in

    assert grades_in("NET G1/G2") == ("G1", "G2")
    assert grades_in("low or intermediate grade") == ("G1", "G2")
    assert grades_in("well differentiated") == ()


@settings(max_examples=300, deadline=None)
@given(_LAB_TEXTS | _NUM_TEXTS)
def test_lab_rules_gate_is_necessary(text: str) -> None:
    """``lab_rules`` without a lab-name start in the text is what the full reading gives."""
    from trialmatch.criteria import numeric

    rule, keys = numeric._lab_rules_uncached(text)
    assert numeric.lab_rules(text) == (rule, keys)


def test_lab_rules_examples() -> None:
    from trialmatch.criteria.numeric import lab_rules

    assert lab_rules("Able to swallow 2 tablets") == (None, [])
    rule, keys = lab_rules("Hemoglobin >= 9 g/dL")
    assert rule is not None and keys == ["hemoglobin"]
