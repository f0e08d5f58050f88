"""JSON API: search, trial records, parsed criteria, matching."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from trialmatch.web.backend import Backend, SearchFilters

__all__ = ["MAX_MATCH_TRIALS", "parse_match_request", "router", "run_match"]

router = APIRouter(prefix="/api", tags=["api"])
MAX_MATCH_TRIALS = 2000


def _backend(request: Request) -> Backend:
    return request.app.state.backend  # type: ignore[no-any-return]


def _summary(hit: Any) -> dict[str, Any]:
    t = hit.trial
    return {
        "id": t.id,
        "registry_id": t.registry_id,
        "title": t.title,
        "status": t.overall_status,
        "phases": t.phases,
        "conditions": t.conditions,
        "last_update_posted": t.last_update_posted,
        "nearest_site": hit.site,
        "distance_km": None if hit.distance_km is None else round(hit.distance_km, 1),
        "score": round(hit.score, 3),
    }


@router.get("/trials", summary="Search trials")
def api_search(
    request: Request,
    q: str = Query("", max_length=500),
    status: str = Query("", max_length=40),
    phase: str = Query("", max_length=20),
    age: float | None = Query(None, ge=0, le=130),
    sex: str = Query("", max_length=10),
    country: str = Query("", max_length=100),
    near: str = Query("", max_length=200),
    radius_km: float | None = Query(None, gt=0, le=20000),
    limit: int = Query(50, ge=1, le=500),
) -> dict[str, Any]:
    f = SearchFilters(
        q=q,
        status=status,
        phase=phase,
        age=age,
        sex=sex,
        country=country,
        near=near,
        radius_km=radius_km,
        limit=limit,
    )
    hits = _backend(request).search(f)
    return {"query": f.as_dict(), "count": len(hits), "results": [_summary(h) for h in hits]}


@router.get("/trials/{trial_id}", summary="One trial record")
def api_trial(request: Request, trial_id: str) -> JSONResponse:
    t = _backend(request).get_trial(trial_id)
    if t is None:
        raise HTTPException(404, f"no trial {trial_id[:64]!r}")
    return JSONResponse(t.model_dump(mode="json"))


@router.get("/trials/{trial_id}/criteria", summary="A trial's parsed eligibility criteria")
def api_criteria(request: Request, trial_id: str) -> dict[str, Any]:
    b = _backend(request)
    t = b.get_trial(trial_id)
    if t is None:
        raise HTTPException(404, f"no trial {trial_id[:64]!r}")
    return {"trial_id": t.id, "criteria": [c.to_dict() for c in b.criteria(t)]}


_MATCH_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["patient"],
                    "properties": {
                        "patient": {
                            "description": "A patient profile, a FHIR R4 Bundle or note text",
                            "oneOf": [{"type": "object"}, {"type": "string"}],
                        },
                        "trial_ids": {"type": "array", "items": {"type": "string"}},
                        "as_of": {"type": "string", "format": "date"},
                    },
                }
            }
        },
    }
}


def parse_match_request(raw: bytes) -> tuple[Any, list[str] | None, dt.date | None]:
    """Validate a /api/match body; raises HTTPException(400/422) with a clear message."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise HTTPException(400, f"request body is not valid JSON: {e}") from None
    if not isinstance(body, dict) or "patient" not in body:
        raise HTTPException(422, 'expected a JSON object with a "patient" key')
    ids = body.get("trial_ids")
    if ids is not None and (not isinstance(ids, list) or not all(isinstance(i, str) for i in ids)):
        raise HTTPException(422, '"trial_ids" must be a list of strings')
    if ids is not None and len(ids) > MAX_MATCH_TRIALS:
        raise HTTPException(422, f'at most {MAX_MATCH_TRIALS} "trial_ids"')
    as_of = None
    if body.get("as_of") is not None:
        try:
            as_of = dt.date.fromisoformat(str(body["as_of"])[:10])
        except ValueError:
            raise HTTPException(422, '"as_of" must be a date (YYYY-MM-DD)') from None
    return body["patient"], ids, as_of


def run_match(b: Backend, patient_obj: Any, ids: list[str] | None, as_of: dt.date | None) -> dict[str, Any]:
    try:
        patient = b.load_patient(patient_obj)
    except HTTPException:
        raise
    except Exception as e:
        msg = str(e).splitlines()[0][:300] if str(e) else type(e).__name__
        raise HTTPException(422, f"could not read the patient: {msg}") from None
    when = as_of or patient.as_of or dt.date.today()
    if ids is not None:
        trials = [t for t in (b.get_trial(i) for i in ids) if t is not None]
        missing = [i for i in ids if b.get_trial(i) is None]
    else:
        trials, missing = b.match_candidates(patient), []
    report = b.match(patient, trials, when, trial_ids=ids)
    out = report.model_dump(mode="json")
    if missing:
        out.setdefault("warnings", []).append("unknown trial ids: " + ", ".join(m[:64] for m in missing[:20]))
    return out


@router.post("/match", summary="Match a patient to trials", openapi_extra=_MATCH_SCHEMA)
async def api_match(request: Request) -> JSONResponse:
    limiter = request.app.state.limiter
    ip = request.client.host if request.client else "?"
    if not limiter.allow("api", ip):
        raise HTTPException(429, "too many requests; slow down")
    ctype = request.headers.get("content-type", "")
    if "json" not in ctype:
        raise HTTPException(415, "send the request as application/json")
    patient_obj, ids, as_of = parse_match_request(await request.body())
    from starlette.concurrency import run_in_threadpool

    return JSONResponse(await run_in_threadpool(run_match, _backend(request), patient_obj, ids, as_of))
