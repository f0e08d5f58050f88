"""Tables of the web app: contact requests, study-team users, private notes, shared note links,
notification sign-ups. Secrets are never stored in clear: workspace tokens and share tokens are
kept as SHA-256 digests, passwords and passcodes as scrypt hashes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column

from trialmatch.store.base import Base
from trialmatch.store.connection import utcnow

__all__ = [
    "WEB_TABLES",
    "AlertSignup",
    "ContactRequest",
    "Note",
    "ShareLink",
    "TeamUser",
    "create_web_tables",
]


class ContactRequest(Base):
    """A patient's request to be contacted by the study team of a trial (and site)."""

    __tablename__ = "web_contact_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    trial_id: Mapped[str] = mapped_column(String(64), index=True)
    site: Mapped[str | None] = mapped_column(String(300), nullable=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    language: Mapped[str | None] = mapped_column(String(64), nullable=True)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class TeamUser(Base):
    """A study-team account. ``trial_ids`` is a comma-separated list, or ``*`` for all trials."""

    __tablename__ = "web_team_users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    trial_ids: Mapped[str] = mapped_column(Text, default="*")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Note(Base):
    """A private note on a trial, owned by a browser workspace (digest of its cookie token)."""

    __tablename__ = "web_notes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(64), index=True)
    trial_id: Mapped[str] = mapped_column(String(64))
    quote: Mapped[str | None] = mapped_column(Text, nullable=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ShareLink(Base):
    """A link that shows a workspace's notes to whoever has the link and the passcode."""

    __tablename__ = "web_share_links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    workspace: Mapped[str] = mapped_column(String(64), index=True)
    passcode_hash: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    revoked: Mapped[int] = mapped_column(Integer, default=0)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class AlertSignup(Base):
    """A sign-up to hear about new or changed trials matching a search (fallback store)."""

    __tablename__ = "web_alert_signups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(320))
    query: Mapped[str] = mapped_column(Text)
    filters_json: Mapped[str] = mapped_column(Text, default="{}")
    unsubscribe_digest: Mapped[str] = mapped_column(String(64), unique=True)
    saved_search_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    active: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


WEB_TABLES = [m.__table__ for m in (ContactRequest, TeamUser, Note, ShareLink, AlertSignup)]


def create_web_tables(engine: Engine) -> None:
    """Create the web tables if missing (other tables are left alone)."""
    Base.metadata.create_all(engine, tables=WEB_TABLES)  # type: ignore[arg-type]
