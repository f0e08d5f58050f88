"""A trial listing page copied as plain text from a website -> :class:`~trialmatch.records.model.Trial`.

``parse_text_page(text, source=None, source_url=None)`` is pure: it reads labelled fields in their
many spellings (vocabulary ``vocab/data/page_labels.yaml``), unlabelled facts near the title
("Recruiting", "18-75 years", "All", "Phase 2"), the eligibility block (split into items and
written back in a normalised form), and leaves site chrome out. A page without a registry id
(and no id in ``source_url``) gets the stable id ``LOCAL-<sha1(normalised title or text)[:12]>``.
Fields the page does not state stay empty; nothing is invented (a page without a title has none).
"""

from __future__ import annotations

import hashlib
import re

from trialmatch.criteria.split import render_criteria, split_criteria
from trialmatch.importers import normalize as N
from trialmatch.importers.page_layout import Block, clean_page, cut_blocks, explanations, inner_label
from trialmatch.importers.page_sections import (
    MAX_FIELD,
    PageFacts,
    read_arms,
    read_interventions,
    read_locations,
    read_other_ids,
    read_sponsors,
    read_study_details,
    split_list,
    typed_interventions,
)
from trialmatch.importers.page_vocab import (
    age_range,
    country_name,
    date_value,
    enrollment_value,
    investigator_names,
    norm_label,
    page_vocab,
    phase_values,
    registry_ids,
    sex_word,
    status_word,
    title_drugs,
    yes_no,
)
from trialmatch.records.model import (
    Design,
    Eligibility,
    Intervention,
    Investigator,
    Location,
    Provenance,
    SecondaryId,
    Trial,
)

__all__ = ["MAX_PAGE_CHARS", "PageTooLarge", "local_id", "parse_text_page"]

#: Longest page accepted (characters).
MAX_PAGE_CHARS = 2_000_000


class PageTooLarge(ValueError):
    """The page text is over :data:`MAX_PAGE_CHARS`."""


def local_id(title_or_text: str) -> str:
    """Stable id for a page without a registry id: ``LOCAL-`` + sha1 of the normalised text."""
    norm = " ".join(re.findall(r"\w+", title_or_text.lower()))
    return "LOCAL-" + hashlib.sha1(norm.encode("utf-8")).hexdigest()[:12]


def _first(b: Block) -> str | None:
    if b.inline is not None and b.inline.strip():
        return b.inline.strip()
    vals = b.values()
    return vals[0] if vals else None


def _text(b: Block) -> str | None:
    """The block's prose: paragraphs joined, explanations and inner labels left out."""
    paras: list[str] = []
    cur: list[str] = []
    body = [ln.strip() for ln in b.lines]
    expl = explanations(body)
    if b.inline:
        cur.append(b.inline.strip())
    for i, s in enumerate(body):
        if not s:
            if cur:
                paras.append(" ".join(cur))
                cur = []
            continue
        if expl[i] or inner_label(s) is not None:
            continue
        cur.append(s.rstrip("|").strip() if s.endswith("|") else s)
    if cur:
        paras.append(" ".join(cur))
    out = "\n\n".join(p for p in paras if p)[:MAX_FIELD].strip()
    return out or None


def _is_title(s: str) -> bool:
    if not 10 <= len(s) <= 300 or "|" in s or s.endswith(":"):
        return False
    if len(s.split()) > 50 or not re.search(r"[A-Za-z]{3}", s):
        return False
    if re.search(r"[a-z)]\.\s+[A-Z]", s) or (s.endswith(".") and len(s.split()) > 20):
        return False  # prose (several sentences, or one long one), not a title
    if status_word(s, standalone=True) or sex_word(s) or date_value(s) or phase_values(s) == [s]:
        return False
    return not re.fullmatch(r"[A-Z]{2,8}[-\d/]+", s)


_AGE_LINE = re.compile(
    r"\d{1,3}\s*(?:-|–|to)\s*\d{1,3}\s*(?:years?|yrs?)(?: old)?|\d{1,3}\+?\s*years?(?: and (?:older|over))?",
    re.IGNORECASE,
)


def _free_facts(page: PageFacts, lines: list[str]) -> None:
    """Unlabelled facts on lines of their own: status, age range, sex, phase (the first 300 lines)."""
    for s in lines[:300]:
        s = s.strip().rstrip("|").strip()
        if not s or len(s) > 60:
            continue
        st = status_word(s, standalone=True)
        if st:
            page.put("status", st)
            continue
        if _AGE_LINE.fullmatch(s):
            lo, hi = age_range(s)
            page.put("min_age", lo)
            page.put("max_age", hi)
            continue
        sx = sex_word(s) if len(s.split()) <= 4 else None
        if sx:
            page.put("sex", sx)
            continue
        if re.match(r"^(?:early\s+)?phase\b", s, re.I):
            page.put("phases", phase_values(s))


def _criteria_text(lines: list[str]) -> str | None:
    body = [raw for raw, expl in zip(lines, explanations(lines), strict=True) if not expl]
    items = split_criteria("\n".join(body))
    return render_criteria(items) if items else None


def _criteria_ages(criteria_text: str) -> tuple[str | None, str | None]:
    for it in split_criteria(criteria_text):
        if it.kind != "inclusion":
            continue
        m = re.search(r"\b(?:age[ds]?|years? old|years? of age)\b", it.text, re.I)
        if not m:
            continue
        window = it.text[max(0, m.start() - 30) : m.end() + 40]
        lo, hi = age_range(window)
        if lo or hi:
            return lo, hi
    return None, None


def _handle(page: PageFacts, b: Block) -> None:
    fld = b.field
    val = _first(b)
    if fld == "registry_id" and val:
        ids = registry_ids(val)
        page.put("registry_id", ids[0][0] if ids else None)
    elif fld == "org_study_id":
        page.put("org_study_id", val)
    elif fld in ("brief_title", "official_title", "acronym", "english_title"):
        page.put(fld, val)
    elif fld == "status":
        page.put("status", status_word(val))
    elif fld == "phase":
        page.put("phases", phase_values(val))
    elif fld == "study_type" and val:
        key = N.enum_key(val)
        st = next(
            (t for t in ("INTERVENTIONAL", "OBSERVATIONAL", "EXPANDED_ACCESS") if key.startswith(t)), None
        )
        page.put("study_type", st)
    elif fld == "enrollment":
        n, typ = enrollment_value(val)
        page.put("enrollment", n)
        page.put("enrollment_type", typ)
    elif fld in ("start_date", "completion_date", "primary_completion_date", "first_posted", "last_update"):
        date = date_value(val, search=True)
        page.put(fld, date)
        if date and fld in ("start_date", "completion_date") and f"{fld}_type" not in page.f:
            said = f"{b.label} {val}".lower()
            if re.search(r"estimat|anticipat|expected|planned|target", said):
                page.put(f"{fld}_type", "ESTIMATED")
            elif "actual" in said:
                page.put(f"{fld}_type", "ACTUAL")
    elif fld == "current_as_of":
        page.put("current_as_of", date_value(val, search=True))
    elif fld in ("brief_summary", "detailed_description", "plain_summary"):
        page.put(fld, _text(b))
    elif fld == "conditions":
        for v in [b.inline] if b.inline else b.values():
            page.conditions.extend(
                split_list(v, allow_comma=b.inline is not None or b.form == "pipe" or "|" in "".join(b.lines))
            )
    elif fld == "keywords":
        for v in [b.inline] if b.inline else b.values():
            page.keywords.extend(split_list(v, allow_comma=True))
    elif fld == "treatments":
        for v in [b.inline] if b.inline else b.values():
            found = typed_interventions(v)
            if norm_label(b.label) in page_vocab().intervention_types:  # "Drug: Everolimus"
                found = [i.model_copy(update={"type": i.type or N.enum_key(b.label)}) for i in found]
            page.interventions.extend(found)
    elif fld == "interventions_section":
        read_interventions(page, b)
    elif fld == "arms_section":
        read_arms(page, b)
    elif fld == "criteria":
        page.criteria_lines.extend(b.lines)
    elif fld == "sex":
        page.put("sex", sex_word(val))
    elif fld == "age_range":
        lo, hi = age_range(val)
        page.put("min_age", lo)
        page.put("max_age", hi)
    elif fld == "min_age":
        page.put(
            "min_age", age_range(val)[0] if val and not re.fullmatch(r"(?i)n/?a|none|no limit", val) else None
        )
    elif fld == "max_age":
        if val and re.search(r"\d", val):
            m = re.search(r"\d{1,3}(?:\.\d)?\s*[A-Za-z]*", val)
            page.put("max_age", age_range(m.group(0))[0] if m else None)
    elif fld == "healthy_volunteers":
        page.put("healthy_volunteers", yes_no(val))
    elif fld == "sponsor":
        read_sponsors(page, b)
    elif fld == "sponsor_class" and val:
        page.put("sponsor_class", page_vocab().sponsor_class_words.get(val.lower(), N.enum_key(val)))
    elif fld == "collaborators":
        for v in [b.inline] if b.inline else b.values():
            page.collaborators.extend(split_list(v, allow_comma=False))
    elif fld == "investigators":
        for v in [b.inline] if b.inline else b.values():
            for nm in investigator_names(v):
                page.investigators.append(Investigator(name=nm[:200], role="PRINCIPAL_INVESTIGATOR"))
    elif fld == "investigator_affiliation" and val:
        page.put("inv_affiliation", val)
    elif fld == "countries":
        for v in [b.inline] if b.inline else b.values():
            for c in split_list(v, allow_comma=True):
                name = country_name(c)
                if name:
                    page.f.setdefault("_countries", []).append(name)
    elif fld == "locations":
        read_locations(page, [b.inline] if b.inline else b.values())
    elif fld in ("allocation", "intervention_model", "primary_purpose", "masking") and val:
        if val.lower() not in ("not reported", "not provided", "unknown", "-", "–", "not specified"):
            page.put(fld, N.enum_value(val, "design"))
    elif fld == "other_ids":
        read_other_ids(page, b)
    elif fld == "study_details":
        read_study_details(page, b)
    elif fld == "launched_by" and val:
        parts = re.split(r"\s*[·•|]\s*", val, maxsplit=1)
        page.put("launched_by", parts[0].strip())
        if len(parts) > 1:
            page.put("first_posted", date_value(parts[1], search=True))
    elif fld == "about_sponsor" and val:
        page.put("about", val)


def _affiliations(page: PageFacts) -> None:
    aff = page.f.get("inv_affiliation")
    if not aff or not page.investigators:
        return
    n = len(page.investigators)
    if len(aff) % n == 0 and aff[: len(aff) // n] * n == aff:
        aff = aff[: len(aff) // n]
    elif n > 1:
        return
    for inv in page.investigators:
        inv.affiliation = aff.strip()[:300]


def _title(blocks: list[Block]) -> str | None:
    for b in blocks[:1]:
        for s in b.values()[:12]:
            if _is_title(s):
                return s
    # "Overview" followed by a single short line, then the fields (no title in the preamble)
    if len(blocks) > 1 and blocks[1].field == "brief_summary" and blocks[1].inline is None:
        vals = [ln.strip() for ln in blocks[1].lines if ln.strip()]
        if len(vals) == 1 and _is_title(vals[0]) and len(vals[0]) <= 250:
            return vals[0]
    return None


def parse_text_page(text: str, source: str | None = None, source_url: str | None = None) -> Trial:
    """Read a copied trial page into a :class:`Trial` (see the module docstring)."""
    if not isinstance(text, str):
        raise TypeError("text page must be str")
    if len(text) > MAX_PAGE_CHARS:
        raise PageTooLarge(f"page text over {MAX_PAGE_CHARS} characters")
    kept: list[str] = []
    blocks = cut_blocks(clean_page(text), kept)
    if len(blocks) > 1 and blocks[1].field in ("study_details", "_heading") and blocks[1].inline is None:
        # a heading at the very top ("Study Details", then the title): part of the preamble
        blocks[0].lines.extend(blocks[1].lines)
        del blocks[1]
    page = PageFacts()
    title = _title(blocks)
    for b in blocks[1:]:
        if title is not None and b.field == "brief_summary" and [x for x in b.values()] == [title]:
            continue
        _handle(page, b)
    title = page.f.get("brief_title") or title
    if page.f.get("english_title") and (not title or not re.search(r"[A-Za-z]{3}", title)):
        title = page.f["english_title"]  # ChiCTR: the public title in Chinese, then in English
    # unlabelled facts: the preamble, and the lines under labels whose value stood on their line
    free = list(blocks[0].values())
    for b in blocks[1:]:
        if b.field in ("_heading", "launched_by", "current_as_of", "last_update", "registry_id") and b.inline:
            free.extend(b.values())
    _free_facts(page, [s for s in free if s != title])
    lead = [s for s in blocks[0].values() if len(s) > 150 and s != title]
    if lead and "brief_summary" not in page.f:
        page.put("brief_summary", "\n\n".join(lead)[:MAX_FIELD])
    f = page.f
    # sponsor: a lead-sponsor label, else "Launched by", written as the page's "About ..." spells it
    sponsor = f.get("sponsor") or f.get("launched_by")
    if sponsor and sponsor.isupper() and f.get("about", "").casefold() == sponsor.casefold():
        sponsor = f["about"]
    # registry id: a labelled one, else the first on the page, else in the URL
    rid = f.get("registry_id")
    found = registry_ids("\n".join(kept))
    if rid is None and found:
        rid = found[0][0]
    if rid is None and source_url:
        url_ids = registry_ids(source_url)
        m = re.search(r"ACTRN=?(\d{14})", source_url)
        rid = url_ids[0][0] if url_ids else (f"ACTRN{m.group(1)}" if m else None)
    primary_registry = next((name for i, name, _ in found if i == rid), None)
    for other, name, typ in found:
        if name == primary_registry:
            continue  # another NCT id on an NCT trial's page names another trial, not this one
        if other != rid and len(page.secondary) < 20 and not any(s.id == other for s in page.secondary):
            page.secondary.append(SecondaryId(id=other, type=typ))
    criteria_text = _criteria_text(page.criteria_lines) if page.criteria_lines else None
    min_age, max_age = f.get("min_age"), f.get("max_age")
    if criteria_text and min_age is None and max_age is None:
        min_age, max_age = _criteria_ages(criteria_text)
    interventions = page.interventions
    if not interventions and title:
        interventions = [Intervention(type="DRUG", name=d) for d in title_drugs(title)]
    for c in f.get("_countries", []):
        if not any(loc.country == c for loc in page.locations):
            page.locations.append(Location(country=c))
    _affiliations(page)
    design = None
    if any(k in f for k in ("allocation", "intervention_model", "primary_purpose", "masking")):
        design = Design(
            allocation=f.get("allocation"),
            intervention_model=f.get("intervention_model"),
            primary_purpose=f.get("primary_purpose"),
            masking=f.get("masking"),
        )
    tid = rid or local_id(title or "\n".join(kept) or text)
    digest = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()
    return Trial(
        id=tid,
        registry_id=rid,
        org_study_id=f.get("org_study_id"),
        secondary_ids=page.secondary,
        brief_title=title,
        official_title=f.get("official_title") if f.get("official_title") != title else None,
        acronym=f.get("acronym"),
        overall_status=f.get("status"),
        first_posted=f.get("first_posted"),
        start_date=f.get("start_date"),
        start_date_type=f.get("start_date_type"),
        primary_completion_date=f.get("primary_completion_date"),
        completion_date=f.get("completion_date"),
        completion_date_type=f.get("completion_date_type"),
        last_update_posted=f.get("last_update"),
        current_as_of=f.get("current_as_of"),
        phases=f.get("phases", []),
        study_type=f.get("study_type"),
        enrollment=f.get("enrollment"),
        enrollment_type=f.get("enrollment_type"),
        design=design,
        arms=page.arms,
        interventions=interventions,
        conditions=list(dict.fromkeys(page.conditions)),
        keywords=list(dict.fromkeys(page.keywords)),
        brief_summary=f.get("brief_summary"),
        detailed_description=f.get("detailed_description"),
        plain_summary=f.get("plain_summary"),
        eligibility=Eligibility(
            criteria_text=criteria_text,
            sex=f.get("sex"),
            minimum_age=min_age,
            maximum_age=max_age,
            min_age_years=N.age_years(min_age) if min_age else None,
            max_age_years=N.age_years(max_age) if max_age else None,
            healthy_volunteers=f.get("healthy_volunteers"),
        ),
        lead_sponsor=sponsor,
        lead_sponsor_class=f.get("sponsor_class"),
        collaborators=list(dict.fromkeys(page.collaborators)),
        investigators=page.investigators,
        locations=page.locations,
        provenance=Provenance(
            source_format="text-page", source=source, source_url=source_url, content_hash=digest
        ),
    )
