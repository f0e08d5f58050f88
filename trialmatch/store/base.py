"""The SQLAlchemy declarative base every table of TrialMatch derives from."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

__all__ = ["Base"]


class Base(DeclarativeBase):
    pass
