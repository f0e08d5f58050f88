"""Cut a copied trial page into labelled blocks, dropping site chrome.

A page is a list of lines. Chrome (logos, sign-up prompts, contact forms, FAQs, ``{{TEMPLATE}}``
placeholders) is removed; each line that carries a known field label ("Recruitment Status",
"Status:", "Overall Status | Recruiting |", "Group Type EXPERIMENTAL") opens a :class:`Block`
holding the label's inline value and the lines up to the next label. The criteria block runs
until a label that cannot be part of criteria text.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from trialmatch.criteria.split import classify_header
from trialmatch.importers.page_vocab import PageVocab, is_org, norm_label, page_vocab

__all__ = [
    "Block",
    "LabelHit",
    "clean_page",
    "cut_blocks",
    "explanations",
    "inner_label",
    "is_explanation",
    "label_of",
]

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_TEMPLATE = re.compile(r"\{\{[^{}\n]{0,200}\}\}")

#: Fields whose "Label: value" lines end a criteria block (criteria items rarely start with them).
_STRONG_COLON = frozenset(
    {
        "registry_id",
        "sex",
        "age_range",
        "countries",
        "acronym",
        "org_study_id",
        "status",
        "phase",
        "study_type",
        "enrollment",
        "start_date",
        "completion_date",
        "first_posted",
        "last_update",
        "sponsor",
        "min_age",
        "max_age",
        "healthy_volunteers",
        "locations",
        "study_details",
        "investigators",
        "_heading",
        "other_ids",
        "brief_title",
        "official_title",
        "primary_completion_date",
        "collaborators",
    }
)


@dataclass(frozen=True, slots=True)
class LabelHit:
    field: str
    label: str
    inline: str | None  # value on the same line; None when the value follows on later lines
    form: str  # "exact" | "colon" | "pipe" | "prefix"


@dataclass(slots=True)
class Block:
    field: str | None  # None: the page's preamble (before the first label)
    label: str
    inline: str | None
    lines: list[str] = dataclasses.field(default_factory=list)  # raw lines ("" for blanks), chrome removed
    form: str = "exact"

    def values(self) -> list[str]:
        """Non-blank stripped lines that are neither explanations nor inner labels."""
        out: list[str] = []
        body = [ln.strip() for ln in self.lines if ln.strip()]
        for s, expl in zip(body, explanations(body), strict=True):
            if expl:
                continue
            if inner_label(s) is not None:
                continue
            v = s.rstrip("|").strip() if s.endswith("|") else s
            if v:
                out.append(v)
        return out


def clean_page(text: str) -> list[str]:
    """Lines of the page with newlines normalised, zero-width characters and templates removed."""
    t = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    t = _ZERO_WIDTH.sub("", t)
    out = []
    for ln in t.split("\n"):
        if "\t" in ln:  # leading tabs indent; a tab after text separates "Label<TAB>value" cells
            body = ln.lstrip("\t ")
            lead = ln[: len(ln) - len(body)].replace("\t", "    ")
            body = body.rstrip("\t ")
            ln = lead + (re.sub(r"[ ]*\t[\t ]*", " | ", body) if "\t" in body else body)
        out.append(ln.rstrip())
    return out


def _chrome(s: str) -> bool:
    v = page_vocab()
    k = " ".join(s.lower().split())
    if k in v.chrome_lines or _TEMPLATE.search(s):
        return True
    if k.startswith(v.chrome_starts):
        return True
    return any(c in k for c in v.chrome_contains) and len(k) < 300


def explanations(lines: list[str]) -> list[bool]:
    """For each line of a block: is it an explanation? Known openings count only before the first
    value line (site explanations sit right under the heading); blank lines are never."""
    out = [False] * len(lines)
    nxt: str | None = None
    following: list[str | None] = [None] * len(lines)
    for i in range(len(lines) - 1, -1, -1):
        following[i] = nxt
        if lines[i].strip():
            nxt = lines[i].strip()
    content = False
    for i, raw in enumerate(lines):
        s = raw.strip()
        if not s:
            continue
        out[i] = is_explanation(s, following[i], opening=not content)
        content = content or not out[i]
    return out


def is_explanation(s: str, nxt: str | None = None, opening: bool = True) -> bool:
    """A site's explanation under a heading, not a value: a known opening (``opening``: the line is
    still at the top of its block), or a table cell followed by another cell ("Healthy volunteers
    are participants who ... |" then "No |")."""
    k = s.lower().lstrip()
    if opening and k.startswith(page_vocab().explanation_starts):
        return True
    if s.endswith("|") and nxt is not None and nxt.rstrip().endswith("|") and "|" not in s[:-1]:
        return len(s.split()) > 6 or nxt.strip() == "|"
    return False


def inner_label(s: str) -> tuple[str, str] | None:
    """("arm_type", "EXPERIMENTAL") for "Group Type EXPERIMENTAL" and the like."""
    st = s.strip()
    if len(st) > 200:
        return None
    low = st.lower()
    v = page_vocab()
    if not low.startswith(v.inner_prefixes):
        return None
    for key, fld in v.inner_labels.items():
        if low.startswith(key) and (len(low) == len(key) or low[len(key)] in " :|"):
            return fld, st[len(key) :].strip(" :|")
    return None


_DATE_TYPE = re.compile(r"\s*\((?:actual|estimated|anticipated|expected|planned)\)\s*$", re.IGNORECASE)


_COLON_RE = re.compile(r"^([^:：]{1,60})[:：]\s*(.*)$", re.DOTALL)


def _field(v: PageVocab, key: str) -> str | None:
    if not key:
        return None
    hit = v.labels.get(key)
    if hit is None and key.endswith(")"):
        hit = v.labels.get(_DATE_TYPE.sub("", key))
    return hit


def label_of(line: str) -> LabelHit | None:
    """The field label a line carries, with its inline value, or None."""
    s = line.strip()
    if not s or len(s) > 2000:
        return None
    v = page_vocab()
    if "|" in s:
        cells = [c.strip() for c in s.split("|")]
        fld = _field(v, norm_label(cells[0]))
        if cells[0] and fld and len(cells) >= 2:
            rest = " | ".join(c for c in cells[1:] if c)
            return LabelHit(fld, cells[0], rest, "pipe")
    if len(s) <= 120:
        fld = _field(v, norm_label(s))
        if fld and not re.search(r"[.;]\s*$", s.rstrip(":")):
            return LabelHit(fld, s.rstrip(" :：?"), None, "exact")
    m = _COLON_RE.match(s) if (":" in s[:61] or "：" in s[:61]) else None
    if m:
        fld = _field(v, norm_label(m.group(1)))
        if fld:
            val = m.group(2).strip()
            return LabelHit(fld, m.group(1).strip(), val or None, "colon")
    low = s.lower()
    if len(s) > 300 or not low.startswith(v.prefix_keys) or inner_label(s) is not None:
        return None
    for key, fld in v.prefix_labels.items():
        if low.startswith(key + " ") and len(s) <= 300:
            rest = s[len(key) :].strip()
            if fld == "about_sponsor" and not (is_org(rest) and len(rest) < 150 and not rest.endswith(".")):
                continue
            return LabelHit(fld, s[: len(key)], rest, "prefix")
    return None


#: Criteria texts use "Age:", "Sex:", "Treatment:" as group labels (PDQ style); these do not end them.
_CRITERIA_GROUP_LABELS = frozenset(
    {
        "sex",
        "age_range",
        "countries",
        "acronym",
        "org_study_id",
        "phase",
        "investigators",
        "locations",
        "treatments",
        "conditions",
        "keywords",
        "brief_summary",
        "detailed_description",
        "plain_summary",
    }
)


def _ends_criteria(hit: LabelHit, line: str) -> bool:
    if hit.field == "criteria":
        return False
    if hit.form == "exact" and line.rstrip().endswith((":", "：")):
        return hit.field not in _CRITERIA_GROUP_LABELS
    if hit.form in ("exact", "pipe", "prefix"):
        return True
    return hit.field in _STRONG_COLON


_SECTIONS = frozenset({"_heading", "arms_section", "interventions_section", "criteria", "about_sponsor"})


def _awaiting(b: Block) -> bool:
    """The block is a label on its own line still waiting for its value."""
    return (
        b.field is not None
        and b.field not in _SECTIONS
        and b.form == "exact"
        and b.inline is None
        and not any(ln.strip() for ln in b.lines)
    )


def cut_blocks(lines: list[str], kept: list[str] | None = None) -> list[Block]:
    """Blocks in page order; the first (field None) holds the lines before any label.

    ``kept`` (optional) receives every line outside chrome sections, single chrome lines included
    (a breadcrumb such as "Search / Trial NCT07077551" can still name the registry id).
    """
    v = page_vocab()
    blocks: list[Block] = [Block(None, "", None)]
    in_chrome = False
    in_criteria = False
    for raw in lines:
        s = raw.strip()
        if not s:
            if not in_chrome:
                blocks[-1].lines.append("")
            continue
        key = " ".join(s.lower().split()).rstrip(":?")
        hit = label_of(s)
        if key in v.chrome_sections:
            in_chrome, in_criteria = True, False
            continue
        if in_chrome:
            if hit is None or hit.field in ("_heading", "about_sponsor"):
                continue
            in_chrome = False
        if kept is not None:
            kept.append(s)
        if _chrome(s):
            continue
        if in_criteria:
            if hit is None or not _ends_criteria(hit, s):
                blocks[-1].lines.append(raw)
                continue
            in_criteria = False
        if hit is None and inner_label(s) is None:
            hdr = classify_header(s) if len(s) < 200 else None
            prose = blocks[-1].field in ("brief_summary", "detailed_description", "plain_summary")
            if (
                hdr is not None
                and hdr[0] in ("inclusion", "exclusion")
                and blocks[-1].field != "criteria"
                and not (prose and any(ln.strip() for ln in blocks[-1].lines))
            ):
                blocks.append(Block("criteria", "", None, [raw], "implicit"))
                in_criteria = True
                continue
        if hit is not None and hit.form == "exact" and s.isupper() and _awaiting(blocks[-1]):
            hit = None  # "Primary Study Purpose" / "TREATMENT": an enum value, not the next label
        if hit is None:
            blocks[-1].lines.append(raw)
            continue
        blocks.append(Block(hit.field, hit.label, hit.inline, [], hit.form))
        if hit.field == "criteria":
            in_criteria = True
            if hit.inline:
                blocks[-1].lines.append(hit.inline)
    return blocks
