"""The splitter's prefilters are necessary conditions: with them the items are those without them.
``max_width`` bounds every match of a pattern; the header start pairs never skip a header line."""

from __future__ import annotations

import dataclasses
import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trialmatch.criteria.split as split_mod
import trialmatch.criteria.split_headers as SH
import trialmatch.criteria.split_inline as SI
import trialmatch.criteria.split_markers as SM
from trialmatch.criteria.split import split_rows
from trialmatch.criteria.split_headers import classify_body, header_vocab, norm
from trialmatch.criteria.split_markers import marker
from trialmatch.vocab.patterns import pattern, pattern_entries, pattern_files
from trialmatch.vocab.prefilter import max_width

_LINES = [
    "Inclusion Criteria:",
    "EXCLUSION CRITERIA:",
    "**Key Inclusion Criteria**",
    "Exclusion criteria (Phase II only):",
    "Patients are not eligible if any of the following apply:",
    "inclusion criteria STEP 2",
    "\u0130nclusion criteria:",  # İ lower-cases to "i̇"
    "\u7eb3\u5165\u6807\u51c6\uff1a",
    "Cohort A:",
    "- Age >= 18 years",
    "1. ECOG 0-1; 2. ANC >= 1.5",
    "Key",
    "  Main  ",
    "",
]


@pytest.mark.parametrize(
    ("regex", "expected"),
    [("abc", 3), (r"^\W{0,3}(?:key|main)\W{0,3}$", 10), (r"a+", None), (r"x{2,5}y?", 6), (r"(?=abcd)a", 1)],
)
def test_max_width(regex: str, expected: int | None) -> None:
    assert max_width(re.compile(regex)) == expected


_ENTRIES = [(g, k) for g in pattern_files() for k in pattern_entries(g)]


@pytest.mark.parametrize(("group", "key"), _ENTRIES)
def test_max_width_bounds_the_examples(group: str, key: str) -> None:
    entry = pattern_entries(group)[key]
    cue = pattern(f"{group}.{key}")
    hi = max_width(cue)
    for text in entry.get("match") or []:
        m = cue.rx.search(text)
        assert m is not None
        assert hi is None or len(m.group(0)) <= hi


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=24))
def test_heading_fragment_bound(text: str) -> None:
    rx = pattern("parse.heading_fragment").rx
    if rx.match(text):
        assert len(text) <= split_mod._HEADING_FRAGMENT_MAX


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_LINES) | st.text(max_size=30))
def test_start_pairs_never_skip_a_header(line: str) -> None:
    rest = line.strip()
    starts = header_vocab().start_pairs
    if classify_body(rest) is not None:
        assert starts is None or rest[:2] in starts or rest[:1] in "*#_" or not rest[:2].isascii()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_LINES) | st.text(max_size=30), max_size=10))
def test_split_rows_without_the_start_pairs(lines: list[str]) -> None:
    text = "\n".join(lines)
    plain = dataclasses.replace(header_vocab(), start_pairs=None)
    got = split_rows(text)
    orig = split_mod.header_vocab
    split_mod.header_vocab = lambda: plain  # type: ignore[assignment]
    try:
        assert split_rows(text) == got
    finally:
        split_mod.header_vocab = orig


_PARA_LINES = [
    "          -  Men and women aged above 18 years",
    "- Age 18 - 75 years",
    "Inclusion Criteria: - Age >= 18 - ECOG 0-1 - Adequate organ function",
    "  for developing venous thromboembolism - (see below)",
    "- HIV -",
    "NET G1 - G2",
    "-",
    "ABC -\tDEF (x)",
    "\u00a0- Foo",
]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(_PARA_LINES) | st.text(alphabet=" \t\u00a0-:(ABCab1\n", max_size=20), max_size=6)
)
def test_flow_para_prefilter_is_necessary(lines: list[str]) -> None:
    """Wherever unflow's test of the joined lines of a paragraph matches, the paragraph test does."""
    para = "\n".join(lines)
    joined = " ".join(ln for ln in map(str.strip, para.split("\n")) if ln)
    if SI._FLOW_BULLET_PRE.search(joined):
        assert SI._FLOW_PARA_PRE.search(para, len(para) - len(para.lstrip()) + 1)


_CAND_LINES = [
    *_PARA_LINES,
    "",
    " \t",
    "               - Age >= 18",
    "  \n\n - Foo",
    "x \u00a0- Bar",
    "\n                                        - Deep",
]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(_CAND_LINES) | st.text(alphabet=" \t\u00a0-:(ABCab\n", max_size=20), max_size=8)
)
def test_flow_candidate_is_necessary(lines: list[str]) -> None:
    """When a paragraph passes unflow's paragraph test, ``_flow_candidate`` says so for the text."""
    text = "\n".join(lines)
    passes = any(
        " - " in para and SI._FLOW_PARA_PRE.search(para, len(para) - len(para.lstrip()) + 1)
        for para in SI._PARA_RE.split(text)
    )
    if passes:
        assert SI._flow_candidate(text)
    assert not SI._flow_candidate("Age:\n\n          - Foo\n\n               - Bar")
    assert SI._flow_candidate("Age - Foo - Bar")


def _paragraphs_before(text: str) -> str:
    """unflow's paragraph pass as it was before its prefilter (the reference)."""
    out: list[str] = []
    for para in SI._PARA_RE.split(text):
        if " - " not in para:
            out.append(para)
            continue
        lines = [ln.strip() for ln in para.split("\n")]
        lines = [ln for ln in lines if ln]
        if len(lines) < 2:
            out.append(para)
            continue
        joined = " ".join(lines)
        head, sep, body = joined.partition(": ")
        target = body if sep and len(head) < 60 else joined
        if (
            not target.lstrip().startswith("-")
            or not SI._FLOW_START_RE.match(target if target is joined else "- " + target.lstrip("- "))
            or not SI._FLOW_BULLET_PRE.search(target)
            or not SI._FLOW_BULLET_RE.search(target)
            or any(marker(ln)[0] for ln in lines[1:])
        ):
            out.append(para)
            continue
        out.append((head + ":\n" if target is body else "") + SI._FLOW_BULLET_RE.sub("\n- ", target))
    return "".join(out)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *_PARA_LINES[:2],
                *_PARA_LINES[3:],
                "",
                "  ",
                "Key: - Age - Bar - ECOG",
                "  continued - Adequate organ function",
            ]
        ),
        max_size=10,
    )
)
def test_unflow_paragraphs_as_before(lines: list[str]) -> None:
    text = "Exclusion Criteria:\n" + "\n".join(lines)  # (a header that opens its line: left as it is)
    assert SI.unflow(text) == _paragraphs_before(text)


def test_unflow_reopens_a_flowed_list() -> None:
    text = "Exclusion Criteria:\n\nKey: - Age >= 18 - ECOG 0-1\n  continued - Adequate organ function"
    want = "Exclusion Criteria:\n\nKey:\n- Age >= 18 - ECOG 0-1 continued\n- Adequate organ function"
    assert SI.unflow(text) == want == _paragraphs_before(text)


_HEADS = [
    "inclusion criteria (phase ii only)",
    "exclusion criteria for cohort b",
    "inclusion - net",
    "key inclusion criteria - part 2",
    "patients (cohort a)",
    "exclusion criteria",
    "eligibility criteria for all",
]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(_HEADS) | st.text(alphabet="inclusoexrta ()-–bfpk2", max_size=50))
def test_qualified_headers_start_with_a_kind_phrase(head: str) -> None:
    """classify_body runs qualified_re only on a text that starts with an inclusion or exclusion phrase."""
    v = header_vocab()
    nhead = norm(head)
    m = v.qualified_re.match(nhead)
    if m and v.headers.get(norm(m.group(1))) in ("inclusion", "exclusion"):
        assert nhead.startswith(v.kind_phrases)


def test_qualified_headers_still_read() -> None:
    assert classify_body("Inclusion Criteria (Phase II only):") == ("inclusion", "Phase II only", "")
    assert classify_body("Exclusion criteria for cohort B") == ("exclusion", "cohort B", "")


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.text(alphabet=" \t\x0b\x1c\x1f\u00a0\u2003ab(1)\x07", max_size=12), min_size=1, max_size=4)
)
def test_join_is_split_and_join(parts: list[str]) -> None:
    s = " ".join(parts)
    assert split_mod._join(parts) == " ".join(s.split())
    if split_mod._single_spaced(s):
        assert " ".join(s.split()) == s


def test_inline_parts_reads_a_list() -> None:
    assert SI.inline_parts("Either (i) G1 or (ii) G2") == ("Either", ["G1 or", "G2"])
    assert SI.inline_parts("ECOG (0-1) and (a) only") == ("ECOG (0-1) and (a) only", [])


def _marker_by_regex(line: str) -> tuple[str | None, str]:
    """``marker`` without its quick paths: the regex alone decides (the reference)."""
    style: str | None = None
    rest = line
    for _ in range(3):
        m = SM._MARKER_RE.match(rest)
        if not m:
            break
        last = m.lastgroup or ""
        if last == "bullet":
            style = "b" + m.group("bullet")
        elif last in ("np", "rp", "ap"):
            kind = {"np": "num", "rp": "roman", "ap": "alpha"}[last]
            p = m.group(last)
            style = ("num)" if p == ")" else "num.") if kind == "num" else kind + p
        else:
            style = SM._STYLE_OF[last]
        rest = rest[m.end() :]
        if style == "circled":
            break
    return style, rest


def test_marker_quick_paths_decide_as_the_regex() -> None:
    chars = "iIvVxXoOaAnNsSkK.)( \t\u00a0\u0131\u0130\u017f\u212a1-*\u2460"
    for n in (1, 2, 3):
        for combo in itertools.product(chars, repeat=n):
            for tail in ("", " x", "x"):
                s = "".join(combo) + tail
                assert marker(s) == _marker_by_regex(s), s


def test_plain_first_letters_start_no_marker() -> None:
    """``_rows`` takes a line whose first letter is in PLAIN_FIRST (no "." / ")" after it) as
    unmarked, and a bullet, white space and such a letter as a bullet: as ``marker`` decides."""
    for c in SM.PLAIN_FIRST:
        for tail in ("", " x", "x", "nclusion", "..", "\t1.", ")"):
            s = c + tail
            if s[1:2] not in SM.ALPHA_PUNCT:
                assert marker(s) == (None, s) == _marker_by_regex(s), s
            for b in SM.BULLETS:
                for sp in (" ", "\t", "\u00a0", "  "):
                    if s[1:2] not in SM.ALPHA_PUNCT:
                        assert marker(b + sp + s) == ("b" + b, s), b + sp + s


_MARKED_LINES = [
    "- Age >= 18 years",
    "  * a. measurable disease",
    "-  iv) prior therapy",
    "o Other",
    "x) ten",
    "\u2022\tPatients must have",
    "Dx: NET",
    "a. first",
    "B) second",
    "-",
    "- o",
    "\u2013 \u2460 first",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_MARKED_LINES + _LINES) | st.text(max_size=20), max_size=10))
def test_split_rows_without_the_inline_marker_paths(lines: list[str]) -> None:
    """``_rows`` reads the same items when ``marker`` decides every line (no PLAIN_FIRST path)."""
    text = "\n".join(lines)
    got = split_rows(text)
    orig = split_mod.PLAIN_FIRST
    split_mod.PLAIN_FIRST = frozenset()  # type: ignore[misc]
    try:
        assert split_rows(text) == got
    finally:
        split_mod.PLAIN_FIRST = orig  # type: ignore[misc]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_LINES) | st.text(max_size=30), min_size=1, max_size=6))
def test_classify_body_memo_answers_as_computed(bodies: list[str]) -> None:
    """The memoised answers are those ``_classify`` computes, asked once or again, and a new
    vocabulary (``dataclasses.replace``) starts with an empty memo of its own."""
    v = header_vocab()
    for b in bodies + bodies:
        assert classify_body(b, v) == SH._classify(b, v)
        assert b in v.memo
    fresh = dataclasses.replace(v, start_pairs=None)
    assert fresh.memo == {} and fresh.memo is not v.memo


def _probe_lines_before(text: str, probes: tuple[str, ...]) -> list[tuple[int, int]]:
    spans: set[tuple[int, int]] = set()
    for p in probes:
        for m in re.finditer(re.escape(p), text):
            a = text.rfind("\n", 0, m.start()) + 1
            b = text.find("\n", m.start())
            spans.add((a, len(text) if b < 0 else b))
    return sorted(spans)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["riteria", "RITERIA", "Criteria: x", "\n", "ab", " "]), max_size=12))
def test_probe_lines_as_a_sorted_set(pieces: list[str]) -> None:
    """Each line holding a probe once, in order, whether one probe or both occur."""
    text = "".join(pieces)
    for probes in (("riteria", "RITERIA"), ("riteria",), ("RITERIA", "riteria")):
        assert SI._probe_lines(text, probes) == _probe_lines_before(text, probes)
