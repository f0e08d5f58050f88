"""Tables of the search area: saved searches (with subscriber and unsubscribe token) and alert
runs (one row per message written)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from trialmatch.store.base import Base

__all__ = ["AlertRunRow", "SavedSearchRow"]


class SavedSearchRow(Base):
    """A saved search: the SearchQuery JSON, who to tell, an optional patient profile JSON."""

    __tablename__ = "saved_searches"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    query_json: Mapped[str] = mapped_column(Text)
    patient_json: Mapped[str | None] = mapped_column(Text)
    unsubscribe_token: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_run_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AlertRunRow(Base):
    """One alert message for one saved search: when, how many trials, where it went."""

    __tablename__ = "search_alert_runs"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    saved_search_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("saved_searches.id", ondelete="CASCADE")
    )
    ran_at: Mapped[dt.datetime] = mapped_column(DateTime)
    since: Mapped[dt.datetime | None] = mapped_column(DateTime)
    trial_count: Mapped[int] = mapped_column(Integer, default=0)
    trial_ids: Mapped[str] = mapped_column(Text, default="[]")
    delivered_to: Mapped[str | None] = mapped_column(Text)  # .eml path or "smtp:host"
