"""Web load test: ``trialmatch serve`` on 127.0.0.1 with a SQLite database of real registry records
(../shared/data/ctgov_api_v2 and ctgov_legacy_xml, imported through the project's importers), then a
fixed number of keep-alive clients for a fixed time per scenario. Reports requests/s and latency
percentiles for the trial page and for search.

``python -m benchmarks.web_bench [--clients 8] [--seconds 8] [--workers 2]``
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

__all__ = ["build_db", "load", "run"]

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
QUERIES = [
    "neuroendocrine",
    "breast cancer",
    "diabetes",
    "lung",
    "pancreatic",
    "carcinoid",
    "melanoma",
    "prostate",
    "leukemia",
    "heart failure",
]


def build_db(path: Path) -> list[str]:
    """Import the registry samples into a fresh store; returns the trial ids."""
    from trialmatch.importers import read_path
    from trialmatch.records.model import Trial
    from trialmatch.store import Store

    store = Store(f"sqlite:///{path}")
    items: list[Trial] = []
    for folder in ("ctgov_api_v2", "ctgov_legacy_xml"):
        for f in sorted((SHARED / "data" / folder).glob("*")):
            if f.suffix.lower() in (".json", ".xml"):
                items.extend(x for x in read_path(f) if isinstance(x, Trial))
    store.import_trials(items)
    ids = list(store.ids())
    store.close()
    return ids


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load(port: int, paths: list[str], clients: int, seconds: float) -> dict[str, float]:
    """``clients`` threads, each with one keep-alive connection, requesting random ``paths`` for
    ``seconds``. Returns requests/s, p50/p95 latency (ms) and the error count."""
    lat: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker(seed: int) -> None:
        rnd = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            try:
                conn.request("GET", rnd.choice(paths))
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            if ok:
                mine.append(time.perf_counter() - t0)
            else:
                with lock:
                    errors[0] += 1
        conn.close()
        with lock:
            lat.extend(mine)

    t_start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    took = time.perf_counter() - t_start
    lat.sort()

    def pct(p: float) -> float:
        return 1000 * lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")

    return {"rps": len(lat) / took, "p50_ms": pct(0.50), "p95_ms": pct(0.95), "errors": float(errors[0])}


def _warm(port: int, paths: list[str], clients: int) -> None:
    todo = list(paths)
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if not todo:
                    break
                path = todo.pop()
            try:
                conn.request("GET", path)
                conn.getresponse().read()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()


def run(clients: int = 8, seconds: float = 8.0, workers: int = 2) -> dict[str, Any]:
    """Start the server, warm it up, load the trial page and search; returns the figures."""
    work = Path(tempfile.mkdtemp(prefix="tm-webbench-"))
    db = work / "web.db"
    ids = build_db(db)
    port = _port()
    exe = Path(sys.executable).with_name("trialmatch")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "trialmatch.cli.main"]
    proc = subprocess.Popen(
        [
            *cmd,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--db",
            str(db),
            "--workers",
            str(workers),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=str(ROOT),
        env=dict(os.environ),
    )
    out: dict[str, Any] = {
        "trials": len(ids),
        "clients": clients,
        "seconds per scenario": seconds,
        "server workers": workers,
    }
    try:
        for _ in range(120):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/faq")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.25)
        trial_paths = [f"/trials/{i}" for i in ids]
        search_paths = [f"/search?q={q.replace(' ', '+')}" for q in QUERIES]
        # warm-up: every page a few times so that each worker has parsed and cached it
        t0 = time.perf_counter()
        _warm(port, (trial_paths + search_paths) * (2 * workers), clients)
        out["warm-up s"] = round(time.perf_counter() - t0, 1)
        # distinct filters defeat the one-minute result cache: the search engine's own speed
        fresh = [
            f"{p}&age={a}&sex={x}" for p in search_paths for a in range(18, 91) for x in ("female", "male")
        ]
        random.Random(1).shuffle(fresh)
        scenarios = (
            ("trial page", trial_paths),
            ("search (cached)", search_paths),
            ("search (uncached)", fresh),
        )
        for name, paths in scenarios:
            res = load(port, paths, clients, seconds)
            out[f"{name} requests/s"] = round(res["rps"], 1)
            out[f"{name} p50 ms"] = round(res["p50_ms"], 1)
            out[f"{name} p95 ms"] = round(res["p95_ms"], 1)
            out[f"{name} errors"] = int(res["errors"])
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    res = run(a.clients, a.seconds, a.workers)
    width = max(len(k) for k in res)
    print(f"{'figure':<{width}}  value")
    for k, v in res.items():
        print(f"{k:<{width}}  {v}")


if __name__ == "__main__":
    main()
