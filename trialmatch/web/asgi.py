"""The ASGI entry point for ``trialmatch serve`` (uvicorn imports it in each worker):
the database comes from ``$TRIALMATCH_WEB_DB`` (set by the command), else the default.
Being a whole server process, it lets the warm-up freeze the garbage collector's view of the
prepared trials (see ``trialmatch.web.warmup``)."""

from __future__ import annotations

import os

from trialmatch.cli.common import db_url
from trialmatch.web.app import create_app

__all__ = ["app"]

app = create_app(os.environ.get("TRIALMATCH_WEB_DB") or db_url(None))
if app.state.warm_up is not None:
    app.state.warm_up.freeze_gc = True
