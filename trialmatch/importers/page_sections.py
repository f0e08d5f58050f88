"""Readers for the structured sections of a copied trial page (sponsors, arms, interventions,
identifiers, locations, a hospital site's "Study details"), and the accumulator they fill.

Helpers of :mod:`trialmatch.importers.text_page`; pure functions over :class:`Block` lines.
"""

from __future__ import annotations

import re
from typing import Any

from trialmatch.importers import normalize as N
from trialmatch.importers.page_layout import Block, explanations, inner_label
from trialmatch.importers.page_vocab import country_name, date_value, is_org, page_vocab, registry_ids
from trialmatch.records.model import Arm, Intervention, Investigator, Location, SecondaryId

__all__ = [
    "MAX_FIELD",
    "PageFacts",
    "read_arms",
    "read_interventions",
    "read_locations",
    "read_other_ids",
    "read_sponsors",
    "read_study_details",
    "split_list",
    "typed_interventions",
]

MAX_FIELD = 20_000


def split_list(value: str, allow_comma: bool) -> list[str]:
    """Split a list value at ";" and "|" (and ", " when every piece starts with a capital)."""
    parts = [p.strip() for p in re.split(r"\s*[;|]\s*", value) if p.strip()]
    out: list[str] = []
    for p in parts:
        pieces = [x.strip() for x in p.split(", ")] if allow_comma else [p]
        if allow_comma and len(pieces) > 1 and not all(x[:1].isupper() for x in pieces if x):
            pieces = [p]
        out.extend(x for x in pieces if x)
    return out


class PageFacts:
    """Accumulates what the blocks say; the first statement of a field wins."""

    def __init__(self) -> None:
        self.f: dict[str, Any] = {}
        self.conditions: list[str] = []
        self.keywords: list[str] = []
        self.arms: list[Arm] = []
        self.interventions: list[Intervention] = []
        self.locations: list[Location] = []
        self.investigators: list[Investigator] = []
        self.collaborators: list[str] = []
        self.secondary: list[SecondaryId] = []
        self.criteria_lines: list[str] = []

    def put(self, key: str, value: Any) -> None:
        if value not in (None, "", []) and key not in self.f:
            self.f[key] = value


def read_sponsors(page: PageFacts, b: Block) -> None:
    v = page_vocab()
    entries: list[dict[str, str]] = []
    if b.inline:
        entries.append({"name": b.inline.strip().rstrip("|").strip()})
    body = [ln.strip() for ln in b.lines if ln.strip()] if not b.inline else []
    for s, expl in zip(body, explanations(body), strict=True):
        if expl:
            continue
        s = s.rstrip("|").strip()
        if not s:
            continue
        inner = inner_label(s)
        if inner is not None:
            if inner[0] == "sponsor_role" and entries:
                entries[-1]["role"] = inner[1].lower()
            continue
        cls = v.sponsor_class_words.get(s.lower()) or (s if s in v.sponsor_classes else None)
        if cls and entries:
            entries[-1].setdefault("class", cls)
            continue
        entries.append({"name": s})
    for e in entries:
        if e.get("role", "lead") == "lead" and "sponsor" not in page.f:
            page.put("sponsor", e["name"])
            page.put("sponsor_class", e.get("class"))
        elif e["name"] != page.f.get("sponsor"):
            page.collaborators.append(e["name"])


def _segments(b: Block, marker: str) -> list[tuple[list[str], str | None, list[str]]]:
    """Cut a block at inner labels of kind ``marker``: [(lines before, marker value, lines after)]."""
    body = [ln.strip() for ln in b.lines if ln.strip()]
    body = [s for s, expl in zip(body, explanations(body), strict=True) if not expl]
    segs: list[tuple[list[str], str | None, list[str]]] = []
    cur: list[str] = []
    for s in body:
        inner = inner_label(s)
        if inner is not None and inner[0] == marker:
            segs.append((cur, inner[1], []))
            cur = []
        elif inner is None:
            cur.append(s)
    if cur:
        segs.append((cur, None, []))
    return segs


def read_interventions(page: PageFacts, b: Block) -> None:
    for before, typ, _ in _segments(b, "intervention_type"):
        if not before:
            continue
        if typ is None:
            if not any(inner_label(x) for x in b.lines):
                for name in before:
                    for nm in split_list(name, allow_comma=True):
                        page.interventions.append(Intervention(name=nm[:300]))
            continue
        desc = " ".join(before[1:])[:MAX_FIELD] or None
        page.interventions.append(
            Intervention(type=N.enum_key(typ) or None, name=before[0][:300], description=desc)
        )


def read_arms(page: PageFacts, b: Block) -> None:
    body = [ln.strip() for ln in b.lines if ln.strip()]
    body = [s for s, expl in zip(body, explanations(body), strict=True) if not expl]
    pending: list[str] = []
    arm: Arm | None = None
    i = 0
    while i < len(body):
        s = body[i]
        inner = inner_label(s)
        if inner is not None and inner[0] == "arm_type":
            if pending:
                arm = Arm(
                    label=pending[0][:300],
                    type=N.enum_key(inner[1]) or None,
                    description=" ".join(pending[1:])[:MAX_FIELD] or None,
                )
                page.arms.append(arm)
            pending = []
        elif inner is not None and inner[0] == "intervention_type":
            if pending and arm is not None:
                name = pending.pop()
                arm.intervention_names.append(name[:300])
                if i + 1 < len(body) and inner_label(body[i + 1]) is None:
                    i += 1  # the intervention's description
            pending = [] if arm is not None and not pending else pending
        elif inner is None:
            pending.append(s)
        i += 1
    if pending and not page.arms and not any(inner_label(x) for x in body):
        for p in pending:
            page.arms.append(Arm(label=p[:300]))


def read_other_ids(page: PageFacts, b: Block) -> None:
    for before, source, _ in _segments(b, "identifier_source"):
        ids = [x for x in before if not x.lower().startswith("identifier type")]
        if not ids:
            continue
        if source and "org" in source.lower():
            page.put("org_study_id", ids[0])
            continue
        for x in ids:
            found = registry_ids(x)
            if found:  # "2020-002379-13 (EudraCT Number)"
                page.secondary.append(SecondaryId(id=found[0][0], type=found[0][2]))
            elif source is None and "org_study_id" not in page.f:
                page.put("org_study_id", x[:200])  # registries list the sponsor's own id first
            else:
                page.secondary.append(SecondaryId(id=x[:200], type="OTHER"))


def typed_interventions(value: str) -> list[Intervention]:
    """ "Drug: Lutetium Lu 177 dotatate; Procedure: Surgery" -> typed interventions."""
    types = page_vocab().intervention_types
    out: list[Intervention] = []
    for item in split_list(value, allow_comma=True):
        head, sep, rest = item.partition(":")
        if sep and head.strip().lower() in types and rest.strip():
            out.append(Intervention(type=N.enum_key(head), name=rest.strip()[:300]))
        else:
            out.append(Intervention(name=item[:300]))
    return out


def read_locations(page: PageFacts, values: list[str]) -> None:
    """Lines "[Facility, ]City, [State, ]Country"; a site name on the line before, a site status after."""
    from trialmatch.importers.page_vocab import status_word

    prev: str | None = None
    for s in values:
        pieces = [p.strip() for p in s.split(",") if p.strip()]
        country = country_name(pieces[-1]) if pieces else None
        if country is None:
            st = status_word(s, standalone=True)
            if st and page.locations and page.locations[-1].status is None:
                page.locations[-1].status = st
                prev = None
            else:
                prev = s if is_org(s) and len(s) < 200 else None
            continue
        loc = Location(country=country)
        rest = pieces[:-1]
        if len(rest) >= 3:
            loc.facility, loc.city, loc.state = ", ".join(rest[:-2]), rest[-2], rest[-1]
        elif len(rest) == 2:
            loc.city, loc.state = rest
        elif len(rest) == 1:
            loc.city = rest[0]
        if loc.facility is None and prev is not None:
            loc.facility = prev
        prev = None
        page.locations.append(loc)


def read_study_details(page: PageFacts, b: Block) -> None:
    """A hospital site's unlabelled "Study details" block: conditions, id, sponsor, date."""
    for s in b.values():
        if registry_ids(s) and len(s) < 40:
            continue
        d = date_value(s)
        if d:
            page.put("current_as_of", d)
        elif is_org(s):
            page.put("sponsor", s)
        elif len(s) < 200:
            page.conditions.extend(split_list(s, allow_comma=False))
