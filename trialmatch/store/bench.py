"""End-to-end import benchmark: ``trialmatch import`` of a large API v2 list response into a fresh
SQLite database, as a user runs it (a child process, so start-up and peak RSS are included).

Figures: trials/s for a first import (wall clock and child CPU time), for a re-import (all
unchanged), and the child's peak RSS. The corpus is built by ``benchmarks.import_bench`` from
../shared/data/trials (run from the repository root).

    python -m trialmatch.store.bench [--copies N]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["run"]


def _cli() -> list[str]:
    exe = Path(sys.executable).parent / "trialmatch"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "trialmatch.cli.main"]


def _timed(args: list[str]) -> tuple[float, float, float]:
    """(wall s, child CPU s, child peak RSS MB) of one CLI run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    r = subprocess.run(_cli() + args, capture_output=True, text=True, timeout=3600)
    wall = time.perf_counter() - t
    if r.returncode:
        raise RuntimeError(f"trialmatch {' '.join(args[:2])} failed: {r.stderr[-500:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def run(n_copies: int = 1) -> dict[str, Any]:
    from benchmarks.import_bench import build_corpus

    with tempfile.TemporaryDirectory(prefix="tm-store-bench-") as tmp:
        corpus, db = Path(tmp) / "corpus.json", Path(tmp) / "tm.db"
        n = build_corpus(corpus, n_copies)
        wall, cpu, rss = _timed(["import", str(corpus), "--db", str(db)])
        wall2, cpu2, _ = _timed(["import", str(corpus), "--db", str(db)])
    return {
        "trials": n,
        "first import trials/s": n / wall,
        "first import trials/s (CPU time)": n / cpu if cpu else 0.0,
        "re-import (unchanged) trials/s": n / wall2,
        "re-import trials/s (CPU time)": n / cpu2 if cpu2 else 0.0,
        "peak RSS MB": rss,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--copies", type=int, default=1)
    a = ap.parse_args()
    for k, v in run(a.copies).items():
        print(f"{k:36} {v:,.1f}" if isinstance(v, float) else f"{k:36} {v:,}")


if __name__ == "__main__":
    main()
