"""Fixtures of the search tests: a small hand-made trial set and a slice of the real corpus."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from trialmatch.records.model import Eligibility, Intervention, Location, Trial
from trialmatch.search.index import SearchIndex


def make(tid: str, **kw: object) -> Trial:
    elig = kw.pop("eligibility", None) or Eligibility(criteria_text=kw.pop("criteria", None))  # type: ignore[arg-type]
    kw.setdefault("overall_status", "RECRUITING")
    return Trial(id=tid, eligibility=elig, **kw)  # type: ignore[arg-type]


BOSTON = (42.36, -71.06)
PARIS = (48.85, 2.35)


def small_trials() -> list[Trial]:
    return [
        make(
            "NCT00000001",
            brief_title="Everolimus for pancreatic neuroendocrine tumor",
            conditions=["Pancreatic NET"],
            phases=["PHASE2"],
            study_type="INTERVENTIONAL",
            lead_sponsor="Novartis",
            interventions=[Intervention(type="DRUG", name="Everolimus")],
            last_update_posted="2025-06-01",
            eligibility=Eligibility(
                min_age_years=18,
                max_age_years=75,
                sex="ALL",
                healthy_volunteers=False,
                criteria_text="Inclusion Criteria:\n- Adults\nExclusion Criteria:\n- Pregnancy",
            ),
            locations=[
                Location(city="Boston", country="United States", status="RECRUITING", lat=42.35, lon=-71.1)
            ],
        ),
        make(
            "NCT00000002",
            brief_title="Lutetium for neuroendocrine tumor of the small intestine",
            conditions=["Neuroendocrine Tumor of the Small Intestine"],
            phases=["PHASE3"],
            study_type="INTERVENTIONAL",
            overall_status="NOT_YET_RECRUITING",
            lead_sponsor="AAA",
            interventions=[Intervention(type="DRUG", name="Lutetium Lu 177 dotatate")],
            last_update_posted="2024-01-10",
            eligibility=Eligibility(min_age_years=18, sex="FEMALE"),
            locations=[Location(city="Paris", country="France", lat=48.86, lon=2.35)],
        ),
        make(
            "NCT00000003",
            brief_title="Pembrolizumab in non-small cell lung cancer",
            conditions=["NSCLC", "Non-Small Cell Lung Cancer"],
            phases=["PHASE2"],
            study_type="INTERVENTIONAL",
            overall_status="COMPLETED",
            interventions=[Intervention(type="DRUG", name="Pembrolizumab")],
            criteria="Inclusion Criteria:\n- NSCLC\nExclusion Criteria:\n- Neuroendocrine tumors, carcinoid",
        ),
        make(
            "NCT00000004",
            brief_title="Colon cancer chemotherapy",
            conditions=["Colon Cancer"],
            phases=["PHASE3"],
            study_type="INTERVENTIONAL",
            criteria="Inclusion Criteria:\n- Colon adenocarcinoma\n- No carcinoid tumour\n"
            "Exclusion Criteria:\n- Neuroendocrine carcinoma, small cell carcinoma, merkel cell",
            locations=[
                Location(city="Boston", country="United States", status="COMPLETED", lat=42.36, lon=-71.05),
                Location(city="Seattle", country="United States", status="RECRUITING", lat=47.6, lon=-122.3),
            ],
        ),
        make(
            "NCT00000005",
            brief_title="Carboplatin and etoposide in extensive stage small cell lung cancer",
            conditions=["Small Cell Lung Carcinoma"],
            phases=["PHASE2"],
            study_type="INTERVENTIONAL",
            lead_sponsor="National Cancer Institute (NCI)",
            collaborators=["Merck Sharp & Dohme LLC"],
            interventions=[
                Intervention(type="DRUG", name="Carboplatin"),
                Intervention(type="DRUG", name="Etoposide"),
            ],
            locations=[Location(city="Cambridge", state="Massachusetts", country="United States")],
        ),
        make(
            "NCT00000006",
            brief_title="Healthy volunteer PK study",
            conditions=["Healthy"],
            study_type="INTERVENTIONAL",
            phases=["PHASE1"],
            eligibility=Eligibility(min_age_years=18, max_age_years=45, sex="MALE", healthy_volunteers=True),
            locations=[Location(city="Seoul", country="Korea, Republic of", status="RECRUITING")],
        ),
        make(
            "NCT00000007",
            brief_title="Avelumab in Merkel cell carcinoma",
            conditions=["Merkel Cell Carcinoma"],
            study_type="INTERVENTIONAL",
            overall_status="ACTIVE_NOT_RECRUITING",
            locations=[Location(city="Boston", country="United States", lat=42.34, lon=-71.08)],
        ),
        make(
            "NCT00000008",
            brief_title="MANEC registry",
            conditions=["Mixed Adenoneuroendocrine Carcinoma"],
            study_type="OBSERVATIONAL",
        ),
        make(
            "NCT00000009",
            brief_title="Surgery for pheochromocytoma and paraganglioma",
            conditions=["Paraganglioma"],
            study_type="INTERVENTIONAL",
        ),
        make(
            "NCT00000010",
            brief_title="GEP-NET registry",
            conditions=["Gastroenteropancreatic Neuroendocrine Tumor"],
            study_type="OBSERVATIONAL",
            overall_status="RECRUITING",
            locations=[
                Location(
                    city="Boston", country="United States", status="NOT_YET_RECRUITING", lat=42.36, lon=-71.06
                )
            ],
        ),
    ]


@pytest.fixture(scope="session")
def small_index() -> SearchIndex:
    return SearchIndex.from_trials(small_trials())


def nen_roles(shared: Path) -> dict[str, str]:
    with (shared / "data/trials/NEN_INDEX.tsv").open(encoding="utf-8") as fh:
        return {r["nct_id"]: r["nen_role"] for r in csv.DictReader(fh, delimiter="\t")}


@pytest.fixture(scope="session")
def corpus_index(shared: Path) -> SearchIndex:
    """The trial_info trials (990) plus every HINT trial that NEN_INDEX lists and 800 others."""
    from trialmatch.search.corpus import load_corpus

    roles = nen_roles(shared)
    picked = []
    others = 0
    for t in load_corpus(shared / "data/trials"):
        if t.id in roles or others < 1800:
            picked.append(t)
            others += t.id not in roles
    return SearchIndex.from_trials(picked)
