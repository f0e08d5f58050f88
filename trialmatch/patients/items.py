"""The patient's listed items (diagnosis, sites, metastases, conditions, treatments, ...) with the
concepts they name, and whether each list is known complete (a given list) or not (missing, or a
note's partial list). Used by :class:`trialmatch.patients.derive.PatientFacts`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trialmatch.patients import terms as T

if TYPE_CHECKING:
    from trialmatch.patients.derive import PatientFacts

__all__ = [
    "LIST_OF",
    "Item",
    "build_absent",
    "build_items",
    "concepts_of_texts",
    "implied_by_site",
    "join_text",
]


@dataclass(slots=True)
class Item:
    """One thing the patient has or had (a condition, a treatment, an allergy ...)."""

    kind: str
    name: str
    text: str
    concepts: frozenset[str]
    active: bool | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    ongoing: bool | None = None
    negative: bool = False  # a negative finding (biomarker "no pathogenic variant")
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def last_date(self) -> dt.date | None:
        return self.end or self.start


_PROGRESSION_TEXT = "progressive disease progression radiological progression"
_PROGRESSION = frozenset({"progression", "disease_progression", "progressive_disease"})

#: item kind -> the profile list it comes from
LIST_OF = {
    "condition": "conditions",
    "other_cancer": "other_cancers",
    "procedure": "procedures",
    "treatment": "treatments",
    "medication": "medications",
    "allergy": "allergies",
    "biomarker": "biomarkers",
    "imaging": "imaging",
}


def concepts_of_texts(*texts: str | None) -> frozenset[str]:
    out: frozenset[str] = frozenset()
    for t in texts:
        if t:
            out = out | T.concepts_of(t)
    return out


def implied_by_site(diagnosis: frozenset[str], sites: frozenset[str]) -> frozenset[str]:
    """Site-specific diagnoses implied by a diagnosis and its primary site (``diagnosis_by_site``
    in ``patients/data/terms.yaml``): a concept is implied when one of the patient's sites is (within)
    one of its sites and every one of its parents is the diagnosis or an ancestor of it, so
    NEC + pancreas gives pancreatic NEN and pancreatic NEC, never pancreatic NET."""
    table: dict[str, list[str]] = T.terms().get("diagnosis_by_site") or {}
    if not diagnosis or not sites or not table:
        return frozenset()
    from trialmatch.vocab.concepts import concepts

    cs = concepts()
    have = set(diagnosis)
    changed = True
    while changed:
        changed = False
        for cid, where in table.items():
            c = cs.get(cid)
            if c is None or cid in have or not any(T._is_a(s, w) for s in sites for w in where):
                continue
            if all(any(T._is_a(d, par) for d in have) for par in c.parents):
                have.add(cid)
                changed = True
    return frozenset(have - diagnosis)


def join_text(*parts: Any) -> str:
    return " ".join(str(p) for p in parts if p not in (None, "", [], ()))


def _add(self: PatientFacts, item: Item) -> None:
    self.items[item.kind].append(item)


def build_items(self: PatientFacts) -> None:
    """Fill ``facts.items`` / ``facts.known`` from the patient's lists (see module docstring)."""
    p, as_of = self.patient, self.as_of
    c = p.cancer
    site_cs = concepts_of_texts(c.primary_site, c.icd_o3_topography) if c is not None else frozenset()
    if c is not None and (c.name or c.icd_o3_morphology):
        self.known["diagnosis"] = True
        diff = c.differentiation or ""
        name = c.name or ""
        grade = self.scalars.get("cancer.grade")
        extra = [name, c.icd_o3_morphology]
        if diff:
            extra.append(f"{diff} differentiated {name}")
        if grade is not None:
            extra.append(f"{name} {grade.value}")
            if diff:
                extra.append(f"{diff} differentiated {name} {grade.value}")
        if c.functional_syndrome:
            extra.append(c.functional_syndrome)
        text = join_text(*extra)
        cs = concepts_of_texts(*extra)
        gd = T.terms().get("grade_diagnosis") or {}
        fam = gd.get("family", "")
        if grade is not None and gd.get(grade.value) and any(T.concept_matches((x,), "", fam) for x in cs):
            cs = cs | concepts_of_texts(gd[grade.value])
        cs = cs | implied_by_site(cs, site_cs)
        _add(self, Item("diagnosis", name, text, cs, active=True, start=c.diagnosis_date))
        if "cancer.differentiation" not in self.scalars:
            for concept, diff_word in (T.terms().get("differentiation_from_concept") or {}).items():
                if any(T.concept_matches((x,), "", concept) for x in cs):
                    self._set("cancer.differentiation", diff_word, f"implied by the diagnosis ({name})")
                    break
    if c is not None and (c.primary_site or c.icd_o3_topography):
        self.known["site"] = True
        text = join_text(c.primary_site, c.icd_o3_topography)
        _add(
            self,
            Item("site", c.primary_site or "", text, site_cs, True),
        )
    if c is not None:
        if c.metastasis_sites is not None or c.metastatic is False:
            self.known["metastasis"] = True
        for s in c.metastasis_sites or []:
            t = f"{s} metastases"
            _add(self, Item("metastasis", s, t, concepts_of_texts(t, f"metastases to {s}"), active=True))
    if c is not None and c.progression_dates is not None:
        self.known["progression"] = True
        for d in c.progression_dates:
            _add(
                self, Item("progression", "disease progression", _PROGRESSION_TEXT, _PROGRESSION, True, d, d)
            )
    _list_items(self, p.conditions, "condition")
    _list_items(self, p.other_cancers, "other_cancer")
    _list_items(self, p.procedures, "procedure")
    _list_items(self, p.treatments, "treatment")
    _list_items(self, p.medications, "medication")
    partial = (p.model_extra or {}).get("partial_lists") or ()
    if p.allergies is not None:
        self.known["allergy"] = "allergies" not in partial
        for a in p.allergies:
            t = f"allergy to {a}"
            _add(self, Item("allergy", a, join_text(a, "allergy"), concepts_of_texts(a, t), active=True))
    if p.biomarkers is not None:
        self.known["biomarker"] = "biomarkers" not in partial
        for b in p.biomarkers:
            neg = T.is_negative_result(b.result)
            text = join_text(b.name, b.result, b.origin)
            _add(
                self,
                Item(
                    "biomarker",
                    b.name,
                    text,
                    concepts_of_texts(b.name, text),
                    active=not neg,
                    negative=neg,
                    attrs={"origin": b.origin, "result": b.result, "value": b.value},
                ),
            )
    if p.imaging is not None:
        self.known["imaging"] = "imaging" not in partial
        kr = T.terms().get("krenning") or {}
        for im in p.imaging:
            text = join_text(im.modality, im.finding)
            cs = concepts_of_texts(im.modality, im.finding, text)
            if im.krenning_score is not None and kr.get("concept"):
                sstr = str(kr["concept"])
                if im.krenning_score >= int(kr.get("positive_min", 2)):
                    cs = cs | {sstr}
                else:
                    cs = frozenset(c for c in cs if not T.concept_matches((c,), "", sstr))
            _add(
                self,
                Item(
                    "imaging",
                    im.modality or "imaging",
                    text,
                    cs,
                    active=True,
                    start=im.date,
                    end=im.date,
                    attrs={"krenning_score": im.krenning_score},
                ),
            )
    if p.recent_trial_participation_end_date is not None:
        self.known["trial_participation"] = True
        d = p.recent_trial_participation_end_date
        _add(
            self,
            Item(
                "trial_participation",
                "clinical trial",
                "clinical trial participation",
                frozenset(),
                d >= as_of,
                d,
                d,
            ),
        )
    # the systemic-therapy summary
    if p.treatments is not None:
        prior = [t for t in p.treatments if t.start_date is None or t.start_date <= as_of]
        systemic = [t for t in prior if t.kind is None or T.is_systemic_kind(t.kind) or t.line is not None]
        lines = {t.line for t in systemic if t.line is not None}
        n = max(len(lines), len([t for t in systemic if t.line is None]) + len(lines))
        self._set(
            "prior_lines",
            n,
            "given"
            if not systemic
            else "counted: " + "; ".join(f"{t.name} ({t.outcome or 'outcome ?'})" for t in systemic),
        )
        prog = [
            t for t in systemic if (t.outcome or "").lower() in ("progression", "intolerance", "refractory")
        ]
        self._set("prior_lines_failed", len(prog), "treatments ending in progression or intolerance")


def build_absent(self: PatientFacts) -> None:
    """Things a note states the patient does not have."""
    for fact in self.patient.facts or []:
        if fact.status != "absent":
            continue
        as_written = fact.value.get("as_written") if isinstance(fact.value, dict) else None
        text = str(as_written or fact.name)
        cs = concepts_of_texts(fact.name, as_written) | (
            {fact.name} if "." in fact.name or "_" in fact.name else set()
        )
        self.absent.append(Item(fact.kind, fact.name, text, frozenset(cs), active=False, negative=True))


def _list_items(self: PatientFacts, rows: list[Any] | None, kind: str) -> None:
    if rows is None:
        return
    partial = (self.patient.model_extra or {}).get("partial_lists") or ()
    if self.patient.source_format == "note":  # a note lists what it mentions, not everything
        partial = tuple(LIST_OF.values())
    self.known[kind] = LIST_OF.get(kind) not in partial
    for r in rows:
        d = r.model_dump(exclude_none=True)
        name = str(d.get("name", ""))
        status = d.get("status")
        start = d.get("start_date") or d.get("onset_date") or d.get("date")
        end = d.get("end_date")
        ongoing = d.get("ongoing")
        if kind == "procedure":
            end = d.get("date")
        kind_word = d.get("kind")
        active: bool | None
        if kind in ("treatment", "medication"):
            if ongoing is True:
                active = True
            elif ongoing is False or (end is not None and end < self.as_of):
                active = False
            else:
                active = None if end is None and kind == "treatment" else (end is None or end >= self.as_of)
        elif kind == "procedure":
            active = False
        elif kind == "other_cancer":
            st = (status or "").lower()
            active = bool(d.get("on_treatment")) or st in (
                "active",
                "progressing",
                "progression",
                "on treatment",
            )
            if not active and not st and d.get("on_treatment") is None and end is None:
                active = None
        else:
            active = not T.is_inactive_status(status) if status else True
            if d.get("stable") is True and status:
                active = False
        text = join_text(name, kind_word, d.get("site"))
        extra_concepts: frozenset[str] = frozenset()
        if kind == "procedure" and d.get("major") is True:
            extra_concepts = concepts_of_texts(f"major {kind_word or 'surgery'}")
            text = join_text(text, "major")
        attrs = {k: v for k, v in d.items() if k not in ("name",)}
        _add(
            self,
            Item(
                kind,
                name,
                text,
                concepts_of_texts(name, kind_word, join_text(name, kind_word)) | extra_concepts,
                active=active,
                start=start,
                end=end,
                ongoing=ongoing,
                attrs=attrs,
            ),
        )
