"""Golden tests: each seed page in ../shared/seeds yields what ../shared/spec/seed_records.yaml says."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from trialmatch.criteria.split import split_criteria
from trialmatch.importers.text_page import parse_text_page
from trialmatch.records.model import Trial


def _norm(s: object) -> str:
    return re.sub(r"\s+", " ", str(s or "")).strip().casefold().rstrip(" .;:")


@pytest.fixture(scope="module")
def spec(shared: Path) -> dict[str, Any]:
    data = yaml.safe_load((shared / "spec" / "seed_records.yaml").read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=str))


@pytest.fixture(scope="module")
def trials(shared: Path, spec: dict[str, Any]) -> dict[str, Trial]:
    out = {}
    for name in spec:
        path = shared / "seeds" / name
        out[name] = parse_text_page(path.read_text(encoding="utf-8"), source=str(path))
    return out


SEEDS = [
    "000_d127006f2dea0e11.txt",
    "001_d012576d1aea8c04.txt",
    "002_b1bd8bb771afc7b0.txt",
    "003_bd75ca85215470ad.txt",
    "004_53887417c8779f77.txt",
]


@pytest.mark.parametrize("name", SEEDS)
def test_seed_fields(name: str, spec: dict[str, Any], trials: dict[str, Trial]) -> None:
    exp, t = spec[name], trials[name]
    el = t.eligibility
    got: dict[str, Any] = {
        "registry_id": t.registry_id,
        "status": t.overall_status,
        "phase": (t.phases[0] if len(t.phases) == 1 else t.phases) or None,
        "study_type": t.study_type,
        "enrollment": t.enrollment,
        "start_date": t.start_date,
        "completion_date": t.completion_date,
        "last_updated": t.last_update_posted,
        "org_study_id": t.org_study_id,
        "sex": el.sex,
        "min_age_years": el.min_age_years,
        "max_age_years": el.max_age_years,
        "healthy_volunteers": el.healthy_volunteers,
        "first_posted_or_launched": t.first_posted,
        "record_current_as_of": t.current_as_of,
    }
    for key, have in got.items():
        if key in exp:
            assert have == exp[key], f"{name} {key}: want {exp[key]!r} got {have!r}"
    for key, have in (("title", t.title), ("sponsor", t.lead_sponsor)):
        if key in exp:
            if exp[key] is None:
                assert have is None, f"{name}: {key} should be absent, got {have!r}"
            else:
                assert _norm(have) == _norm(exp[key]), f"{name} {key}: {have!r}"
    if "plain_summary_present" in exp:
        assert bool(t.plain_summary) == exp["plain_summary_present"]
    if "conditions" in exp:
        for c in exp["conditions"]:
            assert any(_norm(c) == _norm(g) for g in t.conditions), t.conditions
    for c in exp.get("conditions_contains", []):
        assert any(c.lower() in g.lower() for g in t.conditions), t.conditions
    for want in exp.get("interventions", []):
        match = [i for i in t.interventions if _norm(want["name"]) in _norm(i.name)]
        assert match, [i.name for i in t.interventions]
        if "type" in want:
            assert match[0].type == want["type"]
    for want in exp.get("arms", []):
        match = [a for a in t.arms if _norm(a.label) == _norm(want["label"])]
        assert match and match[0].type == want.get("type"), t.arms
    if "design" in exp:
        assert t.design is not None
        for k, v in exp["design"].items():
            assert getattr(t.design, k) == v, k
    for want in exp.get("locations", []):
        assert any(
            (loc.city, loc.state, loc.country) == (want["city"], want["state"], want["country"])
            for loc in t.locations
        ), t.locations
    if "countries" in exp:
        assert t.countries == exp["countries"]
    if "investigators" in exp:
        assert [i.name for i in t.investigators] == exp["investigators"]
    blob = t.model_dump_json()
    for junk in exp.get("template_junk_absent", []):
        assert junk not in blob


@pytest.mark.parametrize("name", SEEDS)
def test_seed_criteria_split(name: str, spec: dict[str, Any], trials: dict[str, Trial]) -> None:
    exp, t = spec[name], trials[name]
    items = split_criteria(t.eligibility.criteria_text or "")
    for kind in ("inclusion", "exclusion"):
        mine = [i for i in items if i.kind == kind]
        assert len(mine) == exp[f"{kind}_count"], [i.text[:60] for i in mine]
        for quote in exp.get(f"{kind}_contains", []):
            assert any(quote.lower() in i.text.lower() for i in mine), quote


def test_seed_000_organ_function_is_one_item(trials: dict[str, Trial]) -> None:
    items = split_criteria(trials["000_d127006f2dea0e11.txt"].eligibility.criteria_text or "")
    item8 = items[7]
    assert item8.kind == "inclusion" and item8.text.startswith("Function of vital organs")
    assert len(item8.parts) == 5 and item8.parts[0].startswith("Absolute neutrophil count")
    assert "Serum creatinine" in item8.parts[4]


def test_seed_002_within_six_months_list_is_one_item(trials: dict[str, Trial]) -> None:
    items = split_criteria(trials["002_b1bd8bb771afc7b0.txt"].eligibility.criteria_text or "")
    within = [i for i in items if i.text.startswith("Within 6 months")]
    assert len(within) == 1
    assert "Coronary artery bypass grafting" in within[0].text
    assert within[0].kind == "exclusion"


def test_criteria_text_is_normalised_and_verbatim(shared: Path, trials: dict[str, Trial]) -> None:
    text = trials["003_bd75ca85215470ad.txt"].eligibility.criteria_text or ""
    assert text.startswith("Inclusion Criteria:\n- Age ≥18 years\n")
    assert "\nExclusion Criteria:\n- Pregnancy or lactation\n" in text
    raw = " ".join((shared / "seeds" / "003_bd75ca85215470ad.txt").read_text(encoding="utf-8").split())
    for line in text.splitlines():
        body = line.strip().lstrip("- ").strip()
        if body and not body.endswith("Criteria:"):
            assert body in raw, body


def test_local_id_is_stable(shared: Path, trials: dict[str, Trial]) -> None:
    t = trials["003_bd75ca85215470ad.txt"]
    assert t.id.startswith("LOCAL-") and len(t.id) == len("LOCAL-") + 12
    again = parse_text_page((shared / "seeds" / "003_bd75ca85215470ad.txt").read_text(encoding="utf-8"))
    assert again.id == t.id and again.registry_id is None
    assert t.provenance is not None and t.provenance.source_format == "text-page"


def test_source_url_gives_registry_id(shared: Path) -> None:
    text = (shared / "seeds" / "003_bd75ca85215470ad.txt").read_text(encoding="utf-8")
    t = parse_text_page(text, source_url="https://clinicaltrials.gov/study/NCT01234567?tab=details")
    assert t.id == "NCT01234567" and t.registry_id == "NCT01234567"
    assert t.provenance is not None and t.provenance.source_url.endswith("tab=details")


def test_export_carries_seed_fields(trials: dict[str, Trial]) -> None:
    export = pytest.importorskip("trialmatch.records.export")
    study = export.to_ctgov_json(trials["001_d012576d1aea8c04.txt"])
    p = study.get("protocolSection", study)
    assert p["identificationModule"]["nctId"] == "NCT07279532"
    assert p["statusModule"]["overallStatus"] == "NOT_YET_RECRUITING"
    assert p["designModule"]["phases"] == ["PHASE2"]
    assert p["eligibilityModule"]["minimumAge"].startswith("18")
    assert p["eligibilityModule"]["eligibilityCriteria"].startswith("Inclusion Criteria:")


@pytest.mark.parametrize("name", SEEDS)
def test_criteria_text_has_no_empty_items(name: str, trials: dict[str, Trial]) -> None:
    text = trials[name].eligibility.criteria_text or ""
    for line in text.splitlines():
        body = line.strip().lstrip("-").strip()
        if line.strip():
            assert re.search(r"\w", body), f"{name}: {line!r}"
