"""Lists written inside one line, for the criteria splitter.

``unflow`` re-opens criteria flowed into running text ("... Exclusion Criteria: - A - B"),
``inline_numbered`` cuts "1. A; 2. B; 3. C" into lines and ``inline_parts`` reads an inline
enumeration ("(i) ... (ii) ...", "① ... ②") out of an item. Bounded: long inputs are left as is.
"""

from __future__ import annotations

import itertools
import re

from trialmatch.criteria.lowre import caseless_safe
from trialmatch.criteria.split_headers import header_vocab
from trialmatch.criteria.split_markers import CIRCLED, ROMAN, ROMAN_VALUES, marker

__all__ = ["inline_numbered", "inline_parts", "unflow"]

_FLOW_BULLET_RE = re.compile(r"(?<=[^\dIVX\s-])[ \t]+-[ \t]+(?=[A-Z][a-z]|\(|[A-Z]{2,}[\s(])")
# A necessary condition for _FLOW_BULLET_RE that starts with a literal (so re scans for it fast).
_FLOW_BULLET_PRE = re.compile(r"-(?<=[ \t]-)[ \t]+(?=[A-Z][a-z]|\(|[A-Z]{2,}[\s(])")
# _FLOW_BULLET_PRE with any white space where the lines of a paragraph are joined with a space.
_FLOW_PARA_PRE = re.compile(r"-(?<=\s-)\s+(?=[A-Z][a-z]|\(|[A-Z]{2,}[\s(])")
# _FLOW_PARA_PRE, skipping in C the "-" after a blank line and up to 30 spaces: a paragraph's first
# bullet, which the paragraph test never passes (CT.gov indents nested bullets by 5 spaces).
_FLOW_CAND = re.compile(
    _FLOW_PARA_PRE.pattern.replace(
        r"-(?<=\s-)", r"-(?<=\s-)" + "".join("(?<!\\n\\n" + " " * k + "-)" for k in range(31)), 1
    )
)
_FLOW_START_RE = re.compile(r"^(?:[^\n]{0,60}:)?[ \t]*-[ \t]+\S")
_COLON_LINE_RE = re.compile(r"\n\s*:")
_PARA_RE = re.compile(r"(\n[ \t]*\n)")


def _probe_lines(text: str, probes: tuple[str, ...]) -> list[tuple[int, int]]:
    """(start, end) of each line of ``text`` that holds one of ``probes``, in order."""
    found: list[list[tuple[int, int]]] = []
    for p in probes:
        k = text.find(p)
        if k < 0:
            continue
        spans: list[tuple[int, int]] = []
        while k >= 0:
            a = text.rfind("\n", 0, k) + 1
            b = text.find("\n", k)
            if b < 0:
                b = len(text)
            spans.append((a, b))
            k = text.find(p, b)
        found.append(spans)
    # (one probe's lines come in order, once each: the next search starts past the line found)
    return found[0] if len(found) == 1 else sorted({s for spans in found for s in spans})


def unflow(text: str) -> str:
    """Re-open criteria flowed into running text: "... 45 kg/m^2 Exclusion Criteria: - Treatment ..."."""
    v = header_vocab()
    p0, p1 = v.flow_probe
    if p0 not in text and p1 not in text:
        return text
    found = False
    low_rx = v.any_header_low
    chunks: list[str] = []
    done = 0
    for a, b in _probe_lines(text, (p0, p1)):
        ln = orig = text[a:b]
        # (the lowered twin on the lower-cased line is the same search, with the same spans: lowre)
        if low_rx is not None and caseless_safe(ln):
            rx, lo = low_rx, ln.lower()
        else:
            rx, lo = v.any_header_re, ln
        m = rx.search(lo)
        if m:
            found = True
            if m.start() > len(ln) - len(ln.lstrip()) or rx.search(lo, m.end()):
                ln = v.midline_header_re.sub("\n\n", ln)  # (else its one header opens the line)
            if "-" in ln:  # (header_dash_re needs one; a "\\1" template costs even without a match)
                ln = v.header_dash_re.sub("\\1\n\n", ln)
            if ln is not orig and ln != orig:  # (a line left as it is needs no copy)
                chunks += [text[done:a], ln]
                done = b
    if not found and not (_COLON_LINE_RE.search(text) and v.any_header_re.search(text)):
        # (a header may span lines, "Criteria\n:", and then a line starts with ":")
        return text
    if chunks:
        text = "".join([*chunks, text[done:]])
    if " - " not in text or not _flow_candidate(text):
        return text
    paras = _PARA_RE.split(text)  # (the separators kept: joined again they are the text)
    changed = False
    for n, para in enumerate(paras):
        # (the lines are joined at white space, so where _FLOW_BULLET_PRE matches them _FLOW_PARA_PRE
        # matches, past the first character, which starts the joined text and has nothing before it)
        if " - " not in para or not _FLOW_PARA_PRE.search(para, len(para) - len(para.lstrip()) + 1):
            continue
        lines = [ln for ln in map(str.strip, para.split("\n")) if ln]
        if len(lines) < 2:
            continue
        joined = " ".join(lines)
        head, sep, body = joined.partition(": ")
        target = body if sep and len(head) < 60 else joined
        if (
            not target.lstrip().startswith("-")
            or not _FLOW_START_RE.match(target if target is joined else "- " + target.lstrip("- "))
            or not _FLOW_BULLET_PRE.search(target)
            or not _FLOW_BULLET_RE.search(target)
            or any(marker(ln)[0] for ln in lines[1:])
        ):
            continue
        pieces = _FLOW_BULLET_RE.sub("\n- ", target)
        paras[n] = (head + ":\n" if target is body else "") + pieces
        changed = True
    return "".join(paras) if changed else text


def _flow_candidate(text: str) -> bool:
    """Does a ``_FLOW_PARA_PRE`` match follow a non-white character of its paragraph (what the
    paragraph test of ``unflow`` looks for)? Without one no paragraph is re-opened."""
    for m in _FLOW_CAND.finditer(text):
        k = j = m.start()
        while j and text[j - 1].isspace():
            j -= 1
        # (the "-" starts its paragraph when the white space before it reaches the text's start or
        # holds a paragraph break: the split's leftmost breaks cannot start before it, a non-white
        # character, and find the run's first one)
        if j and _PARA_RE.search(text, j, k) is None:
            return True
    return False


_INLINE_NUM_RE = re.compile(r"(?<=[;。；.])\s*(\d{1,2})([.、)])\s+(?=\S)")
_LEAD_NUM_RE = re.compile(r"^\(?1([.、)])\s*(?=\S)")


def inline_numbered(line: str) -> list[str]:
    """ "1. Aged 18-75; 2. NET G1/G2; 3. ECOG 0-1" on one line -> one piece per number (or [])."""
    m = _LEAD_NUM_RE.match(line)
    if not m or len(line) > 20_000:
        return []
    punct, want, cuts = m.group(1), 2, []
    for hit in _INLINE_NUM_RE.finditer(line):
        if hit.group(2) == punct and int(hit.group(1)) == want:
            cuts.append(hit.start(1))
            want += 1
    if not cuts:
        return []
    bounds = [0, *cuts, len(line)]
    return [line[a:b].strip() for a, b in itertools.pairwise(bounds) if line[a:b].strip()]


# Inline enumerations inside one item: "(i) ... (ii) ...", "(1) ... (2) ...", "① ... ②".
_INLINE_RE = re.compile(
    rf"\((?:(?P<r>{ROMAN})|(?P<n>\d{{1,2}})|(?P<a>[a-h]))\)|(?P<c>[{CIRCLED}])",
    re.IGNORECASE,
)
_PAREN_RE = re.compile(rf"\((?:(?P<r>{ROMAN})|(?P<n>\d{{1,2}})|(?P<a>[a-h]))\)", re.IGNORECASE)
_CIRCLED_RE = re.compile(f"[{CIRCLED}]")


def inline_parts(text: str) -> tuple[str, list[str]]:
    """Split an inline enumeration out of ``text``: (text before the list, [part texts])."""
    if len(text) > 20_000:
        return text, []
    circled = not text.isascii() and bool(_CIRCLED_RE.search(text))
    if "(" not in text and not circled:
        return text, []
    rx = _INLINE_RE if circled else _PAREN_RE  # (the same matches when there is no circled number)
    if not rx.search(text):  # (one C call; most texts have no marker at all)
        return text, []
    hits = [
        m
        for m in rx.finditer(text)
        if m.lastgroup == "c" or m.start() == 0 or text[m.start() - 1] in " \t\n:;,."
    ]
    if not hits:
        return text, []
    circ = [m for m in hits if m.lastgroup == "c"]
    if circ:
        use = circ
    else:
        # a sequence starting at 1 / a / i: (i) (ii) (iii) ...
        seq: list[tuple[re.Match[str], str, int]] = []
        for m in hits:
            if m.group("r"):
                val, fam = ROMAN_VALUES.get(m.group("r").lower(), 0), "r"
            elif m.group("n"):
                val, fam = int(m.group("n")), "n"
            else:
                val, fam = ord(m.group("a").lower()) - 96, "a"
            if not seq:
                if val == 1:
                    seq.append((m, fam, val))
            elif fam == seq[-1][1] and val == seq[-1][2] + 1:
                seq.append((m, fam, val))
        if len(seq) < 2:
            return text, []
        use = [u[0] for u in seq]
    parts: list[str] = []
    for k, m in enumerate(use):
        end = use[k + 1].start() if k + 1 < len(use) else len(text)
        p = text[m.end() : end].strip().rstrip(";,").strip()
        if p:
            parts.append(p)
    before = text[: use[0].start()].strip()
    return before, parts
