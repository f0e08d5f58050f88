"""'Hypersensitivity to the study drug' is an allergy item, named by the trial's own drugs."""

from __future__ import annotations

from trialmatch.criteria import trial_criteria
from trialmatch.criteria.parse import parse_item
from trialmatch.criteria.rules import Has, Or, Review, render_rule
from trialmatch.records.model import Eligibility, Intervention, Trial

TEXT = "Exclusion Criteria:\n- Known hypersensitivity to the study drug or any of its excipients\n"


def test_study_drug_allergy_is_an_allergy_question() -> None:
    for t in (
        "Known hypersensitivity to the study drug or any of its excipients",
        "Allergy to investigational product",
    ):
        c = parse_item(t, "exclusion")
        assert c.category == "allergy"
        assert isinstance(c.rule, Review) and "study drug" in (c.rule.question or "")


def test_a_named_drug_stays_named() -> None:
    assert render_rule(parse_item("Hypersensitivity to sorafenib", "exclusion").rule) == "has sorafenib"


def test_trial_drugs_name_the_study_drug() -> None:
    t = Trial(
        id="X",
        eligibility=Eligibility(criteria_text=TEXT),
        interventions=[
            Intervention(type="DRUG", name="Sorafenib"),
            Intervention(type="DRUG", name="Gefitinib"),
            Intervention(type="PROCEDURE", name="Biopsy"),
        ],
    )
    c = next(c for c in trial_criteria(t) if c.kind == "exclusion")
    assert c.status == "parsed" and c.category == "allergy"
    assert isinstance(c.rule, Or) and all(isinstance(a, Has) and a.kinds == ("allergy",) for a in c.rule.args)
    # gefitinib is named in the vocabulary as an EGFR TKI (its class concept)
    assert {a.concept for a in c.rule.args if isinstance(a, Has)} == {"sorafenib", "egfr_tki"}


def test_unknown_trial_drugs_leave_the_question() -> None:
    iv = [Intervention(name="XYZ-123")]
    t = Trial(id="Y", eligibility=Eligibility(criteria_text=TEXT), interventions=iv)
    c = next(c for c in trial_criteria(t) if c.kind == "exclusion")
    assert c.status == "needs_review" and isinstance(c.rule, Review)
