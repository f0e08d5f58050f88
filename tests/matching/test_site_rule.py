"""The matcher names a trial's nearest site by the one site rule the search engine and the web app use
(:func:`trialmatch.search.geo.nearest_site`): an invitation-only site, or a site without a status of a
study that is not recruiting, is not a site a patient can go to."""

from __future__ import annotations

import datetime as dt

import pytest

from trialmatch.matching.match import SITE_STATUSES, PreparedTrial, match_patient
from trialmatch.patients.model import Patient
from trialmatch.records.model import Eligibility, Location, Trial
from trialmatch.search.engine import search
from trialmatch.search.geo import distance_km
from trialmatch.search.index import SearchIndex
from trialmatch.search.query import SearchQuery
from trialmatch.web import geo as web_geo

BOSTON = (42.36, -71.06)
AS_OF = dt.date(2026, 11, 1)
PATIENT = Patient.model_validate({"age": 60, "sex": "female"})


def _trial(tid: str, study: str, *sites: tuple[str, float, float, str | None]) -> Trial:
    return Trial(
        id=tid,
        brief_title=f"Trial {tid}",
        overall_status=study,
        eligibility=Eligibility(criteria_text=None),
        locations=[
            Location(
                facility=f"{city} Hospital", city=city, country="United States", lat=lat, lon=lon, status=st
            )
            for city, lat, lon, st in sites
        ],
    )


CAMBRIDGE = ("Cambridge", 42.37, -71.11)
PROVIDENCE = ("Providence", 41.82, -71.41)
NEW_YORK = ("New York", 40.71, -74.01)
SEATTLE = ("Seattle", 47.61, -122.33)

TRIALS = [
    # an invitation-only site next door does not count; the recruiting one further away does
    _trial("NCT09000001", "RECRUITING", (*CAMBRIDGE, "ENROLLING_BY_INVITATION"), (*NEW_YORK, "RECRUITING")),
    # a site without a status inherits a recruiting study's status
    _trial("NCT09000002", "RECRUITING", (*PROVIDENCE, None), (*SEATTLE, "RECRUITING")),
    # ... but not an invitation-only study's
    _trial("NCT09000003", "ENROLLING_BY_INVITATION", (*CAMBRIDGE, None), (*SEATTLE, "RECRUITING")),
    # a not yet recruiting site counts: the matcher asks about every open status
    _trial("NCT09000004", "NOT_YET_RECRUITING", (*PROVIDENCE, "NOT_YET_RECRUITING"), (*SEATTLE, None)),
    # suspended, completed and invitation-only sites only: no site, no distance
    _trial("NCT09000005", "RECRUITING", (*CAMBRIDGE, "SUSPENDED"), (*NEW_YORK, "ENROLLING_BY_INVITATION")),
    _trial("NCT09000006", "COMPLETED", (*CAMBRIDGE, None), (*NEW_YORK, "COMPLETED")),
]
EXPECTED = {
    "NCT09000001": "New York",
    "NCT09000002": "Providence",
    "NCT09000003": "Seattle",
    "NCT09000004": "Providence",
    "NCT09000005": None,
    "NCT09000006": None,
}


def _matcher() -> dict[str, tuple[str | None, float | None]]:
    report = match_patient(
        PATIENT, [(t, []) for t in TRIALS], AS_OF, location=BOSTON, trial_ids=[t.id for t in TRIALS]
    )
    out: dict[str, tuple[str | None, float | None]] = {}
    for r in report.results:
        city = r.nearest_site.split(", ")[1] if r.nearest_site else None
        out[r.trial_id] = (city, r.distance_km)
    return out


def test_the_matcher_skips_sites_a_patient_cannot_walk_into() -> None:
    got = _matcher()
    assert {tid: city for tid, (city, _d) in got.items()} == EXPECTED
    _city, dist = got["NCT09000001"]
    assert dist == pytest.approx(distance_km(BOSTON, NEW_YORK[1:]), abs=0.05)
    assert got["NCT09000005"] == (None, None)


def test_matcher_search_and_web_agree_on_the_nearest_site() -> None:
    matcher = _matcher()
    idx = SearchIndex.from_trials(TRIALS)
    q = SearchQuery(near=f"{BOSTON[0]},{BOSTON[1]}", radius_km=20_000, status=[*SITE_STATUSES, "COMPLETED"])
    engine = {h.trial_id: h for h in search(idx, q).hits}
    for t in TRIALS:
        loc, web_dist = web_geo.nearest_site(t, BOSTON, SITE_STATUSES)
        hit = engine.get(t.id)
        search_site = hit.nearest_site if hit is not None else None
        m_city, m_dist = matcher[t.id]
        assert m_city == (loc.city if loc else None) == (search_site.city if search_site else None), t.id
        if m_dist is not None:
            assert web_dist is not None and search_site is not None
            assert m_dist == pytest.approx(web_dist, abs=0.05) == search_site.distance_km


def test_a_site_without_coordinates_is_geocoded_and_still_follows_the_rule() -> None:
    trial = Trial(
        id="NCT09000007",
        overall_status="RECRUITING",
        locations=[
            Location(
                city="Cambridge",
                state="Massachusetts",
                country="United States",
                status="ENROLLING_BY_INVITATION",
            ),
            Location(city="Providence", state="Rhode Island", country="United States", status="RECRUITING"),
        ],
    )
    pt = PreparedTrial.from_trial(trial, [])
    calls: list[str] = []

    def geocode(q: str) -> tuple[float, float] | None:
        calls.append(q)
        return PROVIDENCE[1:] if q.startswith("Providence") else CAMBRIDGE[1:]

    report = match_patient(PATIENT, [pt], AS_OF, location=BOSTON, geocode=geocode)
    (r,) = report.results
    assert r.nearest_site == "Providence, Rhode Island, United States"
    assert calls == ["Providence, Rhode Island, United States"]  # the invitation-only site is not looked up
