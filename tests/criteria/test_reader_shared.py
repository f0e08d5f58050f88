"""The clinical readers' shared scans read as the plain per-piece readings they replace:
``_permissive_spans`` (one scan of the text's tokens for the permissive cues of every clause)
against tokenising each clause, on texts with cues, denials, delimiters and underscores."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.criteria import clinical
from trialmatch.criteria.lexicon import has_phrase, phrases

_WORDS = st.one_of(
    st.sampled_from(sorted(str(p) for p in phrases()["permissive_cues"])),
    st.sampled_from(
        ["not eligible", "ineligible", "is not allowed", "Patients", "HIV", "any_number of", "İ"]
    ),
)
_SEPS = st.sampled_from([" ", ", ", ". ", "; ", " (", ") ", "_", "1.5"])


@st.composite
def _texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(_WORDS, _SEPS), max_size=8))
    return "".join(w + s for w, s in parts).strip()


def _spans_reference(text: str) -> list[tuple[int, int]]:
    """Each clause tokenised and searched on its own."""
    if not has_phrase("permissive_cues", text) or not clinical._PERM_HINT.rx.search(text.lower()):
        return []
    return [
        m.span()
        for m in clinical._CLAUSE.finditer(text)
        if has_phrase("permissive_cues", m.group()) and not clinical._NOT_PERMITTED.rx.search(m.group())
    ]


@settings(max_examples=500, deadline=None)
@given(_texts())
def test_permissive_spans_read_as_each_clause_alone(t: str) -> None:
    assert clinical._permissive_spans(t) == _spans_reference(t)


def test_permissive_spans_keep_the_clauses_that_allow() -> None:
    t = "Prior chemotherapy, HIV is allowed, brain metastases are not eligible; steroids permitted"
    got = [t[s:e] for s, e in clinical._permissive_spans(t)]
    assert got == [" HIV is allowed", " steroids permitted"]
    assert clinical._cues_in_one_clause()  # the fast reading applies to the vocabulary as it is


_PIECE_KEYS = ("uncontrolled_cues", "study_drug_anchor_cues")
_PIECE_WORDS = st.one_of(
    st.sampled_from(sorted(str(p) for k in _PIECE_KEYS for p in phrases()[k])),
    st.sampled_from(sorted(str(p) for k in _PIECE_KEYS for p in phrases()[k])).map(str.upper),
    st.sampled_from(["hypertension", "İ", "\u212a", "ı", "ſ", "\u0307", "x", "diabetes"]),
)


@st.composite
def _pieces(draw: st.DrawFn) -> tuple[str, int, int]:
    parts = draw(st.lists(st.tuples(_PIECE_WORDS, _SEPS), max_size=6))
    t = "".join(w + s for w, s in parts)
    a = draw(st.integers(0, len(t)))
    return t, a, draw(st.integers(a, len(t) + 5))


@settings(max_examples=500, deadline=None)
@given(_pieces(), st.sampled_from(_PIECE_KEYS))
def test_piece_test_never_rejects_a_piece_with_a_cue(piece: tuple[str, int, int], key: str) -> None:
    from trialmatch.criteria.needles import phrase_piece_may as _piece_may
    from trialmatch.vocab.prefilter import folded

    t, a, b = piece
    if has_phrase(key, t[a:b]):
        assert _piece_may(key, t, folded(t), a, b)


def test_piece_test_rejects_a_piece_without_the_words() -> None:
    from trialmatch.criteria.needles import phrase_piece_may as _piece_may
    from trialmatch.vocab.prefilter import folded

    t = "Diabetes mellitus, poorly controlled"
    assert _piece_may("uncontrolled_cues", t, folded(t), 17, len(t))
    assert not _piece_may("uncontrolled_cues", t, folded(t), 0, 17)


_STATE_WORDS = st.one_of(
    st.sampled_from(
        [
            *sorted(str(p) for k in clinical._STATE_PHRASES for p in phrases()[k]),
            *("grade 2", "G3", "stage IV", "well-differentiated", "poorly differentiated", "Ki-67 > 20%"),
        ]
    ),
    st.sampled_from(
        ["metastatic", "metastasized", "distant metastases", "İ", "\u212a", "x", "NET", "tumour"]
    ),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(_STATE_WORDS, _SEPS), max_size=6).map(lambda ps: "".join(w + s for w, s in ps)))
def test_state_precheck_never_rejects_a_state_cue(t: str) -> None:
    from trialmatch.vocab.prefilter import folded

    low = folded(t)
    full = clinical._STATE_GATES_MAY(low) or any(has_phrase(k, t) for k in clinical._STATE_PHRASES)
    assert clinical._may_have_state(t, low) == full
    if full:
        pre = clinical._state_any()
        assert pre is None or pre(low)


def test_state_precheck_rejects_a_plain_text() -> None:
    assert not clinical._may_have_state("Adequate organ function", "adequate organ function")
    assert clinical._may_have_state("metastatic disease", "metastatic disease")


_MAIN_WORDS = st.one_of(
    st.sampled_from(sorted(str(p) for p in phrases()["exception_cues"])),
    st.sampled_from(
        ["(e.g. lung cancer)", "(including NET)", "metastatic", "metas", "tatic", "diagnosed", "Ki-67 > 20%"]
    ),
    st.sampled_from(["well-differentiated", "other", "may be enrolled", "İ", "\u212a", "x", "(", ")"]),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(_MAIN_WORDS, _SEPS), max_size=8).map(lambda ps: "".join(w + s for w, s in ps)))
def test_the_item_bits_answer_for_its_main_text(t: str) -> None:
    """The readers test the Cues of ``main`` (and its slices) with the item's folded text: every
    whitespace-free run of ``main`` lies inside one of the item's, so no match is refused."""
    from trialmatch.vocab.prefilter import folded

    main, _ = clinical.split_exceptions(t)
    main = clinical._EXAMPLES.rx.sub(" ", main)
    low = folded(t)
    for cue in (clinical._METASTATIC, clinical._DIAG_WORDS, clinical._WELL_DIFF, clinical._KI67):
        for piece in (main, main[: len(main) // 2], main[len(main) // 3 :]):
            assert bool(cue.search(piece, low=low)) == bool(cue.rx.search(piece)), (cue, piece)


def test_comorbid_ids_are_the_concepts_the_rule_read_hit_by_hit() -> None:
    from trialmatch.criteria import history
    from trialmatch.vocab.concepts import concepts, is_a

    cs = concepts()
    plain = {
        cid
        for cid in cs
        if cs[cid].type in history._COND_OR_DISEASE
        and cid not in history._SKIP
        and (cs[cid].type != "disease" or not is_a(cid, "cancer"))
    }
    assert history._comorbid_ids() == plain
    assert "heart_failure" in plain and "surgery" not in plain
