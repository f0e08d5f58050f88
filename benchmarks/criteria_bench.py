"""Criteria parser benchmark: numeric extraction against annotated corpora, and throughput.

1. LCT corpus (``criteria_annotations/lct``, brat): every ``Observation`` / ``Age`` entity whose
   name resolves to one of our variables (labs through ``vocab.lab_key``; ECOG, Karnofsky, life
   expectancy, age by name) and that carries a ``Numeric-Filter`` -> ``Eq-Comparison`` with an
   ``Eq-Value`` is a gold tuple (variable, operator, value). The parser reads each line of the same
   document; a predicted tuple matches a gold one of the same document with the same variable and
   value (|diff| < 1e-6) and, for the strict score, the same operator family (>=/> vs <=/<; ranges
   as "between"). Precision = matched / predicted, recall = matched / gold, per variable;
   predictions count only for variables that occur in the gold standard of that corpus.
2. Facebook parser slots (``fb_clinical_trial_parser/data/ner``): numbers are normalised to
   ``@NUMBER``, so we score (variable, bound direction): a ``clinical_variable`` slot resolving to
   one of our variables with a ``lower_bound`` slot is a ">" gold item, ``upper_bound`` a "<" one.
   ``@NUMBER`` is replaced by 2 (70 for Karnofsky) before parsing. The corpus is lower-cased, so
   case-sensitive abbreviations are only found where a lower-case synonym is listed.
3. Throughput: ``parse_criteria`` over every criteria text in ``data/trials`` (trial_info JSON and
   HINT CSV, deduplicated by NCT id) on one core; the share of criteria parsed vs needs_review.
   ``parser`` says whether the mypyc build ran (``trialmatch.native``); when it did, the same run
   also times the pure-Python parser in a new process (``throughput_pure_python``).
"""

from __future__ import annotations

import ast
import contextlib
import csv
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data"

__all__ = ["fb_scores", "lct_scores", "run", "throughput", "throughput_pure", "trial_texts"]

_OTHER_VARS = {
    "ecog": "ecog", "eastern cooperative oncology group": "ecog", "ecog performance status": "ecog",
    "performance status": "ecog", "karnofsky": "karnofsky", "karnofsky performance status": "karnofsky",
    "kps": "karnofsky", "life expectancy": "life_expectancy_months", "age": "age",
}  # fmt: skip


def _var_for(name: str) -> str | None:
    from trialmatch.vocab import lab_key, lab_var

    n = name.strip().lower()
    if n in _OTHER_VARS:
        return _OTHER_VARS[n]
    k = lab_key(name)
    return lab_var(k) if k else None


def _fam(op: str | None) -> str | None:
    if op in (">=", ">"):
        return ">"
    if op in ("<=", "<"):
        return "<"
    if op == "between":
        return "between"
    return None


def _gold_op(text: str | None) -> str | None:
    from trialmatch.criteria.lexicon import op_of

    if not text:
        return None
    t = text.strip().lower()
    if t in ("~", "-", "to", "between"):
        return "between"
    return op_of(t)


def _predict(line: str) -> list[tuple[str, str, float]]:
    from trialmatch.criteria.facets import age_rule, life_expectancy_rule, performance_rule
    from trialmatch.criteria.numeric import extract_numeric
    from trialmatch.criteria.rules import And, Compare, Or, Rule

    out: list[tuple[str, str, float]] = []
    for var, op, value, _unit, _ref in extract_numeric(line):
        out.append((var, op, value))

    def walk(r: Rule | None) -> None:
        if isinstance(r, Compare):
            out.append((r.var, r.cmp, r.value))
            if r.cmp == "between" and r.high is not None:
                out.append((r.var, "between", r.high))
        elif isinstance(r, (And, Or)):
            for a in r.args:
                walk(a)

    for fn in (age_rule, performance_rule, life_expectancy_rule):
        with contextlib.suppress(Exception):
            walk(fn(line))
    return out


def _parse_ann(path: Path) -> list[tuple[str, str | None, float]]:
    ents: dict[str, tuple[str, int, int, str]] = {}
    events: dict[str, dict[str, str]] = {}
    for ln in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if ln.startswith("T"):
            parts = ln.split("\t")
            if len(parts) < 3:
                continue
            typ_span = parts[1].split(" ")
            try:
                ents[parts[0]] = (typ_span[0], int(typ_span[1]), int(typ_span[-1]), parts[2])
            except ValueError:
                continue
        elif ln.startswith("E"):
            parts = ln.split("\t")
            if len(parts) < 2:
                continue
            args = {}
            for i, a in enumerate(parts[1].split()):
                if ":" in a:
                    k, v = a.split(":", 1)
                    if i and k in args:  # a role given twice ("Value:T26 Operator:T27 Value:T28", a
                        n = 2  # range): keep both, as Value and Value2 (not only the last)
                        while f"{k}{n}" in args:
                            n += 1
                        k = f"{k}{n}"
                    args["_type" if i == 0 else k] = v
                    if i == 0:
                        args["_head"] = k
            events[parts[0]] = args
    gold: list[tuple[str, str | None, float]] = []
    for ev in events.values():
        head = ev.get("_head")
        if head not in ("Observation", "Age"):
            continue
        name_t = ev.get("Name") if head == "Observation" else ev.get("_type")
        if not name_t or name_t not in ents:
            continue
        var = "age" if head == "Age" else _var_for(ents[name_t][3])
        nf = ev.get("Numeric-Filter")
        if var is None or not nf or nf not in events:
            continue
        cmp = events[nf]
        vals = [cmp.get("Value"), cmp.get("Value2")]  # (a third value is a unit-less repeat, rare)
        op = _gold_op(ents[cmp["Operator"]][3]) if cmp.get("Operator") in ents else None
        for v in vals:
            if v and v in ents:
                try:
                    num = float(ents[v][3].replace(",", ""))
                except ValueError:
                    continue
                gold.append((var, op if not cmp.get("Value2") else "between", num))
    return gold


def lct_scores(limit: int | None = None) -> dict[str, Any]:
    base = DATA / "criteria_annotations" / "lct" / "ner"
    files = sorted(base.rglob("*.ann"))[: limit or None]
    tp = Counter()
    tp_strict = Counter()
    n_gold = Counter()
    n_pred = Counter()
    for ann in files:
        txt = ann.with_suffix(".txt")
        if not txt.exists():
            continue
        gold = _parse_ann(ann)
        gvars = {g[0] for g in gold}
        preds: list[tuple[str, str, float]] = []
        for line in txt.read_text(encoding="utf-8", errors="replace").splitlines():
            preds.extend(_predict(line))
        preds = [p for p in preds if p[0] in gvars or p[0] in _ALL_GOLD_VARS]
        for g in gold:
            n_gold[g[0]] += 1
        for p in preds:
            n_pred[p[0]] += 1
        remaining = list(preds)
        for g in gold:
            for i, p in enumerate(remaining):
                if p[0] == g[0] and abs(p[2] - g[2]) < 1e-6:
                    tp[g[0]] += 1
                    if g[1] is None or _fam(p[1]) == _fam(g[1]) or (g[1] == "between"):
                        tp_strict[g[0]] += 1
                    remaining.pop(i)
                    break
    return _table(tp, tp_strict, n_gold, n_pred, len(files))


_ALL_GOLD_VARS: set[str] = set()


def _table(
    tp: Counter[str], tps: Counter[str], gold: Counter[str], pred: Counter[str], docs: int
) -> dict[str, Any]:
    out: dict[str, Any] = {"documents": docs}
    tot_tp, tot_tps, tot_g, tot_p = (
        sum(tp.values()),
        sum(tps.values()),
        sum(gold.values()),
        sum(pred.values()),
    )
    out["precision"] = round(tot_tp / tot_p, 3) if tot_p else 0.0
    out["recall"] = round(tot_tp / tot_g, 3) if tot_g else 0.0
    out["precision_strict"] = round(tot_tps / tot_p, 3) if tot_p else 0.0
    out["recall_strict"] = round(tot_tps / tot_g, 3) if tot_g else 0.0
    by: dict[str, dict[str, float]] = {}
    for v in sorted(gold, key=lambda x: -gold[x])[:20]:
        by[v] = {
            "gold": gold[v],
            "pred": pred[v],
            "P": round(tp[v] / pred[v], 3) if pred[v] else 0.0,
            "R": round(tp[v] / gold[v], 3) if gold[v] else 0.0,
            "R_strict": round(tps[v] / gold[v], 3) if gold[v] else 0.0,
        }
    out["by_variable"] = by
    return out


def fb_scores(limit: int | None = None) -> dict[str, Any]:
    path = (
        DATA
        / "criteria_annotations"
        / "fb_clinical_trial_parser"
        / "data"
        / "ner"
        / "test_processed_medical_ner.tsv"
    )
    tp = Counter()
    n_gold = Counter()
    n_pred = Counter()
    rows = path.read_text(encoding="utf-8", errors="replace").splitlines()[: limit or None]
    for row in rows:
        if "\t" not in row:
            continue
        slots, text = row.split("\t", 1)
        spans = []
        for s in slots.split(","):
            m = re.match(r"(\d+):(\d+):(\w+)", s)
            if m:
                spans.append((int(m.group(1)) - 1, int(m.group(2)), m.group(3)))
        variables = [(_var_for(text[a:b]), a) for a, b, lab in spans if lab == "clinical_variable"]
        variables = [(v, a) for v, a in variables if v]
        gold: set[tuple[str, str]] = set()
        for a, _b, lab in spans:
            if lab in ("lower_bound", "upper_bound") and variables:
                v = min(variables, key=lambda x: abs(x[1] - a))[0]
                gold.add((v, ">" if lab == "lower_bound" else "<"))
        num = "70" if re.search(r"karnofsky|kps|lansky", text) else "2"
        line = text.replace("@NUMBER", num)
        pred = {(p[0], _fam(p[1]) or "") for p in _predict(line)}
        pred = {p for p in pred if p[0] in {v for v, _ in variables}}
        expanded = set()
        for v, f in pred:
            if f == "between":
                expanded |= {(v, ">"), (v, "<")}
            else:
                expanded.add((v, f))
        for g in gold:
            n_gold[g[0]] += 1
            if g in expanded:
                tp[g[0]] += 1
        for p in expanded:
            n_pred[p[0]] += 1
    return _table(tp, tp, n_gold, n_pred, len(rows))


def trial_texts(limit: int | None = None) -> list[tuple[str, str]]:
    """(nct id, criteria text) of every trial in data/trials (trial_info first, HINT after)."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for f in sorted((DATA / "trials" / "trial_info").glob("*.json")):
        d = json.loads(f.read_text(encoding="utf-8"))
        text = (
            "Inclusion Criteria:\n\n"
            + (d.get("inclusion_criteria") or "")
            + "\n\nExclusion Criteria:\n\n"
            + (d.get("exclusion_criteria") or "")
        )
        seen.add(d["NCT_ID"])
        out.append((d["NCT_ID"], text))
    csv.field_size_limit(10**9)
    for f in sorted((DATA / "trials" / "hint").glob("*.csv")):
        with f.open(encoding="utf-8", errors="replace") as fh:
            for row in csv.DictReader(fh):
                if row.get("nctid") in seen or not row.get("criteria"):
                    continue
                seen.add(row["nctid"])
                out.append((row["nctid"], row["criteria"]))
    return out[: limit or None]


_WARM_UP = (
    "Inclusion Criteria:\n- ANC >= 1.5 x 10^9/L\n- Creatinine <= 1.5 mg/dL or 133 umol/L\n"
    "Exclusion Criteria:\n- Major surgery within 28 days\n"
)


def throughput(limit: int | None = None) -> dict[str, Any]:
    from trialmatch.criteria import parse_criteria

    texts = trial_texts(limit)
    # one-time start-up (vocabularies, the unit registry, compiled patterns) is not throughput:
    # load it before the clock starts, and report it on its own
    from trialmatch.vocab.units import unit_registry

    w0 = time.perf_counter()
    unit_registry()
    parse_criteria(_WARM_UP)
    warm = time.perf_counter() - w0
    from trialmatch.criteria.parse import _build_cached

    _build_cached.cache_clear()  # nothing parsed so far helps the timed run
    cats: Counter[str] = Counter()
    status: Counter[str] = Counter()
    crashes = 0
    t0 = time.perf_counter()
    c0 = time.process_time()
    for _nct, text in texts:
        try:
            for c in parse_criteria(text):
                status[c.status] += 1
                cats[c.category] += 1
        except Exception:
            crashes += 1
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    n = sum(status.values())
    return {
        "trials": len(texts),
        "start_up_seconds": round(warm, 2),
        "seconds": round(dt, 2),
        "trials_per_s": round(len(texts) / dt, 1) if dt else 0.0,
        "cpu_seconds": round(cpu, 2),
        "trials_per_cpu_s": round(len(texts) / cpu, 1) if cpu else 0.0,
        "criteria": n,
        "parsed_share": round(status["parsed"] / n, 3) if n else 0.0,
        "needs_review_share": round(status["needs_review"] / n, 3) if n else 0.0,
        "crashes": crashes,
        "top_categories": dict(cats.most_common(12)),
    }


def throughput_pure(limit: int | None = None) -> dict[str, Any]:
    """``throughput`` of the same parser as plain Python (``TRIALMATCH_PURE=1``, a new process)."""
    import os
    import subprocess

    code = (f"import json; from benchmarks.criteria_bench import throughput; "
            f"print(json.dumps(throughput({limit!r})))")  # fmt: skip
    env = os.environ | {"TRIALMATCH_PURE": "1"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True)  # fmt: skip
    d: dict[str, Any] = json.loads(out.stdout.splitlines()[-1])
    return {k: d[k] for k in ("seconds", "trials_per_s", "cpu_seconds", "trials_per_cpu_s")}


def run(quick: bool = False) -> dict[str, Any]:
    if not DATA.is_dir():
        return {"skipped": "../shared/data not found"}
    from trialmatch.native import status

    lim = 300 if quick else None
    build = status()
    out = {
        "lct_numeric": lct_scores(lim),
        "fb_bounds": fb_scores(1500 if quick else None),
        "throughput": {"parser": build.reason, **throughput(800 if quick else None)},
    }
    if build.compiled:  # the same code uncompiled, for the ratio (machines are noisy: same run)
        out["throughput_pure_python"] = throughput_pure(800 if quick else None)
    return out


def _print(d: dict[str, Any], indent: int = 0) -> None:
    for k, v in d.items():
        if isinstance(v, dict):
            print(" " * indent + f"{k}:")
            _print(v, indent + 2)
        else:
            print(" " * indent + f"{k:<24} {v}")


if __name__ == "__main__":
    _print(run(quick="--quick" in sys.argv))


_ = (ast, defaultdict)
