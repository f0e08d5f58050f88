"""The phrase matcher (``criteria.lexicon``) reads each text once for every list (a per-text token
memo and a first/longest-token index of the lists): its answers must be those of a plain scan,
every phrase of every list at every token, longest first, left to right, without overlap."""

from __future__ import annotations

import re
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.criteria import lexicon
from trialmatch.criteria.lexicon import find_all, find_phrase, has_phrase, phrases

_TOK = re.compile(r"[^\W_]+|[^\w\s]")
KEYS = [
    *sorted(
        k
        for k, v in phrases().items()
        if k.endswith(("_cues", "_terms")) and isinstance(v, list) and all(isinstance(x, str) for x in v)
    ),
    "generic_other",
    "sex_any",
]


def _plain(key: str, text: str) -> list[tuple[int, int]]:
    """Every (non-overlapping, longest) phrase of ``key`` by a plain scan of the text's tokens."""
    cands = sorted(
        {tuple(t.lower() for t in _TOK.findall(str(p))) for p in phrases()[key]} - {()},
        key=len,
        reverse=True,
    )
    ms = list(_TOK.finditer(text))
    toks = [m.group().lower() for m in ms]
    out, i = [], 0
    while i < len(toks):
        hit = next((len(c) for c in cands if tuple(toks[i : i + len(c)]) == c), 0)
        if hit:
            out.append((ms[i].start(), ms[i + hit - 1].end()))
            i += hit
        else:
            i += 1
    return out


def _check(key: str, text: str) -> None:
    want = _plain(key, text)
    assert [(h.start(), h.end()) for h in find_all(key, text)] == want
    first = find_phrase(key, text)
    assert (None if first is None else (first.start(), first.end())) == (want[0] if want else None)
    assert has_phrase(key, text) is bool(want)


def _words() -> list[str]:
    """Tokens of the phrases (so generated texts hit, half-hit and miss phrases)."""
    return sorted({t for k in KEYS for p in phrases()[k] for t in str(p).split()})


WORDS = _words()
OTHER = [",", ";", "(", ")", "-", "_", "  ", "x", "Study", "İ", "ß", "≥"]


@st.composite
def _key_and_text(draw: st.DrawFn) -> tuple[str, str]:
    """A list and a text of its phrases (as written or upper-cased), words of any list's phrases
    and other characters."""
    key = draw(st.sampled_from(KEYS))
    own = st.sampled_from([str(p) for p in phrases()[key]])
    part = st.one_of(own, own.map(str.upper), st.sampled_from(WORDS), st.sampled_from(OTHER))
    return key, " ".join(draw(st.lists(part, max_size=12)))


@settings(max_examples=400, deadline=None)
@given(case=_key_and_text())
def test_matcher_equals_a_plain_scan(case: tuple[str, str]) -> None:
    _check(*case)


@pytest.mark.parametrize(
    ("key", "text", "found"),
    [
        ("permissive_cues", "Patients with treated brain metastases are allowed.", "are allowed"),
        ("permissive_cues", "ARE   ALLOWED if stable", "ARE   ALLOWED"),
        ("exception_cues", "Any cancer, except for basal cell carcinoma", "except for"),
        ("pregnancy_cues", "Women who are breast-feeding", "breast-feeding"),
        ("pregnancy_cues", "Pregnant or lactating_women", "Pregnant"),
        ("admin_cues", "İİ unable to give informed consent", "informed consent"),
    ],
)
def test_known_phrases_and_offsets(key: str, text: str, found: str) -> None:
    hit = find_phrase(key, text)
    assert hit is not None and hit.group() == found
    _check(key, text)


def test_a_first_token_without_the_rest_is_ruled_out_before_any_scan() -> None:
    text = "Patients are required to have measurable disease"
    has_phrase("permission_statement_cues", text)
    lists = lexicon._LISTS[0]
    mask = lists.texts[text]
    assert lexicon._RECENT[text] == lexicon._toks(text) and "are" in lexicon._RECENT[text]
    assert not mask & lists.bit["permission_statement_cues"]
    assert not has_phrase("permission_statement_cues", text)


def test_a_list_asked_late_reads_memoised_texts_again() -> None:
    text = "Women of childbearing potential"
    assert has_phrase("contraception_cues", text)
    before = lexicon._LISTS[0]
    assert text in before.texts
    assert "sex_female" not in before.bit  # no reader asks this list: new here
    assert find_phrase("sex_female", text) is not None
    after = lexicon._LISTS[0]
    assert after is not before and after.bit["sex_female"] not in before.bit.values()
    assert all(after.bit[k] == b for k, b in before.bit.items())
    assert find_all("sex_female", text)[0].group() == "Women"
    assert has_phrase("contraception_cues", text)


def test_threads_adding_lists_keep_every_answer() -> None:
    """Lists asked for the first time from several threads at once: each thread's answers are
    those of the plain scan (no text is memoised against an index that lacks its list)."""
    keys = ["sex_male", "resectable_cues", "metastatic_cues", "imaging_cues", "biomarker_cues"]
    texts = [
        f"Male patients {i}: resectable metastatic tumours on CT with a germline mutation" for i in range(50)
    ]
    errors: list[str] = []

    def work(key: str) -> None:
        for t in texts:
            if [(h.start(), h.end()) for h in find_all(key, t)] != _plain(key, t):
                errors.append(f"{key}: {t}")

    threads = [threading.Thread(target=work, args=(k,)) for k in keys]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert all(k in lexicon._LISTS[0].bit for k in keys)


@settings(max_examples=200, deadline=None)
@given(case=_key_and_text())
def test_a_text_read_before_gets_the_same_answers(case: tuple[str, str]) -> None:
    """The readers answer "no" from the memo of a text read before without ``_candidate``: asked
    again (memo hit) and after the memo is emptied (read again), the answers are those of the scan."""
    _check(*case)
    _check(*case)
    lexicon._LISTS[0].texts.clear()
    _check(*case)


@settings(max_examples=200, deadline=None)
@given(case=_key_and_text(), other=_key_and_text())
def test_a_text_read_before_another_is_tokenised_again(case: tuple[str, str], other: tuple[str, str]) -> None:
    """The memo keeps a text's bits only; the tokens are kept for the last texts read, and a text
    asked about again once they are gone is tokenised again: the same answers as the scan."""
    _check(*case)
    _check(*other)
    _check(*case)
    assert all(toks == lexicon._toks(t) for t, toks in lexicon._RECENT.items())
    lexicon._RECENT.clear()  # tokenised again
    _check(*case)
    assert isinstance(lexicon._LISTS[0].texts[case[1]], int)
