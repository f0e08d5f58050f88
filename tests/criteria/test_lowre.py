"""The lower-cased / prefiltered regex searches of ``criteria.lowre`` and their users (history,
temporal): each gives exactly what the case-insensitive pattern gives."""

from __future__ import annotations

import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.criteria import history, needles, temporal
from trialmatch.criteria.lexicon import has_phrase
from trialmatch.criteria.lowre import Lowered, caseless_safe, final_words, lowered, tail_from, top_level_cut
from trialmatch.vocab.patterns import pattern

_WORDS = [
    "at least", "no more than", "≥", ">=", "<", "one", "two", "a single", "3", "12", "prior", "previous",
    "lines", "line of", "regimens", "standard", "systemic", "therapy", "treatment", "chemotherapy",
    "within", "in the last", "past", "days", "day", "d", "wks", "weeks", "month", "mo", "mos", "mths",
    "years", "yr", "hours", "h", "2h", "ago", "before", "after", "prior to first dose", "of the start",
    "trastuzumab", "olaparib", "topotecan", "statin", "prostate", "status", "tinib", "nib", "lurbinectedin",
    "İ", "ı", "ſ", "\u212a", "é", "Σ", "µ", "–", ".", ";", ",", "(", ")", "-", "",
]  # fmt: skip


@st.composite
def _texts(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(_WORDS), max_size=14))
    seps = draw(
        st.lists(st.sampled_from([" ", "  ", "", "-", "\n"]), min_size=len(words), max_size=len(words))
    )
    text = "".join(w + s for w, s in zip(words, seps, strict=True))
    mode = draw(st.sampled_from(["keep", "upper", "title", "swap"]))
    return {"keep": text, "upper": text.upper(), "title": text.title(), "swap": text.swapcase()}[mode]


_TEXTS = _texts() | st.text(max_size=40)


def test_caseless_safe() -> None:
    assert caseless_safe("Within 28 DAYS ≥ 2 – x；")
    assert not caseless_safe("İbrutinib")
    assert not caseless_safe("\u212a")  # the Kelvin sign matches "k" case-insensitively
    assert not caseless_safe("Crème")


def test_caseless_characters_match_the_same_with_and_without_ignorecase() -> None:
    """The premise of ``caseless_safe``, checked over Unicode: a character without case is
    matched by the atoms of the patterns alike whether the pattern ignores case or not."""
    chars = "".join(c for c in map(chr, range(0x80, sys.maxunicode + 1)) if c.lower() == c == c.upper())
    assert not re.findall("[a-z]", chars, re.I)
    for atom in (r"\w", r"\s", r"\d", r"[^.;]", r"[\s-]", r"[^\w.]", r"\w\b", "≥", "≤", "–", "-", "."):
        assert re.findall(atom, chars, re.I) == re.findall(atom, chars), atom


def test_lowered_refuses_what_it_cannot_prove() -> None:
    assert lowered(re.compile("abc")) is None  # not case-insensitive
    assert lowered(re.compile(r"\Sx", re.I)) is None  # an upper-case escape
    assert lowered(re.compile("CNS", re.I)) is None
    assert lowered(re.compile(r"a(?-i:b)", re.I)) is None
    assert lowered(re.compile(r"\x41", re.I)) is None
    assert lowered(re.compile(r"[ -_]", re.I)) is None  # a range holding upper-case letters
    assert lowered(re.compile(r"[0-z]", re.I)) is None
    assert lowered(re.compile(r"[a-z0-9-]x", re.I)) is not None
    assert lowered(re.compile(r"[]a-]", re.I)) is not None
    got = lowered(re.compile(r"(?i)(?P<n>\d)\s?day"))
    assert got is not None and not got.flags & re.I


def test_top_level_cut() -> None:
    assert top_level_cut("(?:a|b)?c", 7)
    assert not top_level_cut("(?:a|b)?c", 3)  # inside the group
    assert not top_level_cut("a|bc", 3)  # a top-level alternation
    assert top_level_cut("[(]x", 3)  # "(" in a class opens no group
    assert not top_level_cut(r"[(]\(x", 4)  # inside an escape


def test_derivations_for_the_history_patterns() -> None:
    assert history._LINES_TAIL is not None
    assert history._LINES_TAIL.pattern.startswith("(?P<n>")
    words = final_words(pattern("history.drug_stem"))
    assert words is not None and words.search("trastuzumab") and not words.search("statistics")
    assert final_words(re.compile(r"x|\b[a-z]{3,}(?:mab|nib)\b", re.I)) is None


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_lowered_patterns_match_alike(text: str) -> None:
    if not caseless_safe(text):
        return
    low = text.lower()
    for p in (pattern("history.lines"), temporal._window_re(), temporal._UNIT_HINT):
        lp = lowered(p)
        assert lp is not None
        want = [(m.span(), tuple((g or "").lower() for g in m.groups())) for m in p.finditer(text)]
        got = [(m.span(), tuple(g or "" for g in m.groups())) for m in lp.finditer(low)]
        assert got == want, p.pattern


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_prefilters_are_necessary_conditions(text: str) -> None:
    lines = pattern("history.lines")
    tail = tail_from(lines, "(?P<n>")
    assert tail is not None
    if lines.search(text) and caseless_safe(text):
        assert tail.search(text.lower())
    stem = pattern("history.drug_stem")
    words = final_words(stem)
    assert words is not None
    if stem.search(text) and caseless_safe(text):
        assert words.search(text.lower())


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_history_searches_equal_the_patterns(text: str) -> None:
    stem = pattern("history.drug_stem")
    want = stem.search(text)
    got = history._DRUGLIKE.search(text)
    assert (got and got.span()) == (want and want.span())
    assert [m.span() for m in history._DRUGLIKE.finditer(text)] == [m.span() for m in stem.finditer(text)]
    lw = history._LINES.search(text)
    lg = history._lines(text)
    assert (lg and (lg.span(), lg.group("n").lower(), (lg.group("op") or "").lower())) == (
        lw and (lw.span(), lw.group("n").lower(), (lw.group("op") or "").lower())
    )


@st.composite
def _window_texts(draw: st.DrawFn) -> str:
    """Texts shaped like a time window ("Within the last 28 DAYS prior to first dose")."""
    parts = [
        draw(
            st.sampled_from(
                ["", "within", "In the past", "during the last", "at least", "≥", "for", "over", "In"]
            )
        ),
        draw(st.sampled_from(["", "the", "the last", "Previous"])),
        draw(st.sampled_from(["28", "2", "one", "Two", "twenty-four", "a", "6 - 8", "3 to 4", "1.5"])),
        draw(
            st.sampled_from(["days", "D", "weeks", "wk", "Months", "mo", "mths", "years", "hrs", "h", "year"])
        ),
        draw(
            st.sampled_from(
                ["", "prior to first dose", "before", "AGO", "after the last dose", "of the start"]
            )
        ),
    ]
    sep = draw(st.sampled_from([" ", "  ", "-", ""]))
    text = draw(_texts()) + " " + sep.join(p for p in parts if p) + ". " + draw(_texts())
    return text.upper() if draw(st.booleans()) else text


@settings(max_examples=300, deadline=None)
@given(_TEXTS | _window_texts())
def test_windows_equal_the_case_insensitive_reading(text: str) -> None:
    temporal._windows.cache_clear()
    got = temporal.find_windows(text)
    safe = temporal.caseless_safe
    temporal.caseless_safe = lambda _t: False  # type: ignore[assignment]  # the case-insensitive path
    try:
        temporal._windows.cache_clear()
        want = temporal.find_windows(text)
    finally:
        temporal.caseless_safe = safe  # type: ignore[assignment]
        temporal._windows.cache_clear()
    assert got == want


def test_windows_examples() -> None:
    temporal._windows.cache_clear()
    got = [
        (w.amount, w.unit, w.relation)
        for w, _, _ in temporal.find_windows("Within 28 DAYS prior to first dose")
    ]
    assert got == [(28.0, "day", "within")]
    assert temporal.find_windows("within 3 mths") == []  # no unit hint: no window (as before)
    assert temporal.find_windows("6 months of treatment") == []  # a duration


_CUE_WORDS = [
    "uncontrolled", "Poorly", "controlled", "not", "well-controlled", "despite", "treatment", "during",
    "with", "first", "dose", "of", "discontinuation", "while", "on", "receiving", "study", "unstable",
    "angina", "hypertension", "İ", "Σ", "\u212a", "-", ",", ".", " ",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_CUE_WORDS), max_size=12), st.integers(0, 80), st.integers(0, 80))
def test_cue_possible_is_necessary_for_every_piece(words: list[str], i: int, j: int) -> None:
    text = " ".join(words)
    piece = text[min(i, j) : max(i, j)]
    for key in ("uncontrolled_cues", "study_drug_anchor_cues"):
        if has_phrase(key, piece):
            assert needles.phrase_list_may(key, text), (key, piece)


def test_cue_possible_examples() -> None:
    assert needles.phrase_words("uncontrolled_cues") is not None
    text = "Congestive heart failure, not well-controlled despite therapy"
    assert needles.phrase_list_may("uncontrolled_cues", text)
    assert not needles.phrase_list_may("uncontrolled_cues", "Myocardial infarction within 6 months")
    assert not needles.phrase_list_may("study_drug_anchor_cues", "Prior treatment with a PD-1 inhibitor")


def test_lowered_search_gives_spans_and_lower_cased_groups() -> None:
    p = Lowered(pattern("history.remission"))
    got = p.search("Cancer IN REMISSION for 5 years")
    assert got is not None and got.span() == (10, 31) and got.group() == "remission for 5 years"
    odd = p.search("\u212a remission")  # not caseless: the original pattern on the text
    assert odd is not None and odd.string == "\u212a remission"


@st.composite
def _line_counts(draw: st.DrawFn) -> str:
    """Texts shaped like a count of prior lines ("at least 2 prior lines of therapy")."""
    parts = [
        draw(st.sampled_from(["", "at least", "≥", "no more than", "up to", "Maximum of", "<"])),
        draw(st.sampled_from(["1", "2", "one", "Two", "three", "a single", "Single", "five"])),
        draw(st.sampled_from(["", "or more"])),
        draw(st.sampled_from(["prior", "previous", "lines of", "line", "regimens", "Standard", "courses"])),
        draw(st.sampled_from(["", "systemic", "platinum-based", "anti-cancer"])),
        draw(st.sampled_from(["therapy", "Treatment", "regimen", "chemotherapy", "line", "drugs"])),
    ]
    text = draw(_texts()) + " " + " ".join(p for p in parts if p) + " " + draw(_texts())
    return text.upper() if draw(st.booleans()) else text


@settings(max_examples=300, deadline=None)
@given(_line_counts())
def test_lines_equal_the_pattern_on_line_counts(text: str) -> None:
    want = history._LINES.search(text)
    got = history._lines(text)
    assert (got and (got.span(), got.group("n").lower(), (got.group("op") or "").lower())) == (
        want and (want.span(), want.group("n").lower(), (want.group("op") or "").lower())
    )
