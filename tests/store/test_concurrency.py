"""Several workers (threads here, processes in production) sharing one database."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.pg import new_database, pg_url  # noqa: F401
from tests.store.conftest import make_trial
from trialmatch.store import Store


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.db'}"
    return new_database(request.getfixturevalue("pg_url"))


def test_workers_create_tables_and_write_concurrently(url: str) -> None:
    errors: list[BaseException] = []
    stores: list[Store] = []

    def worker(k: int) -> None:
        try:
            s = Store(url)  # every worker creates the tables at start-up
            stores.append(s)
            a = s.import_trials([make_trial(k * 100 + i) for i in range(50)], batch_size=10)
            b = s.import_trials([make_trial(i) for i in range(20)], batch_size=10)  # overlapping ids
            assert a.new == 50 and not a.rejected and not b.rejected and b.new + b.unchanged == 20
            assert s.count() >= 50
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    final = Store(url)
    assert final.count() == 4 * 50 + 20
    for s in stores:
        s.close()
