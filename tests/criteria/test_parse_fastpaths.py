"""The item parser's short cuts answer as the plain readings they replace: the first sentence, the
aside-free first sentence, the definition lead (skipped when no definition cue occurs) and the
condition-before-treatment test (one pass over the concept hits)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.criteria import parse, parse_build, parse_post
from trialmatch.criteria.lexicon import has_phrase
from trialmatch.vocab.concepts import ConceptHit, concepts

_WORDS = st.sampled_from(
    [
        "Measurable disease",
        "is defined as",
        "defined as",
        "definition of",
        "at least one lesion",
        "(see RECIST)",
        "[note]",
        "Patients",
        "are eligible",
        "must have",
        "e.g.",
        "x",
    ]
)
_SEPS = st.sampled_from([" ", ". ", "; ", ": ", ".\t", ";\n", ".", ","])


@st.composite
def _texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(_WORDS, _SEPS), max_size=8))
    return "".join(w + s for w, s in parts).strip()


_SENTENCE_END = re.compile(r"(?<=[.;])\s")


@settings(max_examples=400, deadline=None)
@given(_texts())
def test_first_sentence_is_the_split_it_replaces(t: str) -> None:
    assert parse_post._first_sentence(t) == _SENTENCE_END.split(t, maxsplit=1)[0]


def _permission_reference(t: str) -> bool:
    first = _SENTENCE_END.split(t, maxsplit=1)[0]
    outside = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", first)
    return has_phrase("permission_statement_cues", outside) and not parse_post._INELIGIBLE.rx.search(first)


@settings(max_examples=300, deadline=None)
@given(_texts())
def test_permission_among_exclusions_reads_as_before(t: str) -> None:
    assert parse_post._permission_among_exclusions(t) == _permission_reference(t)


def _lead_reference(t: str, parts: tuple[str, ...]) -> str | None:
    """``_definition_lead`` as it was, splitting every item into sentences."""
    if parts and parts[0] in t and any(has_phrase("definition_cues", p) for p in parts):
        lead = t[: t.index(parts[0])].strip(" :;,")
    else:
        sents = parse._SENT.split(t)
        i = next((k for k, x in enumerate(sents) if k > 0 and has_phrase("definition_cues", x)), None)
        if i is None:
            return None
        lead = " ".join(sents[:i]).strip(" :;,")
    return lead if len(lead) >= 15 and not has_phrase("definition_cues", lead) else None


@settings(max_examples=400, deadline=None)
@given(_texts())
def test_definition_lead_is_unchanged_by_its_prefilter(t: str) -> None:
    assert parse._definition_lead(t, ()) == _lead_reference(t, ())


def test_definition_lead_examples() -> None:
    t = "Must have measurable disease: Measurable disease is defined as at least one lesion"
    assert parse._definition_lead(t, ()) == "Must have measurable disease"
    assert parse._definition_lead("Must have measurable disease", ()) is None


_IDS = sorted(concepts())[:: max(1, len(concepts()) // 60)]


def _condition_first_reference(hits: list[ConceptHit]) -> bool:
    cs = concepts()
    first_cond = next((h.start for h in hits if cs[h.concept].type == "condition"), None)
    first_tx = next((h.start for h in hits if cs[h.concept].type in ("treatment", "drug", "regimen")), None)
    return first_cond is not None and first_tx is not None and first_cond < first_tx


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_IDS), st.integers(0, 50)), max_size=6))
def test_condition_first_in_one_pass(spec: list[tuple[str, int]]) -> None:
    hits = [ConceptHit(c, s, s + 3, "x") for c, s in spec]
    assert parse_build._condition_first(hits) == _condition_first_reference(hits)


def test_condition_first_examples() -> None:
    cs = concepts()
    cond = next(c for c in cs if cs[c].type == "condition")
    tx = next(c for c in cs if cs[c].type == "treatment")
    assert parse_build._condition_first([ConceptHit(cond, 0, 3, "a"), ConceptHit(tx, 10, 13, "b")])
    assert not parse_build._condition_first([ConceptHit(tx, 0, 3, "b"), ConceptHit(cond, 10, 13, "a")])
    assert not parse_build._condition_first([ConceptHit(cond, 0, 3, "a")])


_NON_WORD = re.compile(r"[\W_]+")


_CHARS = st.sampled_from(["a", "Z", "7", "é", "٣", "_", " ", ".", "-", "\n", "≥", "(", "x"])


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=_CHARS, max_size=14))
def test_four_alnum_is_the_stripped_length(text: str) -> None:
    """``_FOUR_ALNUM`` finds a match exactly when the text stripped of ``[\\W_]`` keeps four characters."""
    assert (parse_build._FOUR_ALNUM.search(text) is None) == (len(_NON_WORD.sub("", text)) < 4)


def test_four_alnum_examples() -> None:
    assert parse_build._FOUR_ALNUM.search("a-b_c d") is not None  # four letters, anything between
    assert parse_build._FOUR_ALNUM.search("(e.g. ; , )") is None  # "e", "g": two
    assert parse_build._FOUR_ALNUM.search("__1_2_3__") is None  # "_" is not counted
    assert parse_build._FOUR_ALNUM.search("") is None
