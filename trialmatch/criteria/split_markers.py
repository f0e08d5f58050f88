"""List structure for the criteria splitter: markers, bullets, indentation.

Numbering ("1.", "1)", "(1)", "(i)", "a.", "①") and bullets ("-", "*", "•", "·") are structure,
not vocabulary, so they live in code. Every regex is anchored.
"""

from __future__ import annotations

import re
import string

__all__ = [
    "ALPHA_PUNCT",
    "BULLETS",
    "BULLET_SET",
    "CIRCLED",
    "INDENT_CHARS",
    "PLAIN_FIRST",
    "ROMAN",
    "ROMAN_VALUES",
    "TERMINAL",
    "indent",
    "marker",
    "next_is_marked",
    "strip_bullets",
]

CIRCLED = "\u2460-\u2473\u24f5-\u24fe\u2776-\u2793"
BULLETS = "-*•·▪■◦○●➢►–—‣⁃∙>"
ROMAN = r"(?:viii|vii|iii|ix|iv|vi|ii|x|v|i)"
ROMAN_VALUES = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
#: Line endings that close a sentence (a line ending so is not hard-wrapped).
TERMINAL = (".", ";", ":", "!", "?", "。", "；")

_MARKER_RE = re.compile(
    rf"""^(?:
        (?P<bullet>[{re.escape(BULLETS)}]|o(?=\s))(?=\s|$)
      | (?P<circled>[{CIRCLED}])
      | \((?P<proman>{ROMAN})\)
      | \((?P<pnum>\d{{1,2}})\)
      | \((?P<palpha>[a-zA-Z])\)
      | (?P<roman>{ROMAN})(?P<rp>[.)])(?=\s)
      | (?P<num>\d{{1,2}})(?P<np>[.)、．:])(?=\s|$|[^\d\s.,:%)])
      | (?P<alpha>[a-zA-Z])(?P<ap>[.)])(?=\s)
    )\s*""",
    re.VERBOSE | re.IGNORECASE,
)
_LEAD_BULLET_RE = re.compile(rf"^(?:[{re.escape(BULLETS)}]\s+)+")


_STYLE_OF = {"circled": "circled", "proman": "proman", "pnum": "pnum", "palpha": "palpha"}
_BULLET_SET = BULLET_SET = frozenset(BULLETS)
#: First characters no marker starts with unless ALPHA_PUNCT follows ("a." / "B)"): the ASCII letters
#: but those of roman numerals and the "o" bullet (marker returns (None, line) at once for them).
PLAIN_FIRST = frozenset(string.ascii_letters) - frozenset("ivxoIVXO")
ALPHA_PUNCT = (".", ")")
_NUM_PUNCT = frozenset(".)、．:")
_ROMAN_NEXT = frozenset("ivxIVX.)")
#: The characters of an indentation.
INDENT_CHARS = " \t\u00a0\u3000"


def marker(line: str) -> tuple[str | None, str]:
    """(style, rest): style of the innermost list marker at the start of ``line``, or None."""
    style: str | None = None
    rest = line
    for _ in range(3):  # "• 8. text", "- (a) text"
        # Quick paths that decide as _MARKER_RE would: bullets, "12." numbers, no marker at all.
        c = rest[:1]
        if c in _BULLET_SET:
            if rest[1:2] and not rest[1].isspace():
                break
            style, rest = "b" + c, rest[1:].lstrip()
            continue
        if "0" <= c <= "9":
            k = 2 if rest[1:2].isdecimal() else 1
            p, nxt = rest[k : k + 1], rest[k + 1 : k + 2]
            if not p or p not in _NUM_PUNCT or (nxt and (nxt.isdecimal() or nxt in ".,:%)")):
                break
            style, rest = ("num)" if p == ")" else "num."), rest[k + 1 :].lstrip()
            continue
        if (
            c.isascii()
            and (
                (c.isalpha() and c not in "ivxoIVXO" and rest[1:2] not in ALPHA_PUNCT)
                or (not c.isalpha() and c != "(")
                # ("In", "or": a roman numeral or "o" bullet goes on with a numeral, "." / ")" or a space;
                # a non-ASCII letter may match one ignoring case)
                or (
                    c.isalpha()
                    and rest[1:2].isascii()
                    and rest[1:2] not in _ROMAN_NEXT
                    and not rest[1:2].isspace()
                )
            )
        ):
            break
        m = _MARKER_RE.match(rest)
        if not m:
            break
        last = m.lastgroup
        if last == "bullet":
            style = "b" + m.group("bullet")
        elif last == "np":
            style = "num)" if m.group("np") == ")" else "num."
        elif last == "rp":
            style = "roman" + m.group("rp")
        elif last == "ap":
            style = "alpha" + m.group("ap")
        else:
            style = _STYLE_OF[last or ""]
        rest = rest[m.end() :]
        if style == "circled":
            break
    return style, rest


def indent(line: str) -> int:
    """Indentation width of ``line`` (a tab counts 4)."""
    if line[:1] not in INDENT_CHARS:
        return 0
    n = len(line) - len(line.lstrip(INDENT_CHARS))
    return n + 3 * line.count("\t", 0, n)


def next_is_marked(lines: list[str], i: int) -> bool:
    """Is the next non-blank line (from index ``i``) a marked list item?"""
    for j in range(i, min(i + 4, len(lines))):
        s = lines[j].strip()
        if s:
            return marker(s)[0] is not None
    return False


def strip_bullets(s: str) -> str:
    """Drop leading bullet characters (they carry no meaning); keep numbering markers."""
    if s[:1] not in _BULLET_SET or len(s) >= 100_000:
        return s
    return _LEAD_BULLET_RE.sub("", s, count=1)
