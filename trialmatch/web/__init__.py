"""web: the FastAPI + Jinja2 app and JSON API (``create_app(db_url)``; ``trialmatch serve``)."""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def create_app(db_url: str, *args: Any, **kwargs: Any) -> Any:
    from trialmatch.web.app import create_app as _create

    return _create(db_url, *args, **kwargs)
