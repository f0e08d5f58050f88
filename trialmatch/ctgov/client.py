"""An httpx client for the ClinicalTrials.gov API v2 (``/api/v2/studies``).

Search by condition, term, location and status, page with ``pageToken``, retry with exponential
backoff on 429 / 5xx / timeouts / connection errors (honouring ``Retry-After``), and keep a polite
rate limit (``rate_limit`` requests per second at most). ``updated_since`` restricts results to
studies whose last update was posted on or after a date (``filter.advanced``), which is what the
incremental sync uses.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

__all__ = ["DEFAULT_BASE_URL", "RETRY_STATUSES", "CtgovClient", "CtgovError", "Page"]

DEFAULT_BASE_URL = "https://clinicaltrials.gov"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: A single response body larger than this is refused (a 1,000-study page is ~50 MB at most).
MAX_RESPONSE_BYTES = 200 * 1024 * 1024


class CtgovError(RuntimeError):
    """The API could not be reached or answered with an error after all retries."""


@dataclass(slots=True)
class Page:
    studies: list[dict[str, Any]]
    next_page_token: str | None = None
    total_count: int | None = None
    params: dict[str, str] = field(default_factory=dict)


class CtgovClient:
    """ClinicalTrials.gov API v2 client. ``transport`` / ``sleep`` / ``clock`` are for tests."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        rate_limit: float = 3.0,
        max_retries: int = 5,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        timeout: float = 30.0,
        jitter: bool = True,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        user_agent: str = "TrialMatch/0.1 (+https://github.com/trialmatch)",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.min_interval = 1.0 / rate_limit if rate_limit and rate_limit > 0 else 0.0
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.jitter = jitter
        self._sleep = sleep
        self._clock = clock
        self._last: float | None = None
        self.requests = 0  # requests sent, retries included
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            follow_redirects=True,
        )

    # ------------------------------------------------------------------ plumbing
    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CtgovClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _wait_turn(self) -> None:
        if self.min_interval and self._last is not None:
            wait = self._last + self.min_interval - self._clock()
            if wait > 0:
                self._sleep(wait)
        self._last = self._clock()

    def _delay(self, attempt: int, response: httpx.Response | None) -> float:
        if response is not None:
            ra = response.headers.get("Retry-After")
            if ra:
                try:
                    return min(max(float(ra), 0.0), self.max_backoff)
                except ValueError:
                    pass
        d = min(self.backoff * (2**attempt), self.max_backoff)
        if self.jitter:
            d += random.uniform(0, self.backoff / 2)
        return d

    def get_json(self, path: str, params: dict[str, str] | None = None) -> Any:
        """GET a JSON document with rate limiting and retries; raises :class:`CtgovError`."""
        last_problem = "no attempt"
        for attempt in range(self.max_retries + 1):
            self._wait_turn()
            self.requests += 1
            response: httpx.Response | None = None
            try:
                response = self._http.get(path, params=params)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                last_problem = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code < 400:
                    if len(response.content) > MAX_RESPONSE_BYTES:
                        raise CtgovError(f"response from {path} larger than {MAX_RESPONSE_BYTES} bytes")
                    try:
                        return response.json()
                    except ValueError as exc:
                        raise CtgovError(f"{path}: response is not JSON ({exc})") from exc
                last_problem = f"HTTP {response.status_code}: {response.text[:200]!r}"
                if response.status_code not in RETRY_STATUSES:
                    raise CtgovError(f"{path}: {last_problem}")
            if attempt < self.max_retries:
                self._sleep(self._delay(attempt, response))
        raise CtgovError(f"{path}: giving up after {self.max_retries + 1} attempts ({last_problem})")

    # ------------------------------------------------------------------ API
    @staticmethod
    def search_params(
        *,
        condition: str | None = None,
        term: str | None = None,
        location: str | None = None,
        statuses: Sequence[str] | None = None,
        updated_since: dt.date | None = None,
        page_size: int = 100,
        page_token: str | None = None,
        count_total: bool = False,
    ) -> dict[str, str]:
        p: dict[str, str] = {"format": "json", "pageSize": str(max(1, min(page_size, 1000)))}
        if condition:
            p["query.cond"] = condition
        if term:
            p["query.term"] = term
        if location:
            p["query.locn"] = location
        if statuses:
            p["filter.overallStatus"] = ",".join(s.strip().upper() for s in statuses if s.strip())
        if updated_since:
            p["filter.advanced"] = f"AREA[LastUpdatePostDate]RANGE[{updated_since.isoformat()},MAX]"
        if page_token:
            p["pageToken"] = page_token
        if count_total:
            p["countTotal"] = "true"
        return p

    def search_page(self, **kw: Any) -> Page:
        """One page of ``/api/v2/studies`` (keyword arguments as :meth:`search_params`)."""
        params = self.search_params(**kw)
        data = self.get_json("/api/v2/studies", params)
        if not isinstance(data, dict) or not isinstance(data.get("studies", []), list):
            raise CtgovError("unexpected response: no 'studies' list")
        studies = [s for s in data.get("studies", []) if isinstance(s, dict)]
        token = data.get("nextPageToken")
        total = data.get("totalCount")
        return Page(
            studies, str(token) if token else None, int(total) if isinstance(total, int) else None, params
        )

    def iter_studies(
        self,
        *,
        condition: str | None = None,
        term: str | None = None,
        location: str | None = None,
        statuses: Sequence[str] | None = None,
        updated_since: dt.date | None = None,
        page_size: int = 100,
        max_pages: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every matching study, following ``nextPageToken`` (at most ``max_pages`` pages)."""
        token: str | None = None
        pages = 0
        seen_tokens: set[str] = set()
        while True:
            page = self.search_page(
                condition=condition,
                term=term,
                location=location,
                statuses=statuses,
                updated_since=updated_since,
                page_size=page_size,
                page_token=token,
                count_total=token is None,
            )
            pages += 1
            yield from page.studies
            token = page.next_page_token
            if not token or (max_pages is not None and pages >= max_pages) or token in seen_tokens:
                return
            seen_tokens.add(token)

    def get_study(self, nct_id: str) -> dict[str, Any] | None:
        """One study by NCT id (None when the registry does not know it)."""
        try:
            data = self.get_json(f"/api/v2/studies/{nct_id}", {"format": "json"})
        except CtgovError as exc:
            if "HTTP 404" in str(exc):
                return None
            raise
        return data if isinstance(data, dict) else None
