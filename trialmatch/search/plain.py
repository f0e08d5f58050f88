"""Plain-language summary of a trial, generated deterministically from the record: who it is for,
what is tested, how, where, for how long, what taking part involves. Short sentences and common
words; the facts (drug names, phase, status, places, numbers) are kept as written. The reading
grade (Flesch-Kincaid, textstat) is measured and returned.

textstat looks syllables up in NLTK's cmudict, which it tries to download; offline we make it use
its pyphen fallback (``_readability``)."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, Field

from trialmatch.records.model import Trial

__all__ = ["PlainSummary", "plain_summary", "reading_grade"]

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class PlainSummary(BaseModel):
    trial_id: str
    text: str
    sections: dict[str, str] = Field(default_factory=dict)  # who, what, how, where, how_long, taking_part
    grade: float
    glossary: list[str] = Field(default_factory=list)  # glossary terms used in the record

    def __str__(self) -> str:
        return self.text


@lru_cache(maxsize=1)
def _phrases() -> dict[str, dict[str, str]]:
    raw: dict[str, Any] = yaml.safe_load(
        resources.files("trialmatch.vocab").joinpath("data/glossary.yaml").read_text("utf-8")
    )
    return {k: {str(a): str(b or "") for a, b in v.items()} for k, v in raw["plain_phrases"].items()}


@lru_cache(maxsize=1)
def _readability() -> Any:
    import textstat
    from textstat.backend.counts import _count_syllables

    _count_syllables.get_cmudict = lambda lang: None  # type: ignore[attr-defined]  # offline: pyphen
    return textstat


def reading_grade(text: str) -> float:
    """Flesch-Kincaid grade of ``text`` (textstat, pyphen syllables)."""
    if not text.strip():
        return 0.0
    return float(_readability().flesch_kincaid_grade(text[:50_000]))


def _date(s: str | None) -> str | None:
    if not s:
        return None
    m = re.match(r"^(\d{4})(?:-(\d{2}))?", s)
    if not m:
        return None
    if m.group(2) and 1 <= int(m.group(2)) <= 12:
        return f"{_MONTHS[int(m.group(2)) - 1]} {m.group(1)}"
    return m.group(1)


def _years_between(a: str | None, b: str | None) -> float | None:
    try:
        da = dt.date.fromisoformat((a or "")[:7] + "-01")
        db = dt.date.fromisoformat((b or "")[:7] + "-01")
    except ValueError:
        return None
    return (db - da).days / 365.25 if db > da else None


def _join(items: list[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _age(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else f"{n:g}"


def _who(t: Trial) -> str:
    out: list[str] = []
    conds = [c.strip() for c in t.conditions if c.strip()]
    if conds:
        shown = conds[:3]
        more = f" and {len(conds) - 3} other conditions" if len(conds) > 3 else ""
        out.append(f"It is for people with {_join(shown)}{more}.")
    e = t.eligibility
    lo, hi = e.min_age_years, e.max_age_years
    if lo is not None and hi is not None:
        out.append(f"You must be {_age(lo)} to {_age(hi)} years old.")
    elif lo is not None:
        out.append(f"You must be {_age(lo)} or older.")
    elif hi is not None:
        out.append(f"You must be {_age(hi)} or younger.")
    if e.sex == "FEMALE":
        out.append("Only women can join.")
    elif e.sex == "MALE":
        out.append("Only men can join.")
    if e.healthy_volunteers:
        out.append("Healthy people can join too.")
    return " ".join(out)


def _what(t: Trial) -> str:
    out: list[str] = []
    names = list(
        dict.fromkeys(
            i.name.strip() for i in t.interventions if i.name.strip() and "placebo" not in i.name.lower()
        )
    )
    if names:
        shown = names[:5]
        more = f" and {len(names) - 5} more" if len(names) > 5 else ""
        out.append(f"It tests {_join(shown)}{more}.")
    ph = _phrases()["phase"]
    known = [p for p in t.phases if ph.get(p)]
    if len(known) == 1:
        out.append(ph[known[0]])
    elif known:  # "This is a phase 1 study. It checks ..." -> one name sentence, then each meaning
        names = [p.replace("EARLY_PHASE", "early phase ").replace("PHASE", "phase ") for p in known]
        out.append(f"This is a {_join(names)} study.")
        out.extend(ph[p].split(". ", 1)[1] if ". " in ph[p] else "" for p in known)
    return " ".join(x for x in out if x)


def _how(t: Trial) -> str:
    out: list[str] = []
    d = t.design
    p = _phrases()
    if d is not None:
        if d.allocation and p["allocation"].get(d.allocation):
            out.append(p["allocation"][d.allocation])
        if d.intervention_model and p["model"].get(d.intervention_model):
            out.append(p["model"][d.intervention_model])
        if d.masking and p["masking"].get(d.masking):
            out.append(p["masking"][d.masking])
    placebo = any("placebo" in i.name.lower() for i in t.interventions) or any(
        (a.type or "") == "PLACEBO_COMPARATOR" for a in t.arms
    )
    if placebo:
        out.append("Some people get a placebo. It looks like the drug but has no drug in it.")
    if len(t.arms) > 1:
        out.append(f"There are {len(t.arms)} groups.")
    return " ".join(out)


@lru_cache(maxsize=1)
def _with_the() -> frozenset[str]:
    raw: dict[str, Any] = yaml.safe_load(
        resources.files("trialmatch.vocab").joinpath("data/places.yaml").read_text("utf-8")
    )
    return frozenset(str(x).lower() for x in raw.get("countries_with_the") or [])


def _the(country: str) -> str:
    return f"the {country}" if country.lower() in _with_the() else country


def _where(t: Trial) -> str:
    locs = t.locations
    if not locs:
        return ""
    places = list(dict.fromkeys(", ".join(x for x in (loc.city, loc.country) if x) for loc in locs))
    places = [p for p in places if p]
    countries = t.countries
    if len(locs) == 1 or len(places) == 1:
        return f"It takes place in {places[0]}." if places else ""
    head = f"It takes place at {len(locs)} sites"
    if len(countries) > 1:
        head += f" in {len(countries)} countries"
    cities = [loc for loc in locs if loc.city]
    same_country = len({loc.country for loc in cities}) == 1
    if same_country and cities:
        shown = list(dict.fromkeys(loc.city or "" for loc in cities))[:3]
        country = cities[0].country
        return f"{head}. Some are in {_join(shown)}" + (f" in {_the(country)}." if country else ".")
    shown = list(
        dict.fromkeys(f"{loc.city} ({loc.country})" if loc.country else str(loc.city) for loc in cities)
    )
    return f"{head}. Some are in {_join(shown[:3])}." if shown else f"{head}."


def _how_long(t: Trial) -> str:
    out: list[str] = []
    start = _date(t.start_date)
    end = _date(t.primary_completion_date or t.completion_date)
    if start:
        planned = (t.start_date_type or "").upper() == "ESTIMATED" or (
            not t.start_date_type and (t.overall_status or "").upper() in ("NOT_YET_RECRUITING", "WITHDRAWN")
        )
        verb = "should start" if planned else "started"
        out.append(f"It {verb} in {start}.")
    if end:
        verb = "should end" if (t.completion_date_type or "ESTIMATED").upper() == "ESTIMATED" else "ended"
        out.append(f"It {verb} around {end}.")
    years = _years_between(t.start_date, t.primary_completion_date or t.completion_date)
    if years is not None and years >= 0.5:
        out.append(
            f"That is about {round(years)} year{'s' if round(years) != 1 else ''}."
            if years >= 1.5
            else "That is about one year."
        )
    return " ".join(out)


def _taking_part(t: Trial) -> str:
    out: list[str] = []
    status = (t.overall_status or "").upper()
    if status and _phrases()["status"].get(status):
        out.append(_phrases()["status"][status])
    if t.enrollment:
        if (t.enrollment_type or "").upper() == "ACTUAL":
            out.append(f"{t.enrollment} people took part.")
        else:
            out.append(f"It plans to take {t.enrollment} people.")
    types = {(i.type or "").upper() for i in t.interventions}
    if "DRUG" in types or "BIOLOGICAL" in types:
        out.append("You would get the study treatment and have check-ups and tests.")
    elif "RADIATION" in types:
        out.append("You would get radiation treatment and have check-ups.")
    elif "PROCEDURE" in types or "DEVICE" in types:
        out.append("You would have the study procedure and check-ups.")
    elif "BEHAVIORAL" in types:
        out.append("You would take part in the study program.")
    if (t.study_type or "").upper() == "OBSERVATIONAL":
        out.append("It only watches and records. It does not give a new treatment.")
    out.append("You can leave the study at any time.")
    return " ".join(out)


def plain_summary(trial: Trial) -> PlainSummary:
    """A deterministic plain-language summary (no clock, no network)."""
    from trialmatch.search.glossary import glossary_terms_in

    about = ""
    if trial.title and (not trial.conditions or not trial.interventions):
        about = f'The study is called "{trial.title.strip().rstrip(".")}".'
    sections = {
        "about": about,
        "who": _who(trial),
        "what": _what(trial),
        "how": _how(trial),
        "where": _where(trial),
        "how_long": _how_long(trial),
        "taking_part": _taking_part(trial),
    }
    sections = {k: v for k, v in sections.items() if v}
    text = " ".join(sections.values())
    record = " ".join(x for x in (trial.title, trial.brief_summary, trial.eligibility.criteria_text) if x)
    return PlainSummary(
        trial_id=trial.id,
        text=text,
        sections=sections,
        grade=round(reading_grade(text), 1),
        glossary=[g.term for g in glossary_terms_in(record)],
    )
