"""CtgovClient against a local replay server and httpx MockTransport (no network)."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.ctgov.replay import ReplayServer, load_v2_studies
from trialmatch.ctgov import CtgovClient, CtgovError


@pytest.fixture()
def server(shared: Path) -> Iterator[ReplayServer]:
    with ReplayServer(load_v2_studies(shared)) as srv:
        yield srv


def fast_client(base_url: str, **kw: Any) -> CtgovClient:
    kw.setdefault("rate_limit", 0)
    kw.setdefault("backoff", 0.01)
    return CtgovClient(base_url, jitter=False, **kw)


def test_paging_follows_next_page_token(server: ReplayServer) -> None:
    with fast_client(server.base_url) as c:
        studies = list(c.iter_studies(term="a", page_size=3))
    ids = [s["protocolSection"]["identificationModule"]["nctId"] for s in studies]
    assert len(ids) == len(server.studies) == len(set(ids)) == 13
    pages = [p for _, path, p in server.requests if path == "/api/v2/studies"]
    assert len(pages) == 5
    assert "pageToken" not in pages[0] and pages[0]["countTotal"] == "true"
    assert [p.get("pageToken") for p in pages[1:]] == ["tok3", "tok6", "tok9", "tok12"]
    assert all(p["pageSize"] == "3" and p["query.term"] == "a" for p in pages)


def test_search_parameters(server: ReplayServer) -> None:
    with fast_client(server.base_url) as c:
        page = c.search_page(
            condition="spondyloarthritis", statuses=["completed"], page_size=10, count_total=True
        )
        assert page.total_count == 1 and page.next_page_token is None
        assert page.studies[0]["protocolSection"]["identificationModule"]["nctId"] == "NCT02552212"
        p = server.requests[-1][2]
        assert p["query.cond"] == "spondyloarthritis" and p["filter.overallStatus"] == "COMPLETED"
        recent = list(c.iter_studies(term="a", updated_since=dt.date(2022, 1, 1)))
        assert server.requests[-1][2]["filter.advanced"] == "AREA[LastUpdatePostDate]RANGE[2022-01-01,MAX]"
        assert {s["protocolSection"]["identificationModule"]["nctId"] for s in recent} == {
            "NCT02513394",
            "NCT02552212",
            "NCT05594173",
            "NCT06171568",
        }
        assert c.get_study("NCT03418623") is not None and c.get_study("NCT00000000") is None
        loc = c.search_params(location="Boston, MA")
        assert loc["query.locn"] == "Boston, MA"


def test_retry_on_503_then_success(server: ReplayServer) -> None:
    server.fail_next = [503, 503, 429]
    with fast_client(server.base_url) as c:
        studies = list(c.iter_studies(condition="breast"))
        assert c.requests == 4
    assert [s["protocolSection"]["identificationModule"]["nctId"] for s in studies] == ["NCT02513394"]


def test_gives_up_after_max_retries(server: ReplayServer) -> None:
    server.fail_next = [503] * 10
    with fast_client(server.base_url, max_retries=2) as c, pytest.raises(CtgovError, match="3 attempts"):
        c.search_page(condition="breast")


class FakeClock:
    """A clock that moves only when the client sleeps or a response "takes" time."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_rate_limit_spaces_requests() -> None:
    clock = FakeClock()
    sent: list[float] = []
    took = iter([0.0, 0.01, 0.03, 0.07, 0.2])  # how long each response takes

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(clock.now)
        clock.now += next(took)
        return httpx.Response(200, json={"studies": []})

    with CtgovClient(
        "https://example.invalid",
        rate_limit=20,
        transport=httpx.MockTransport(handler),
        sleep=clock.sleep,
        clock=clock,
    ) as c:
        for _ in range(5):
            c.search_page(condition="breast")
    gaps = [b - a for a, b in itertools.pairwise(sent)]
    assert len(sent) == 5 and min(gaps) >= 0.05 - 1e-9, gaps
    # it waits out only what is left of the 1/20 s interval; a slow response (0.07 s) needs no wait
    assert clock.slept == pytest.approx([0.05, 0.04, 0.02])


def test_rate_limit_with_the_real_clock(server: ReplayServer) -> None:
    # a lower bound on wall time: load on the machine can only lengthen it
    start = time.monotonic()
    with CtgovClient(server.base_url, rate_limit=20) as c:
        for _ in range(5):
            c.search_page(condition="breast")
    assert time.monotonic() - start >= 4 * 0.05
    assert len([r for r in server.requests if r[1] == "/api/v2/studies"]) == 5


def test_backoff_and_timeouts_with_mock_transport() -> None:
    calls: list[str] = []
    slept: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        if len(calls) == 1:
            raise httpx.ReadTimeout("slow", request=request)
        if len(calls) == 2:
            return httpx.Response(502)
        if len(calls) == 3:
            return httpx.Response(429, headers={"Retry-After": "7"})
        return httpx.Response(200, json={"studies": [{"protocolSection": {}}], "totalCount": 1})

    c = CtgovClient(
        "https://example.invalid",
        transport=httpx.MockTransport(handler),
        sleep=slept.append,
        rate_limit=0,
        backoff=1.0,
        jitter=False,
    )
    page = c.search_page(condition="x")
    assert len(page.studies) == 1 and page.total_count == 1
    assert slept == [1.0, 2.0, 7.0]  # exponential, then the server's Retry-After


def test_client_errors_are_not_retried() -> None:
    n = [0]

    def handler(request: httpx.Request) -> httpx.Response:
        n[0] += 1
        return httpx.Response(400, text="bad filter")

    c = CtgovClient("https://example.invalid", transport=httpx.MockTransport(handler), sleep=lambda s: None)
    with pytest.raises(CtgovError, match="HTTP 400"):
        c.search_page(condition="x")
    assert n[0] == 1


def test_rate_limit_with_fake_clock() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(round(s, 6))
        now[0] += s

    c = CtgovClient(
        "https://example.invalid",
        rate_limit=2,
        sleep=sleep,
        clock=lambda: now[0],
        transport=httpx.MockTransport(lambda r: httpx.Response(200, json={"studies": []})),
    )
    for _ in range(3):
        c.search_page(condition="x")
    assert slept == [0.5, 0.5]
