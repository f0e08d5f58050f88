"""Shared test fixtures: where ../shared is, scratch databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests check behaviour, not speed: a loaded machine must not fail them through
# hypothesis's wall-clock deadline or its "data generation is too slow" health check.
settings.register_profile("trialmatch", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("trialmatch")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the repository")
    return SHARED


@pytest.fixture()
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "tm.db"
