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
    assert clinical._permissive_spans(t, t.lower()) == _spans_reference(t)


def test_permissive_spans_keep_the_clauses_that_allow() -> None:
    t = "Prior chemotherapy, HIV is allowed, brain metastases are not eligible; steroids permitted"
    got = [t[s:e] for s, e in clinical._permissive_spans(t, t.lower())]
    assert got == [" HIV is allowed", " steroids permitted"]
    assert clinical._cues_in_one_clause()  # the fast reading applies to the vocabulary as it is
