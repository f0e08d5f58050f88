"""The ASGI entry point for ``trialmatch serve`` (uvicorn imports it in each worker):
the database comes from ``$TRIALMATCH_WEB_DB`` (set by the command), else the default."""

from __future__ import annotations

import os

from trialmatch.cli.common import db_url
from trialmatch.web.app import create_app

__all__ = ["app"]

app = create_app(os.environ.get("TRIALMATCH_WEB_DB") or db_url(None))
