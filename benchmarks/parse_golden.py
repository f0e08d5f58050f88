"""Golden-output check for parser speed work: the parse result must not change.

``python -m benchmarks.parse_golden save OUT.jsonl [--every N]`` parses a sample of the real trials
in ``../shared/data/trials`` (every N-th study of trial_info + HINT, default 4, ~1,450 trials) with
``trial_criteria`` and writes one line per trial: id, digest of ``[c.to_dict() ...]`` and the dicts.
``python -m benchmarks.parse_golden check OUT.jsonl`` parses the same trials again and reports
every trial whose output differs (exit 1 when any does), with the first differing criterion.
While others edit the parser, save from a copy of the tree with only the speed changes reverted
(run from the copy, ``TM_SHARED=/path/to/shared``) and check the working tree right after.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TOOLS = Path(os.environ.get("TM_SHARED") or ROOT.parent / "shared") / "tools"

__all__ = ["check", "parse_sample", "save"]


def _studies(every: int) -> list[dict[str, Any]]:
    sys.path.insert(0, str(TOOLS))
    import corpus  # type: ignore[import-not-found]

    return list(corpus.studies())[::every]


def parse_sample(every: int = 4) -> list[tuple[str, list[dict[str, Any]]]]:
    from trialmatch.criteria import trial_criteria
    from trialmatch.ctgov.convert import study_to_trial

    out = []
    for s in _studies(every):
        trial = study_to_trial(s)
        if not hasattr(trial, "eligibility"):
            continue
        out.append((trial.id, [c.to_dict() for c in trial_criteria(trial)]))
    return out


def _digest(items: list[dict[str, Any]]) -> str:
    return hashlib.sha1(json.dumps(items, sort_keys=True).encode()).hexdigest()


def save(path: Path, every: int = 4) -> int:
    t = time.perf_counter()
    rows = parse_sample(every)
    with path.open("w", encoding="utf-8") as fh:
        for tid, items in rows:
            fh.write(json.dumps({"id": tid, "digest": _digest(items), "items": items}) + "\n")
    print(f"saved {len(rows)} trials in {time.perf_counter() - t:.1f} s")
    return 0


def check(path: Path, every: int = 4) -> int:
    gold = {}
    for ln in path.read_text(encoding="utf-8").splitlines():
        d = json.loads(ln)
        gold[d["id"]] = d
    t = time.perf_counter()
    rows = parse_sample(every)
    dt = time.perf_counter() - t
    bad = 0
    for tid, items in rows:
        g = gold.get(tid)
        if g is None or g["digest"] != _digest(items):
            bad += 1
            if bad <= 5 and g is not None:
                for a, b in zip(g["items"], items, strict=False):
                    if json.dumps(a, sort_keys=True) != json.dumps(b, sort_keys=True):
                        print(f"{tid}: {a.get('text')!r}")
                        print(f"  gold {json.dumps(a)[:400]}\n  now  {json.dumps(b)[:400]}")
                        break
                else:
                    print(f"{tid}: {len(g['items'])} criteria before, {len(items)} now")
    print(f"checked {len(rows)} trials in {dt:.1f} s: {bad} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    every = int(args[args.index("--every") + 1]) if "--every" in args else 4
    if len(args) >= 2 and args[0] in ("save", "check"):
        sys.exit((save if args[0] == "save" else check)(Path(args[1]), every))
    sys.exit(__doc__)
