"""A parsed eligibility criterion: source text, kind, category, scope, rule, status."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from trialmatch.criteria.rules import Rule, render_rule, rule_from_dict, rule_to_dict

__all__ = ["CATEGORIES", "Criterion", "Kind", "Status"]

Kind = Literal["inclusion", "exclusion"]
Status = Literal["parsed", "needs_review"]

#: The category vocabulary (issue #3).
CATEGORIES = (
    "age",
    "sex",
    "diagnosis",  # diagnosis / histology
    "grade",  # differentiation / grade / Ki-67
    "primary_site",
    "stage",  # stage and extent
    "resectability",
    "metastases",  # metastases and CNS involvement
    "measurable_disease",
    "performance_status",
    "life_expectancy",
    "prior_therapy",
    "concomitant_medication",
    "lab",
    "vital_sign",
    "organ_function",
    "comorbidity",  # comorbidity or event within a window
    "other_malignancy",
    "infection",
    "reproductive",  # pregnancy / lactation / contraception
    "allergy",
    "biomarker",
    "imaging",
    "administrative",  # consent / compliance
    "investigator_judgement",
    "trial_participation",
    "other",
)


@dataclass(slots=True)
class Criterion:
    """One eligibility item.

    ``source``: where it came from: ``text`` (the criteria text), ``fields`` (the registry's
    structured age / sex fields) or ``title`` (a restriction read from title or conditions).
    ``applies_if``: when this rule is false for the patient the criterion is not applicable
    (for example pregnancy items for a man). ``scope``: a cohort/phase section ("Phase II only").
    ``parts`` holds sub-items that belong to this item (e.g. the organ-function list).
    """

    kind: Kind
    text: str
    category: str = "other"
    status: Status = "needs_review"
    rule: Rule | None = None
    applies_if: Rule | None = None
    scope: str | None = None
    confidence: float = 0.0
    source: Literal["text", "fields", "title"] = "text"
    index: int = 0  # position among the trial's criteria
    parts: list[str] = field(default_factory=list)
    note: str | None = None  # why it needs review, or what was assumed

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "kind": self.kind,
            "text": self.text,
            "category": self.category,
            "status": self.status,
            "rule": rule_to_dict(self.rule) if self.rule is not None else None,
            "rule_text": render_rule(self.rule) if self.rule is not None else None,
            "applies_if": rule_to_dict(self.applies_if) if self.applies_if is not None else None,
            "scope": self.scope,
            "confidence": round(self.confidence, 3),
            "source": self.source,
            "parts": list(self.parts),
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Criterion:
        return cls(
            kind=d["kind"],
            text=d["text"],
            category=d.get("category", "other"),
            status=d.get("status", "needs_review"),
            rule=rule_from_dict(d["rule"]) if d.get("rule") else None,
            applies_if=rule_from_dict(d["applies_if"]) if d.get("applies_if") else None,
            scope=d.get("scope"),
            confidence=float(d.get("confidence", 0.0)),
            source=d.get("source", "text"),
            index=int(d.get("index", 0)),
            parts=list(d.get("parts") or []),
            note=d.get("note"),
        )
