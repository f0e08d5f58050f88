"""Eligibility pages: the per-trial questionnaire and the patient matcher (profile form, FHIR
upload or pasted note). Answers live only in the request: nothing is stored or logged."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from trialmatch.matching.model import MatchReport
from trialmatch.web.app import client_ip, render
from trialmatch.web.backend import Backend
from trialmatch.web.questionnaire import answers_to_patient, questions_for
from trialmatch.web.security import CSRF_COOKIE, csrf_ok

__all__ = ["checked_form", "form_profile", "router"]

router = APIRouter(include_in_schema=False)
MAX_UPLOAD = 5 * 1024 * 1024


async def checked_form(request: Request, bucket: str = "form") -> FormData:
    """The posted form after the CSRF and rate-limit checks (403 / 429 otherwise)."""
    form = await request.form(max_files=2, max_fields=200)
    if not csrf_ok(request.cookies.get(CSRF_COOKIE), str(form.get("csrf_token") or "")):
        raise HTTPException(
            403, "The form has expired or was not sent from this site. Reload the page and try again."
        )
    if not request.app.state.limiter.allow(bucket, client_ip(request)):
        raise HTTPException(
            429,
            "Too many requests from your connection. Please wait a minute.",
            headers={"Retry-After": "60"},
        )
    return form


def _backend(request: Request) -> Backend:
    return request.app.state.backend  # type: ignore[no-any-return]


@router.post("/trials/{trial_id}/eligibility", response_class=HTMLResponse)
async def questionnaire(request: Request, trial_id: str) -> HTMLResponse:
    form = await checked_form(request, "match")
    b = _backend(request)
    trial = b.get_trial(trial_id)
    if trial is None:
        raise HTTPException(404, "No such trial.")
    today = dt.date.today()
    crit = b.criteria(trial)
    questions = questions_for(crit, trial)
    profile = answers_to_patient(questions, form, today)
    patient = b.load_patient(profile)
    report = await run_in_threadpool(b.match, patient, [trial], today)
    result = report.results[0] if report.results else None
    return render(
        request,
        "eligibility.html",
        {
            "trial": trial,
            "result": result,
            "report": report,
            "title": f"Am I eligible? {trial.title or trial.id}",
        },
    )


def form_profile(form: FormData, today: dt.date) -> dict[str, Any]:
    """The matcher's profile form -> patient profile dict (blank fields stay unknown)."""

    def num(name: str) -> float | None:
        v = str(form.get(name) or "").strip()[:20]
        try:
            return float(v) if v else None
        except ValueError:
            return None

    def text(name: str, n: int = 200) -> str:
        return str(form.get(name) or "").strip()[:n]

    p: dict[str, Any] = {"id": "web-profile", "as_of": today.isoformat()}
    if num("age") is not None:
        p["age"] = num("age")
    if text("sex") in ("female", "male"):
        p["sex"] = text("sex")
    cancer: dict[str, Any] = {}
    for key in ("name", "primary_site", "grade", "differentiation"):
        if text("cancer_" + key):
            cancer[key] = text("cancer_" + key)
    if num("ki67") is not None:
        cancer["ki67_percent"] = num("ki67")
    for key in ("metastatic", "measurable_disease"):
        if text(key) in ("yes", "no"):
            cancer[key] = text(key) == "yes"
    if cancer:
        p["cancer"] = cancer
    if text("ecog") in ("0", "1", "2", "3", "4"):
        p["performance_status"] = {"ecog": int(text("ecog"))}
    treatments = [t.strip() for t in text("treatments", 2000).splitlines() if t.strip()][:30]
    if treatments:
        p["treatments"] = [{"name": t[:200]} for t in treatments]
    loc: dict[str, Any] = {}
    if text("city"):
        loc["city"] = text("city")
    if text("country"):
        loc["country"] = text("country")
    if text("postal_code"):
        loc["postal_code"] = text("postal_code", 20)
    if loc:
        from trialmatch.web import geo

        point = geo.geocode(
            loc.get("postal_code") or ", ".join(x for x in (loc.get("city"), loc.get("country")) if x)
        )
        if point:
            loc["lat"], loc["lon"] = point
        p["location"] = loc
    return p


async def _patient_input(form: FormData, today: dt.date) -> tuple[Any, str]:
    """Which input the visitor gave: an uploaded FHIR bundle, pasted JSON, a note, or the form."""
    up = form.get("fhir")
    if isinstance(up, UploadFile) and up.filename:
        raw = await up.read(MAX_UPLOAD + 1)
        if len(raw) > MAX_UPLOAD:
            raise HTTPException(413, "The file is larger than 5 MB.")
        try:
            return json.loads(raw.decode("utf-8")), "FHIR bundle"
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise HTTPException(400, "The uploaded file is not a JSON FHIR bundle.") from None
    pasted = str(form.get("profile_json") or "").strip()
    if pasted:
        try:
            return json.loads(pasted[:MAX_UPLOAD]), "profile"
        except json.JSONDecodeError as e:
            raise HTTPException(
                400, f"The pasted profile is not valid JSON: {e.msg} (line {e.lineno})."
            ) from None
    note = str(form.get("note") or "").strip()
    if note:
        return note[:200_000], "note"
    return form_profile(form, today), "form"


@router.get("/match", response_class=HTMLResponse)
def match_form(request: Request) -> HTMLResponse:
    return render(request, "match.html", {"title": "Match a patient to trials"})


async def _run(request: Request) -> tuple[MatchReport, Any, str]:
    form = await checked_form(request, "match")
    today = dt.date.today()
    obj, kind = await _patient_input(form, today)
    b = _backend(request)
    try:
        patient = b.load_patient(obj)
    except HTTPException:
        raise
    except Exception as e:
        raise HTTPException(
            400, f"Could not read the {kind}: {str(e).splitlines()[0][:200] if str(e) else e}"
        ) from None
    as_of = patient.as_of or today
    trials = await run_in_threadpool(b.match_candidates, patient)
    report = await run_in_threadpool(b.match, patient, trials, as_of)
    return report, patient, kind


@router.post("/match", response_class=HTMLResponse)
async def match_run(request: Request) -> HTMLResponse:
    report, patient, kind = await _run(request)
    results = sorted(
        report.results, key=lambda r: ({"eligible": 0, "possibly_eligible": 1}.get(r.verdict, 2), -r.score)
    )[:50]
    return render(
        request,
        "match_results.html",
        {
            "report": report,
            "results": results,
            "kind": kind,
            "title": "Matching trials",
            "patient_json": patient.model_dump_json(exclude_none=True),
        },
    )


@router.post("/match/report", response_class=HTMLResponse)
async def match_report(request: Request) -> HTMLResponse:
    form = await checked_form(request, "match")
    try:
        obj = json.loads(str(form.get("patient_json") or "")[:MAX_UPLOAD])
    except json.JSONDecodeError:
        raise HTTPException(400, "The report request is missing the patient.") from None
    b = _backend(request)
    patient = b.load_patient(obj)
    as_of = patient.as_of or dt.date.today()
    trials = await run_in_threadpool(b.match_candidates, patient)
    report = await run_in_threadpool(b.match, patient, trials, as_of)
    html = _external_report(report, patient)
    if html is not None:
        return HTMLResponse(html)
    return render(
        request,
        "report.html",
        {"report": report, "title": "Trial matching report", "trials": {t.id: t for t in trials}},
    )


def _external_report(report: MatchReport, patient: Any) -> str | None:
    """The matching package's printable report (served with inline styles allowed, never scripts)."""
    from trialmatch.web.backend import optional

    fn = optional("trialmatch.matching.report", "render_report")
    if fn is None:
        return None
    try:
        html = str(fn(report, patient))
    except Exception:
        return None
    return None if "<script" in html.lower() else html
