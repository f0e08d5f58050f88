"""A saved HTML page as the plain text a person would copy from it (stdlib ``html.parser``).

Scripts, styles, forms, navigation, headers and footers are dropped; block elements end lines;
list items become ``- `` lines; table cells are joined with `` | ``. Linear in the input size.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_to_text"]

_SKIP = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "nav",
        "header",
        "footer",
        "form",
        "button",
        "select",
        "option",
        "iframe",
        "head",
    }
)
_BLOCK = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "aside",
        "br",
        "hr",
        "tr",
        "table",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "li",
        "tbody",
        "thead",
        "caption",
        "figure",
        "figcaption",
        "address",
        "summary",
        "details",
    }
)
_VOID = frozenset(
    {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"}
)
_BLANKS = re.compile(r"[ \t\r\f\v\u00a0]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.cells = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            if tag not in _VOID:
                self.skip += 1
            return
        if self.skip:
            return
        if tag in ("td", "th"):
            if self.cells:
                self.out.append(" | ")
            self.cells += 1
        elif tag in _BLOCK:
            self.out.append("\n")
            if tag == "tr":
                self.cells = 0
            elif tag == "li":
                self.out.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if not self.skip and tag in _BLOCK:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(data)


def html_to_text(html: str) -> str:
    """Readable text of an HTML document."""
    p = _Text()
    p.feed(html)
    p.close()
    lines = (_BLANKS.sub(" ", line).strip() for line in "".join(p.out).split("\n"))
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()
