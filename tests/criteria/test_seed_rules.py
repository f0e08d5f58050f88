# ruff: noqa: E501
"""Golden rules for every criterion of the five seed trials (category + rendered rule), and the
semantics the seed patients depend on (qualifiers, kinds, windows, applies_if)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.criteria.seedtext import SEED_FILES, seed_criteria_text
from trialmatch.criteria import parse_criteria
from trialmatch.criteria.model import CATEGORIES
from trialmatch.criteria.rules import Has, If, Or, render_rule, rule_from_dict, rule_to_dict

GOLDEN = {
    "NCT07077551": [
        ("inc", "administrative", "admin: consent"),
        ("inc", "age", "age between 18-75 a"),
        (
            "inc",
            "diagnosis",
            "((has nen.nec OR (has nen.net AND cancer.grade in {G3}) OR (has nen.minen AND cancer.ne_component_percent > 30 %)) AND cancer.metastatic)",
        ),
        ("inc", "prior_therapy", "prior_lines_failed >= 1"),
        ("inc", "performance_status", "ecog <= 1"),
        ("inc", "life_expectancy", "life_expectancy_months >= 3 mo"),
        ("inc", "measurable_disease", "cancer.measurable_disease"),
        (
            "inc",
            "organ_function",
            "(lab.anc >= 1.5 10*9/L AND lab.platelets >= 100 10*9/L AND lab.hemoglobin >= 8 g/dL AND lab.bilirubin <= 1.5 x ULN AND IF has liver_metastases THEN lab.alt <= 5 x ULN ELSE lab.alt <= 2.5 x ULN AND IF has liver_metastases THEN lab.ast <= 5 x ULN ELSE lab.ast <= 2.5 x ULN AND (lab.creatinine <= 1.5 x ULN OR lab.crcl > 60 mL/min))",
        ),
        ("inc", "reproductive", "admin: contraception"),
        (
            "exc",
            "metastases",
            "(has leptomeningeal_disease OR has cns_metastases (active) OR (has brain_metastases AND has corticosteroid within 28 days))",
        ),
        (
            "exc",
            "comorbidity",
            "(has surgery within 28 days [major=True] OR has open_biopsy within 28 days OR has trauma within 28 days)",
        ),
        ("exc", "allergy", "(has fluorouracil OR has irinotecan)"),
        (
            "exc",
            "comorbidity",
            "(has hypertension [uncontrolled=True] OR vital.systolic_bp >= 140 mm[Hg] OR vital.diastolic_bp >= 90 mm[Hg])",
        ),
        (
            "exc",
            "comorbidity",
            "(has heart_failure [min_nyha=2] OR has unstable_angina OR has mi within 1 years OR has arrhythmia [uncontrolled=True])",
        ),
        (
            "exc",
            "comorbidity",
            "(has bleeding within 3 months OR has bleeding_tendency within 3 months OR has gi_bleeding within 3 months OR has vasculitis within 3 months)",
        ),
        (
            "exc",
            "comorbidity",
            "(has thrombotic_event within 6 months OR has cerebrovascular_disease within 6 months OR has tia within 6 months OR has cerebral_hemorrhage within 6 months OR has stroke within 6 months OR has dvt within 6 months OR has pe within 6 months)",
        ),
        (
            "exc",
            "other_malignancy",
            "has cancer (active) [except=('cervical_cis', 'nonmelanoma_skin_cancer')]",
        ),
        ("exc", "reproductive", "(pregnant OR breastfeeding)"),
        ("exc", "investigator_judgement", "review: investigator judgement"),
    ],
    "NCT07279532": [
        ("inc", "administrative", "admin: consent"),
        ("inc", "age", "age between 18-80 a"),
        (
            "inc",
            "diagnosis",
            "(((has nen.net AND cancer.grade in {G1, G2} AND cancer.stage_group in {III}) OR (has nen.net AND cancer.grade in {G3})) AND cancer.resected)",
        ),
        ("inc", "investigator_judgement", "review: investigator judgement"),
        (
            "inc",
            "organ_function",
            "(lab.anc >= 1.5 10*9/L AND lab.platelets >= 100 10*9/L AND lab.hemoglobin >= 8 g/dL AND lab.bilirubin <= 1.5 x ULN AND IF has liver_metastases THEN lab.alt <= 5 x ULN ELSE lab.alt <= 2.5 x ULN AND IF has liver_metastases THEN lab.ast <= 5 x ULN ELSE lab.ast <= 2.5 x ULN AND (lab.creatinine <= 1.5 x ULN OR lab.crcl > 60 mL/min))",
        ),
        ("inc", "reproductive", "admin: contraception"),
        (
            "exc",
            "comorbidity",
            "(has surgery within 28 days [major=True] OR has open_biopsy within 28 days OR has trauma within 28 days)",
        ),
        ("exc", "comorbidity", "(has ild [severity=severe] OR has ild [uncontrolled=True])"),
        (
            "exc",
            "comorbidity",
            "(has hypertension [uncontrolled=True] OR vital.systolic_bp >= 140 mm[Hg] OR vital.diastolic_bp >= 90 mm[Hg])",
        ),
        (
            "exc",
            "comorbidity",
            "(has heart_failure [min_nyha=2] OR has unstable_angina OR has mi within 1 years OR has arrhythmia [uncontrolled=True])",
        ),
        (
            "exc",
            "comorbidity",
            "(has bleeding_tendency within 3 months OR has bleeding within 3 months OR has gi_bleeding within 3 months OR has vasculitis within 3 months)",
        ),
        (
            "exc",
            "comorbidity",
            "(has thrombotic_event within 6 months OR has tia within 6 months OR has cerebral_hemorrhage within 6 months OR has stroke within 6 months OR has dvt within 6 months OR has pe within 6 months)",
        ),
        (
            "exc",
            "other_malignancy",
            "has cancer (active) [except=('cervical_cis', 'nonmelanoma_skin_cancer')]",
        ),
        ("exc", "reproductive", "(pregnant OR breastfeeding)"),
        ("exc", "investigator_judgement", "review: investigator judgement"),
    ],
    "NCT06540937": [
        ("inc", "age", "age between 18-75 a"),
        ("inc", "diagnosis", "has nen.net"),
        ("inc", "biomarker", "has men1"),
        ("inc", "diagnosis", "((has nen.net AND NOT cancer.resectable) AND prior_lines_failed >= 1)"),
        ("inc", "measurable_disease", "cancer.measurable_disease"),
        ("inc", "performance_status", "ecog <= 1"),
        ("inc", "administrative", "admin: consent"),
        (
            "inc",
            "organ_function",
            "(lab.wbc > 4 10*9/L AND lab.anc >= 1.5 10*9/L AND lab.platelets >= 100 10*9/L AND lab.hemoglobin >= 10 g/dL AND lab.bilirubin < 1.5 x ULN AND lab.ast <= 1.5 x ULN AND lab.alt <= 1.5 x ULN AND lab.ldh <= 1.5 x ULN AND lab.alp <= 5 x ULN AND (lab.creatinine <= 1.5 x ULN OR lab.crcl >= 60 mL/min))",
        ),
        ("exc", "prior_therapy", "has anticancer_therapy within 4 weeks"),
        ("exc", "trial_participation", "has trial_participation within 4 weeks"),
        ("exc", "prior_therapy", "has surgery within 4 weeks [major=True]"),
        ("exc", "other_malignancy", "has cancer within 2 years"),
        ("exc", "infection", "has infection (active)"),
        (
            "exc",
            "comorbidity",
            "(has hypertension [uncontrolled=True] OR vital.systolic_bp > 150 mm[Hg] OR vital.diastolic_bp > 90 mm[Hg])",
        ),
        ("exc", "comorbidity", "has diabetes [uncontrolled=True]"),
        ("exc", "comorbidity", "(has heart_failure [min_nyha=2] OR has heart_block)"),
        (
            "exc",
            "comorbidity",
            "(has dvt within 6 months OR has pe within 6 months OR has mi within 6 months OR has arrhythmia within 6 months OR has unstable_angina within 6 months OR has pci within 6 months OR has acs within 6 months OR has cabg within 6 months)",
        ),
        ("exc", "allergy", "has leflunomide"),
        ("exc", "comorbidity", "has liver_disease"),
        ("exc", "comorbidity", "review: other conditions left to judgement"),
        ("exc", "investigator_judgement", "review: investigator judgement"),
    ],
    "STARTNET": [
        ("inc", "age", "age >= 18 a"),
        ("inc", "administrative", "admin: consent"),
        ("inc", "performance_status", "ecog <= 1"),
        (
            "inc",
            "diagnosis",
            "(has nen.net AND cancer.differentiation in {well} AND NOT cancer.resectable AND NOT has nen.pheo_para)",
        ),
        ("inc", "imaging", "cancer.krenning_score >= 3"),
        ("inc", "stage", "cancer.days_since_progression <= 730.5 d"),
        ("inc", "measurable_disease", "cancer.measurable_disease"),
        ("inc", "investigator_judgement", "review: investigator judgement"),
        ("inc", "lab", "lab.egfr > 50 mL/min/{1.73_m2}"),
        (
            "inc",
            "organ_function",
            "(lab.hemoglobin > 90 g/L AND lab.platelets > 100 10*9/L AND lab.wbc > 3 10*9/L AND lab.anc > 1.5 10*9/L AND lab.ast < 3 x ULN AND lab.alt < 3 x ULN AND lab.bilirubin < 2 x ULN AND lab.albumin > 25 g/L)",
        ),
        ("inc", "reproductive", "admin: contraception"),
        ("exc", "reproductive", "(pregnant OR breastfeeding)"),
        ("exc", "prior_therapy", "has prrt"),
        (
            "exc",
            "concomitant_medication",
            "(has chemotherapy (active) OR has immunotherapy (active) OR has prrt (active) OR has targeted_therapy (active))",
        ),
        ("exc", "allergy", "review: contraindication"),
        ("exc", "imaging", "has sstr_discordance"),
        ("exc", "investigator_judgement", "review: investigator judgement"),
        ("exc", "administrative", "admin: compliance"),
    ],
    "NCT06592989": [],
}

COUNTS = {
    "NCT07077551": (9, 10),
    "NCT07279532": (6, 9),
    "NCT06540937": (8, 13),
    "STARTNET": (11, 7),
    "NCT06592989": (0, 0),
}


@pytest.fixture(scope="module")
def seeds(shared: Path) -> dict[str, list]:
    return {t: parse_criteria(seed_criteria_text(shared, t)) for t in SEED_FILES}


@pytest.mark.parametrize("trial", list(SEED_FILES))
def test_seed_item_counts(seeds: dict[str, list], trial: str) -> None:
    crits = seeds[trial]
    inc = sum(c.kind == "inclusion" for c in crits)
    exc = sum(c.kind == "exclusion" for c in crits)
    assert (inc, exc) == COUNTS[trial]


@pytest.mark.parametrize(("trial", "i"), [(t, i) for t, items in GOLDEN.items() for i in range(len(items))])
def test_seed_rule(seeds: dict[str, list], trial: str, i: int) -> None:
    c = seeds[trial][i]
    kind, cat, rule = GOLDEN[trial][i]
    assert c.kind.startswith(kind)
    assert c.category == cat
    assert c.category in CATEGORIES
    assert render_rule(c.rule) == rule
    # the JSON form round-trips
    assert rule_from_dict(rule_to_dict(c.rule)) == c.rule


def test_seed_semantics(seeds: dict[str, list]) -> None:
    s0 = seeds["NCT07077551"]
    # conditional ALT/AST limit: If(liver metastases, <= 5 x ULN, <= 2.5 x ULN)
    organ = s0[7].rule
    ifs = [a for a in organ.args if isinstance(a, If)]
    assert len(ifs) == 2 and all(
        isinstance(x.cond, Has) and x.cond.concept == "liver_metastases" for x in ifs
    )
    assert {x.then.value for x in ifs} == {5.0} and {x.else_.value for x in ifs} == {2.5}
    assert all(x.then.ref == "uln" for x in ifs)
    # creatinine OR clearance
    assert any(
        isinstance(a, Or) and {b.var for b in a.args} == {"lab.creatinine", "lab.crcl"} for a in organ.args
    )
    # allergies are looked up among allergies
    assert all(a.kinds == ("allergy",) for a in s0[11].rule.args)
    # pregnancy applies to women; contraception is administrative
    assert render_rule(s0[17].applies_if) == "sex in {female}"
    assert s0[8].rule.op == "admin"
    # other malignancy: active, with the exceptions as an except qualifier
    om = s0[16].rule
    assert om.kinds == ("other_cancer",) and om.status == "active"
    assert set(om.qualifier("except")) == {"nonmelanoma_skin_cancer", "cervical_cis"}
    # every parsed seed item has a confidence
    assert all(c.confidence > 0 for crits in seeds.values() for c in crits)


def test_seed_units_and_windows(seeds: dict[str, list]) -> None:
    s3 = seeds["STARTNET"]
    labs = {a.var: a for a in s3[9].rule.args}
    assert labs["lab.hemoglobin"].unit == "g/L" and labs["lab.hemoglobin"].value == 90
    assert labs["lab.platelets"].unit == "10*9/L"
    assert labs["lab.albumin"].unit == "g/L"
    assert s3[8].rule.unit == "mL/min/{1.73_m2}"
    s2 = seeds["NCT06540937"]
    w = s2[8].rule.window
    assert (w.amount, w.unit, w.relation) == (4, "week", "within")
    # "unless complete remission at least 2 years prior" -> cancer active or ended within 2 years
    w2 = s2[11].rule.window
    assert (w2.amount, w2.unit, w2.relation) == (2, "year", "within")
    # concomitant systemic therapy other than SSA: SSA subtracted from the class tree
    conc = s3[13].rule
    assert {a.concept for a in conc.args} == {"chemotherapy", "targeted_therapy", "immunotherapy", "prrt"}
    assert all(a.status == "active" for a in conc.args)
