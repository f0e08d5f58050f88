"""Copied pages from other site layouts (fixture pages written for these tests in ./pages)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.timing import cpu_budget
from trialmatch.criteria.split import split_criteria
from trialmatch.importers.text_page import MAX_PAGE_CHARS, PageTooLarge, local_id, parse_text_page
from trialmatch.records.model import Trial

PAGES = Path(__file__).with_name("pages")


def page(name: str, **kw: str) -> Trial:
    return parse_text_page((PAGES / name).read_text(encoding="utf-8"), source=name, **kw)


def counts(t: Trial) -> tuple[int, int]:
    items = split_criteria(t.eligibility.criteria_text or "")
    return sum(i.kind == "inclusion" for i in items), sum(i.kind == "exclusion" for i in items)


def test_ctgov_site_page() -> None:
    t = page("ctgov_site.txt")
    assert t.id == "NCT04711135"
    assert t.brief_title == "Lutetium Lu 177 Dotatate in Children With Somatostatin Receptor Positive Tumours"
    assert t.official_title is not None and t.official_title.startswith("An Open-label")
    assert t.lead_sponsor == "Novartis Pharmaceuticals" and t.collaborators == []
    assert t.org_study_id == "CAAA601A22101"
    assert [(s.id, s.type) for s in t.secondary_ids] == [("2020-002379-13", "EUDRACT_NUMBER")]
    assert (t.start_date, t.primary_completion_date, t.completion_date) == (
        "2021-06-01",
        "2026-12-31",
        "2027-12-31",
    )
    assert t.last_update_posted == "2024-05-09"
    assert (t.enrollment, t.study_type, t.phases) == (11, "INTERVENTIONAL", ["PHASE2"])
    assert t.conditions == [
        "Gastroenteropancreatic Neuroendocrine Tumors",
        "Pheochromocytoma",
        "Paraganglioma",
    ]
    assert [(i.type, i.name) for i in t.interventions] == [("DRUG", "Lutetium [177Lu] oxodotreotide")]
    el = t.eligibility
    assert (el.sex, el.min_age_years, el.max_age_years, el.healthy_volunteers) == ("ALL", 12, 17, False)
    assert counts(t) == (3, 2)
    assert "Researchers look for" not in (el.criteria_text or "")
    assert [(loc.facility, loc.city, loc.country) for loc in t.locations] == [
        ("Novartis Investigative Site", "Milano", "Italy")
    ]


def test_eu_ctr_page() -> None:
    t = page("euctr.txt")
    assert t.id == "2023-503456-12-00" and t.registry_id == "2023-503456-12-00"
    assert t.acronym == "PRRT-PANC" and t.title is not None and t.title.startswith("A randomised phase III")
    assert (t.overall_status, t.phases) == ("RECRUITING", ["PHASE3"])
    assert (t.start_date, t.completion_date) == ("2024-01-15", "2028-06-30")
    assert t.eligibility.sex == "ALL" and t.eligibility.min_age_years == 18
    assert t.eligibility.max_age_years is None  # "65+ years": no upper limit
    assert t.countries == ["France", "Germany", "Italy"]
    assert t.lead_sponsor == "Advanced Accelerator Applications"
    assert counts(t) == (3, 2)


def test_anzctr_page() -> None:
    t = page("anzctr.txt")
    assert t.id == "ACTRN12621000123456"
    assert t.brief_title is not None and t.brief_title.startswith("PRRT with lutetium-177")
    assert t.official_title is not None and t.official_title.startswith("A phase II trial")
    assert (t.first_posted, t.overall_status, t.enrollment, t.phases) == (
        "2021-02-05",
        "RECRUITING",
        40,
        ["PHASE2"],
    )
    el = t.eligibility
    assert (el.sex, el.min_age_years, el.max_age_years, el.healthy_volunteers) == ("ALL", 18, None, False)
    assert t.conditions == ["Neuroendocrine tumours"]
    assert counts(t) == (2, 2)  # inclusion and exclusion blocks are apart, with fields between
    assert t.countries == ["Australia"]


def test_chictr_page() -> None:
    t = page("chictr.txt")
    assert t.id == "ChiCTR2100045678"
    assert t.title == "Surufatinib in advanced neuroendocrine tumours: a phase II study"
    assert (t.phases, t.study_type, t.overall_status, t.enrollment) == (
        ["PHASE2"],
        "INTERVENTIONAL",
        "RECRUITING",
        60,
    )
    el = t.eligibility
    assert (el.sex, el.min_age_years, el.max_age_years) == ("ALL", 18, 75)
    assert counts(t) == (3, 2)  # "1. ...; 2. ...; 3. ..." on one line
    assert "Gender" not in (el.criteria_text or "")
    assert t.lead_sponsor == "Fudan University Shanghai Cancer Center"


def test_hospital_page_leaves_chrome_out() -> None:
    t = page("hospital.txt")
    assert t.id == "NCT04400474" and t.org_study_id == "21-004567"
    assert t.title == "Cabozantinib for Advanced Neuroendocrine Tumours After Prior Therapy"
    assert t.overall_status == "RECRUITING"
    assert counts(t) == (2, 1)
    blob = t.model_dump_json()
    for junk in (
        "{{",
        "First name",
        "FAQ",
        "What is a clinical trial",
        "Eligibility last updated",
        "appointment",
    ):
        assert junk not in blob
    assert [(loc.city, loc.state) for loc in t.locations] == [
        ("Rochester", "Minnesota"),
        ("Jacksonville", "Florida"),
    ]


def test_aggregator_table_page() -> None:
    t = page("aggregator.txt")
    assert t.id == "NCT05477576"
    assert t.title == "A Study of Everolimus Plus Lanreotide in Lung Carcinoids"
    assert (t.overall_status, t.phases) == ("RECRUITING", ["PHASE2"])  # not the phases in the explanation
    assert (t.enrollment, t.enrollment_type) == (100, "ESTIMATED")
    assert (t.start_date, t.completion_date) == ("2023-03", "2027-12")
    assert t.conditions == ["Lung Carcinoid", "Typical Carcinoid"]
    assert t.eligibility.healthy_volunteers is False and t.eligibility.max_age_years is None
    assert t.eligibility.criteria_text is None


def test_registry_id_from_url_when_page_has_none() -> None:
    text = "Overview\n\nA trial of something in NET\n\nStatus:\nRecruiting\n"
    assert parse_text_page(text).id.startswith("LOCAL-")
    t = parse_text_page(
        text, source_url="https://www.anzctr.org.au/Trial/Registration/TrialReview.aspx?ACTRN=12621000123456"
    )
    assert t.id == "ACTRN12621000123456"
    t = parse_text_page(text, source_url="https://www.isrctn.com/ISRCTN12345678")
    assert t.id == "ISRCTN12345678"


def test_local_id_ignores_case_and_punctuation() -> None:
    assert local_id("Systemic Targeted RadioTherapy.") == local_id("systemic  targeted radiotherapy")
    assert local_id("a") != local_id("b")


def test_no_title_is_invented() -> None:
    t = parse_text_page("Overall Status | Recruiting |\nTrial ID | NCT01234567 |\nGender | All |\n")
    assert t.title is None and t.id == "NCT01234567" and t.eligibility.sex == "ALL"


def test_size_cap() -> None:
    with pytest.raises(PageTooLarge):
        parse_text_page("x" * (MAX_PAGE_CHARS + 1))


def test_hostile_pages_are_fast() -> None:
    for text in (
        "Status:\n" * 20_000,
        "| " * 100_000,
        "Inclusion Criteria:\n- a\n" * 8_000,
        "{{X}}\n" * 20_000,
    ):
        with cpu_budget(10, text):
            parse_text_page(text)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=2000))
def test_random_text_never_crashes(text: str) -> None:
    t = parse_text_page(text)
    assert t.id and t.provenance is not None and t.provenance.source_format == "text-page"


def test_ctgov_tabular_view_with_tabs() -> None:
    text = (
        "Brief Title ICMJE\tA Study of X in NET\nNCT Number\tNCT01234567\n"
        "Recruitment Status ICMJE\tRecruiting\nSexes Eligible for Study:\tAll\n"
        "Ages ICMJE\t18 Years and older   (Adult, Older Adult)\n"
        "Eligibility Criteria ICMJE\tInclusion Criteria:\n\n\t- Age >= 18\n\t- NET G1\n\n"
        "Exclusion Criteria:\n\n\t- Pregnancy\nEstimated Enrollment ICMJE\t40\n"
    )
    t = parse_text_page(text)
    assert (t.id, t.title, t.overall_status, t.enrollment) == (
        "NCT01234567",
        "A Study of X in NET",
        "RECRUITING",
        40,
    )
    assert (t.eligibility.sex, t.eligibility.min_age_years, t.eligibility.max_age_years) == ("ALL", 18, None)
    assert counts(t) == (2, 1)


# Variants of the five seed layouts (same sites, other trials).


def test_clinconnect_variant() -> None:
    t = page("clinconnect_variant.txt")
    assert (t.id, t.overall_status, t.first_posted, t.current_as_of) == (
        "NCT05012345",
        "ACTIVE_NOT_RECRUITING",
        "2024-03-03",
        "2026-01-05",
    )
    assert t.lead_sponsor == "Novartis Pharmaceuticals"
    assert t.keywords == ["Lung Carcinoid", "Everolimus", "Somatostatin Analogue"]
    assert (t.eligibility.sex, t.eligibility.min_age_years, t.eligibility.max_age_years) == (
        "FEMALE",
        40,
        None,
    )
    assert [(loc.city, loc.country) for loc in t.locations] == [
        ("Boston", "United States"),
        ("Milano", "Italy"),
    ]
    assert t.plain_summary and counts(t) == (2, 1)


def test_ctgov_like_variant_arms_sponsors_ids() -> None:
    t = page("ctgov_like_variant.txt")
    assert [(a.label, a.type, a.intervention_names) for a in t.arms] == [
        ("Lanreotide arm", "EXPERIMENTAL", ["lanreotide"]),
        ("Placebo arm", "PLACEBO_COMPARATOR", ["placebo"]),
    ]
    assert [(i.type, i.name) for i in t.interventions] == [("DRUG", "lanreotide"), ("OTHER", "placebo")]
    assert (t.lead_sponsor, t.lead_sponsor_class) == ("Ipsen", "INDUSTRY")
    assert t.collaborators == ["Gustave Roussy, Cancer Campus, Grand Paris"]
    assert t.org_study_id == "IPS-2025-01" and [s.id for s in t.secondary_ids] == ["2024-512345-11-00"]
    assert t.design is not None and (t.design.allocation, t.design.masking) == ("RANDOMIZED", "QUADRUPLE")
    assert t.conditions == ["Small Intestinal Neuroendocrine Tumor", "Carcinoid Tumor"]
    assert t.detailed_description == "Patients are randomised 2:1."
    assert "NCT01234567" not in t.model_dump_json()  # the related-trials list is chrome
    assert counts(t) == (2, 1)


def test_hospital_variant() -> None:
    t = page("hospital_variant.txt")
    assert (t.id, t.overall_status, t.phases) == ("NCT06999999", "NOT_YET_RECRUITING", ["PHASE1", "PHASE2"])
    assert (t.eligibility.sex, t.eligibility.min_age_years, t.eligibility.max_age_years) == (
        "FEMALE",
        18,
        None,
    )
    assert t.conditions == ["Pancreatic Neuroendocrine Tumor", "Neuroendocrine Tumors"]
    assert t.lead_sponsor == "Peking Union Medical College Hospital" and t.current_as_of == "2026-01-03"
    assert [i.name for i in t.interventions] == ["capecitabine", "temozolomide"]
    assert counts(t) == (2, 1)
    assert "{{" not in t.model_dump_json() and "private note" not in t.model_dump_json()


def test_overview_variant() -> None:
    t = page("overview_variant.txt")
    assert t.id.startswith("LOCAL-") and t.title == "Personalised Dosimetry-Based PRRT in Midgut NETs"
    assert (t.start_date, t.completion_date, t.enrollment) == ("2024-03-01", "2028-12-31", 60)
    assert t.collaborators == ["Swedish Cancer Society"] and t.conditions == ["Neuroendocrine Tumors"]
    el = t.eligibility
    assert (el.sex, el.min_age_years, el.max_age_years, el.healthy_volunteers) == ("MALE", 18, 80, False)
    items = split_criteria(el.criteria_text or "")
    assert items[1].text == "Midgut NET with SSTR expression on PET" and counts(t) == (2, 1)


def test_aggregator_variant() -> None:
    t = page("aggregator_variant.txt")
    assert t.title is None and t.brief_summary is not None
    assert (t.id, t.overall_status, t.phases, t.study_type) == (
        "NCT06888888",
        "NOT_YET_RECRUITING",
        ["PHASE1"],
        "INTERVENTIONAL",
    )
    assert [i.name for i in t.investigators] == ["Wei Zhang"]
    assert t.countries == ["China", "Japan"] and t.eligibility.healthy_volunteers is True


PAGE_LINES = st.sampled_from(
    [
        "Recruitment Status",
        "RECRUITING",
        "Status:",
        "Not yet recruiting",
        "Overall Status | Recruiting |",
        "Clinical Phase",
        "PHASE2",
        "Phase:",
        "Phase 3",
        "Eligible Ages | 18 Years - 80 Years |",
        "18-75 years",
        "Gender",
        "ALL",
        "Participant gender:",
        "All",
        "Lead Sponsor:",
        "Some University Hospital",
        "Explanation text for the field above that is long enough to look like one. |",
        "No |",
        "|",
        "Inclusion Criteria:",
        "- Age >= 18",
        "1. ECOG 0-1",
        "Exclusion Criteria:",
        "• Pregnancy",
        "Study Groups",
        "Arm A",
        "Group Type EXPERIMENTAL",
        "drug x",
        "Intervention Type DRUG",
        "Locations",
        "Hangzhou, Zhejiang, China",
        "FAQs",
        "{{SITE_NAME}}",
        "NCT01234567",
        "",
        "Launched by X · Jul 20, 2025",
    ]
)


@settings(max_examples=80, deadline=None)
@given(st.lists(PAGE_LINES, max_size=60))
def test_structured_random_pages(lines: list[str]) -> None:
    text = "\n".join(lines)
    t = parse_text_page(text)
    again = parse_text_page(text)
    assert t.model_dump() == again.model_dump()  # deterministic, ids stable
    assert "{{" not in t.model_dump_json()
    if t.overall_status is not None:
        assert t.overall_status in ("RECRUITING", "NOT_YET_RECRUITING")
    assert all(p in ("PHASE2", "PHASE3") for p in t.phases)


def test_pdq_style_group_labels_stay_in_criteria() -> None:
    text = (
        "A Study of Something in Carcinoid Tumors\nStatus: Completed\nEligibility\n"
        "DISEASE CHARACTERISTICS:\n- Carcinoid tumour\nPATIENT CHARACTERISTICS:\nAge:\n- 18 and over\n"
        "Sex:\n- Not specified\nPerformance status:\n- ECOG 0-1\nPRIOR CONCURRENT THERAPY:\nChemotherapy:\n"
        "- No prior chemotherapy\nMinimum Eligible Age\n18 Years\n"
    )
    t = parse_text_page(text)
    items = split_criteria(t.eligibility.criteria_text or "")
    assert [i.text for i in items] == [
        "Carcinoid tumour",
        "18 and over",
        "Not specified",
        "ECOG 0-1",
        "No prior chemotherapy",
    ]
    assert (t.overall_status, t.eligibility.min_age_years) == ("COMPLETED", 18)


def test_locations_with_site_names_and_statuses() -> None:
    text = (
        "A Study of X in NET Patients Somewhere\nNCT ID: NCT01234567\nLocations\n"
        "Second Affiliated Hospital, Zhejiang University\nHangzhou, Zhejiang, China\nRECRUITING\n"
        "Mayo Clinic\nRochester, Minnesota, United States\nPeking, China\n"
    )
    locs = parse_text_page(text).locations
    assert [(x.facility, x.city, x.state, x.country, x.status) for x in locs] == [
        ("Second Affiliated Hospital, Zhejiang University", "Hangzhou", "Zhejiang", "China", "RECRUITING"),
        ("Mayo Clinic", "Rochester", "Minnesota", "United States", None),
        (None, "Peking", None, "China", None),
    ]


def test_other_trials_named_in_text_are_not_secondary_ids() -> None:
    text = (
        "A Study of Z in Carcinoid Tumours Today\nNCT ID: NCT01111111\nBrief Summary\n"
        "Patients from NCT02222222 may join. EudraCT 2020-002379-13.\n"
    )
    t = parse_text_page(text)
    assert t.id == "NCT01111111" and [s.id for s in t.secondary_ids] == ["2020-002379-13"]


def test_date_types() -> None:
    t = page("ctgov_site.txt")
    assert (t.start_date_type, t.completion_date_type) == ("ACTUAL", "ESTIMATED")
    assert page("aggregator.txt").start_date_type is None


def test_explanation_openings_only_count_at_the_top_of_a_block() -> None:
    text = (
        "A Study of Z in Carcinoid Tumours Today\nNCT ID: NCT01111111\nBrief Summary\n"
        "Review the sponsor-provided synopsis that highlights what the study is about.\n\n"
        "This trial tests Z.\n\nExplore whether Z is better than Y in NETs.\n"
    )
    t = parse_text_page(text)
    assert t.brief_summary == "This trial tests Z.\n\nExplore whether Z is better than Y in NETs."
