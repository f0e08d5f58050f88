"""The FastAPI application: ``create_app(db_url)``.

Server-rendered Jinja2 pages (autoescape on for every template) plus a JSON API under ``/api``.
See ``trialmatch/web/README.md`` for routes, accounts and security rules."""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import create_engine, event
from sqlalchemy.orm import sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from trialmatch.records.model import Trial
from trialmatch.store.web_tables import create_web_tables
from trialmatch.web import views
from trialmatch.web.backend import Backend
from trialmatch.web.security import RateLimiter, SecurityMiddleware
from trialmatch.web.warmup import WarmUp, warm_up_enabled

__all__ = ["client_ip", "create_app", "render"]

HERE = Path(__file__).resolve().parent
log = logging.getLogger("trialmatch.web")


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(
            enabled_extensions=("html", "htm", "xml", "j2"), default_for_string=True, default=True
        ),
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(views.FILTERS)
    env.globals.update(views.GLOBALS)
    return env


def render(request: Request, name: str, ctx: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
    env: Environment = request.app.state.jinja
    data = {
        "request": request,
        "csrf": getattr(request.state, "csrf", ""),
        "today": dt.date.today(),
        "path": request.url.path,
    }
    data.update(ctx or {})
    return HTMLResponse(env.get_template(name).render(data), status_code=status)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def create_app(
    db_url: str,
    trials: Iterable[Trial] | None = None,
    *,
    team_users: dict[str, str] | None = None,
    rate_limits: dict[str, tuple[float, float]] | None = None,
    warm_up: bool | None = None,
) -> FastAPI:
    """Build the app on the database at ``db_url``.

    ``trials``: serve this fixed list instead of the store's trials (tests, demos).
    ``team_users``: study-team accounts to create or update at start (username -> password);
    see also ``$TRIALMATCH_TEAM_USERS`` and ``trialmatch serve --team-user``.
    ``warm_up``: when the app starts on a store, prepare every open trial for the matcher in a
    background thread (``trialmatch.web.warmup``; stopped when the app shuts down). Default: on,
    unless ``$TRIALMATCH_WEB_WARMUP=0``; never for a fixed ``trials`` list.
    """
    backend = Backend(db_url, trials=trials)
    warm = WarmUp(backend) if trials is None and (warm_up_enabled() if warm_up is None else warm_up) else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if warm is not None:
            warm.start()
        try:
            yield
        finally:
            if warm is not None:
                warm.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="TrialMatch",
        version="0.1.0",
        description="Clinical-trial search and eligibility "
        "matching. JSON API under /api; HTML pages elsewhere.",
        redoc_url=None,
        docs_url=None,
    )
    app.state.backend = backend
    app.state.warm_up = warm
    engine = create_engine(db_url, future=True, pool_pre_ping=False)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _rec: Any) -> None:  # pragma: no cover - driver detail
            cur = conn.cursor()
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()

    create_web_tables(engine)
    app.state.engine = engine
    app.state.sessions = sessionmaker(engine, expire_on_commit=False)
    app.state.jinja = _env()
    app.state.limiter = RateLimiter(rate_limits)
    app.state.db_url = db_url
    from trialmatch.web.accounts import ensure_team_users

    ensure_team_users(app.state.sessions, team_users)

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    from trialmatch.web import routes_api, routes_match, routes_pages, routes_people

    app.include_router(routes_api.router)
    app.include_router(routes_pages.router)
    app.include_router(routes_match.router)
    app.include_router(routes_people.router)

    @app.get("/docs", include_in_schema=False)
    def _docs(request: Request) -> HTMLResponse:
        """Swagger UI from the vendored bundle in static/swagger (works offline)."""
        return render(request, "docs.html")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=getattr(exc, "headers", None)
            )
        titles = {
            400: "Please check what you sent",
            404: "Page not found",
            403: "Not allowed",
            429: "Too many requests",
            413: "Too large",
        }
        resp = render(
            request,
            "error.html",
            {
                "status": exc.status_code,
                "title": titles.get(exc.status_code, "Something went wrong"),
                "detail": exc.detail,
            },
            status=exc.status_code,
        )
        for k, v in (getattr(exc, "headers", None) or {}).items():
            resp.headers[k] = v
        return resp

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))} for e in exc.errors()][:20]
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "invalid request", "errors": errors}, status_code=422)
        return render(
            request,
            "error.html",
            {
                "status": 400,
                "title": "Please check the form",
                "detail": "; ".join(str(e["msg"]) for e in errors),
            },
            status=400,
        )

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        # Log the kind of error and the path only: bodies and queries may carry patient data.
        log.error("internal error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "internal error"}, status_code=500)
        return render(
            request,
            "error.html",
            {"status": 500, "title": "Something went wrong", "detail": "Please try again later."},
            status=500,
        )

    if os.environ.get("TRIALMATCH_WEB_ACCESS_LOG") == "1":
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    app.add_middleware(SecurityMiddleware, access_log=os.environ.get("TRIALMATCH_WEB_ACCESS_LOG") == "1")
    return app
