"""Single-criterion judging on the 801 TrialGPT train pairs (physician labels), beside GPT-4.

``python -m benchmarks.judge_bench [--errors]`` prints accuracy, the confusion matrices, the
per-rule accuracy, and a 5-fold cross-validation by patient (the judge has no fitted parameters:
the folds check that accuracy does not depend on which patients were looked at, fold by fold).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

__all__ = ["LABELS", "load_pairs", "run", "to_verdict"]

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PAIRS = SHARED / "data/benchmarks/trialgpt/criterion_annotations_train.json"
LABELS = ("met", "not_met", "unknown", "not_applicable")
_MAP = {
    "included": "met",
    "excluded": "met",
    "not included": "not_met",
    "not excluded": "not_met",
    "not enough information": "unknown",
    "not applicable": "not_applicable",
}


def to_verdict(label: str) -> str:
    return _MAP[label.strip().lower()]


def load_pairs(path: Path = PAIRS) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        data: list[dict[str, Any]] = json.load(fh)
    return data


def _confusion(gold: list[str], pred: list[str]) -> dict[str, Counter[str]]:
    m: dict[str, Counter[str]] = {g: Counter() for g in LABELS}
    for g, p in zip(gold, pred, strict=True):
        m[g][p] += 1
    return m


def _fmt_confusion(m: dict[str, Counter[str]], title: str) -> str:
    head = f"{title:<16}" + "".join(f"{p:>15}" for p in LABELS)
    rows = [head] + [f"{g:<16}" + "".join(f"{m[g][p]:>15}" for p in LABELS) for g in LABELS]
    return "\n".join(rows)


def _f1(gold: list[str], pred: list[str], label: str) -> float:
    tp = sum(g == p == label for g, p in zip(gold, pred, strict=True))
    fp = sum(p == label != g for g, p in zip(gold, pred, strict=True))
    fn = sum(g == label != p for g, p in zip(gold, pred, strict=True))
    return 2 * tp / max(1, 2 * tp + fp + fn)


def _acc(gold: list[str], pred: list[str]) -> float:
    return sum(g == p for g, p in zip(gold, pred, strict=True)) / max(1, len(gold))


def predict(pairs: list[dict[str, Any]]) -> list[tuple[str, str]]:
    from trialmatch.matching.judge import context_for, judge

    ctx_cache: dict[str, Any] = {}
    out: list[tuple[str, str]] = []
    for x in pairs:
        note = x["note"]
        ctx = ctx_cache.get(note)
        if ctx is None:
            ctx = ctx_cache[note] = context_for(note)
        r = judge(ctx, x.get("criterion_text") or "", x["criterion_type"])
        out.append((r.verdict, r.rule))
    return out


#: The judge's two tunable thresholds (inclusion concept coverage, most terms) and the grid tried.
GRID = [(c, n) for c in (0.4, 0.5, 0.6, 0.99) for n in (4, 6, 8)]


def _tuned_cv(pairs: list[dict[str, Any]], gold: list[str], fold_of: dict[str, int], folds: int) -> float:
    """Accuracy when each fold's thresholds are chosen on the other folds (nested: no peeking)."""
    from trialmatch.matching import judge_rules

    saved = (judge_rules.INCLUSION_COVERAGE, judge_rules.INCLUSION_MAX_TERMS)
    preds: dict[tuple[float, int], list[str]] = {}
    try:
        for c, n in GRID:
            judge_rules.INCLUSION_COVERAGE, judge_rules.INCLUSION_MAX_TERMS = c, n
            preds[(c, n)] = [p for p, _ in predict(pairs)]
    finally:
        judge_rules.INCLUSION_COVERAGE, judge_rules.INCLUSION_MAX_TERMS = saved
    correct = 0
    for f in range(folds):
        train = [i for i, x in enumerate(pairs) if fold_of[x["patient_id"]] != f]
        test = [i for i, x in enumerate(pairs) if fold_of[x["patient_id"]] == f]
        best = max(GRID, key=lambda g: sum(preds[g][i] == gold[i] for i in train))
        correct += sum(preds[best][i] == gold[i] for i in test)
    return correct / max(1, len(pairs))


def run(folds: int = 5, show_errors: bool = False, details: bool = False) -> dict[str, Any]:
    """Figures for the benchmark table; ``details`` adds the confusion matrices, per-rule counts and
    the wrong pairs under keys starting with ``_``."""
    pairs = load_pairs()
    t = time.perf_counter()
    preds = predict(pairs)
    secs = time.perf_counter() - t
    gold = [to_verdict(x["expert_eligibility"]) for x in pairs]
    gpt = [to_verdict(x["gpt4_eligibility"]) for x in pairs]
    pred = [p for p, _ in preds]
    base = ["not_met" if x["criterion_type"] == "exclusion" else "unknown" for x in pairs]
    # cross-validation by patient: accuracy on each held-out fold of patients
    patients = sorted({x["patient_id"] for x in pairs})
    fold_of = {pid: i % folds for i, pid in enumerate(patients)}
    fold_acc = []
    for f in range(folds):
        idx = [i for i, x in enumerate(pairs) if fold_of[x["patient_id"]] == f]
        fold_acc.append(_acc([gold[i] for i in idx], [pred[i] for i in idx]))
    tuned = _tuned_cv(pairs, gold, fold_of, folds)
    by_rule: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (p, rule), g in zip(preds, gold, strict=True):
        by_rule[rule][0] += p == g
        by_rule[rule][1] += 1
    res: dict[str, Any] = {
        "pairs": len(pairs),
        "accuracy": round(_acc(gold, pred), 4),
        "cv accuracy mean (5 folds by patient)": round(sum(fold_acc) / len(fold_acc), 4),
        "cv accuracy min fold": round(min(fold_acc), 4),
        "cv accuracy, thresholds tuned on the other folds": round(tuned, 4),
        "gpt4 accuracy": round(_acc(gold, gpt), 4),
        "baseline accuracy": round(_acc(gold, base), 4),
        "agreement with gpt4": round(_acc(gpt, pred), 4),
        "pairs per second": round(len(pairs) / secs, 1),
    }
    if show_errors:
        print(_fmt_confusion(_confusion(gold, pred), "judge\\gold->"), file=sys.stderr)
        print(_fmt_confusion(_confusion(gold, gpt), "gpt4"), file=sys.stderr)
        for rule, (ok, n) in sorted(by_rule.items(), key=lambda kv: -kv[1][1]):
            print(f"  rule {rule:<22} {ok}/{n}", file=sys.stderr)
    res["met F1 (judge / gpt4)"] = f"{_f1(gold, pred, 'met'):.3f} / {_f1(gold, gpt, 'met'):.3f}"
    if not details:
        return res
    res["_confusion"] = _confusion(gold, pred)
    res["_gpt4_confusion"] = _confusion(gold, gpt)
    res["_by_rule"] = dict(by_rule)
    res["_errors"] = [
        (x["patient_id"], x["criterion_type"], (x.get("criterion_text") or "")[:140], g, p, rule)
        for x, g, (p, rule) in zip(pairs, gold, preds, strict=True)
        if g != p
    ]
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--errors", action="store_true", help="list the pairs the judge gets wrong")
    a = ap.parse_args(argv)
    res = run(details=True)
    print("| figure | value |\n|---|---|")
    for k, v in res.items():
        if not k.startswith("_"):
            print(f"| {k} | {v} |")
    print()
    print("```")
    print(_fmt_confusion(res["_confusion"], "gold \\ judge"))
    print()
    print(_fmt_confusion(res["_gpt4_confusion"], "gold \\ gpt4"))
    print("```")
    print("\nper rule (correct / decided):")
    for rule, (ok, n) in sorted(res["_by_rule"].items(), key=lambda kv: -kv[1][1]):
        print(f"  {rule:<22} {ok}/{n}")
    if a.errors:
        for e in res["_errors"]:
            print(" | ".join(str(x) for x in e))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
