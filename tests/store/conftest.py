"""Store fixtures: every store test runs on SQLite and on a throwaway PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.pg import new_database, pg_url  # noqa: F401
from trialmatch.records.model import Eligibility, Provenance, Trial
from trialmatch.store import Base, Store


@pytest.fixture(scope="session")
def pg_store_url(pg_url: str) -> str:  # noqa: F811
    """One database for the store tests on PostgreSQL, emptied before each test."""
    return new_database(pg_url)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        s = Store(f"sqlite:///{tmp_path / 'store.db'}")
    else:
        s = Store(request.getfixturevalue("pg_store_url"))
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with s.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    yield s
    s.close()


def make_trial(
    i: int, *, status: str = "RECRUITING", criteria: str = "Inclusion Criteria:\n- Age >= 18", **kw: object
) -> Trial:
    nct = f"NCT{i:08d}"
    return Trial(
        id=nct,
        registry_id=nct,
        brief_title=f"Study {i} of everolimus in neuroendocrine tumours",
        overall_status=status,
        phases=["PHASE2"],
        conditions=["Neuroendocrine Tumors"],
        eligibility=Eligibility(criteria_text=criteria, sex="ALL", minimum_age="18 Years"),
        provenance=Provenance(source_format="ctgov-json", source="generated.json", record_index=i),
        **kw,  # type: ignore[arg-type]
    )
