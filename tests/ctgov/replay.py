"""A local ClinicalTrials.gov API v2 stand-in on 127.0.0.1 for tests.

It replays the real API v2 study records of ../shared/data/ctgov_api_v2 (read at test time) as
``/api/v2/studies`` list responses: ``query.cond`` / ``query.term`` / ``filter.overallStatus`` /
``filter.advanced`` (``AREA[LastUpdatePostDate]RANGE[date,MAX]``), paged with ``pageSize`` and
``nextPageToken``. ``fail_next`` makes the next requests answer with given HTTP error codes.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["ReplayServer", "load_covid_search_as_v2", "load_v2_studies"]


def load_v2_studies(shared: Path) -> list[dict[str, Any]]:
    """The distinct API v2 studies (with an NCT id) among the shared fixtures."""
    out: dict[str, dict[str, Any]] = {}
    for f in sorted((shared / "data/ctgov_api_v2").glob("NCT*.json")):
        d = json.loads(f.read_text())
        nct = (d.get("protocolSection") or {}).get("identificationModule", {}).get("nctId")
        if nct and nct not in out:
            out[nct] = d
    return [out[k] for k in sorted(out)]


def load_covid_search_as_v2(shared: Path) -> list[dict[str, Any]]:
    """The 100 studies of the recorded classic-API COVID-19 search response, as API v2 studies
    (read with the project's importer, written with its API v2 exporter)."""
    from trialmatch.importers import read_path
    from trialmatch.records.export import to_ctgov_json
    from trialmatch.records.model import Trial

    items = read_path(shared / "data/ctgov_api_v2/covid-19-search.json")
    return [to_ctgov_json(t) for t in items if isinstance(t, Trial)]


def _status(s: dict[str, Any]) -> str | None:
    return s["protocolSection"].get("statusModule", {}).get("overallStatus")


def _last_update(s: dict[str, Any]) -> str:
    sm = s["protocolSection"].get("statusModule", {})
    return str((sm.get("lastUpdatePostDateStruct") or {}).get("date") or "")


class ReplayServer:
    def __init__(self, studies: list[dict[str, Any]]) -> None:
        self.studies = copy.deepcopy(studies)
        self.fail_next: list[int] = []
        self.requests: list[tuple[float, str, dict[str, str]]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server.handle(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> ReplayServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def set_study(self, nct: str, status: str, last_update: str) -> None:
        for s in self.studies:
            if s["protocolSection"]["identificationModule"]["nctId"] == nct:
                sm = s["protocolSection"].setdefault("statusModule", {})
                sm["overallStatus"] = status
                sm["lastUpdatePostDateStruct"] = {"date": last_update, "type": "ACTUAL"}

    # ------------------------------------------------------------------
    def select(self, params: dict[str, str]) -> list[dict[str, Any]]:
        out = self.studies
        cond = params.get("query.cond", "").lower()
        if cond:
            out = [
                s
                for s in out
                if cond
                in json.dumps(
                    [
                        s["protocolSection"].get("conditionsModule", {}),
                        s["protocolSection"]["identificationModule"],
                    ]
                ).lower()
            ]
        term = params.get("query.term", "").lower()
        if term:
            out = [s for s in out if term in json.dumps(s).lower()]
        statuses = params.get("filter.overallStatus")
        if statuses:
            wanted = set(re.split(r"[,|]", statuses))
            out = [s for s in out if _status(s) in wanted]
        adv = params.get("filter.advanced", "")
        m = re.fullmatch(r"AREA\[LastUpdatePostDate\]RANGE\[(\d{4}-\d{2}-\d{2}),MAX\]", adv)
        if adv and not m:
            raise ValueError(f"unsupported filter.advanced {adv!r}")
        if m:
            out = [s for s in out if _last_update(s) >= m.group(1)]
        return out

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        url = urlsplit(h.path)
        params = {k: v[-1] for k, v in parse_qs(url.query).items()}
        with self._lock:
            self.requests.append((time.monotonic(), url.path, params))
            fail = self.fail_next.pop(0) if self.fail_next else None
        if fail:
            self._send(h, fail, {"error": "Service Unavailable"}, {"Retry-After": "0"} if fail == 429 else {})
            return
        if url.path.startswith("/api/v2/studies/"):
            nct = url.path.rsplit("/", 1)[-1]
            hit = [s for s in self.studies if s["protocolSection"]["identificationModule"]["nctId"] == nct]
            self._send(h, 200 if hit else 404, hit[0] if hit else {"error": "not found"})
            return
        if url.path != "/api/v2/studies":
            self._send(h, 404, {"error": "not found"})
            return
        try:
            found = self.select(params)
        except ValueError as exc:
            self._send(h, 400, {"error": str(exc)})
            return
        size = int(params.get("pageSize", "10"))
        start = int(params.get("pageToken", "tok0")[3:])
        body: dict[str, Any] = {"studies": found[start : start + size]}
        if start + size < len(found):
            body["nextPageToken"] = f"tok{start + size}"
        if params.get("countTotal") == "true":
            body["totalCount"] = len(found)
        self._send(h, 200, body)

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, code: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        h.send_response(code)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)
