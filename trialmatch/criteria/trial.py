"""Whole trials: ``parse_criteria(text)`` and ``trial_criteria(trial)``.

``trial_criteria`` = the criteria text's items, then trial-level criteria: age and sex from the
registry's structured fields (source ``fields``) and conservative restrictions read from the
title and conditions (source ``title``): the diagnosis must match the trial's disease, a named
primary site ("Pancreatic ...", "Extrapulmonary ..."), a hereditary syndrome ("MEN-1"), a grade
("High-grade ..."). A restriction that cannot be read with confidence is left out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from trialmatch.criteria.conditions import join_conditions
from trialmatch.criteria.model import Criterion
from trialmatch.criteria.parse import parse_item
from trialmatch.criteria.permission import with_conditions
from trialmatch.criteria.rules import Compare, Has, Is, Not, Or, Review, Rule
from trialmatch.vocab._load import data_version
from trialmatch.vocab.concepts import concepts, concepts_in, is_a
from trialmatch.vocab.patterns import pattern

if TYPE_CHECKING:
    from trialmatch.records.model import Trial

__all__ = [
    "PARSER_VERSION",
    "field_criteria",
    "parse_criteria",
    "title_criteria",
    "trial_criteria",
    "unpublished_criteria",
]


def _code_version() -> str:
    """A digest of the parser's code and vocabularies, so stored rules are re-parsed on change."""
    import hashlib
    from importlib.resources import files as package_files
    from pathlib import Path

    h = hashlib.sha1()
    here = Path(str(package_files("trialmatch.criteria")))  # not __file__: see vocab._load.DATA_DIR
    files = sorted(here.glob("*.py")) + sorted((here.parent / "vocab").rglob("*.py"))
    files += sorted((here.parent / "vocab" / "data").rglob("*.yaml"))
    for f in files:
        try:
            h.update(f.read_bytes())
        except OSError:
            continue
    return h.hexdigest()[:10]


#: Changes whenever the rules produced for the same text can change (stored rules are re-parsed).
PARSER_VERSION = f"1.0+{_code_version()}"
MAX_TEXT = 100_000
MAX_ITEMS = 400


def _split(text: str) -> Sequence[tuple[str, str, list[str], str | None]]:
    from trialmatch.criteria.split import split_rows

    return split_rows(text)


def parse_criteria(text: str) -> list[Criterion]:
    """Split criteria text into items and parse each into a categorised rule."""
    if not text or not text.strip():
        return []
    out: list[Criterion] = []
    rows = join_conditions(_join_alternatives(_split(text[:MAX_TEXT])[:MAX_ITEMS]))
    for i, ((kind, item, parts, scope), own, own_parts) in enumerate(rows):
        crit = parse_item(own, kind, own_parts, scope=scope, index=i)
        if own is not item:  # conditions of a permission joined to the item: shown with it, not read
            crit.text, crit.parts = item, parts
            if crit.status == "needs_review" and crit.rule is not None:  # (a question names them)
                crit.rule = with_conditions(crit.rule, " ".join(item.split()))
        out.append(crit)
    return out


_TRAILING_OR = pattern("trial.trailing_or")
_NOT_ENTRY = pattern("trial.not_entry")
#: The characters a _TRAILING_OR match can end with after its "or" (and white space around them).
_TRAILING_OR_TAIL = ",;:"
_OR_CASES = ("or", "OR", "Or", "oR")  # (no other character matches "o" or "r" ignoring case)
#: The last character of an item that ends with "or" (``_trailing_or``), unless white space ("" too).
_OR_LAST = "rR" + _TRAILING_OR_TAIL


def _join_alternatives(
    items: Sequence[tuple[str, str, list[str], str | None]],
) -> list[tuple[str, str, list[str], str | None]]:
    """Sub-items that end with "or" ("Extensive stage SCLC or", "Stage IV LCNEC or", "Small cell
    carcinoma of unknown primary") are alternatives of one criterion, not requirements each."""
    out: list[tuple[str, str, list[str], str | None]] = []
    joining = False
    # listing: entries are joined to out[-1]; None: not read yet, out[-1] (the opener: its text and
    # parts) may open a list (read only when an item that could be an entry follows it)
    listing: bool | None = False
    opener: str = ""
    opener_parts: list[str] = []
    for row in items:
        kind, item, parts, scope = row
        join = False
        if out and out[-1][0] == kind:
            if joining:
                join = True
            # (_entry_form, inline)
            elif listing is not False and not parts and len(item) <= 160 and ":" not in item:
                if listing is None:
                    listing = _opens_list(opener) and all(_list_entry(p, []) for p in opener_parts)
                join = bool(listing) and _entry_words(item)
        if join:
            k0, t0, p0, s0 = out[-1]
            text = f"{t0}{' ' if joining else '; '}{item}"
            out[-1] = (k0, text, p0 + parts, s0 or scope)
            if len(text) >= 3000:
                listing = False
        else:
            out.append(row)
            text = opener = item
            opener_parts = parts
            listing = None if len(item) < 3000 else False
        # (an item ending with "or" ends with "r", "R", white space or one of [,;:]: most end otherwise)
        last = item[-1:]
        joining = (last in _OR_LAST or last.isspace()) and len(text) < 2000 and _trailing_or(item)
    return out


def _trailing_or(item: str) -> bool:
    """Does ``item`` end with "or" / "and/or" (``trial.trailing_or``)?"""
    # (a match ends with "or" in some letter case, then only white space and an optional [,;:]: so
    # does the item; then the plain regex, as the Cue's bits could not rule out such an item)
    s = item.rstrip()
    if s[-1:] in _TRAILING_OR_TAIL:
        s = s[:-1].rstrip()
    return s.endswith(_OR_CASES) and _TRAILING_OR.rx.search(item) is not None


def _opens_list(item: str) -> bool:
    """ "... advanced solid tumour of one of the following types: Anal SCC" - the list of alternatives
    starts at the end of the item (its entries may follow as items of their own when the text lost
    its indentation)."""
    # (a word of every cue: a cue's words are in the lower-cased text; lower() rather than the
    # memoised folded(), which the item's readers seldom look up: a memo miss costs more)
    if _LIST_CUE_WORD not in item.lower():
        return False
    from trialmatch.criteria.lexicon import find_phrase

    m = find_phrase(_LIST_CUES, item)
    return m is not None and len(item) - m.end() < 250


_LIST_CUES = "alternative_list_cues"
_WORD = re.compile(r"[^\W_]+")  # a lexicon word token


def _common_word(key: str) -> str:
    """The longest word every phrase of list ``key`` has ("following"), or "" when there is none."""
    from trialmatch.criteria.lexicon import phrases

    words = [{w.lower() for w in _WORD.findall(str(p))} for p in phrases()[key]]
    common = set.intersection(*words) if words else set()
    return max(sorted(common), key=len, default="")


_LIST_CUE_WORD = _common_word(_LIST_CUES)


def _entry_form(item: str, parts: list[str]) -> bool:
    """The cheap half of ``_list_entry``: a short item without parts nor ":"."""
    return not parts and len(item) <= 160 and ":" not in item


def _entry_words(item: str) -> bool:
    """The other half of ``_list_entry`` (for an item of ``_entry_form``)."""
    if _trailing_or(item) or _NOT_ENTRY.match(item):
        return False
    if any(concepts()[h.concept].type in ("disease", "histology") for h in concepts_in(item)):
        return True
    return len(item.split()) <= 6


def _list_entry(item: str, parts: list[str]) -> bool:
    """A short entry naming a disease ("Small Cell Lung Carcinoma", "Mesothelioma (...)")."""
    return _entry_form(item, parts) and _entry_words(item)


def _years(v: float) -> str:
    return f"{v:g} Years"


def field_criteria(trial: Trial) -> list[Criterion]:
    """Age and sex from the registry's structured eligibility fields."""
    el = trial.eligibility
    out: list[Criterion] = []
    lo, hi = el.min_age_years, el.max_age_years
    if lo is not None or hi is not None:
        if lo is not None and hi is not None:
            text = f"Age {_years(lo)} to {_years(hi)}"
            rule: Rule = Compare("age", "between", float(lo), "a", high=float(hi))
        elif lo is not None:
            text = f"Age {_years(lo)} or older"
            rule = Compare("age", ">=", float(lo), "a")
        else:
            assert hi is not None
            text = f"Age up to {_years(hi)}"
            rule = Compare("age", "<=", float(hi), "a")
        out.append(
            Criterion(
                kind="inclusion",
                text=text,
                category="age",
                status="parsed",
                rule=rule,
                confidence=1.0,
                source="fields",
            )
        )
    if el.sex in ("FEMALE", "MALE"):
        s = el.sex.lower()
        out.append(
            Criterion(
                kind="inclusion",
                text=f"Sex: {s} participants only",
                category="sex",
                status="parsed",
                rule=Is("sex", (s,)),
                confidence=1.0,
                source="fields",
            )
        )
    return out


_SITE_WORDS = (
    (pattern("trial.site_pancreas"), "pancreas"),
    (pattern("trial.site_small_intestine"), "small intestine"),
    (pattern("trial.site_lung"), "lung"),
    (pattern("trial.site_stomach"), "stomach"),
    (pattern("trial.site_colorectum"), "colorectum"),
    (pattern("trial.site_thymus"), "thymus"),
)
_DISEASE_NEAR = pattern("trial.disease_word")
_EXTRAPULMONARY = pattern("trial.extrapulmonary")
_SITE_NOT_PRIMARY = pattern("trial.site_not_primary")
_MEN1 = pattern("trial.men1")
_HIGH_GRADE = pattern("facets.high_grade")
_NEUROENDOCRINE = pattern("trial.neuroendocrine_word")


_INVERTED = re.compile(r"^\s*([A-Za-z][A-Za-z -]{2,40}),\s*([A-Za-z][A-Za-z -]{2,60})\s*$")
_CANCER_WORD = pattern("trial.cancer_word")


def _name_variants(text: str) -> list[str]:
    """A condition name as written, its MeSH-style inversion undone ("carcinoma, renal cell" ->
    "renal cell carcinoma") and with "cancer" read as "carcinoma" ("renal cell cancer")."""
    out = [text]
    m = _INVERTED.match(text)
    if m:
        out.append(f"{m.group(2)} {m.group(1)}")
    out += [_CANCER_WORD.sub("carcinoma", v) for v in list(out) if _CANCER_WORD.search(v)]
    return out


def _cancer_hits(text: str) -> list[str]:
    """Cancer concepts named in one text; a more specific reading of a variant wins over "cancer"."""
    best: list[str] = []
    for variant in _name_variants(text):
        found = [
            h.concept
            for h in concepts_in(variant)
            if concepts()[h.concept].type in ("disease", "histology") and is_a(h.concept, "cancer")
        ]
        if found and found != ["cancer"]:
            return found
        best = best or found
    return best


def _disease_concepts(texts: list[str]) -> list[str]:
    out: list[str] = []
    for t in texts:
        for concept in _cancer_hits(t):
            if concept not in out:
                out.append(concept)
    # the trial takes any of its conditions: keep the most general ("lung cancer" covers "SCLC")
    return [c for c in out if not any(o != c and is_a(c, o) for o in out)]


def _several_sites(title: str) -> bool:
    """A title naming several primary sites, or listing diseases of which some name no site
    ("small cell lung cancer, paraganglioma, ..."): no single primary site can be read from it."""
    if sum(1 for rx, _ in _SITE_WORDS if rx.search(title)) > 1:
        return True
    parts = [p for p in re.split(r"[,;]", title) if _DISEASE_NEAR.search(p)]
    return len(parts) > 1 and any(not any(rx.search(p) for rx, _ in _SITE_WORDS) for p in parts)


def title_criteria(trial: Trial) -> list[Criterion]:
    """Restrictions the title and conditions make (source ``title``)."""
    title = trial.brief_title or trial.official_title or ""
    conds = [c for c in trial.conditions if c]
    out: list[Criterion] = []
    # the trial's disease: from conditions, else from the title
    dis = _disease_concepts(conds) if conds else []
    unknown_cond = bool(conds) and any(not _disease_concepts([c]) and _DISEASE_NEAR.search(c) for c in conds)
    src_text = "; ".join(conds)
    if not dis and title:
        dis = _disease_concepts([title])
        src_text = title
    if dis and not unknown_cond and "cancer" not in dis:
        rule: Rule = (
            Has(dis[0], kinds=("diagnosis",))
            if len(dis) == 1
            else Or(tuple(Has(d, kinds=("diagnosis",)) for d in dis))
        )
        out.append(
            Criterion(
                kind="inclusion",
                text=f"Condition studied: {src_text}",
                category="diagnosis",
                status="parsed",
                rule=rule,
                confidence=0.7,
                source="title",
            )
        )
    elif not dis and (conds or title.strip()):
        # a disease the vocabulary does not know (or no disease word at all): the trial still
        # studies it, so whether the patient has it stays a visible open question
        src_text = "; ".join(conds) or title
        out.append(
            Criterion(
                kind="inclusion",
                text=f"Condition studied: {src_text}",
                category="diagnosis",
                status="needs_review",
                rule=Review(
                    reason="the condition studied is not in the vocabulary",
                    question=f"Does the patient have: {src_text[:200]}?",
                ),
                confidence=0.3,
                source="title",
            )
        )
    if _EXTRAPULMONARY.search(title):
        out.append(
            Criterion(
                kind="inclusion",
                text=f"Title: extrapulmonary primary ({title})",
                category="primary_site",
                status="parsed",
                rule=Not(Is("cancer.primary_site", ("lung",))),
                confidence=0.8,
                source="title",
            )
        )
    elif not _several_sites(title):
        for rx, site in _SITE_WORDS:
            m = rx.search(title)
            if (
                m
                and _DISEASE_NEAR.search(title[m.end() : m.end() + 40])
                and not _SITE_NOT_PRIMARY.search(title[max(0, m.start() - 15) : m.start()])
            ):
                out.append(
                    Criterion(
                        kind="inclusion",
                        text=f"Title: {site} primary ({title})",
                        category="primary_site",
                        status="parsed",
                        rule=Is("cancer.primary_site", (site,)),
                        confidence=0.7,
                        source="title",
                    )
                )
                break
    if _MEN1.search(title):
        out.append(
            Criterion(
                kind="inclusion",
                text=f"Title: MEN-1 ({title})",
                category="biomarker",
                status="parsed",
                rule=Has("men1", kinds=("biomarker", "condition", "diagnosis")),
                confidence=0.7,
                source="title",
            )
        )
    if _HIGH_GRADE.search(title) and _NEUROENDOCRINE.search(title):
        out.append(
            Criterion(
                kind="inclusion",
                text=f"Title: high-grade neuroendocrine neoplasm ({title})",
                category="grade",
                status="parsed",
                rule=Or((Has("nen.high_grade", kinds=("diagnosis",)), Is("cancer.grade", ("G3",)))),
                confidence=0.7,
                source="title",
            )
        )
    return out


def _name_study_drugs(crits: list[Criterion], trial: Trial) -> None:
    """An exclusion "hypersensitivity to the study drug" names the trial's drugs: the drug and
    biological interventions whose names (or other names) the concepts vocabulary knows."""
    from trialmatch.criteria.clinical import any_of
    from trialmatch.criteria.findings import STUDY_DRUG_ALLERGY, drug_concepts

    todo = [
        c
        for c in crits
        if c.kind == "exclusion" and isinstance(c.rule, Review) and c.rule.reason == STUDY_DRUG_ALLERGY
    ]
    if not todo:
        return
    rule = any_of(
        [
            Has(d, kinds=("allergy",))
            for iv in trial.interventions
            if (iv.type or "DRUG").upper() in ("DRUG", "BIOLOGICAL", "COMBINATION_PRODUCT")
            for name in (iv.name, *iv.other_names)
            for d in drug_concepts(name)
        ]
    )
    if rule is None:
        return
    for c in todo:
        c.rule, c.status, c.note = rule, "parsed", "the study drugs, from the trial's interventions"


def unpublished_criteria() -> Criterion:
    """A record with no criteria text still has criteria, only not published: a patient who fits
    its ages, sex and condition is possibly eligible (the study team decides), never "eligible"."""
    return Criterion(
        kind="inclusion",
        text="The registry record publishes no eligibility criteria",
        category="other",
        status="needs_review",
        rule=Review(
            "criteria not published",
            "The record gives no eligibility criteria: ask the study team whether the patient qualifies.",
        ),
        confidence=1.0,
        source="fields",
        note="no criteria text",
    )


def trial_criteria(trial: Trial) -> list[Criterion]:
    """Every criterion of a trial: its text's items, then field and title criteria."""
    out = parse_criteria(trial.eligibility.criteria_text or "")
    _name_study_drugs(out, trial)
    extra = field_criteria(trial) + title_criteria(trial)
    if not out:
        extra.append(unpublished_criteria())
    for c in extra:
        c.index = len(out)
        out.append(c)
    return out


_ = data_version
