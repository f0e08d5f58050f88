"""HTML pages: search, trial, FAQ, glossary."""

from __future__ import annotations

import datetime as dt
import functools
import secrets
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import yaml
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from trialmatch.store.web_tables import ContactRequest, Note
from trialmatch.web import geo
from trialmatch.web.app import render
from trialmatch.web.backend import Backend, SearchFilters
from trialmatch.web.questionnaire import questions_for
from trialmatch.web.security import WORKSPACE_COOKIE, digest

__all__ = ["applied_count", "faq_entries", "router", "trial_context", "workspace_notes"]

router = APIRouter(include_in_schema=False)


def _backend(request: Request) -> Backend:
    return request.app.state.backend  # type: ignore[no-any-return]


def _float(v: str | None, lo: float, hi: float) -> float | None:
    try:
        x = float(v) if v not in (None, "") else None
    except ValueError:
        return None
    return x if x is not None and lo <= x <= hi else None


@router.get("/", response_class=HTMLResponse)
@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    q: str = Query("", max_length=500),
    status: str = Query("", max_length=40),
    phase: str = Query("", max_length=20),
    age: str = Query("", max_length=10),
    sex: str = Query("", max_length=10),
    country: str = Query("", max_length=100),
    near: str = Query("", max_length=200),
    radius: str = Query("", max_length=10),
    limit: int = Query(25, ge=1, le=200),
) -> HTMLResponse:
    f = SearchFilters(
        q=q.strip(),
        status=status,
        phase=phase,
        age=_float(age, 0, 130),
        sex=sex,
        country=country.strip(),
        near=near.strip(),
        radius_km=_float(radius, 1, 20000),
        limit=limit,
    )
    searched = any(v not in ("", None) for v in (q, status, phase, age, sex, country, near))
    b = _backend(request)
    hits = b.search(f) if searched or request.url.path == "/" else []
    today = dt.date.today()
    rows = [{"hit": h, "stale": _stale(b, h.trial, today)} for h in hits]
    origin_ok = geo.geocode(f.near) is not None if f.near else True
    ctx = {
        "f": f,
        "rows": rows,
        "searched": searched,
        "origin_ok": origin_ok,
        "radius": radius,
        "more": _more_link(request, limit) if len(hits) >= limit and limit < 200 else None,
        "age": age,
        "title": f"Search: {q}" if q else "Find a clinical trial",
    }
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "results":
        return render(request, "_results.html", ctx)
    return render(request, "search.html", ctx)


def _more_link(request: Request, limit: int) -> str:
    params = dict(request.query_params)
    params["limit"] = str(min(200, limit + 25))
    return "/search?" + urlencode(params)


def _stale(b: Backend, trial: Any, today: dt.date) -> str | None:
    return b.stale_note(trial, today)


def applied_count(request: Request, trial_id: str) -> int:
    with request.app.state.sessions() as s:
        return int(
            s.scalar(
                select(func.count()).select_from(ContactRequest).where(ContactRequest.trial_id == trial_id)
            )
            or 0
        )


def workspace_notes(request: Request, trial_id: str | None = None) -> list[Note]:
    token = request.cookies.get(WORKSPACE_COOKIE)
    if not token:
        return []
    with request.app.state.sessions() as s:
        q = select(Note).where(Note.workspace == digest(token))
        if trial_id:
            q = q.where(Note.trial_id == trial_id)
        return list(s.scalars(q.order_by(Note.created_at)))


def trial_context(request: Request, trial_id: str, near: str = "") -> dict[str, Any]:
    b = _backend(request)
    trial = b.get_trial(trial_id)
    if trial is None:
        raise HTTPException(404, f"There is no trial with the id {trial_id[:64]!r} in this database.")
    today = dt.date.today()
    crit = b.criteria(trial)
    origin = geo.geocode(near) if near else None
    locations = []
    for loc in trial.locations[:1000]:
        p = geo.site_point(loc) if origin else None
        locations.append({"loc": loc, "distance": geo.distance_km(origin, p) if origin and p else None})
    if origin:
        locations.sort(key=lambda x: (x["distance"] is None, x["distance"] or 0))
    plain = b.plain_summary(trial)
    text_for_terms = "\n".join(
        [
            plain or "",
            trial.plain_summary or "",
            trial.brief_summary or "",
            trial.eligibility.criteria_text or "",
            " ".join(trial.conditions),
        ]
    )
    return {
        "trial": trial,
        "title": trial.title or trial.id,
        "plain": plain,
        "inclusion": [c for c in crit if c.kind == "inclusion"],
        "exclusion": [c for c in crit if c.kind == "exclusion"],
        "flags": b.quality_flags(trial, today),
        "timeline": _timeline(trial, today),
        "terms": b.glossary_matches(text_for_terms),
        "applied": applied_count(request, trial.id),
        "notes": workspace_notes(request, trial.id),
        "questions": questions_for(crit, trial),
        "locations": locations,
        "near": near,
        "origin_ok": origin is not None or not near,
        "sites": sorted(
            {
                ", ".join(x for x in (loc.facility, loc.city, loc.country) if x)
                for loc in trial.locations[:300]
            }
        ),
    }


def _timeline(trial: Any, today: dt.date) -> list[dict[str, Any]]:
    from trialmatch.web.views import timeline

    return timeline(trial, today)


@router.get("/trials/{trial_id}/related", response_class=HTMLResponse)
def related_page(request: Request, trial_id: str) -> HTMLResponse:
    """Related trials: a fragment for htmx (loaded when the section scrolls into view), else a page."""
    b = _backend(request)
    trial = b.get_trial(trial_id)
    if trial is None:
        raise HTTPException(404, f"There is no trial with the id {trial_id[:64]!r} in this database.")
    ctx = {"trial": trial, "related": b.similar(trial), "title": "Related trials"}
    if request.headers.get("hx-request"):
        return render(request, "_related.html", ctx)
    return render(request, "related.html", ctx)


_MARK = "tm-" + secrets.token_hex(16)  # stands for the visitor's CSRF token in cached pages
_PAGE_CACHE_SIZE = 2000
_page_lock = threading.Lock()


def _page_cache(request: Request) -> OrderedDict[tuple[str, str | None, int, str], str]:
    cache = getattr(request.app.state, "page_cache", None)
    if cache is None:
        cache = request.app.state.page_cache = OrderedDict()
    return cache  # type: ignore[no-any-return]


@router.get("/trials/{trial_id}", response_class=HTMLResponse)
def trial_page(request: Request, trial_id: str, near: str = Query("", max_length=200)) -> HTMLResponse:
    """The trial page. Pages of visitors without notes on the trial are the same for everyone but
    for the CSRF token: they are rendered once (per trial version, applied count and day) and the
    token is put in per request."""
    near = near.strip()
    csrf = str(getattr(request.state, "csrf", ""))
    if near or (request.cookies.get(WORKSPACE_COOKIE) and workspace_notes(request, trial_id)):
        return render(request, "trial.html", trial_context(request, trial_id, near))
    trial = _backend(request).get_trial(trial_id)
    if trial is None:
        raise HTTPException(404, f"There is no trial with the id {trial_id[:64]!r} in this database.")
    key = (trial.id, trial.last_update_posted, applied_count(request, trial.id), dt.date.today().isoformat())
    cache = _page_cache(request)
    with _page_lock:
        html = cache.get(key)
    if html is None:
        request.state.csrf = _MARK
        html = bytes(render(request, "trial.html", trial_context(request, trial_id)).body).decode("utf-8")
        request.state.csrf = csrf
        with _page_lock:
            cache[key] = html
            while len(cache) > _PAGE_CACHE_SIZE:
                cache.popitem(last=False)
    return HTMLResponse(html.replace(_MARK, csrf))


@functools.lru_cache(maxsize=1)
def faq_entries() -> list[tuple[str, str]]:
    """The FAQ from ``trialmatch/web/data/faq.yaml``."""
    data = yaml.safe_load((Path(__file__).with_name("data") / "faq.yaml").read_text(encoding="utf-8"))
    return [(str(e["q"]), str(e["a"])) for e in data.get("faq", [])]


@router.get("/faq", response_class=HTMLResponse)
def faq_page(request: Request) -> HTMLResponse:
    return render(request, "faq.html", {"faq": faq_entries(), "title": "Questions about clinical trials"})


@router.get("/glossary", response_class=HTMLResponse)
def glossary_page(request: Request) -> HTMLResponse:
    terms = _backend(request).glossary()
    return render(request, "glossary.html", {"terms": terms, "title": "Glossary"})
