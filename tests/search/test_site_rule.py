"""One rule for "a recruiting site within distance": the search engine and the web app both use
:func:`trialmatch.search.geo.nearest_site`, so they keep and name the same sites."""

from __future__ import annotations

import pytest

from trialmatch.records.model import Location, Trial
from trialmatch.search.engine import search
from trialmatch.search.geo import distance_km, nearest_site, resolve_place
from trialmatch.search.index import SearchIndex
from trialmatch.search.query import SearchQuery
from trialmatch.web import geo as web_geo

from .conftest import make, small_trials

BOSTON = (42.36, -71.06)
SITES = [
    ("near, completed", (42.37, -71.10), "COMPLETED"),
    ("far, recruiting", (47.61, -122.33), "RECRUITING"),
    ("mid, not yet", (40.71, -74.01), "NOT_YET_RECRUITING"),
    ("mid, no status", (41.82, -71.41), None),
]


def _nearest(study: str | None, statuses: list[str] | None = None, radius: float | None = None) -> str | None:
    found = nearest_site(
        SITES,
        BOSTON,
        point=lambda s: s[1],
        status=lambda s: s[2],
        study_status=study,
        statuses=statuses,
        radius_km=radius,
    )
    return found[0][0] if found else None


def test_a_site_counts_by_its_own_status_else_the_studys() -> None:
    assert _nearest("RECRUITING") == "mid, no status"  # inherits the study's recruiting
    assert _nearest("COMPLETED") == "far, recruiting"  # no status, study closed: does not count
    assert _nearest("COMPLETED", ["NOT_YET_RECRUITING"]) == "mid, not yet"  # asked for not-yet
    assert _nearest("COMPLETED", radius=500) is None  # the recruiting site is too far
    found = nearest_site(SITES, BOSTON, point=lambda s: s[1], status=lambda s: s[2], study_status="COMPLETED")
    assert found is not None and found[1] == pytest.approx(distance_km(BOSTON, (47.61, -122.33)))


def test_sites_without_a_place_are_skipped() -> None:
    unplaced = [("x", None, "RECRUITING")]
    found = nearest_site(unplaced, BOSTON, point=lambda s: s[1], status=lambda s: s[2], study_status=None)
    assert found is None


def test_web_uses_the_same_rule() -> None:
    trial = make(
        "NCT09999999",
        overall_status="COMPLETED",
        locations=[Location(city=n, lat=p[0], lon=p[1], status=st) for n, p, st in SITES],
    )
    loc, dist = web_geo.nearest_site(trial, BOSTON)
    assert loc is not None and loc.city == "far, recruiting" and dist is not None
    loc, _ = web_geo.nearest_site(trial, BOSTON, ["NOT_YET_RECRUITING"])
    assert loc is not None and loc.city == "mid, not yet"
    closed = make("NCT09999998", overall_status="COMPLETED", locations=[Location(city="x", lat=1.0, lon=1.0)])
    assert web_geo.nearest_site(closed, BOSTON) == (None, None)  # no recruiting site: no distance
    loc, dist = web_geo.nearest_site(closed, None)
    assert loc is not None and dist is None  # without an origin a site is still named


@pytest.mark.parametrize(("near", "radius"), [("Boston, MA", 50.0), ("Paris", 100.0), ("Seattle", 80.0)])
@pytest.mark.parametrize("status", [["any"], ["recruiting"]])
def test_engine_and_web_keep_the_same_trials_and_sites(
    small_index: SearchIndex, near: str, radius: float, status: list[str]
) -> None:
    q = SearchQuery(near=near, radius_km=radius, status=status)
    engine = {h.trial_id: h for h in search(small_index, q).hits}
    place = resolve_place(near)
    assert place is not None
    web: dict[str, Location] = {}
    trials: list[Trial] = [t for t in small_trials() if (t.overall_status or "") in q.status]
    for t in trials:
        loc, dist = web_geo.nearest_site(t, (place.lat, place.lon), q.status)
        if loc is not None and dist is not None and dist <= radius:
            web[t.id] = loc
    assert set(engine) == set(web)
    for tid, hit in engine.items():
        assert hit.nearest_site is not None and hit.nearest_site.city == web[tid].city
