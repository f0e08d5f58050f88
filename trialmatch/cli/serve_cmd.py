"""``trialmatch serve``: run the web app with uvicorn."""

from __future__ import annotations

import typer

from trialmatch.cli.common import DbOption

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
        port: int = typer.Option(8000, "--port", help="TCP port."),
        db: str | None = DbOption,
        workers: int = typer.Option(1, "--workers", help="Worker processes (each keeps its own caches)."),
        team_user: list[str] = typer.Option(
            [],
            "--team-user",
            help="Create or update a study-team account: USER:PASSWORD[:NCT1|NCT2] "
            "(also $TRIALMATCH_TEAM_USERS, entries separated by ';').",
        ),
        access_log: bool = typer.Option(
            False,
            "--access-log/--no-access-log",
            help="Log each request's method, path and status (never bodies).",
        ),
    ) -> None:
        """Serve the web app and JSON API (OpenAPI docs at /docs).

        The matcher screens every open trial, at most $TRIALMATCH_WEB_MATCH_CAP (default 5000).

        Each worker prepares them in the background at start ($TRIALMATCH_WEB_WARMUP=0: off).
        """
        import os

        import uvicorn

        from trialmatch.cli.common import db_url

        url = db_url(db)
        os.environ["TRIALMATCH_WEB_DB"] = url
        if team_user:
            extra = ";".join(team_user)
            prev = os.environ.get("TRIALMATCH_TEAM_USERS", "")
            os.environ["TRIALMATCH_TEAM_USERS"] = f"{prev};{extra}" if prev else extra
        if access_log:
            os.environ["TRIALMATCH_WEB_ACCESS_LOG"] = "1"
        uvicorn.run(
            "trialmatch.web.asgi:app",
            host=host,
            port=port,
            workers=max(1, workers),
            access_log=False,
            log_level="warning",
            server_header=False,
        )
