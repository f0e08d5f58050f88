"""Pages about people: contacting a study team, the study-team inbox, alert sign-ups, private
notes and passcode-protected shared note links."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from typing import Any, TypeVar

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from trialmatch.store.connection import utcnow
from trialmatch.store.web_tables import AlertSignup, ContactRequest, Note, ShareLink
from trialmatch.web.accounts import authenticate
from trialmatch.web.app import client_ip, render
from trialmatch.web.backend import optional
from trialmatch.web.routes_match import checked_form
from trialmatch.web.security import WORKSPACE_COOKIE, digest, hash_secret, new_token, verify_secret

R = TypeVar("R", Note, ShareLink)

__all__ = ["MAX_FAILED_PASSCODES", "router"]

router = APIRouter(include_in_schema=False)
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}$")
MAX_FAILED_PASSCODES = 5
LOCK_MINUTES = 15


def _field(form: Any, name: str, n: int) -> str:
    return str(form.get(name) or "").strip()[:n]


# -- contact the study team ----------------------------------------------------------------
@router.post("/trials/{trial_id}/contact", response_class=HTMLResponse)
async def contact(request: Request, trial_id: str) -> HTMLResponse:
    form = await checked_form(request)
    trial = request.app.state.backend.get_trial(trial_id)
    if trial is None:
        raise HTTPException(404, "No such trial.")
    name, email, phone = _field(form, "name", 200), _field(form, "email", 320), _field(form, "phone", 64)
    errors = []
    if not name:
        errors.append("Please enter your name.")
    if not email and not phone:
        errors.append("Please give an email address or a phone number so the team can reach you.")
    if email and not _EMAIL.match(email):
        errors.append("The email address does not look right.")
    if errors:
        return render(
            request,
            "contact_done.html",
            {"trial": trial, "errors": errors, "title": "Contact request"},
            status=400,
        )
    site = _field(form, "site", 300) or None
    with request.app.state.sessions() as s:
        s.add(
            ContactRequest(
                trial_id=trial.id,
                site=site,
                name=name,
                email=email or None,
                phone=phone or None,
                language=_field(form, "language", 64) or None,
                message=_field(form, "message", 4000),
            )
        )
        s.commit()
    return render(
        request, "contact_done.html", {"trial": trial, "errors": [], "site": site, "title": "Request sent"}
    )


# -- study team inbox ----------------------------------------------------------------------
def _team_user(request: Request) -> Any:
    if not request.app.state.limiter.allow("passcode", "team:" + client_ip(request), cost=0.2):
        raise HTTPException(429, "Too many sign-in attempts. Please wait.", headers={"Retry-After": "60"})
    user = authenticate(request.app.state.sessions, request.headers.get("authorization"))
    if user is None:
        raise HTTPException(
            401,
            "Study-team sign-in required.",
            headers={"WWW-Authenticate": 'Basic realm="TrialMatch study team", charset="UTF-8"'},
        )
    return user


def _team_requests(request: Request, user: Any) -> list[ContactRequest]:
    with request.app.state.sessions() as s:
        q = select(ContactRequest).order_by(ContactRequest.created_at.desc())
        if user.trial_ids != "*":
            q = q.where(ContactRequest.trial_id.in_(user.trial_ids.split(",")))
        return list(s.scalars(q.limit(5000)))


@router.get("/team", response_class=HTMLResponse)
def team_page(request: Request) -> HTMLResponse:
    user = _team_user(request)
    return render(
        request,
        "team.html",
        {"user": user, "rows": _team_requests(request, user), "title": "Study team: contact requests"},
    )


@router.get("/team/requests.csv")
def team_csv(request: Request) -> Response:
    user = _team_user(request)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["created_at", "trial_id", "site", "name", "email", "phone", "language", "message"])
    for r in _team_requests(request, user):
        row = [
            r.created_at.isoformat(timespec="seconds"),
            r.trial_id,
            r.site or "",
            r.name,
            r.email or "",
            r.phone or "",
            r.language or "",
            r.message or "",
        ]
        # neutralise spreadsheet formulas in untrusted cells
        w.writerow(["'" + c if c[:1] in ("=", "+", "-", "@") else c for c in row])
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="contact-requests.csv"',
            "Cache-Control": "no-store",
        },
    )


# -- alerts --------------------------------------------------------------------------------
@router.get("/alerts", response_class=HTMLResponse)
def alerts_form(request: Request) -> HTMLResponse:
    q = request.query_params.get("q", "")[:500]
    return render(request, "alerts.html", {"q": q, "title": "Get alerts about new trials"})


@router.post("/alerts", response_class=HTMLResponse)
async def alerts_signup(request: Request) -> HTMLResponse:
    form = await checked_form(request)
    email, q = _field(form, "email", 320), _field(form, "q", 500)
    if not _EMAIL.match(email) or not q:
        return render(
            request,
            "alerts.html",
            {
                "q": q,
                "error": "Please enter a search and a valid email address.",
                "title": "Get alerts about new trials",
            },
            status=400,
        )
    filters = {k: _field(form, k, 100) for k in ("status", "country") if _field(form, k, 100)}
    saved = _saved_search(request.app.state.db_url, email, q, filters)
    token = saved[1] if saved else new_token()
    with request.app.state.sessions() as s:
        s.add(
            AlertSignup(
                email=email,
                query=q,
                filters_json=json.dumps(filters),
                unsubscribe_digest=digest(token),
                saved_search_id=saved[0] if saved else None,
            )
        )
        s.commit()
    link = str(request.url_for("alerts_unsubscribe", token=token))
    return render(request, "alerts_done.html", {"q": q, "link": link, "title": "You are signed up"})


def _saved_search(db_url: str, email: str, q: str, filters: dict[str, str]) -> tuple[str, str] | None:
    """Register the alert with the search package's saved searches (which send the e-mails and
    link back to ``/alerts/unsubscribe/<token>``): (saved search id, unsubscribe token)."""
    fn = optional("trialmatch.search.alerts", "save_search")
    if fn is None:
        return None
    try:
        res = fn(db_url, q, email=email, filters=filters)
    except Exception:
        return None
    return (str(res.id), str(res.unsubscribe_token))


@router.get("/alerts/unsubscribe/{token}", response_class=HTMLResponse, name="alerts_unsubscribe")
def alerts_unsubscribe_form(request: Request, token: str) -> HTMLResponse:
    return render(request, "unsubscribe.html", {"token": token[:100], "done": False, "title": "Unsubscribe"})


@router.post("/alerts/unsubscribe/{token}", response_class=HTMLResponse)
async def alerts_unsubscribe(request: Request, token: str) -> HTMLResponse:
    await checked_form(request)
    with request.app.state.sessions() as s:
        row = s.scalars(
            select(AlertSignup).where(AlertSignup.unsubscribe_digest == digest(token[:100]))
        ).first()
        if row is None:
            raise HTTPException(404, "This unsubscribe link is not valid.")
        row.active = 0
        s.commit()
    return render(request, "unsubscribe.html", {"token": token[:100], "done": True, "title": "Unsubscribed"})


def _unsubscribe_saved(db_url: str, token: str) -> bool:
    fn = optional("trialmatch.search.alerts", "unsubscribe")
    if fn is None:
        return False
    try:
        return bool(fn(db_url, token))
    except Exception:
        return False


# -- private notes -------------------------------------------------------------------------
def _workspace(request: Request) -> tuple[str, str | None]:
    """(digest, new token to set or None)."""
    token = request.cookies.get(WORKSPACE_COOKIE)
    if token and 30 <= len(token) <= 100:
        return digest(token), None
    token = new_token()
    return digest(token), token


def _set_ws(resp: Response, token: str | None, request: Request) -> Response:
    if token:
        resp.set_cookie(
            WORKSPACE_COOKIE,
            token,
            max_age=365 * 86400,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )
    return resp


@router.post("/notes", response_class=HTMLResponse)
async def add_note(request: Request) -> Response:
    form = await checked_form(request)
    ws, new = _workspace(request)
    trial_id, text = _field(form, "trial_id", 64), _field(form, "text", 5000)
    if not text or request.app.state.backend.get_trial(trial_id) is None:
        raise HTTPException(400, "A note needs some text and a trial.")
    with request.app.state.sessions() as s:
        s.add(Note(workspace=ws, trial_id=trial_id, quote=_field(form, "quote", 2000) or None, text=text))
        s.commit()
    back = f"/trials/{trial_id}#notes" if form.get("back") != "notes" else "/notes"
    if request.headers.get("x-requested-with") == "fetch":
        return _set_ws(Response(status_code=204), new, request)
    return _set_ws(RedirectResponse(back, status_code=303), new, request)


def _owned(row: R | None, ws: str, what: str) -> R:
    """A workspace's own note or link; 404 otherwise (another workspace's rows are not shown to exist)."""
    if row is None or row.workspace != ws:
        raise HTTPException(404, f"No such {what}.")
    return row


@router.post("/notes/{note_id}/delete")
async def delete_note(request: Request, note_id: int) -> Response:
    await checked_form(request)
    ws, _ = _workspace(request)
    with request.app.state.sessions() as s:
        s.delete(_owned(s.get(Note, note_id), ws, "note"))
        s.commit()
    return RedirectResponse("/notes", status_code=303)


@router.get("/notes", response_class=HTMLResponse)
def notes_page(request: Request) -> Response:
    ws, new = _workspace(request)
    return _notes_response(request, ws, new, request.query_params.get("shared", "")[:100])


def _notes_response(request: Request, ws: str, new: str | None, new_link: str) -> Response:
    """The workspace's notes page: its notes by trial, its share links, and a link just made."""
    with request.app.state.sessions() as s:
        notes = list(
            s.scalars(select(Note).where(Note.workspace == ws).order_by(Note.trial_id, Note.created_at))
        )
        links = list(
            s.scalars(select(ShareLink).where(ShareLink.workspace == ws).order_by(ShareLink.created_at))
        )
    ctx = {"notes": notes, "links": links, "now": utcnow(), "new_link": new_link, "title": "My notes"}
    return _set_ws(render(request, "notes.html", ctx), new, request)


@router.post("/notes/share", response_class=HTMLResponse)
async def share_notes(request: Request) -> Response:
    form = await checked_form(request)
    ws, new = _workspace(request)
    passcode = str(form.get("passcode") or "")[:200]
    if len(passcode) < 6:
        raise HTTPException(400, "Choose a passcode of at least 6 characters.")
    try:
        days = max(0, min(365, int(str(form.get("days") or "7"))))
    except ValueError:
        days = 7
    token = new_token()
    with request.app.state.sessions() as s:
        s.add(
            ShareLink(
                token_digest=digest(token),
                workspace=ws,
                passcode_hash=hash_secret(passcode),
                expires_at=utcnow() + dt.timedelta(days=days) if days else None,
            )
        )
        s.commit()
    return _notes_response(request, ws, new, str(request.url_for("shared_notes", token=token)))


@router.post("/notes/share/{link_id}/revoke")
async def revoke_link(request: Request, link_id: int) -> Response:
    await checked_form(request)
    ws, _ = _workspace(request)
    with request.app.state.sessions() as s:
        _owned(s.get(ShareLink, link_id), ws, "link").revoked = 1
        s.commit()
    return RedirectResponse("/notes", status_code=303)


def _live_link(request: Request, token: str) -> ShareLink:
    with request.app.state.sessions() as s:
        row = s.scalars(select(ShareLink).where(ShareLink.token_digest == digest(token[:100]))).first()
    if row is None or row.revoked or (row.expires_at is not None and row.expires_at < utcnow()):
        raise HTTPException(404, "This shared link does not exist, has expired or was revoked.")
    return row


@router.get("/shared/{token}", response_class=HTMLResponse, name="shared_notes")
def shared_form(request: Request, token: str) -> HTMLResponse:
    _live_link(request, token)
    return render(request, "shared.html", {"token": token[:100], "notes": None, "title": "Shared notes"})


@router.post("/shared/{token}", response_class=HTMLResponse)
async def shared_open(request: Request, token: str) -> HTMLResponse:
    form = await checked_form(request, "passcode")
    link = _live_link(request, token)
    now = utcnow()
    if link.locked_until is not None and link.locked_until > now:
        raise HTTPException(429, "Too many wrong passcodes. Try again later.", headers={"Retry-After": "900"})
    ok = verify_secret(str(form.get("passcode") or "")[:200], link.passcode_hash)
    with request.app.state.sessions() as s:
        row = s.get(ShareLink, link.id)
        assert row is not None
        if not ok:
            row.failed_attempts += 1
            if row.failed_attempts >= MAX_FAILED_PASSCODES:
                row.locked_until, row.failed_attempts = now + dt.timedelta(minutes=LOCK_MINUTES), 0
            s.commit()
            return render(
                request,
                "shared.html",
                {
                    "token": token[:100],
                    "notes": None,
                    "error": "That passcode is not right.",
                    "title": "Shared notes",
                },
                status=403,
            )
        row.failed_attempts = 0
        s.commit()
        notes = list(
            s.scalars(
                select(Note).where(Note.workspace == link.workspace).order_by(Note.trial_id, Note.created_at)
            )
        )
    return render(request, "shared.html", {"token": token[:100], "notes": notes, "title": "Shared notes"})
