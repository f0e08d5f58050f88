"""Each search filter, the default statuses and the recruiting-site distance rule."""

from __future__ import annotations

import pytest

from trialmatch.search.engine import search, search_ids
from trialmatch.search.geo import resolve_place, site_counts, site_effective_status
from trialmatch.search.index import SearchIndex
from trialmatch.search.query import SearchQuery, normalise_phase, normalise_status


def ids(idx: SearchIndex, **kw: object) -> set[str]:
    return set(search_ids(idx, SearchQuery(**kw)))  # type: ignore[arg-type]


def test_status_vocabulary_never_mixes_recruiting_and_not_yet() -> None:
    assert normalise_status("recruiting") == ["RECRUITING"]
    assert normalise_status("not yet recruiting") == ["NOT_YET_RECRUITING"]
    assert normalise_status("Not-Yet-Recruiting") == ["NOT_YET_RECRUITING"]
    with pytest.raises(ValueError):
        normalise_status("recruit")
    assert SearchQuery().status == ["RECRUITING", "NOT_YET_RECRUITING"]


def test_default_status_filter(small_index: SearchIndex) -> None:
    got = ids(small_index)
    assert "NCT00000003" not in got  # COMPLETED
    assert "NCT00000007" not in got  # ACTIVE_NOT_RECRUITING
    assert {"NCT00000001", "NCT00000002"} <= got


def test_explicit_status(small_index: SearchIndex) -> None:
    assert "NCT00000002" not in ids(small_index, status=["recruiting"])
    assert ids(small_index, status=["NOT_YET_RECRUITING"]) == {"NCT00000002"}
    assert ids(small_index, status=["completed"]) == {"NCT00000003"}
    assert len(ids(small_index, status=["any"])) == 10


def test_phase(small_index: SearchIndex) -> None:
    assert normalise_phase("phase 2") == normalise_phase("II") == "PHASE2"
    assert ids(small_index, phase=["3"], status=["any"]) == {"NCT00000002", "NCT00000004"}
    assert ids(small_index, phase=["1", "3"], status=["any"]) == {"NCT00000002", "NCT00000004", "NCT00000006"}


def test_study_type(small_index: SearchIndex) -> None:
    assert ids(small_index, study_type="observational", status=["any"]) == {"NCT00000008", "NCT00000010"}


def test_age_within_min_and_max(small_index: SearchIndex) -> None:
    got = ids(small_index, age=80, status=["any"])
    assert "NCT00000001" not in got and "NCT00000006" not in got  # max 75 / 45
    assert "NCT00000002" in got  # no maximum
    assert "NCT00000001" in ids(small_index, age=75, status=["any"])
    assert "NCT00000001" not in ids(small_index, age=17, status=["any"])


def test_sex(small_index: SearchIndex) -> None:
    male = ids(small_index, sex="male", status=["any"])
    female = ids(small_index, sex="FEMALE", status=["any"])
    assert "NCT00000002" not in male and "NCT00000002" in female
    assert "NCT00000006" in male and "NCT00000006" not in female
    assert "NCT00000001" in male and "NCT00000001" in female  # ALL


def test_healthy_volunteers(small_index: SearchIndex) -> None:
    assert ids(small_index, healthy_volunteers=True, status=["any"]) == {"NCT00000006"}
    assert "NCT00000006" not in ids(small_index, healthy_volunteers=False, status=["any"])


def test_country_by_name_alias_or_code(small_index: SearchIndex) -> None:
    assert ids(small_index, country="South Korea", status=["any"]) == {"NCT00000006"}
    assert ids(small_index, country="KR", status=["any"]) == {"NCT00000006"}
    assert ids(small_index, country="France", status=["any"]) == {"NCT00000002"}
    assert "NCT00000001" in ids(small_index, country="USA", status=["any"])


def test_sponsor_lead_or_collaborator(small_index: SearchIndex) -> None:
    assert ids(small_index, sponsor="novartis", status=["any"]) == {"NCT00000001"}
    assert ids(small_index, sponsor="Merck", status=["any"]) == {"NCT00000005"}


def test_updated_since(small_index: SearchIndex) -> None:
    assert ids(small_index, updated_since="2025-01-01", status=["any"]) == {"NCT00000001"}
    assert ids(small_index, updated_since="2024", status=["any"]) == {"NCT00000001", "NCT00000002"}


def test_condition_and_intervention_fields(small_index: SearchIndex) -> None:
    assert ids(small_index, condition="carcinoid", status=["any"]) >= {"NCT00000001", "NCT00000002"}
    assert "NCT00000003" not in ids(small_index, condition="carcinoid", status=["any"])
    assert ids(small_index, intervention="everolimus", status=["any"]) == {"NCT00000001"}
    assert ids(small_index, q="neuroendocrine", intervention="lutetium", status=["any"]) == {"NCT00000002"}


def test_places_resolve_offline() -> None:
    boston = resolve_place("Boston")
    assert boston is not None and boston.country == "US"
    uk = resolve_place("Boston, United Kingdom")
    assert uk is not None and uk.country == "GB"
    z = resolve_place("02115")
    assert z is not None and abs(z.lat - 42.34) < 0.1
    ll = resolve_place("48.85, 2.35")
    assert ll is not None and ll.lon == 2.35
    assert resolve_place("Nowhereville Xyzzy") is None


def test_site_status_rule() -> None:
    assert site_counts("RECRUITING", "RECRUITING")
    assert not site_counts("COMPLETED", "RECRUITING")
    assert site_effective_status(None, "RECRUITING") == "RECRUITING"
    assert site_effective_status(None, "ACTIVE_NOT_RECRUITING") is None
    assert not site_counts(None, "COMPLETED")
    assert not site_counts("NOT_YET_RECRUITING", "RECRUITING", ["RECRUITING"])
    assert site_counts("NOT_YET_RECRUITING", "RECRUITING", ["RECRUITING", "NOT_YET_RECRUITING"])


def test_distance_counts_only_recruiting_sites(small_index: SearchIndex) -> None:
    res = search(small_index, SearchQuery(near="Boston, MA", radius_km=50, status=["any"]))
    got = {h.trial_id for h in res.hits}
    assert "NCT00000001" in got  # recruiting site in Boston
    assert "NCT00000004" not in got  # Boston site completed; its recruiting site is in Seattle
    assert "NCT00000007" not in got  # site without status, study not recruiting: does not inherit
    assert "NCT00000010" in got  # not-yet-recruiting site counts when asked for any status
    hit = next(h for h in res.hits if h.trial_id == "NCT00000001")
    assert hit.nearest_site is not None and hit.nearest_site.city == "Boston"
    assert hit.distance_km is not None and hit.distance_km < 10
    # sorted by distance when there is no text
    dists = [h.distance_km for h in res.hits]
    assert dists == sorted(dists)


def test_distance_default_status_and_not_yet_sites(small_index: SearchIndex) -> None:
    got = {h.trial_id for h in search(small_index, SearchQuery(near="Boston", radius_km=50)).hits}
    assert "NCT00000010" in got  # default statuses include NOT_YET_RECRUITING
    got = {
        h.trial_id
        for h in search(small_index, SearchQuery(near="Boston", radius_km=50, status=["recruiting"])).hits
    }
    assert "NCT00000010" not in got and "NCT00000001" in got


def test_site_without_status_inherits_recruiting_and_is_geocoded(small_index: SearchIndex) -> None:
    res = search(small_index, SearchQuery(near="02139", radius_km=20, status=["any"]))  # Cambridge, MA
    hit = next(h for h in res.hits if h.trial_id == "NCT00000005")
    assert hit.nearest_site is not None and hit.nearest_site.status == "RECRUITING"
    far = search(small_index, SearchQuery(near="Paris", radius_km=100, status=["any"]))
    assert "NCT00000002" in {h.trial_id for h in far.hits}  # inherits NOT_YET_RECRUITING, asked for
    recruiting_only = search(small_index, SearchQuery(near="Paris", radius_km=100, status=["recruiting"]))
    assert "NCT00000002" not in {h.trial_id for h in recruiting_only.hits}
    assert "NCT00000001" not in {h.trial_id for h in far.hits}


def test_unknown_place_is_an_error(small_index: SearchIndex) -> None:
    with pytest.raises(ValueError):
        search(small_index, SearchQuery(near="Xyzzy Nowhere"))


def test_paging_and_hits(small_index: SearchIndex) -> None:
    full = search(small_index, SearchQuery(q="neuroendocrine", status=["any"]))
    page = search(small_index, SearchQuery(q="neuroendocrine", status=["any"], limit=1, offset=1))
    assert page.total == full.total and len(page.hits) == 1
    assert page.hits[0].trial_id == full.hits[1].trial_id
    assert all(h.score > 0 for h in full.hits)


def test_untrusted_query_does_not_crash(small_index: SearchIndex) -> None:
    for q in ['"unbalanced', "NEAR(a b", "a AND OR NOT", "*", "{title}: x", "x" * 5000, "über-carcinoid ™"]:
        search(small_index, SearchQuery(q=q, status=["any"]))
