"""The trial tables: current records, their version history, parsed-criteria cache, import
progress (resumable imports) and sync state (incremental ClinicalTrials.gov sync).

Timestamps are stored as naive UTC (SQLite keeps no time zone); :mod:`trialmatch.store.store`
converts at the edge.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from trialmatch.store.base import Base

__all__ = ["ImportProgressRow", "SyncStateRow", "TrialCriteriaRow", "TrialRow", "TrialVersionRow"]


class TrialRow(Base):
    """The current version of every trial: the full record as JSON plus indexed columns."""

    __tablename__ = "trials"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    registry_id: Mapped[str | None] = mapped_column(String(128), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(64), index=True)
    phases: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    conditions: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    study_type: Mapped[str | None] = mapped_column(String(64))
    last_update: Mapped[str | None] = mapped_column(String(32))  # as the registry gives it
    source: Mapped[str | None] = mapped_column(Text)  # source file or URL
    source_format: Mapped[str | None] = mapped_column(String(32))
    content_hash: Mapped[str] = mapped_column(String(64))
    criteria_hash: Mapped[str] = mapped_column(String(64))  # eligibility only (alerts)
    parse_hash: Mapped[str] = mapped_column(String(64))  # everything the criteria parser reads
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    data: Mapped[str] = mapped_column(Text)  # Trial.model_dump_json()


class TrialVersionRow(Base):
    """One row per version of a trial. ``data`` is NULL for the current version (the record is in
    ``trials.data``) and filled with the old record when a newer version replaces it."""

    __tablename__ = "trial_versions"
    __table_args__ = (Index("ix_trial_versions_trial_version", "trial_id", "version", unique=True),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    trial_id: Mapped[str] = mapped_column(String(128), ForeignKey("trials.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    change: Mapped[str] = mapped_column(String(64))  # "new" or comma list: status,criteria,content
    status: Mapped[str | None] = mapped_column(String(64))
    previous_status: Mapped[str | None] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    criteria_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(Text)
    data: Mapped[str | None] = mapped_column(Text)


class TrialCriteriaRow(Base):
    """Parsed criteria of a trial for one parser version; valid while ``input_hash`` matches."""

    __tablename__ = "trial_criteria"

    trial_id: Mapped[str] = mapped_column(
        String(128), ForeignKey("trials.id", ondelete="CASCADE"), primary_key=True
    )
    parser_version: Mapped[str] = mapped_column(String(64), primary_key=True)
    input_hash: Mapped[str] = mapped_column(String(64))
    criteria_json: Mapped[str] = mapped_column(Text)
    parsed_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ImportProgressRow(Base):
    """How far a (large) import got: the last record index committed for a source key."""

    __tablename__ = "import_progress"

    key: Mapped[str] = mapped_column(String(512), primary_key=True)
    last_index: Mapped[int] = mapped_column(Integer, default=-1)  # last committed item index
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class SyncStateRow(Base):
    """When a ClinicalTrials.gov query was last synced (incremental sync)."""

    __tablename__ = "sync_state"

    query_key: Mapped[str] = mapped_column(String(512), primary_key=True)
    last_sync: Mapped[dt.datetime] = mapped_column(DateTime)
    last_count: Mapped[int] = mapped_column(Integer, default=0)
