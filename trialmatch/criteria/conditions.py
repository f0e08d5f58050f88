"""The conditions of a permission, kept with the item that grants it.

"Subjects with eczema ... are eligible provided all of following conditions are met:" is followed
by its conditions ("Rash must cover <10% of body surface area", "There has been no occurrence of
acute exacerbations ... requiring ... oral corticosteroids within the previous 12 months"). Where
the text lost its indentation they come as items of their own, and an exclusion item "has had oral
corticosteroids within 12 months" would exclude every patient, though the trial asks it only of
those the permission lets in. ``join_conditions`` puts such items back under the item that lists
them, as its sub-items, the way an indented list is read.

Only exclusion items are joined: among exclusions a condition reads unlike a criterion (an absence,
a requirement, a control), among inclusions it does not. The list ends at the first item that does
not read as a condition (or ends with ":", or grants a permission of its own), at the count the
lead-in gives ("the following 3 criteria"), and, when the conditions are chained with "and", after
the first one without it. An item that might be a criterion of its own stays one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from trialmatch.criteria.lexicon import has_phrase
from trialmatch.vocab.patterns import pattern

__all__ = ["join_conditions"]

Row = tuple[str, str, list[str], str | None]

_INTRO = pattern("conditions.list_intro")
_NOT_ALL_OF = pattern("conditions.not_all_of")
_LEAD = pattern("conditions.permission_lead")
_START = pattern("conditions.condition_start")
_SAID = pattern("conditions.condition_said")
_AND = pattern("conditions.trailing_and")
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_SENTENCE_END = re.compile(r"(?<=[.;])\s+")
_FIRST_SENTENCE = re.compile(r"(?<=[.;])\s+(?=[A-Z])")
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
#: A longer item is no condition of a list (conditions are short statements).
MAX_CONDITION = 500


def _opens(text: str, parts: list[str]) -> tuple[bool, int | None, int]:
    """Does ``text`` end by announcing an all-of list of conditions of a permission? (yes, the count
    it gives, how many of the conditions it already holds: the first may be its last sub-item)."""
    if ":" not in text or "following" not in text.lower():
        return False, None, 0
    held = 0
    lead = text.rstrip()
    if not lead.endswith(":"):
        if not parts or not lead.endswith(parts[-1].rstrip()):
            return False, None, 0
        lead = lead[: len(lead) - len(parts[-1].rstrip())].rstrip()
        held = 1
    plain = _BRACKETS.sub(" ", lead) if "(" in lead or "[" in lead else lead
    sentence = _SENTENCE_END.split(plain)[-1]
    m = _INTRO.search(sentence)
    if m is None or _NOT_ALL_OF.search(sentence):
        return False, None, 0
    if not (_LEAD.search(sentence) or has_phrase("permissive_cues", sentence)):
        return False, None, 0
    n = m.group("n")
    count = None if n is None else int(n) if n.isdigit() else _NUMBERS[n.lower()]
    return True, count, held


def _condition(item: str) -> bool:
    """Does ``item`` read as a condition to meet (not as a criterion of its own)?"""
    if len(item) > MAX_CONDITION or item.rstrip().endswith(":"):
        return False
    first = _FIRST_SENTENCE.split(item, 1)[0]
    if has_phrase("permission_statement_cues", first):
        return False  # a permission of its own ("Patients with treated CNS metastases may be enrolled")
    return bool(_START.rx.match(item) or _SAID.search(first))


def join_conditions(rows: Sequence[Row]) -> list[tuple[Row, str, list[str]]]:
    """``rows`` with the conditions of each permission joined to it (see the module docstring), each
    with the text and parts its rule is read from: an item's own, without the conditions joined to
    it, so that joining them never changes what the item itself was read to exclude."""
    out: list[tuple[Row, str, list[str]]] = []
    i = 0
    while i < len(rows):
        kind, text, parts, scope = rows[i]
        i += 1
        opens, count, held = _opens(text, parts) if kind == "exclusion" else (False, None, 0)
        if not opens:
            out.append(((kind, text, parts, scope), text, parts))
            continue
        chained = held == 1 and bool(_AND.search(parts[-1]))
        joined: list[str] = []
        while i < len(rows) and (count is None or held + len(joined) < count):
            k2, t2, p2, _ = rows[i]
            if k2 != kind or p2 or not (chained or _condition(t2)):
                break
            joined.append(t2)
            i += 1
            ends_and = bool(_AND.search(t2))
            if chained and not ends_and:
                break  # "A, and" "B, and" "C": C is the last
            chained = chained or ends_and
        if joined:
            out.append(((kind, " ".join([text, *joined]), [*parts, *joined], scope), text, parts))
        else:
            out.append(((kind, text, parts, scope), text, parts))
    return out
