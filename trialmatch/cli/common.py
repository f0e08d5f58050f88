"""Options and helpers shared by every command."""

from __future__ import annotations

import os
from pathlib import Path

import typer

__all__ = ["DbOption", "default_db", "resolve_db", "console", "err_console", "db_url"]

DbOption = typer.Option(
    None, "--db", help="Database: a SQLite file path or a SQLAlchemy URL (default: $TRIALMATCH_DB, else per-user)."
)


def default_db() -> str:
    env = os.environ.get("TRIALMATCH_DB")
    if env:
        return env
    from platformdirs import user_data_dir

    d = Path(user_data_dir("trialmatch"))
    d.mkdir(parents=True, exist_ok=True)
    return str(d / "trialmatch.db")


def resolve_db(db: str | None) -> str:
    return db or default_db()


def db_url(db: str | None) -> str:
    """A SQLAlchemy URL for a ``--db`` value: URLs pass through, paths become SQLite URLs."""
    value = resolve_db(db)
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console()


def err_console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(stderr=True)
