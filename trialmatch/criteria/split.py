"""Split eligibility criteria text into inclusion and exclusion items.

``split_criteria(text)`` reads headers in many spellings (vocabulary in
``trialmatch/vocab/data/criteria_headers.yaml``) or none, numbering ("1.", "1)", "(1)", "(i)",
"a.", "①"), bullets ("-", "*", "•", "·"), nested sub-items (deeper indentation, another marker
style, circled numbers, a parent ending with ":"), hard-wrapped lines, unlabelled lists and
phase- or cohort-specific sections, which are kept as ``scope``.

Pure and bounded: input over ``MAX_CHARS`` is truncated, every regex is anchored or linear.
``render_criteria(items)`` writes items back as normalised text that splits the same way.

The parts: ``split_markers`` (list structure: markers, bullets, indentation), ``split_headers``
(section headers and scope labels from the vocabulary) and ``split_inline`` (criteria flowed into
running text, "1. A; 2. B" lines and "(i) ... (ii) ..." lists inside an item).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial
from typing import Literal

from trialmatch.criteria.split_headers import (
    MAX_LABEL,
    classify_body,
    classify_header,
    header_vocab,
    is_label,
    scope_label,
)
from trialmatch.criteria.split_inline import inline_numbered, inline_parts, unflow
from trialmatch.criteria.split_markers import (
    ALPHA_PUNCT,
    BULLET_SET,
    INDENT_CHARS,
    PLAIN_FIRST,
    TERMINAL,
    indent,
    marker,
    next_is_marked,
    strip_bullets,
)
from trialmatch.vocab.patterns import pattern
from trialmatch.vocab.prefilter import max_width

__all__ = [
    "MAX_CHARS",
    "Row",
    "SplitItem",
    "classify_header",
    "render_criteria",
    "split_criteria",
    "split_rows",
]

Kind = Literal["inclusion", "exclusion"]

#: Longest criteria text read; the rest is ignored.
MAX_CHARS = 200_000


@dataclass(slots=True)
class SplitItem:
    """One criteria item.

    ``text``: the item's full text (its own text with its sub-items joined in, verbatim modulo
    whitespace). ``parts``: the sub-item texts (from sub-lines or an inline "(i) ... (ii) ..."
    list), markers removed. ``head``: the item's own text before any sub-line; ``sub_lines``: the
    sub-item lines as written (markers kept). ``scope``: a cohort/phase section or None.
    """

    kind: Kind
    text: str
    parts: list[str] = field(default_factory=list)
    scope: str | None = None
    index: int = 0
    head: str = ""
    sub_lines: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- splitting


class _Item:
    """An item being read: its kind, scope, head lines and sub-lines (each a list of wrapped lines).
    (A plain class: its __init__ builds the sub-lines list without a dataclass default factory.)"""

    __slots__ = ("head", "kind", "scope", "subs")

    def __init__(self, kind: Kind, scope: str | None, head: list[str]) -> None:
        self.kind = kind
        self.scope = scope
        self.head = head
        self.subs: list[list[str]] = []

    def last_text(self) -> str:
        if self.subs:
            return self.subs[-1][-1] if self.subs[-1] else ""
        return self.head[-1] if self.head else ""

    def add_cont(self, s: str) -> None:
        if self.subs:
            self.subs[-1].append(s)
        else:
            self.head.append(s)


#: An item as the parser reads it: kind, text, parts, scope (see ``SplitItem``).
Row = tuple[Kind, str, list[str], str | None]


def split_criteria(text: str) -> list[SplitItem]:
    """Split criteria text into inclusion/exclusion items (see the module docstring)."""
    heads: list[tuple[str, list[str]]] = []
    rows = _rows(text, heads)
    return [
        SplitItem(k, t, p, s, i, h, sub)
        for i, ((k, t, p, s), (h, sub)) in enumerate(zip(rows, heads, strict=True))
    ]


def split_rows(text: str) -> list[Row]:
    """``split_criteria`` as (kind, text, parts, scope) tuples (what the parser reads; cheaper)."""
    return _rows(text, None)


def _rows(text: str, heads: list[tuple[str, list[str]]] | None) -> list[Row]:
    """The items; ``heads`` (if given) gets each item's head and sub lines."""
    if not text or not isinstance(text, str):
        return []
    text = unflow(text[:MAX_CHARS].replace("\r\n", "\n").replace("\r", "\n"))
    v = header_vocab()
    cont_starts = (*v.continuation_starts, "(")
    starts = v.start_pairs
    items: list[_Item] = []
    kind: Kind = "inclusion"
    scope: str | None = None
    cur: _Item | None = None
    top_style: str | None = None
    top_indent = 0
    prev_blank = True
    label_item: _Item | None = None

    lines = text.split("\n")
    # i: the next line's index. (The list's iterator yields the lines inserted at i below next: it
    # reads lines[index] until the index reaches the list's current length, as the loop did by hand.)
    for i, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped:
            prev_blank = True
            continue
        c = stripped[0]
        if c in "(1" and len(lines) < 50_000:  # "1. A; 2. B" (inline_numbered's own test)
            pieces = inline_numbered(stripped)
            if pieces:
                lines[i:i] = [" " * indent(line) + p for p in pieces[1:]]
                stripped = pieces[0]
                c = stripped[0]
        # marker(stripped), its quick paths inline: no marker before a plain first letter, and a
        # bullet before one (the checks marker makes first; rest is then stripped already)
        if c in PLAIN_FIRST and stripped[1:2] not in ALPHA_PUNCT:
            style, rest = None, stripped
        elif (
            c in BULLET_SET
            and stripped[1:2].isspace()
            and (rest := stripped[1:].lstrip())[:1] in PLAIN_FIRST
            and rest[1:2] not in ALPHA_PUNCT
        ):
            style = "b" + c
        else:
            style, rest = marker(stripped)
            rest = rest.strip()
        # (classify_body's first test: a header's first two characters, in any case, are a start pair,
        # unless the text starts with "*#_" or a character whose lower case may be ASCII)
        if len(stripped) <= 400 and (
            starts is None or (r2 := rest[:2]) in starts or r2[:1] in "*#_" or not r2.isascii()
        ):
            hdr = classify_body(rest, v)
            if hdr is not None and not (
                style is not None
                and hdr[0] == "neutral"
                and cur is not None
                and rest
                and not rest.endswith(":")
            ):
                hkind, hscope, after = hdr
                if hkind == "inclusion" or hkind == "exclusion":
                    kind = hkind  # type: ignore[assignment]
                    scope = hscope
                # a new section
                cur = label_item = None
                top_style = None
                top_indent = 0
                prev_blank = True
                if after:
                    lines.insert(i, " " * indent(line) + after)
                continue
        if style is None:
            if cur is None:
                at_break = True
            else:
                last = cur.last_text().rstrip()
                at_break = prev_blank or last.endswith(TERMINAL) or len(last) < 50
            clear = len(stripped) <= 40 and stripped.endswith(":") and bool(v.clear_scope_re.search(stripped))
            lab = (
                scope_label(stripped, partial(next_is_marked, lines, i))
                if (at_break or clear) and len(stripped) <= MAX_LABEL + 1  # (a longer line is no label)
                else None
            )
            if lab is not None and lab[0] != "label":
                scope = lab[1]
                # a new section
                cur = label_item = None
                top_style = None
                top_indent = 0
                prev_blank = True
                continue
            if cur is None:
                cur = _Item(kind, scope, [stripped])
                items.append(cur)
                if top_style is None:
                    top_style, top_indent = "plain", indent(line)
                label_item = cur
                prev_blank = False
                continue
            if lab is not None and top_style != "plain" and next_is_marked(lines, i):
                # "Sex:" between bulleted groups: a group label (dropped when its list follows)
                cur = _Item(kind, scope, [stripped])
                items.append(cur)
                label_item = cur
                top_style = "plain"
                top_indent = indent(line)
            elif last.endswith((":", "：")) and not cur.subs and (prev_blank or len(cur.head) == 1):
                cur.subs.append([stripped])
            elif not prev_blank:
                if top_style == "plain" and not cur.subs and _starts_new_plain(last, stripped):
                    cur = _Item(kind, scope, [stripped])
                    items.append(cur)
                    label_item = cur
                else:
                    cur.add_cont(stripped)
            elif stripped[0].islower() or (stripped.lower().startswith(cont_starts) and top_style != "plain"):
                cur.add_cont(stripped)
            elif (
                stripped[:2] == "--"
                and cur.subs
                and top_style not in (None, "plain")
                and indent(line) > top_indent + 1
            ):
                # "---Participants with tumor involving the liver ... may be eligible" indented under a sub
                # item: a dashed note of that sub item, not a new item
                cur.add_cont(stripped)
            else:
                cur = _Item(kind, scope, [stripped])
                items.append(cur)
                label_item = cur
            prev_blank = False
            continue
        # a marked line
        if (
            cur is not None
            and cur is label_item
            and not cur.subs
            and top_style == "plain"
            and is_label(cur.head)
        ):
            # "Hematology:" or "Patients must meet the following criteria:" before a list: not an item
            items.pop()
            cur = None
            top_style = None
        label_item = None
        if line[0] == c:
            ind = 0  # (a line starting with its text has no indentation)
        else:  # indent(line), inline: most marked lines are indented
            n = len(line) - len(line.lstrip(INDENT_CHARS))
            ind = n + 3 * line.count("\t", 0, n)
        is_sub = False
        if cur is not None and top_style is not None:
            if style == "circled" and top_style != "circled":
                is_sub = True
            elif top_style == "plain":
                is_sub = ind > top_indent or cur.last_text().rstrip().endswith(":")
            elif style == top_style:
                is_sub = ind > top_indent + 1
            else:
                is_sub = ind >= top_indent - 1
        if is_sub and cur is not None:
            cur.subs.append([stripped])
        else:
            if top_style is None or (style != top_style and ind < top_indent - 1) or top_style == "plain":
                top_style, top_indent = style, ind
            cur = _Item(kind, scope, [rest] if rest else [])
            items.append(cur)
        prev_blank = False
    return _finish(items, heads)


def _starts_new_plain(last: str, line: str) -> bool:
    """In an unmarked list, does ``line`` start a new item (rather than continue ``last``)?"""
    if not line or line[0].islower() or line[0] in "([{,;&%":
        return False
    if last.endswith(TERMINAL):
        return True
    return len(last) < 60


_WORD_RE = re.compile(r"\w")
_HEADING_FRAGMENT = pattern("parse.heading_fragment")
#: No longer text can be a heading fragment (a whole match, or one before a final newline).
_HEADING_FRAGMENT_MAX = (max_width(_HEADING_FRAGMENT) or MAX_CHARS) + 1


def _join(parts: list[str]) -> str:
    """The lines joined with single spaces (blank lines dropped)."""
    s = " ".join(parts)
    if _single_spaced(s):
        return s  # (split() and join would give s again)
    return " ".join(s.split())


def _single_spaced(s: str) -> bool:
    """True only when ``s`` holds no white space but single inner spaces."""
    if "  " in s or s[:1] == " " or s[-1:] == " ":
        return False
    if s.isascii():  # the ASCII white space but " " (one memchr each: cheaper than isprintable)
        return not (
            "\t" in s or "\n" in s or "\r" in s or "\x0b" in s or "\x0c" in s
            or "\x1c" in s or "\x1d" in s or "\x1e" in s or "\x1f" in s
        )  # fmt: skip
    return s.isprintable()  # (a printable text has no white space but " ")


def _finish(raw: list[_Item], heads: list[tuple[str, list[str]]] | None) -> list[Row]:
    out: list[Row] = []
    for it in raw:
        head = _join(it.head)
        subs: list[str] = []
        for sub in it.subs:
            sj = strip_bullets(_join(sub))
            if sj:
                subs.append(sj)
        if not head:
            if not subs:
                continue
            head = subs.pop(0)
        # (inline_parts finds no list in a text without "(" nor a circled number, which is not ASCII)
        parts = inline_parts(head)[1] if "(" in head or not head.isascii() else []
        for s in subs:
            whole = inline_parts(s)[1] if "(" in s or not s.isascii() else []  # (as for the head)
            if whole:
                parts.extend(whole)
                continue
            _, body = marker(s)
            body = body.strip()
            if body:
                parts.append(body)
        text = " ".join([head, *subs]).strip() if subs else head  # (head is stripped)
        if not (text[:1].isalnum() or _WORD_RE.search(text)) or (
            len(text) <= _HEADING_FRAGMENT_MAX and _HEADING_FRAGMENT.match(text)
        ):
            continue
        out.append((it.kind, text, parts, it.scope))
        if heads is not None:
            heads.append((head, subs))
    return out


def render_criteria(items: list[SplitItem]) -> str:
    """Normalised criteria text: headers, scope labels, "- item" and "  - sub item" lines."""
    lines: list[str] = []
    kind: str | None = None
    scope: str | None = None
    for it in items:
        if it.kind != kind:
            if lines:
                lines.append("")
            lines.append("Inclusion Criteria:" if it.kind == "inclusion" else "Exclusion Criteria:")
            kind, scope = it.kind, None
        if it.scope != scope:
            if lines and lines[-1]:
                lines.append("")
            lines.append(f"{it.scope}:" if it.scope else "All patients:")
            scope = it.scope
        lines.append(f"- {it.head or it.text}")
        for s in it.sub_lines:
            lines.append(f"  - {s}")
    return "\n".join(lines)
