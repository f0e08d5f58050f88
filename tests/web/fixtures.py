"""Small hand-written trials for the web tests (no dependence on the importers)."""

from __future__ import annotations

from trialmatch.records.model import (
    Arm,
    Design,
    Eligibility,
    Intervention,
    Investigator,
    Location,
    Provenance,
    Trial,
)

NALIRIFOX_CRITERIA = """Inclusion Criteria:

* Men or women aged 18-75.
* Histologically or cytologically confirmed metastatic neuroendocrine carcinoma
* ECOG PS score of 0 or 1.
* Life expectancy is at least 3 months.
* Absolute neutrophil count (ANC) >=1.5x10^9/L

Exclusion Criteria:

* Known active central nervous system (CNS) metastases.
* Pregnant or breastfeeding women.
"""


def trials() -> list[Trial]:
    nalirifox = Trial(
        id="NCT07077551",
        registry_id="NCT07077551",
        org_study_id="2025-0601",
        brief_title="NALIRIFOX as Second-Line Chemotherapy in Extrapulmonary High-grade "
        "Neuroendocrine Neoplasms",
        overall_status="RECRUITING",
        phases=["PHASE2"],
        study_type="INTERVENTIONAL",
        enrollment=30,
        enrollment_type="ESTIMATED",
        first_posted="2025-07-20",
        start_date="2025-08-01",
        start_date_type="ESTIMATED",
        primary_completion_date="2027-08-01",
        completion_date="2028-08-01",
        last_update_posted="2025-07-20",
        current_as_of="2025-07-26",
        conditions=["Neuroendocrine Carcinoma", "Neuroendocrine Tumors"],
        keywords=["NALIRIFOX", "second line"],
        brief_summary="This study tests NALIRIFOX in extrapulmonary high-grade neuroendocrine neoplasms.",
        plain_summary="A chemotherapy combination for advanced high-grade neuroendocrine tumours.",
        design=Design(
            allocation="NA", intervention_model="SINGLE_GROUP", primary_purpose="TREATMENT", masking="NONE"
        ),
        arms=[Arm(label="NALIRIFOX", type="EXPERIMENTAL", intervention_names=["NALIRIFOX"])],
        interventions=[Intervention(type="DRUG", name="NALIRIFOX", other_names=["liposomal irinotecan"])],
        eligibility=Eligibility(
            criteria_text=NALIRIFOX_CRITERIA,
            sex="ALL",
            minimum_age="18 Years",
            maximum_age="75 Years",
            min_age_years=18,
            max_age_years=75,
        ),
        lead_sponsor="Second Affiliated Hospital, Zhejiang University",
        investigators=[Investigator(name="Dr Example", role="PRINCIPAL_INVESTIGATOR")],
        locations=[
            Location(
                facility="Second Affiliated Hospital",
                city="Hangzhou",
                country="China",
                status="RECRUITING",
                lat=30.27,
                lon=120.15,
            )
        ],
        provenance=Provenance(source_format="text-page", source="seed 000"),
    )
    lutathera = Trial(
        id="NCT05000001",
        registry_id="NCT05000001",
        brief_title="Lutetium PRRT for well-differentiated tumours",
        overall_status="COMPLETED",
        phases=["PHASE3"],
        conditions=["Neuroendocrine Tumors"],
        keywords=["PRRT"],
        last_update_posted="2020-01-01",
        eligibility=Eligibility(
            criteria_text="Inclusion Criteria:\n\n* Age >= 18\n", sex="ALL", min_age_years=18
        ),
        locations=[
            Location(
                facility="MGH",
                city="Boston",
                state="Massachusetts",
                country="United States",
                lat=42.36,
                lon=-71.06,
                status="RECRUITING",
            )
        ],
    )
    evil = Trial(
        id="NCT09999999",
        brief_title="Evil <script>alert(1)</script> trial",
        overall_status="RECRUITING",
        conditions=["Neuroendocrine Tumors"],
        eligibility=Eligibility(
            criteria_text="Inclusion Criteria:\n\n* Age >= 18 <img src=x onerror=alert(2)>\n", sex="ALL"
        ),
    )
    return [nalirifox, lutathera, evil]
