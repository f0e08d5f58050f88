"""A therapy a criterion names as an option, a candidacy or a plan ("amenable to palliative
radiotherapy", "candidate for docetaxel", "planned transplant") is not one the patient has had: it
never becomes a "has had X" test; what the item says besides is still read, and items that really
ask about a past or current therapy keep their reading."""

from __future__ import annotations

import pytest

from trialmatch.criteria import parse_item
from trialmatch.criteria.options import OPTION_REASON
from trialmatch.criteria.rules import Has, Not, Or, Review, Rule

PAIN = (
    "Uncontrolled tumour-related pain Note: Patients requiring pain medication must be on a stable regimen "
    "at study entry. Symptomatic lesions (e.g. bone metastases or metastases causing nerve impingement) "
    "amenable to palliative radiotherapy should be treated prior to registration to the study. Patients "
    "should be recovered from the effects of radiation prior to registration. There is no required minimum "
    "recovery period. Asymptomatic metastatic lesions whose further growth would likely cause functional "
    "deficits or intractable pain (e.g. epidural metastasis that is not presently associated with "
    "spinal cord compression) should be considered for loco-regional therapy, if appropriate, prior to "
    "registration."
)


def _walk(rule: Rule | None) -> list[Rule]:
    if rule is None:
        return []
    subs = list(getattr(rule, "args", ())) + [
        getattr(rule, k, None) for k in ("arg", "cond", "then", "else_")
    ]
    return [rule] + [x for a in subs if isinstance(a, Rule) for x in _walk(a)]


def _has(text: str, kind: str) -> set[str]:
    return {r.concept for r in _walk(parse_item(text, kind).rule) if isinstance(r, Has)}


def _asks_option(text: str, kind: str) -> bool:
    return any(
        isinstance(r, Review) and r.reason == OPTION_REASON for r in _walk(parse_item(text, kind).rule)
    )


def test_the_uncontrolled_pain_item_reads_no_radiotherapy_or_local_therapy() -> None:
    c = parse_item(PAIN, "exclusion")
    assert not _has(PAIN, "exclusion") & {"radiotherapy", "local_therapy"}
    assert c.status == "needs_review" and _asks_option(PAIN, "exclusion")


@pytest.mark.parametrize(
    ("text", "kind", "named"),
    [
        ("Candidate for treatment with docetaxel", "inclusion", "taxane"),
        ("Must be suitable for treatment with irinotecan", "inclusion", "irinotecan"),
        (
            "Patients who are candidates for allogeneic stem cell transplant at the time of enrollment",
            "exclusion",
            "organ_transplant",
        ),
        ("Planned percutaneous coronary intervention", "inclusion", "pci"),
        (
            "Prior to randomization, subject will receive antibody induction therapy "
            "(e.g., thymoglobulin, basiliximab, daclizumab, OKT3, alemtuzumab)",
            "exclusion",
            "alemtuzumab",
        ),
        (
            "Anticipated need for systemic chemotherapy during the first 8 weeks of the study",
            "exclusion",
            "chemotherapy",
        ),
        (
            "Participants for whom endocrine therapy is recommended and treatment with cytotoxic "
            "chemotherapy "
            "is not indicated at time of entry into the study",
            "inclusion",
            "chemotherapy",
        ),
        (
            "Not a candidate for treatment with an immune checkpoint inhibitor "
            "(e.g., failed or did not tolerate prior therapy)",
            "inclusion",
            "checkpoint_inhibitor",
        ),
    ],
)
def test_a_therapy_named_only_as_an_option_is_a_question(text: str, kind: str, named: str) -> None:
    assert named not in _has(text, kind)
    assert _asks_option(text, kind)
    assert parse_item(text, kind).status == "needs_review"


def test_not_amenable_keeps_the_disease_and_asks_about_the_therapy() -> None:
    text = (
        "Locally recurrent (not amenable to local therapy with curative intent) or metastatic breast cancer"
    )
    assert _has(text, "inclusion") == {"breast_cancer"}
    assert _asks_option(text, "inclusion")


def test_an_alternative_beside_the_option_is_still_read() -> None:
    text = (
        "Major surgical procedure within 4 weeks of the first dose of study treatment or an anticipated "
        "need for major surgery, chemotherapy, radiotherapy or other anti-cancer therapy during the study"
    )
    rule = parse_item(text, "exclusion").rule
    assert isinstance(rule, Or)
    assert _has(text, "exclusion") == {"surgery"} and _asks_option(text, "exclusion")
    prev = "Previous or planned chemotherapy or planned radiotherapy for the locoregional recurrence"
    assert _has(prev, "exclusion") == {"chemotherapy"} and _asks_option(prev, "exclusion")


def test_a_naive_cue_after_the_option_still_reads_not_had() -> None:
    text = "Patients must be candidates for platinum based chemotherapy and previously untreated"
    rule = parse_item(text, "inclusion").rule
    assert any(
        isinstance(r, Not) and isinstance(r.arg, Has) and r.arg.concept == "platinum" for r in _walk(rule)
    )
    assert _asks_option(text, "inclusion")


def test_the_studys_own_drug_in_a_time_anchor_is_no_question() -> None:
    text = (
        "Major surgery (excluding placement of vascular access) within 2 weeks prior to planned start "
        "of LOXO-292 (selpercatinib)"
    )
    rule = parse_item(text, "exclusion").rule
    assert isinstance(rule, Has) and rule.concept == "surgery"


@pytest.mark.parametrize(
    ("text", "kind", "concept"),
    [
        ("Prior radiotherapy within 4 weeks", "exclusion", "radiotherapy"),
        ("Patients who received prior chemotherapy", "exclusion", "chemotherapy"),
        (
            "Current or planned use of systemic therapy for extracranial primary tumor.",
            "exclusion",
            "systemic_therapy",
        ),
        (
            "Has progressed on and would no longer benefit from endocrine therapy",
            "inclusion",
            "hormone_therapy",
        ),
        (
            "Participants who are candidates for systemic therapy and who are naive to systemic treatment",
            "inclusion",
            "systemic_therapy",
        ),
        (
            "Has received live virus vaccine within 4 weeks prior to study administration or planned "
            "to receive live virus vaccine during study.",
            "exclusion",
            "vaccine_live",
        ),
        (
            "Any medical condition requiring or likely to require chronic systemic administration "
            "of corticosteroids",
            "exclusion",
            "corticosteroid",
        ),
        (
            "Patients must have previously received, not tolerated, or been judged clinically unsuitable "
            "for platinum-containing therapy.",
            "inclusion",
            "platinum",
        ),
        (
            "Patients with known symptomatic brain metastases requiring steroids",
            "exclusion",
            "corticosteroid",
        ),
    ],
)
def test_a_therapy_received_or_current_keeps_its_reading(text: str, kind: str, concept: str) -> None:
    assert concept in _has(text, kind)
    assert not _asks_option(text, kind)


def test_candidacy_for_surgery_reads_as_before() -> None:
    # "not a candidate for surgery" is the disease state (unresectable), not a therapy read
    text = "Stage III NSCLC, not a candidate for surgery"
    rule = parse_item(text, "inclusion").rule
    assert not _asks_option(text, "inclusion")
    assert "surgery" not in _has(text, "inclusion")
    assert rule is not None
