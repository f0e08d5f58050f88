"""Search benchmark: (a) the 30 synthetic oncology vignettes -> rank of their source trial (MRR,
hit@10); (b) TrialGPT TREC 2021/2022 and SIGIR topics -> NDCG@10 on judged trials present in the
corpus; (c) search latency p95 over the ~5,800 trials. ``python -m benchmarks.search_bench``."""

from __future__ import annotations

import json
import math
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

__all__ = ["run", "run_full"]

SHARED = Path(__file__).resolve().parents[2] / "shared"
LATENCY_QUERIES = [
    "neuroendocrine tumor",
    "carcinoid",
    "pNET everolimus",
    "small cell lung cancer",
    "Merkel cell",
    "pheochromocytoma",
    "breast cancer HER2",
    "metastatic colorectal cancer",
    "pembrolizumab melanoma",
    "GEP-NET lutetium",
    "glioblastoma temozolomide",
    "prostate cancer enzalutamide",
    "NEC etoposide",
    "ovarian cancer PARP",
    "leukemia",
    "lung metastases",
    "renal cell carcinoma sunitinib",
]


def _index(shared: Path) -> Any:
    from trialmatch.search.corpus import load_corpus
    from trialmatch.search.index import SearchIndex

    return SearchIndex.from_trials(load_corpus(shared / "data" / "trials"))


def _rank_of(idx: Any, text: str, target: str) -> int | None:
    from trialmatch.search.engine import search_ids
    from trialmatch.search.query import SearchQuery

    ids = search_ids(idx, SearchQuery(q=text, status=["any"]))
    return ids.index(target) + 1 if target in ids else None


def vignettes(idx: Any, shared: Path) -> dict[str, Any]:
    path = (
        shared
        / "data/benchmarks/synthetic_oncology_patients/synthetic_patient_cases_random_30_modified.jsonl"
    )
    ranks: list[int | None] = []
    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        d = json.loads(line)
        ranks.append(_rank_of(idx, d["text"], d["_id"].removeprefix("P_")))
    mrr = sum(1.0 / r for r in ranks if r) / len(ranks)
    return {
        "vignettes": len(ranks),
        "mrr": round(mrr, 3),
        "hit@1": sum(1 for r in ranks if r and r <= 1),
        "hit@10": sum(1 for r in ranks if r and r <= 10),
        "not_found": sum(1 for r in ranks if r is None),
        "ranks": ranks,
    }


def _ndcg(gains: list[float], ideal: list[float], k: int = 10) -> float:
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains[:k]))
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(sorted(ideal, reverse=True)[:k]))
    return dcg / idcg if idcg > 0 else 0.0


def trec(idx: Any, shared: Path) -> dict[str, Any]:
    """NDCG@10 with the ranking restricted to the judged trials present in the corpus."""
    from trialmatch.search.engine import search_ids
    from trialmatch.search.query import SearchQuery

    present = {r[0] for r in idx.query("SELECT trial_id FROM docs")}
    out: dict[str, Any] = {}
    for name in ("trec_2021", "trec_2022", "sigir"):
        base = shared / "data/benchmarks/trialgpt/dataset" / name
        qrels: dict[str, dict[str, int]] = defaultdict(dict)
        for line in (base / "qrels/test.tsv").read_text().splitlines()[1:]:
            qid, tid, score = line.split("\t")
            if tid in present:
                qrels[qid][tid] = int(score)
        queries = {
            json.loads(x)["_id"]: json.loads(x)["text"]
            for x in (base / "queries.jsonl").read_text().splitlines()
            if x.strip()
        }
        scores: list[float] = []
        judged = 0
        for qid, rel in qrels.items():
            if qid not in queries or not any(v > 0 for v in rel.values()):
                continue
            judged += len(rel)
            ranked = [t for t in search_ids(idx, SearchQuery(q=queries[qid], status=["any"])) if t in rel]
            gains = [float(rel[t]) for t in ranked]
            scores.append(_ndcg(gains, [float(v) for v in rel.values()]))
        out[name] = {
            "topics": len(scores),
            "judged_present": judged,
            "ndcg@10": round(statistics.fmean(scores), 3) if scores else None,
        }
    return out


def latency(idx: Any, rounds: int = 3) -> dict[str, Any]:
    from trialmatch.search.engine import search
    from trialmatch.search.query import SearchQuery

    times: list[float] = []
    queries = [SearchQuery(q=q, status=["any"]) for q in LATENCY_QUERIES]
    queries += [SearchQuery(q=q) for q in LATENCY_QUERIES[:5]]
    queries += [SearchQuery(q="cancer", status=["any"], phase=["2"], age=60)]
    long_times: list[float] = []
    path = (
        SHARED
        / "data/benchmarks/synthetic_oncology_patients/synthetic_patient_cases_random_30_modified.jsonl"
    )
    notes = [json.loads(x)["text"] for x in path.read_text("utf-8").splitlines() if x.strip()][:10]
    for note in notes:
        t = time.perf_counter()
        search(idx, SearchQuery(q=note, status=["any"]))
        long_times.append((time.perf_counter() - t) * 1000)
    for _ in range(rounds):
        for q in queries:
            t = time.perf_counter()
            search(idx, q)
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {
        "queries": len(times),
        "p50_ms": round(times[len(times) // 2], 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        "max_ms": round(times[-1], 2),
        "patient_text_median_ms": round(statistics.median(long_times), 1),
    }


def similar_nen(idx: Any, shared: Path) -> dict[str, Any]:
    """For each NEN "focus" trial of NEN_INDEX in the corpus: the share of its 5 similar trials that
    are NEN trials too (NEN_INDEX focus, or title/conditions naming an NEN term), and the time taken."""
    import csv

    from trialmatch.search.similar import similar

    with (shared / "data/trials/NEN_INDEX.tsv").open(encoding="utf-8") as fh:
        roles = {r["nct_id"]: r["nen_role"] for r in csv.DictReader(fh, delimiter="\t")}
    present = {r[0] for r in idx.query("SELECT trial_id FROM docs")}
    focus = sorted(t for t, r in roles.items() if r == "focus" and t in present)
    terms = (
        "neuroendocrine",
        "carcinoid",
        "merkel",
        "small cell",
        "islet",
        "pheochromocytoma",
        "paraganglioma",
    )
    hits = total = 0
    times: list[float] = []
    for tid in focus:
        t0 = time.perf_counter()
        got = similar(tid, idx, k=5)
        times.append((time.perf_counter() - t0) * 1000)
        for s in got:
            other = idx.get_trial(s.trial_id)
            named = " ".join([other.title or "", *other.conditions]).lower() if other else ""
            hits += roles.get(s.trial_id) == "focus" or any(x in named for x in terms)
            total += 1
    return {
        "trials": len(focus),
        "precision@5": round(hits / total, 3) if total else None,
        "median_ms": round(statistics.median(times), 1) if times else None,
    }


def run_full(shared: Path = SHARED) -> dict[str, Any]:
    """Every figure, nested (vignette ranks, per-dataset NDCG, latency)."""
    t = time.perf_counter()
    idx = _index(shared)
    build = time.perf_counter() - t
    return {
        "trials": idx.count(),
        "build_s": round(build, 2),
        "vignettes": vignettes(idx, shared),
        "trec": trec(idx, shared),
        "similar": similar_nen(idx, shared),
        "latency": latency(idx),
    }


def run(shared: Path = SHARED) -> dict[str, Any]:
    """Named figures for ``python -m benchmarks`` (flat)."""
    r = run_full(shared)
    v, lat = r["vignettes"], r["latency"]
    out: dict[str, Any] = {
        "trials indexed": r["trials"],
        "index build s": r["build_s"],
        "vignettes MRR": v["mrr"],
        "vignettes hit@1": v["hit@1"],
        "vignettes hit@10": v["hit@10"],
        "vignettes not found": v["not_found"],
    }
    for name, x in r["trec"].items():
        out[f"{name} NDCG@10 (judged in corpus)"] = x["ndcg@10"]
        out[f"{name} topics / judged trials present"] = f"{x['topics']} / {x['judged_present']}"
    out["similar: NEN neighbours of NEN trials (p@5)"] = r["similar"]["precision@5"]
    out["similar median ms"] = r["similar"]["median_ms"]
    out["search p50 ms"] = lat["p50_ms"]
    out["search p95 ms"] = lat["p95_ms"]
    out["patient-note search median ms"] = lat["patient_text_median_ms"]
    return out


def main() -> None:
    res = run_full(Path(sys.argv[1]) if len(sys.argv) > 1 else SHARED)
    v = res["vignettes"]
    print(f"{'metric':40s} value")
    print(f"{'trials indexed':40s} {res['trials']} (build {res['build_s']} s)")
    print(f"{'vignettes MRR':40s} {v['mrr']}")
    print(
        f"{'vignettes hit@1 / hit@10 / not found':40s} {v['hit@1']} / {v['hit@10']} / "
        f"{v['not_found']} of {v['vignettes']}"
    )
    for name, r in res["trec"].items():
        print(
            f"{name + ' NDCG@10':40s} {r['ndcg@10']} ({r['topics']} topics, "
            f"{r['judged_present']} judged trials present)"
        )
    sim = res["similar"]
    print(
        f"{'similar: NEN neighbours of NEN trials p@5':40s} {sim['precision@5']} ({sim['trials']} trials, "
        f"median {sim['median_ms']} ms)"
    )
    lat = res["latency"]
    print(
        f"{'search latency p50 / p95 / max (ms)':40s} {lat['p50_ms']} / {lat['p95_ms']} / {lat['max_ms']}"
        f" ({lat['queries']} queries)"
    )
    print(f"{'patient-note search median (ms)':40s} {lat['patient_text_median_ms']}")


if __name__ == "__main__":
    main()
