"""Connecting to the database and its clock: URLs (a file path means SQLite), engines (SQLite in WAL
mode, PostgreSQL through psycopg 3), the table modules other areas add to this package, and the naive
UTC times the tables store.

Internal to :mod:`trialmatch.store.store` (``utcnow`` and ``normalise_url`` are re-exported there).
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import pkgutil
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import StaticPool

__all__ = ["as_aware_utc", "as_naive_utc", "load_table_modules", "make_engine", "normalise_url", "utcnow"]

log = logging.getLogger("trialmatch.store.store")

#: This package's own modules (not table modules of other areas).
_OWN_MODULES = ("store", "tables", "types", "base", "criteria_cache", "bench", "importing", "connection")


def utcnow() -> dt.datetime:
    """Now, as the naive UTC time the database stores."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def as_naive_utc(d: dt.datetime) -> dt.datetime:
    """``d`` as the naive UTC time the database stores (an aware time is converted)."""
    return d.astimezone(dt.UTC).replace(tzinfo=None) if d.tzinfo else d


def as_aware_utc(d: dt.datetime) -> dt.datetime:
    """A stored naive UTC time as an aware one (an aware time is kept)."""
    return d.replace(tzinfo=dt.UTC) if d.tzinfo is None else d


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3 here (psycopg2 is not installed);
    a plain file path means a SQLite database there."""
    if "://" not in url and url not in ("", ":memory:"):
        from pathlib import Path

        return f"sqlite:///{Path(url).expanduser().resolve()}"
    if url in ("", ":memory:"):
        return "sqlite://"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    """An engine for ``url``: SQLite in WAL mode with foreign keys, or PostgreSQL (pre-ping)."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        if not memory and url.startswith("sqlite:///"):
            from pathlib import Path

            Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
        kw: dict[str, Any] = {"connect_args": {"timeout": 30, "check_same_thread": False}}
        if memory:
            kw["poolclass"] = StaticPool
        engine = create_engine(url, **kw)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _rec: Any) -> None:
            cur = dbapi_conn.cursor()
            if not memory:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def load_table_modules() -> None:
    """Import every module of trialmatch.store so all tables are known before create_all."""
    import trialmatch.store as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name in _OWN_MODULES:
            continue
        try:
            importlib.import_module(f"trialmatch.store.{info.name}")
        except Exception as exc:  # another area's module is broken: keep ours working
            log.warning("could not import trialmatch.store.%s: %s", info.name, exc)
