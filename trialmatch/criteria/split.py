"""Split eligibility criteria text into inclusion and exclusion items.

``split_criteria(text)`` reads headers in many spellings (vocabulary in
``trialmatch/vocab/data/criteria_headers.yaml``) or none, numbering ("1.", "1)", "(1)", "(i)",
"a.", "①"), bullets ("-", "*", "•", "·"), nested sub-items (deeper indentation, another marker
style, circled numbers, a parent ending with ":"), hard-wrapped lines, unlabelled lists and
phase- or cohort-specific sections, which are kept as ``scope``.

Pure and bounded: input over ``MAX_CHARS`` is truncated, every regex is anchored or linear.
``render_criteria(items)`` writes items back as normalised text that splits the same way.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

__all__ = ["MAX_CHARS", "SplitItem", "classify_header", "render_criteria", "split_criteria"]

Kind = Literal["inclusion", "exclusion"]

#: Longest criteria text read; the rest is ignored.
MAX_CHARS = 200_000
#: Longest line examined for markers/headers (longer lines are plain text).
_MAX_LABEL = 80

_VOCAB_PATH = Path(__file__).resolve().parents[1] / "vocab" / "data" / "criteria_headers.yaml"


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


# --------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True, slots=True)
class _Vocab:
    headers: dict[str, str]  # normalised phrase -> "inclusion" | "exclusion" | "neutral"
    sentences: tuple[tuple[str, str], ...]
    scope_re: re.Pattern[str]
    scope_reset: frozenset[str]
    first_words: frozenset[str]  # first word of every header phrase (a quick filter)
    sentence_re: re.Pattern[str]
    leadin_re: re.Pattern[str]


@lru_cache(maxsize=1)
def _vocab() -> _Vocab:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data: dict[str, Any] = yaml.load(_VOCAB_PATH.read_text(encoding="utf-8"), Loader=loader)
    headers: dict[str, str] = {}
    for kind in ("inclusion", "exclusion", "neutral"):
        for p in data.get(kind, []):
            headers[_norm(str(p))] = kind
    sentences: list[tuple[str, str]] = []
    for kind in ("inclusion", "exclusion"):
        for p in data.get(f"{kind}_sentences", []):
            sentences.append((_norm(str(p)), kind))
    sentences.sort(key=lambda x: -len(x[0]))
    words = "|".join(str(w) for w in data.get("scope_words", []))
    scope_re = re.compile(rf"\b(?:{words})\b", re.IGNORECASE)
    reset = frozenset(_norm(str(p)) for p in data.get("scope_reset", []))
    first = frozenset(p.split()[0] for p in [*headers, *(s for s, _ in sentences)] if p.split())
    alts = "|".join(
        f"(?P<{'i' if k == 'inclusion' else 'e'}{n}>{re.escape(p)})" for n, (p, k) in enumerate(sentences)
    )
    cues = "|".join(re.escape(str(c)) for c in data.get("leadin_cues", []))
    leadin = re.compile(rf"\b(?:{cues})\b", re.IGNORECASE)
    return _Vocab(headers, tuple(sentences), scope_re, reset, first, re.compile(f"^(?:{alts})"), leadin)


# --------------------------------------------------------------------------- markers

_CIRCLED = "\u2460-\u2473\u24f5-\u24fe\u2776-\u2793"
_BULLETS = "-*•·▪■◦○●➢►–—‣⁃∙>"
_ROMAN = r"(?:viii|vii|iii|ix|iv|vi|ii|x|v|i)"
_MARKER_RE = re.compile(
    rf"""^(?:
        (?P<bullet>[{re.escape(_BULLETS)}]|o(?=\s))(?=\s|$)
      | (?P<circled>[{_CIRCLED}])
      | \((?P<proman>{_ROMAN})\)
      | \((?P<pnum>\d{{1,2}})\)
      | \((?P<palpha>[a-zA-Z])\)
      | (?P<roman>{_ROMAN})(?P<rp>[.)])(?=\s)
      | (?P<num>\d{{1,2}})(?P<np>[.)、．:])(?=\s|$|[^\d\s.,:%)])
      | (?P<alpha>[a-zA-Z])(?P<ap>[.)])(?=\s)
    )\s*""",
    re.VERBOSE | re.IGNORECASE,
)

# Inline enumerations inside one item: "(i) ... (ii) ...", "(1) ... (2) ...", "① ... ②".
_INLINE_RE = re.compile(
    rf"\((?:(?P<r>{_ROMAN})|(?P<n>\d{{1,2}})|(?P<a>[a-h]))\)|(?P<c>[{_CIRCLED}])",
    re.IGNORECASE,
)
_CIRCLED_RE = re.compile(f"[{_CIRCLED}]")
_STYLE_GROUPS = ("circled", "proman", "pnum", "palpha", "roman", "alpha")
_ROMAN_VALUES = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}


def _marker(line: str) -> tuple[str | None, str]:
    """(style, rest): style of the innermost list marker at the start of ``line``, or None."""
    style: str | None = None
    rest = line
    for _ in range(3):  # "• 8. text", "- (a) text"
        m = _MARKER_RE.match(rest)
        if not m:
            break
        g = m.groupdict()
        if g["bullet"]:
            style = "b" + g["bullet"]
        elif g["num"]:
            style = "num" + (")" if g["np"] == ")" else ".")
        else:
            style = next(k for k in _STYLE_GROUPS if g[k]) + (g.get("rp") or g.get("ap") or "")
        rest = rest[m.end() :]
        if style == "circled":
            break
    return style, rest


# --------------------------------------------------------------------------- headers

_HEADER_QUAL_RE = re.compile(
    r"^((?:key |additional |main )?(?:inclusion|exclusion)(?: criteria)?)\s+(.{1,40})$"
)
_CLEAR_SCOPE_RE = re.compile(r"\bonly\b|\bcohort\b|^part\b", re.IGNORECASE)
_NORM_STRIP = re.compile(r"[\s:：\-–—.*#_=]+$")


def _norm(s: str) -> str:
    s = " ".join(s.split()).lower()
    s = s.strip("*#_ ")
    return _NORM_STRIP.sub("", s)


def classify_header(line: str) -> tuple[str, str | None, str] | None:
    """If ``line`` is a criteria section header: (kind, scope, rest of line); else None.

    kind is "inclusion", "exclusion" or "neutral"; rest is item text after "Header:".
    """
    raw = line.strip()
    if not raw or len(raw) > 400:
        return None
    _, body = _marker(raw)
    body = body.strip().strip("*#_").strip()
    v = _vocab()
    words = body[:60].lower().split(maxsplit=1)
    if not words or (_norm(words[0]) not in v.first_words and words[0].rstrip(":：") not in v.first_words):
        return None
    head, sep, rest = body.partition(":")
    if not sep:
        head, sep, rest = body.partition("：")
    nhead = _norm(head)
    if len(nhead) <= _MAX_LABEL:
        kind = v.headers.get(nhead)
        scope: str | None = None
        if kind is None:
            # "Inclusion Criteria (Phase II only)", "Exclusion criteria for cohort B", "INCLUSION - NET"
            m = re.match(r"^(.{3,40}?)\s*(?:\((.{1,60})\)|(?:for|in|-|–)\s+(.{1,60}))$", nhead)
            if m and v.headers.get(_norm(m.group(1))) in ("inclusion", "exclusion"):
                qual = (m.group(2) or m.group(3) or "").strip()
                scoped = bool(v.scope_re.search(qual))
                if m.group(2) or scoped or nhead[len(m.group(1)) :].lstrip().startswith("for "):
                    kind = v.headers[_norm(m.group(1))]
                    if scoped and _norm(qual) not in v.scope_reset and not _norm(qual).startswith("all "):
                        scope = _scope_text(head, qual)
            elif not sep:
                # "inclusion criteria STEP 2", "Exclusion criteria Phase II only"
                m2 = _HEADER_QUAL_RE.match(nhead)
                if m2 and v.scope_re.search(m2.group(2)) and _norm(m2.group(1)) in v.headers:
                    kind = v.headers[_norm(m2.group(1))]
                    scope = _scope_text(head, m2.group(2))
        if kind is not None and (sep or not rest):
            return kind, scope, rest.strip()
    # sentence headers: "Patients are not eligible if any of the following apply:"
    nbody = _norm(body)
    if len(body) <= 200 and (body.rstrip().endswith((":", "：")) or len(nbody) <= 60):
        sm = v.sentence_re.match(nbody)
        if sm and sm.lastgroup:
            return ("inclusion" if sm.lastgroup[0] == "i" else "exclusion"), None, ""
    return None


def _scope_text(head: str, qual: str) -> str:
    m = re.search(re.escape(qual), head, re.IGNORECASE)
    return head[m.start() : m.end()] if m else qual


def _scope_label(line: str, next_marked: bool = False) -> tuple[str, str | None] | None:
    """A short unmarked label line ending with ':' -> ("scope", text) / ("reset", None) / ("label", None)."""
    s = line.strip()
    if not s or len(s) > _MAX_LABEL + 1:
        return None
    bare = s.strip("*#_ ").rstrip()
    ends_colon = bare.endswith((":", "："))
    core = bare.rstrip(":：").strip().strip("*#_").strip()
    if not core:
        return None
    v = _vocab()
    if _norm(core) in v.scope_reset:
        return "reset", None
    words = core.split()
    if not ends_colon:
        # "Phase II only", "NET cohort" without colon: accept only clear scope labels
        if len(words) <= 6 and v.scope_re.search(core) and _CLEAR_SCOPE_RE.search(core):
            return "scope", core
        if next_marked and len(words) <= 5 and v.scope_re.search(core) and not core.endswith(_TERMINAL):
            return "scope", core  # "Run-in period" above a bulleted list
        return None
    if len(words) > 8:
        return None
    if v.scope_re.search(core):
        return "scope", core
    return "label", None


# --------------------------------------------------------------------------- splitting


@dataclass(slots=True)
class _Item:
    kind: Kind
    scope: str | None
    head: list[str] = field(default_factory=list)
    subs: list[list[str]] = field(default_factory=list)  # each sub-line: list of wrapped lines

    def last_text(self) -> str:
        if self.subs:
            return self.subs[-1][-1] if self.subs[-1] else ""
        return self.head[-1] if self.head else ""

    def add_cont(self, s: str) -> None:
        if self.subs:
            self.subs[-1].append(s)
        else:
            self.head.append(s)


def _indent(line: str) -> int:
    n = 0
    for ch in line:
        if ch == " " or ch == "\u00a0" or ch == "\u3000":
            n += 1
        elif ch == "\t":
            n += 4
        else:
            break
    return n


_TERMINAL = (".", ";", ":", "!", "?", "。", "；")


def split_criteria(text: str) -> list[SplitItem]:
    """Split criteria text into inclusion/exclusion items (see the module docstring)."""
    if not text or not isinstance(text, str):
        return []
    text = _unflow(text[:MAX_CHARS].replace("\r\n", "\n").replace("\r", "\n"))
    items: list[_Item] = []
    kind: Kind = "inclusion"
    scope: str | None = None
    cur: _Item | None = None
    top_style: str | None = None
    top_indent = 0
    prev_blank = True
    label_item: _Item | None = None
    section_start = 0

    def new_section() -> None:
        nonlocal cur, top_style, top_indent, label_item, section_start
        cur = None
        top_style = None
        top_indent = 0
        label_item = None
        section_start = len(items)

    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip():
            prev_blank = True
            continue
        ind = _indent(line)
        stripped = line.strip()
        pieces = _inline_numbered(stripped) if len(lines) < 50_000 else []
        if pieces:
            lines[i:i] = [" " * ind + p for p in pieces[1:]]
            stripped = pieces[0]
        style, rest = _marker(stripped)
        rest = rest.strip()
        if len(stripped) <= 400:
            hdr = classify_header(stripped)
            inline_neutral = (
                hdr is not None
                and style is not None
                and hdr[0] == "neutral"
                and cur is not None
                and bool(rest)
                and not rest.endswith(":")
            )
            if hdr is not None and not inline_neutral:
                hkind, hscope, after = hdr
                if hkind in ("inclusion", "exclusion"):
                    kind = hkind  # type: ignore[assignment]
                    scope = hscope
                new_section()
                prev_blank = True
                if after:
                    lines.insert(i, " " * ind + after)
                continue
        if style is None:
            last_line = cur.last_text().rstrip() if cur is not None else ""
            at_break = prev_blank or cur is None or last_line.endswith(_TERMINAL) or len(last_line) < 50
            clear = len(stripped) <= 40 and stripped.endswith(":") and bool(_CLEAR_SCOPE_RE.search(stripped))
            lab = _scope_label(stripped, _next_is_marked(lines, i)) if at_break or clear else None
            if lab is not None and lab[0] in ("scope", "reset"):
                scope = lab[1]
                new_section()
                prev_blank = True
                continue
            if cur is None:
                cur = _Item(kind, scope, [stripped])
                items.append(cur)
                if top_style is None:
                    top_style, top_indent = "plain", ind
                label_item = cur
                prev_blank = False
                continue
            last = cur.last_text().rstrip()
            if lab is not None and top_style != "plain" and _next_is_marked(lines, i):
                # "Sex:" between bulleted groups: a group label (dropped when its list follows)
                cur = _Item(kind, scope, [stripped])
                items.append(cur)
                label_item = cur
                top_style = "plain"
                top_indent = ind
            elif last.endswith((":", "：")) and not cur.subs and (prev_blank or len(cur.head) == 1):
                cur.subs.append([stripped])
            elif not prev_blank:
                if top_style == "plain" and not cur.subs and _starts_new_plain(last, stripped):
                    cur = _Item(kind, scope, [stripped])
                    items.append(cur)
                    label_item = cur
                else:
                    cur.add_cont(stripped)
            elif stripped[0].islower() or (
                stripped.lower().startswith(("note", "(")) and top_style != "plain"
            ):
                cur.add_cont(stripped)
            else:
                cur = _Item(kind, scope, [stripped])
                items.append(cur)
                label_item = cur
            prev_blank = False
            continue
        # a marked line
        if cur is not None and cur is label_item and not cur.subs and top_style == "plain" and _is_label(cur):
            # "Hematology:" or "Patients must meet the following criteria:" before a list: not an item
            items.pop()
            cur = None
            top_style = None
        label_item = None
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
    return _finish(items)


_MIDLINE_HEADER_RE = re.compile(
    r"(?<=[^\s•·▪■◦○●➢►‣⁃∙*>-])[ \t]+"
    r"(?=(?:Key |KEY )?(?:Inclusion|Exclusion|INCLUSION|EXCLUSION) (?:Criteria|criteria|CRITERIA)\s*:)"
    r"|(?<=\S)[ \t]+-{1,2}[ \t]*(?=(?i:(?:key )?(?:inclusion|exclusion) criteria)\s*:)"
)
_ANY_HEADER_RE = re.compile(r"(?:inclusion|exclusion) criteria\s*:", re.IGNORECASE)
_HEADER_DASH_RE = re.compile(r"(?im)^([ \t]*(?:key )?(?:inclusion|exclusion) criteria\s*:)[ \t]*(?=-[ \t])")
_FLOW_BULLET_RE = re.compile(r"(?<=[^\dIVX\s-])[ \t]+-[ \t]+(?=[A-Z][a-z]|\(|[A-Z]{2,}[\s(])")
_FLOW_START_RE = re.compile(r"^(?:[^\n]{0,60}:)?[ \t]*-[ \t]+\S")


def _unflow(text: str) -> str:
    """Re-open criteria flowed into running text: "... 45 kg/m^2 Exclusion Criteria: - Treatment ..."."""
    if "riteria" not in text and "RITERIA" not in text:
        return text
    if not _ANY_HEADER_RE.search(text):
        return text
    lines = text.split("\n")
    for k, ln in enumerate(lines):
        if ("riteria" in ln or "RITERIA" in ln) and _ANY_HEADER_RE.search(ln):
            ln = _MIDLINE_HEADER_RE.sub("\n\n", ln)
            lines[k] = _HEADER_DASH_RE.sub("\\1\n\n", ln)
    text = "\n".join(lines)
    if " - " not in text:
        return text
    paras = re.split(r"(\n[ \t]*\n)", text)
    out: list[str] = []
    for para in paras:
        lines = [ln for ln in para.split("\n") if ln.strip()]
        if len(lines) < 2 or " - " not in para or any(_marker(ln.strip())[0] for ln in lines[1:]):
            out.append(para)
            continue
        joined = " ".join(ln.strip() for ln in lines)
        head, sep, body = joined.partition(": ")
        target = body if sep and len(head) < 60 else joined
        if not _FLOW_START_RE.match(target if target is joined else "- " + target.lstrip("- ")):
            out.append(para)
            continue
        if not target.lstrip().startswith("-") or len(_FLOW_BULLET_RE.findall(target)) < 1:
            out.append(para)
            continue
        pieces = _FLOW_BULLET_RE.sub("\n- ", target)
        out.append((head + ":\n" if target is body else "") + pieces)
    return "".join(out)


_INLINE_NUM_RE = re.compile(r"(?<=[;。；.])\s*(\d{1,2})([.、)])\s+(?=\S)")
_LEAD_NUM_RE = re.compile(r"^\(?1([.、)])\s*(?=\S)")


def _inline_numbered(line: str) -> list[str]:
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


def _next_is_marked(lines: list[str], i: int) -> bool:
    """Is the next non-blank line (from index ``i``) a marked list item?"""
    for j in range(i, min(i + 4, len(lines))):
        s = lines[j].strip()
        if s:
            return _marker(s)[0] is not None
    return False


def _is_label(item: _Item) -> bool:
    """An unmarked item that only introduces the list after it ("Hematology:", "Patients must ...:")."""
    txt = " ".join(item.head).rstrip()
    if not txt.endswith((":", "：")) or len(txt) > 400:
        return False
    return len(txt.split()) <= 5 or bool(_vocab().leadin_re.search(txt))


def _starts_new_plain(last: str, line: str) -> bool:
    """In an unmarked list, does ``line`` start a new item (rather than continue ``last``)?"""
    if not line or line[0].islower() or line[0] in "([{,;&%":
        return False
    if last.endswith(_TERMINAL):
        return True
    return len(last) < 60


_LEAD_BULLET_RE = re.compile(rf"^(?:[{re.escape(_BULLETS)}]\s+)+")


def _strip_bullets(s: str) -> str:
    """Drop leading bullet characters (they carry no meaning); keep numbering markers."""
    return _LEAD_BULLET_RE.sub("", s, count=1) if len(s) < 100_000 else s


def _join(parts: list[str]) -> str:
    return " ".join(" ".join(p.split()) for p in parts if p.strip())


def _inline_parts(text: str) -> tuple[str, list[str]]:
    """Split an inline enumeration out of ``text``: (text before the list, [part texts])."""
    if len(text) > 20_000:
        return text, []
    if "(" not in text and not _CIRCLED_RE.search(text):
        return text, []
    hits = [
        m
        for m in _INLINE_RE.finditer(text)
        if m.group("c") or m.start() == 0 or text[m.start() - 1] in " \t\n:;,."
    ]
    if not hits:
        return text, []
    circled = [m for m in hits if m.group("c")]
    if circled:
        use = circled
    else:
        # a sequence starting at 1 / a / i: (i) (ii) (iii) ...
        seq: list[tuple[re.Match[str], str, int]] = []
        for m in hits:
            if m.group("r"):
                val, fam = _ROMAN_VALUES.get(m.group("r").lower(), 0), "r"
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


def _finish(raw: list[_Item]) -> list[SplitItem]:
    out: list[SplitItem] = []
    for it in raw:
        head = _join(it.head)
        subs = [_strip_bullets(_join(s)) for s in it.subs]
        subs = [s for s in subs if s]
        if not head and subs:
            head, subs = subs[0], subs[1:]
        if not head and not subs:
            continue
        _, parts = _inline_parts(head)
        for s in subs:
            _, whole = _inline_parts(s)
            if whole:
                parts.extend(whole)
                continue
            _, body = _marker(s)
            body = body.strip()
            if body:
                parts.append(body)
        text = " ".join([head, *subs]).strip()
        if not re.search(r"\w", text):
            continue
        out.append(SplitItem(it.kind, text, parts, it.scope, len(out), head=head, sub_lines=subs))
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
