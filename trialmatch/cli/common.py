"""Options and helpers shared by every command."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from trialmatch.store import Store

__all__ = [
    "DbOption",
    "console",
    "db_url",
    "default_db",
    "err_console",
    "parse_as_of",
    "resolve_db",
    "resolve_trial_ids",
]

DbOption = typer.Option(
    None,
    "--db",
    help="Database: a SQLite file path or a SQLAlchemy URL (default: $TRIALMATCH_DB, else per-user).",
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


def resolve_trial_ids(store: Store, trial_ids: list[str]) -> tuple[list[str], list[str]]:
    """Stored ids for the ids a user typed (registry or local id, any case), without repeats,
    and an error line for each id not in the database."""
    found: list[str] = []
    errors: list[str] = []
    for t in trial_ids:
        real = store.resolve_id(t)
        if real is None:
            errors.append(f"trial {t}: not found in the database")
        elif real not in found:
            found.append(real)
    return found, errors


def parse_as_of(value: str | None) -> dt.date | None:
    """The ``--as-of`` option: an ISO date, or None when not given."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"--as-of {value!r}: use YYYY-MM-DD") from None
