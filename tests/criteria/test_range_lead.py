"""range_values' one-match lead (lead up to the first number) is the old two-step test."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.criteria import numeric_values as nv

_WORDS = [
    "between", "from", "range of", "ranging from", "must be", "is", "of", ":", "=", "the", "in",
    ")", "]", "(", "12", "1.5", ".5", "1,000", "١٢", "and", "to", "-", ".", "x", "mg/dL", "<", "",
]  # fmt: skip


@st.composite
def _texts(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(_WORDS), max_size=10))
    seps = draw(
        st.lists(st.sampled_from([" ", "   ", "", "\n", " \n"]), min_size=len(words), max_size=len(words))
    )
    text = "".join(w + s for w, s in zip(words, seps, strict=True))
    return text.upper() if draw(st.booleans()) else text


def _old(text: str, pos: int) -> tuple[int, int] | None:
    seg = text[pos : pos + 60]
    m1 = nv._NUM_RE.search(seg)
    if m1 is None or not nv._RANGE_LEAD.match(seg[: m1.start()]):
        return None
    return pos + m1.start(), pos + m1.end()


def _new(text: str, pos: int) -> tuple[int, int] | None:
    ld = nv._range_lead_num()(text, pos, pos + 60)
    if ld is None:
        return None
    m1 = nv._NUM_RE.match(text, ld.end(), pos + 60)
    assert m1 is not None
    return m1.start(), m1.end()


@settings(max_examples=500, deadline=None)
@given(_texts() | st.text(max_size=40))
def test_lead_then_number_is_the_first_number_after_a_lead(text: str) -> None:
    for pos in range(len(text) + 1):
        assert _new(text, pos) == _old(text, pos)


def test_range_values_reads_ranges() -> None:
    from trialmatch.criteria.lab_mentions import lab_mentions

    text = "BMI between 18 and 30 kg/m2, Body mass index (BMI) of 18.5 to 30.0 kg/m2"
    got = nv.range_values(text, lab_mentions(text), [])
    assert [(c.value, c.high, c.unit) for c in got] == [(18.0, 30.0, "kg/m2"), (18.5, 30.0, "kg/m2")]
    assert _new(" is\n 7", 0) == _old(" is\n 7", 0) == (5, 6)
    assert _new(" > 7", 0) is None
