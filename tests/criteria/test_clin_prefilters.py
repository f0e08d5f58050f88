"""The string tests put before the item pipeline's phrase lookups never reject a text in which the
lookup finds a phrase (definition, permission-statement and permissive cues), and
``split_exceptions`` with its per-clause test answers as the plain reading it replaces, on texts
whose lower-casing changes length ("İ") or maps a non-ASCII letter to an ASCII one (Kelvin "K")."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.criteria.test_parse_fastpaths import _lead_reference  # the plain reading, one copy
from trialmatch.criteria import clinical, parse, parse_post
from trialmatch.criteria.lexicon import find_all, has_phrase, phrases

_CUE_WORDS = sorted(
    {
        str(p)
        for k in ("definition_cues", "permission_statement_cues", "permissive_cues", "exception_cues")
        for p in phrases()[k]
    }
)
_WORDS = st.one_of(
    st.sampled_from(_CUE_WORDS),
    st.sampled_from(_CUE_WORDS).map(str.upper),
    st.sampled_from(["Patients", "İ", "\u212a", "ı", "ſ", "HIV", "may", "have", "x", "(see below)", "[a]"]),
)
_SEPS = st.sampled_from([" ", ", ", ". ", "; ", " (", ") ", "(", ")", ",", "İ", " \u212a "])


@st.composite
def _texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(_WORDS, _SEPS), max_size=10))
    return "".join(w + s for w, s in parts).strip()


@settings(max_examples=500, deadline=None)
@given(_texts())
def test_phrase_strings_never_reject_a_text_with_a_cue(t: str) -> None:
    tests = (
        ("definition_cues", parse._definition_strings()),
        ("permission_statement_cues", parse_post._permission_strings()),
        ("permissive_cues", clinical._permissive_strings()),
    )
    for key, may in tests:
        if has_phrase(key, t):
            assert may(t.lower()), (key, t)


def _split_reference(text: str) -> tuple[str, str]:
    """``split_exceptions`` as it read before the per-clause string test."""
    exc: list[str] = []
    spans: list[tuple[int, int]] = []
    perm = has_phrase("permissive_cues", text) and clinical._PERM_HINT.rx.search(text.lower()) is not None
    for m in clinical._CLAUSE.finditer(text) if perm else ():
        clause = m.group()
        if has_phrase("permissive_cues", clause) and not clinical._NOT_PERMITTED.rx.search(clause):
            spans.append((m.start(), m.end()))
    for hit in find_all("exception_cues", text):
        end = text.find(".", hit.end())
        semi = text.find(";", hit.end())
        if text.rfind("(", 0, hit.start()) > text.rfind(")", 0, hit.start()):
            close = clinical._closing(text, hit.end())
            end = close if close != -1 else end
        ends = [x for x in (end, semi) if x != -1]
        spans.append((hit.start(), min(ends) if ends else len(text)))
    if not spans:
        return text, ""
    spans.sort()
    keep: list[str] = []
    pos = 0
    for s, e in spans:
        if s < pos:
            if e > pos:
                exc.append(text[pos:e])
                pos = e
            continue
        keep.append(text[pos:s])
        exc.append(text[s:e])
        pos = e
    keep.append(text[pos:])
    return " ".join(keep), " ".join(exc)


@settings(max_examples=500, deadline=None)
@given(_texts())
def test_split_exceptions_reads_as_before(t: str) -> None:
    assert clinical.split_exceptions(t) == _split_reference(t)


def test_split_exceptions_keeps_a_permissive_clause_and_an_exception() -> None:
    main, exc = clinical.split_exceptions(
        "Prior chemotherapy, patients with HIV are eligible, except for platinum agents"
    )
    assert "are eligible" in exc and "except for platinum agents" in exc
    assert main.startswith("Prior chemotherapy")


@settings(max_examples=400, deadline=None)
@given(_texts(), st.lists(_texts(), max_size=3))
def test_definition_lead_reads_as_before(t: str, parts: list[str]) -> None:
    ps = tuple(p for p in parts if p)
    assert parse._definition_lead(t, ps) == _lead_reference(t, ps)
    if ps:  # the parts as they follow the lead in the item
        whole = t + ": " + " ".join(ps)
        assert parse._definition_lead(whole, ps) == _lead_reference(whole, ps)


def test_definition_lead_from_parts() -> None:
    t = "Must have measurable disease: Measurable disease is defined as one lesion"
    assert parse._definition_lead(t, ("Measurable disease is defined as one lesion",)) == (
        "Must have measurable disease"
    )
