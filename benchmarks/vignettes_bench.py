"""Notes to trials, end to end: (a) the 30 synthetic oncology vignettes (each written from one trial,
``_id`` = ``P_<NCT id>``) against the ~5,800 trials of ``shared/data/trials``: where does the source
trial rank? (b) the three NIH-TrialBench NEC patients against NCT06228066: do the verdicts agree with
the clinicians' labels?

Ranking: full-text search (``trialmatch.search``) proposes candidates; each of the top ``RERANK``
candidates is then screened criterion by criterion with the note judge
(``trialmatch.matching.judge``): inclusions met raise it, inclusions failed and exclusions met lower it.
``python -m benchmarks.vignettes_bench`` prints both tables.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["nec_agreement", "rerank", "run", "trial_fit"]

SHARED = Path(__file__).resolve().parents[2] / "shared"
VIGNETTES = (
    SHARED / "data/benchmarks/synthetic_oncology_patients/synthetic_patient_cases_random_30_modified.jsonl"
)
NEN = SHARED / "data/benchmarks/nih_trialbench_nen"
#: How many search candidates are screened with the judge.
RERANK = 30
#: Weights of the criterion fit against the search rank (rank term spans 0..-1 over the candidates).
MET_WEIGHT = 0.3
FAIL_WEIGHT = 0.6


def _items(criteria_text: str) -> list[tuple[str, str]]:
    """(kind, text) of every criterion: the shared splitter when present, else one item a line."""
    try:
        from trialmatch.criteria.split import split_criteria

        return [(str(it.kind), it.text) for it in split_criteria(criteria_text)][:80]
    except Exception:
        out: list[tuple[str, str]] = []
        kind = "inclusion"
        for line in criteria_text.splitlines():
            low = line.strip().lower()
            if low.startswith("exclusion"):
                kind = "exclusion"
                continue
            if low.startswith("inclusion"):
                kind = "inclusion"
                continue
            if len(low) > 3:
                out.append((kind, line.strip()))
        return out[:80]


def trial_fit(ctx: Any, criteria_text: str) -> tuple[float, dict[str, int]]:
    """A fit in [-1, 1]: share of inclusions met, minus inclusions failed and exclusions met."""
    from trialmatch.matching.judge import judge

    counts = {"inc_met": 0, "inc_not_met": 0, "exc_met": 0, "n_inc": 0, "n_exc": 0}
    for kind, text in _items(criteria_text or ""):
        r = judge(ctx, text, kind)  # type: ignore[arg-type]
        if kind == "inclusion":
            counts["n_inc"] += 1
            counts["inc_met"] += r.verdict == "met"
            counts["inc_not_met"] += r.verdict == "not_met"
        else:
            counts["n_exc"] += 1
            counts["exc_met"] += r.verdict == "met"
    n_inc = max(1, counts["n_inc"])
    fit = (counts["inc_met"] - 2 * counts["inc_not_met"]) / n_inc - 0.5 * min(2, counts["exc_met"])
    return max(-1.0, min(1.0, fit)), counts


def rerank(ctx: Any, candidates: list[str], criteria: dict[str, str], k: int | None = None) -> list[str]:
    """The first ``k`` candidates re-ordered by search rank plus criterion fit (share of inclusions met,
    minus failed inclusions and met exclusions); the rest keep their search order."""
    k = k or RERANK
    head = candidates[:k]
    scored = []
    for i, tid in enumerate(head):
        _, c = trial_fit(ctx, criteria.get(tid, ""))
        met_share = c["inc_met"] / max(1, c["n_inc"])
        failures = c["inc_not_met"] + c["exc_met"]
        scored.append((-i / max(1, k) + MET_WEIGHT * met_share - FAIL_WEIGHT * failures, -i, tid))
    scored.sort(reverse=True)
    return [t for _, _, t in scored] + candidates[k:]


def _load_index() -> tuple[Any, dict[str, str]]:
    from trialmatch.search.corpus import load_corpus
    from trialmatch.search.index import SearchIndex

    trials = list(load_corpus(SHARED / "data" / "trials"))
    criteria = {t.id: (t.eligibility.criteria_text if t.eligibility else "") or "" for t in trials}
    return SearchIndex.from_trials(trials), criteria


def vignettes(idx: Any, criteria: dict[str, str]) -> dict[str, Any]:
    from trialmatch.matching.judge import context_for
    from trialmatch.search.engine import search_ids
    from trialmatch.search.query import SearchQuery

    search_ranks: list[int | None] = []
    ranks: list[int | None] = []
    for line in VIGNETTES.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        d = json.loads(line)
        target = d["_id"].removeprefix("P_")
        ids = search_ids(idx, SearchQuery(q=d["text"], status=["any"]))
        search_ranks.append(ids.index(target) + 1 if target in ids else None)
        ranked = rerank(context_for(d["text"]), ids, criteria)
        ranks.append(ranked.index(target) + 1 if target in ranked else None)

    def hits(rs: list[int | None], k: int) -> int:
        return sum(1 for r in rs if r is not None and r <= k)

    return {
        "vignettes": len(ranks),
        "search hit@10": hits(search_ranks, 10),
        "search+judge hit@10": hits(ranks, 10),
        "search+judge hit@1": hits(ranks, 1),
        "search+judge hit rate@10": round(hits(ranks, 10) / max(1, len(ranks)), 3),
        "search+judge mrr": round(sum(1.0 / r for r in ranks if r) / max(1, len(ranks)), 3),
        "_ranks": ranks,
        "_search_ranks": search_ranks,
    }


def _nen_trial_text(path: Path) -> str:
    d = json.loads(path.read_text("utf-8"))
    return str(d.get("raw_criteria") or "")


def nec_agreement() -> dict[str, Any]:
    """Verdicts of the three NEC patients on NCT06228066 against the clinicians' labels:
    recommended / eligible_but_not_recommended = eligible; ineligible = ineligible."""
    from trialmatch.matching.judge import context_for, judge

    crit = _nen_trial_text(NEN / "trials" / "NCT06228066.json")
    labels: dict[str, str] = {}
    for line in (NEN / "clinician_annotations.jsonl").read_text("utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            for a in d["annotations"]:
                if a["trial_id"] == "NCT06228066":
                    labels[d["patient_id"]] = a["clinician_label"]
    out: dict[str, Any] = {}
    agree = n = 0
    for line in (NEN / "patients.jsonl").read_text("utf-8").splitlines():
        if not line.strip():
            continue
        p = json.loads(line)
        ctx = context_for(p["patient_summary"])
        failed = []
        unknown = 0
        for kind, text in _items(crit):
            r = judge(ctx, text, kind)  # type: ignore[arg-type]
            bad = (kind == "inclusion" and r.verdict == "not_met") or (
                kind == "exclusion" and r.verdict == "met"
            )
            if bad:
                failed.append(text[:80])
            unknown += r.verdict == "unknown"
        verdict = "ineligible" if failed else ("possibly_eligible" if unknown else "eligible")
        label = labels.get(p["patient_id"])
        gold = None if label is None else ("ineligible" if label == "ineligible" else "eligible")
        if gold is not None:
            n += 1
            agree += (gold == "ineligible") == (verdict == "ineligible")
        out[p["patient_id"]] = {"verdict": verdict, "clinician": label, "failed": failed[:3]}
    out["agreement"] = f"{agree}/{n}"
    return out


def run(details: bool = False) -> dict[str, Any]:
    """Figures for the benchmark table; ``details`` adds the per-vignette ranks and NEC reasons."""
    t = time.perf_counter()
    idx, criteria = _load_index()
    load_s = time.perf_counter() - t
    res = vignettes(idx, criteria)
    nec = nec_agreement()
    figures: dict[str, Any] = {k: v for k, v in res.items() if not k.startswith("_")}
    figures["index build s"] = round(load_s, 1)
    figures["NEC agreement with clinicians (NCT06228066)"] = nec["agreement"]
    for pid, v in nec.items():
        if pid != "agreement":
            figures[f"NEC {pid}"] = f"{v['verdict']} (clinician: {v['clinician']})"
    if not details:
        return figures
    figures["_ranks"] = res["_ranks"]
    figures["_search_ranks"] = res["_search_ranks"]
    figures["_nec"] = nec
    return figures


def main() -> int:
    res = run(details=True)
    print("| figure | value |\n|---|---|")
    for k, v in res.items():
        if not k.startswith("_"):
            print(f"| {k} | {v} |")
    print("\nranks (search -> search+judge):", file=sys.stderr)
    print(list(zip(res["_search_ranks"], res["_ranks"], strict=True)), file=sys.stderr)
    print(json.dumps(res["_nec"], indent=1), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
