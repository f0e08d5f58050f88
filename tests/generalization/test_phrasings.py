"""Phrasings met in real trials outside the seeds, each once read as a WRONG rule (see the commit log).

Every case states the rule the parser must give now; together they pin the general fixes made while
checking generalisation (unit spellings, negations, wash-outs, permissions, alternatives).
"""

from __future__ import annotations

import pytest

from trialmatch.criteria import parse_criteria
from trialmatch.criteria.parse import parse_item
from trialmatch.criteria.rules import render_rule

CASES = [
    # units and ULN multiples
    ("inclusion", "Absolute neutrophil count (ANC) >=1,500/microliter", "lab.anc >= 1500 /uL"),
    ("inclusion", "Platelets ≥ 100,000 per mm3", "lab.platelets >= 100000 /uL"),
    ("inclusion", "platelet count >/= 75,000/mm(3)", "lab.platelets >= 75000 /uL"),
    ("inclusion", "Platelets > 100,000", "lab.platelets > 100000 /uL"),
    ("inclusion", "Platelets >= 100/ nL", "lab.platelets >= 100 10*9/L"),
    ("inclusion", "Creatinine ≤ 180 micromoles/litre", "lab.creatinine <= 180 umol/L"),
    ("inclusion", "SGPT < 5 times normal", "lab.alt < 5 x ULN"),
    ("exclusion", "ALT >=3xULN", "lab.alt >= 3 x ULN"),
    (
        "exclusion",
        "Alanine aminotransferase (ALT) and aspartate aminotransferase (AST) > 2.5 X ULRR",
        "(lab.alt > 2.5 x ULN AND lab.ast > 2.5 x ULN)",
    ),
    (
        "inclusion",
        "Platelet count >= 100,000/mm^3 (obtained =< 14 days prior to registration)",
        "lab.platelets >= 100000 /uL",
    ),
    (
        "inclusion",
        "Platelet count >= 100 000/mm^3 (Platelet transfusion is not allowed within 1 week before)",
        "lab.platelets >= 100000 /uL",
    ),
    ("inclusion", "Age ≥ 18 years", "age >= 18 a"),
    (
        "inclusion",
        "AST (SGOT) and ALT (SGPT) =< 3 times institutional ULN"
        " (=< 5 times if LFT elevations due to known liver metastases)",
        "(IF has liver_metastases THEN lab.ast <= 5 x ULN ELSE lab.ast <= 3 x ULN AND "
        "IF has liver_metastases THEN lab.alt <= 5 x ULN ELSE lab.alt <= 3 x ULN)",
    ),
    # negations and wash-outs in inclusion items
    (
        "inclusion",
        "No history of brain metastases, spinal cord compression, or carcinomatous meningitis",
        None,
    ),
    ("inclusion", "Negative hepatitis B surface antigen (HBsAg) test at screening", "NOT has hbv"),
    (
        "inclusion",
        "Radiation therapy must have been completed at least one week before initiation of protocol therapy",
        "NOT has radiotherapy within 1 weeks",
    ),
    (
        "inclusion",
        "At least 3 weeks since prior major surgery.",
        "NOT has surgery within 3 weeks [major=True]",
    ),
    # what an item names is not always what it requires
    (
        "exclusion",
        "Toxicity from prior radiation therapy has not resolved to grade 1 or less",
        "has toxicity_unresolved",
    ),
    (
        "exclusion",
        "Participant had prior exposure to topotecan, irinotecan or any other topoisomerase I inhibitors.",
        "(has topotecan OR has irinotecan OR has topo1_inhibitor)",
    ),
    (
        "exclusion",
        "Administration of a vaccine containing live virus within 30 days prior to the first dose of trial"
        " treatment, during treatment with atezolizumab",
        "has vaccine_live within 30 days",
    ),
    (
        "exclusion",
        "Expected lifespan less than 18 months by investigator assessment",
        "life_expectancy_months < 18 mo",
    ),
]


@pytest.mark.parametrize(("kind", "text", "want"), CASES, ids=[c[1][:40] for c in CASES])
def test_phrasing(kind: str, text: str, want: str | None) -> None:
    rule = parse_item(text, kind).rule
    assert rule is not None
    got = render_rule(rule)
    if want is None:  # a negated presence test, whatever its parts
        assert got.startswith("NOT "), got
    else:
        assert got == want


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        (
            "inclusion",
            "HIV positive participants are eligible if on a stable dose of antiretroviral therapy",
        ),
        (
            "inclusion",
            "Participants with previously treated brain metastases are eligible if they have recovered",
        ),
        (
            "inclusion",
            "Participants must have received, be ineligible, or refused prior platinum chemotherapy",
        ),
        (
            "inclusion",
            "For patients with known serologic evidence of chronic hepatitis B virus (HBV) infection, the HBV"
            " viral load must be undetectable on suppressive therapy",
        ),
        (
            "exclusion",
            "Subjects who received corticosteroids for chronic obstructive pulmonary disease (COPD) or asthma"
            " are eligible",
        ),
    ],
)
def test_permissions_and_subgroups_never_fail_everyone_else(kind: str, text: str) -> None:
    """A patient without the condition named must never fail these items: the rule is a question, or
    an alternative that holds for such a patient."""
    got = render_rule(parse_item(text, kind).rule)  # type: ignore[arg-type]
    assert got.startswith(("review:", "admin:", "(NOT ")) or " OR review:" in got, got


def test_alternatives_written_as_separate_sub_items_are_one_criterion() -> None:
    text = (
        "Inclusion Criteria:\n\n- Patients must have histologically confirmed:\n\n"
        "  - Extensive stage small cell lung cancer (SCLC) or\n\n"
        "  - Stage IV large cell neuroendocrine non-small cell lung cancer (NSCLC) or\n\n"
        "  - Small cell carcinoma of unknown primary or extrapulmonary origin\n\n"
        "- ECOG performance status 0 or 1\n"
    )
    crits = parse_criteria(text)
    diag = [c for c in crits if c.category == "diagnosis"]
    assert len(diag) == 1, [c.text for c in crits]
    assert "nen.lcnec" in render_rule(diag[0].rule)  # type: ignore[arg-type]


def test_title_listing_several_diseases_sets_no_primary_site() -> None:
    from trialmatch.criteria.trial import _several_sites

    assert _several_sites(
        "extensive stage small cell lung carcinoma, neuroendocrine carcinoma, small cell carcinoma"
    )
    assert _several_sites("small cell lung cancer, metastatic carcinoid tumor, pancreatic islet cell tumor")
    assert not _several_sites("Surufatinib in Pancreatic Neuroendocrine Tumours")
