"""Run every benchmark and print one table: ``python -m benchmarks [--quick] [--only NAME ...]``.

Each benchmark module exposes ``run(**kwargs) -> dict`` of named figures. Machines are noisy:
compare ratios within one run, not absolute numbers across runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import platform
import sys
import time
from typing import Any

MODULES = (
    ("import", "benchmarks.import_bench"),
    ("store", "trialmatch.store.bench"),
    ("criteria", "benchmarks.criteria_bench"),
    ("match", "benchmarks.match_bench"),
    ("search", "benchmarks.search_bench"),
    ("screen", "benchmarks.screen_bench"),
    ("judge", "benchmarks.judge_bench"),
    ("vignettes", "benchmarks.vignettes_bench"),
    ("web", "benchmarks.web_bench"),
)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.3f}" if abs(v) < 10 else f"{v:,.0f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    ap.add_argument("--only", nargs="*", default=None, help="benchmark names to run")
    a = ap.parse_args(argv)
    rows: list[tuple[str, str, str]] = []
    print(f"# TrialMatch benchmarks, {dt.date.today()} on {platform.node()} "
          f"(Python {platform.python_version()}, {platform.machine()})", flush=True)
    for name, mod_name in MODULES:
        if a.only and name not in a.only:
            continue
        try:
            mod = importlib.import_module(mod_name)
        except ModuleNotFoundError as exc:
            rows.append((name, "(not available)", str(exc)))
            continue
        t = time.perf_counter()
        try:
            figures = mod.run()
        except Exception as exc:  # a benchmark failing must not hide the others
            rows.append((name, "(failed)", f"{type(exc).__name__}: {exc}"))
            continue
        for key, value in figures.items():
            if isinstance(value, dict):  # one level of detail; deeper tables stay in the module's own output
                for sub, v in value.items():
                    if not isinstance(v, dict):
                        rows.append((name, f"{key}: {sub}", _fmt(v)))
            else:
                rows.append((name, key, _fmt(value)))
        rows.append((name, "wall time s", _fmt(time.perf_counter() - t)))
        print(f"  done: {name}", file=sys.stderr, flush=True)
    w1 = max(len(r[0]) for r in rows) if rows else 5
    w2 = max(len(r[1]) for r in rows) if rows else 6
    print(f"| {'bench'.ljust(w1)} | {'figure'.ljust(w2)} | value |")
    print(f"|{'-' * (w1 + 2)}|{'-' * (w2 + 2)}|-------|")
    for r in rows:
        print(f"| {r[0].ljust(w1)} | {r[1].ljust(w2)} | {r[2]} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
