"""The trial-level passes' prefilters and lazy reads decide as the plain rules do.

``_ref_*`` are the rules as they were before the prefilters (the trailing-"or" regex on every item,
the list cue looked up in every item, the cohort label regex on every text); hypothesis checks the
current code against them on texts built to hit the patterns.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.criteria import scope as scope_mod
from trialmatch.criteria import trial
from trialmatch.criteria.lexicon import find_phrase, phrases
from trialmatch.criteria.rules import Admin, And, Compare, Has, If, Or, Review, Rule
from trialmatch.criteria.scope import scoped_rule
from trialmatch.vocab.concepts import concepts, concepts_in

Item = tuple[str, str, list[str], str | None]


def _ref_opens_list(item: str) -> bool:
    m = find_phrase("alternative_list_cues", item)
    return m is not None and len(item) - m.end() < 250


def _ref_list_entry(item: str, parts: list[str]) -> bool:
    if (
        parts
        or len(item) > 160
        or ":" in item
        or trial._TRAILING_OR.search(item)
        or trial._NOT_ENTRY.match(item)
    ):
        return False
    if any(concepts()[h.concept].type in ("disease", "histology") for h in concepts_in(item)):
        return True
    return len(item.split()) <= 6


def _ref_join(items: list[Item]) -> list[Item]:
    out: list[Item] = []
    joining = listing = False
    for kind, item, parts, scope in items:
        same = bool(out) and out[-1][0] == kind
        if same and (joining or (listing and _ref_list_entry(item, parts))):
            k0, t0, p0, s0 = out[-1]
            out[-1] = (k0, f"{t0}{' ' if joining else '; '}{item}", p0 + parts, s0 or scope)
        else:
            out.append((kind, item, parts, scope))
            listing = _ref_opens_list(item) and all(_ref_list_entry(p, []) for p in parts)
        joining = bool(trial._TRAILING_OR.search(item)) and len(out[-1][1]) < 2000
        listing = listing and len(out[-1][1]) < 3000
    return out


def _ref_scoped(rule: Rule, t: str, scope: str | None, kind: str = "inclusion") -> Rule:
    if isinstance(rule, (Admin, Review)):
        return rule
    m = scope_mod._LABEL.match(t)
    label = m.group("label") if m else ""
    if label and not (scope_mod._COHORT_WORD.search(label) or scope_mod._label_diseases(label)):
        label = ""
    text = " ".join(x for x in (scope or "", label) if x)
    if not text:
        return rule
    dis = scope_mod._label_diseases(text)
    if dis:
        cond: Rule = (
            Has(dis[0], kinds=("diagnosis",))
            if len(dis) == 1
            else Or(tuple(Has(d, kinds=("diagnosis",)) for d in dis))
        )
        return If(cond=cond, then=rule)
    if scope_mod._COHORT_WORD.search(text):
        rev = Review("cohort-specific", f"Only for {text[:80]}: does the patient belong to it?")
        return Or((rule, rev)) if kind == "inclusion" else And((rule, rev))
    return rule


_CUES = [str(p) for p in phrases()["alternative_list_cues"]]
_ENDS = [
    " or",
    " OR",
    " Or",
    "\tor",
    " and/or",
    " AND/OR",
    " or,",
    " or ;",
    " and/or:",
    " or \n",
    "or",
    " nor",
    " for",
]
_WORDS = [
    "Small cell lung carcinoma",
    "Mesothelioma (pleural)",
    "Anal SCC",
    "colour",
    "Patients must have",
    "any",
    "Gastric cancer",
    "NET G2",
    "Cohort B",
    "x" * 170,
    "ECOG 0-1: yes",
    "Stage IV LCNEC",
    "one of the following",
]


def _case(s: str, how: int) -> str:
    return s.upper() if how == 1 else s.title() if how == 2 else s


@st.composite
def _texts(draw: st.DrawFn) -> str:
    head = draw(st.text(max_size=30) | st.sampled_from(_WORDS))
    mid = draw(st.sampled_from(["", *_CUES]))
    tail = draw(st.text(max_size=8) | st.sampled_from(["", ": Anal SCC", " types:", "x" * 260]))
    end = draw(st.sampled_from(["", *_ENDS]))
    return _case(f"{head} {mid}{tail}{end}", draw(st.integers(0, 2)))


@settings(max_examples=400, deadline=None)
@given(_texts())
def test_trailing_or_prefilter_is_exact(text: str) -> None:
    assert trial._trailing_or(text) == bool(trial._TRAILING_OR.search(text))


_TAIL_CHARS = " \t\n\u00a0\u2003oOrR,;:/andDN\u0130\u212axy"


@settings(max_examples=600, deadline=None)
@given(st.text(max_size=12) | st.sampled_from(_WORDS), st.text(alphabet=_TAIL_CHARS, max_size=10))
def test_trailing_or_tail_test_is_exact(head: str, tail: str) -> None:
    """The ending test before the regex (an "or" before white space and one [,;:]) loses no match."""
    assert trial._trailing_or(head + tail) == bool(trial._TRAILING_OR.search(head + tail))


@settings(max_examples=600, deadline=None)
@given(st.text(max_size=12) | st.sampled_from(_WORDS), st.text(alphabet=_TAIL_CHARS, max_size=10))
def test_trailing_or_last_character_test_is_necessary(head: str, tail: str) -> None:
    """_join_alternatives reads _trailing_or only for an item ending with [rR,;:] or white space."""
    text = head + tail
    if trial._TRAILING_OR.search(text):
        assert text[-1:] in trial._OR_LAST or text[-1:].isspace()


@settings(max_examples=400, deadline=None)
@given(_texts())
def test_opens_list_prefilter_is_exact(text: str) -> None:
    assert trial._opens_list(text) == _ref_opens_list(text)


def test_list_cue_word_is_in_every_cue() -> None:
    assert trial._LIST_CUE_WORD == "following"
    assert all(trial._LIST_CUE_WORD in c.lower() for c in _CUES)


def test_examples() -> None:
    assert trial._trailing_or("Extensive stage SCLC or") and trial._trailing_or(
        "documented progression and/or  "
    )
    assert not trial._trailing_or("or more") and not trial._trailing_or("")
    assert trial._opens_list("tumour of one of the following types: Anal SCC")
    assert not trial._opens_list("ONE OF THE FOLLOWING " + "x " * 200)


_ITEMS = st.tuples(
    st.sampled_from(["inclusion", "exclusion"]),
    _texts(),
    st.lists(st.sampled_from(["Anal SCC", "SCLC or", "Patients must"]), max_size=2),
    st.sampled_from([None, "Phase 2", "Cohort A"]),
).map(lambda t: (t[0], t[1], list(t[2]), t[3]))


@settings(max_examples=300, deadline=None)
@given(st.lists(_ITEMS, max_size=12))
def test_join_alternatives_is_the_eager_rule(items: list[Item]) -> None:
    assert trial._join_alternatives(items) == _ref_join(items)


def test_join_alternatives_examples() -> None:
    items: list[Item] = [
        ("inclusion", "Advanced tumour of one of the following types:", [], None),
        ("inclusion", "Small cell lung carcinoma", [], None),
        ("inclusion", "Extensive stage SCLC or", [], None),
        ("inclusion", "Stage IV LCNEC", [], None),
        ("exclusion", "Pregnancy", [], None),
    ]
    got = trial._join_alternatives(items)
    assert got == _ref_join(items)
    assert [g[1] for g in got] == [
        "Advanced tumour of one of the following types:; Small cell lung carcinoma",
        "Extensive stage SCLC or Stage IV LCNEC",  # (an item ending with "or" is no list entry)
        "Pregnancy",
    ]


_RULE = Compare("age", ">=", 18.0, "a")
_LABELS = [
    "",
    "Cohort D (TNBC): ",
    "Gastric Cancer: ",
    "For cohort 2: ",
    "Note: ",
    "ECOG 0-1; x: ",
    "Arm A:  ",
]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(_LABELS),
    st.text(max_size=20) | st.sampled_from(["must have failed therapy", "ANC >= 1.5"]),
    st.sampled_from([None, "", "Phase II only", "Cohort B", "Lung cancer cohort", "SCLC"]),
    st.sampled_from(["inclusion", "exclusion"]),
    st.sampled_from([_RULE, Review("x"), Admin("consent")]),
)
def test_scoped_rule_is_the_plain_rule(
    label: str, body: str, scope: str | None, kind: str, rule: Rule
) -> None:
    t = label + body
    assert repr(scoped_rule(rule, t, scope, kind)) == repr(_ref_scoped(rule, t, scope, kind))


def test_scoped_rule_examples() -> None:
    assert scoped_rule(_RULE, "no colon here", None) is _RULE
    assert isinstance(scoped_rule(_RULE, "Cohort D (TNBC): ANC >= 1.5", None), Or)
    assert isinstance(scoped_rule(_RULE, "Gastric Cancer: must have failed therapy", None), If)
    assert isinstance(scoped_rule(_RULE, "Gastric Cancer: x", "Cohort B", "exclusion"), If)
    assert isinstance(scoped_rule(_RULE, "ANC >= 1.5", "Cohort B", "exclusion"), And)
