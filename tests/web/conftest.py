"""Fixtures for the web tests: an app on hand-written trials and a scratch SQLite database."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

warnings.filterwarnings("ignore", category=DeprecationWarning)

from fastapi.testclient import TestClient  # noqa: E402

from tests.web.fixtures import trials  # noqa: E402
from trialmatch.web.app import create_app  # noqa: E402

TEAM = {"coordinator": "correct horse battery staple"}


@pytest.fixture()
def app(tmp_path: Path):  # type: ignore[no-untyped-def]
    return create_app(f"sqlite:///{tmp_path / 'web.db'}", trials=trials())


@pytest.fixture()
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as c:
        yield c


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)
