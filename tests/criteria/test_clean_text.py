"""``clean_text`` returns a single-spaced text without collapsing it: the same text as collapsing."""

from __future__ import annotations

import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.criteria.parse import _ABBR, _ESC, _SPACED_OP, MAX_ITEM, clean_text


def _collapsing(text: str) -> str:
    """``clean_text`` as it was, always collapsing the white space."""
    t = _ESC.sub(r"\1", text[: MAX_ITEM * 2])
    t = _ABBR.rx.sub(lambda m: m.group(1).replace(".", ""), t)
    t = _SPACED_OP.sub(lambda m: m.group(1) + "=", t)
    return " ".join(t.split())[:MAX_ITEM]


_PIECES = st.sampled_from(
    ["e.g.", "i.e.", "etc.", ".", "<", ">", "=", "\\>", " ", "  ", "\n", "\t", "\r", "\x0b",
     "\x1c", "\x85", "\u00a0", "\u2009", "\u2028", "\u3000", "a", "x1", "é", "≥"]
)  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_same_as_collapsing(text: str) -> None:
    assert clean_text(text) == _collapsing(text)
    one = " ".join(text.split())
    assert clean_text(one) == _collapsing(one)  # (the single-spaced path)


def test_white_space_is_unprintable_but_the_space() -> None:
    # the fast path's reading: a printable text holds no white space but " "
    assert not [
        c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace() and c != " " and c.isprintable()
    ]


def test_known_texts() -> None:
    assert clean_text("ANC  >\u00a0= 1.5 (e.g.\n\tx)") == "ANC >= 1.5 (eg x)"
    assert clean_text("No history of HIV") == "No history of HIV"
    assert clean_text(" No history") == "No history"
    assert clean_text("x" * (MAX_ITEM + 5)) == "x" * MAX_ITEM
