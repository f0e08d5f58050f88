"""``search(store_or_index, SearchQuery) -> SearchResults``: BM25 over the FTS5 index with NEN
concept expansion, SQL filters, and the recruiting-site distance rule.

Ranking: ``bm25(fts_main)`` with title and conditions weighted highest, plus a small share of the
inclusion-criteria BM25 (exclusion criteria are not indexed). Short queries AND their concepts
(falling back to OR when nothing matches); long texts (a patient's note) keep their rarest content
words and the NEN concepts they name and OR them.
"""

from __future__ import annotations

import contextlib
import math
import re
import time
from typing import Any

from trialmatch.search.geo import Place, country_code, nearest_site, resolve_place
from trialmatch.search.index import SearchIndex
from trialmatch.search.query import SearchHit, SearchQuery, SearchResults, SiteHit
from trialmatch.search.textproc import QueryGroup, analyse_query, fts_expression

__all__ = ["LONG_QUERY_GROUPS", "as_index", "search", "search_ids"]

#: A query with more content groups than this is treated as a long text (OR of its key terms).
LONG_QUERY_GROUPS = 8
MAX_LONG_TERMS = 80
MAIN_WEIGHTS = (8.0, 10.0, 4.0, 4.0, 1.0)  # title, conditions, keywords, interventions, summary
#: Share of the inclusion-criteria BM25: small for short queries (a disease named only in criteria is
#: not the trial's focus), full for long texts (a patient's note is matched against eligibility).
CRIT_SHARE = 0.3
CRIT_SHARE_LONG = 1.5
#: Add the shared vocabulary's disease/drug concepts of a long text as groups. Measured off: vignette
#: MRR 0.586 -> 0.553, TREC 2021 NDCG@10 0.763 -> 0.770; not worth it yet.
USE_CLINICAL_CONCEPTS = False
#: Rank long texts (patient notes) with PostgreSQL's ts_rank too. Off: ts_rank has no IDF and scored
#: vignette MRR 0.125 against 0.586 for the side index's BM25, so long texts use BM25 on every backend.
PG_LONG_TEXT = False
#: When the title or conditions themselves name what a short query asks for (its concepts by their own
#: terms, not only by narrower ones: "neuroendocrine" itself, not just "small cell"), the score is
#: multiplied by 1 + FOCUS_FACTOR and FOCUS_BONUS is added (the bonus orders tiny collections where
#: BM25's IDF is ~0).
FOCUS_FACTOR = 0.5
FOCUS_BONUS = 2.0


def as_index(store_or_index: Any) -> SearchIndex:
    """A fresh ``SearchIndex`` for a store (built lazily) or the index itself."""
    if isinstance(store_or_index, SearchIndex):
        return store_or_index
    cached = getattr(store_or_index, "_trialmatch_search_index", None)
    if cached is None:
        cached = SearchIndex(store_or_index)
        with contextlib.suppress(AttributeError):
            store_or_index._trialmatch_search_index = cached
    return cached.ensure_fresh()


def _df(idx: SearchIndex, words: list[str]) -> int:
    """Approximate document frequency of a word group: the porter stem of a word is (almost always)
    its longest prefix present in the index vocabulary."""
    vocab: dict[str, int] | None = idx.__dict__.get("_df_vocab")
    if vocab is None:
        vocab = idx.doc_frequency()
        idx.__dict__["_df_vocab"] = vocab
    best = 0
    for w in words:
        for end in range(len(w), min(len(w), 3) - 1, -1):
            df = vocab.get(w[:end])
            if df is not None:
                best = max(best, df)
                break
    return best


def _clinical_concepts(text: str) -> list[QueryGroup]:
    """Disease and drug concepts of the shared vocabulary (``trialmatch.vocab.concepts``) named in a
    long text, as groups of their names (so "DCIS" also searches "ductal carcinoma in situ")."""
    if not USE_CLINICAL_CONCEPTS:
        return []
    try:
        from trialmatch.vocab.concepts import concept, concepts_in
    except ImportError:
        return []
    out: list[QueryGroup] = []
    seen: set[str] = set()
    for h in concepts_in(text[:20000]):
        c = concept(h.concept)
        if c is None or c.id in seen or c.type not in ("disease", "drug") or c.id == "cancer":
            continue
        seen.add(c.id)
        names = [n for n in (*c.names, *c.abbr) if len(n) >= 3][:8]
        if names:
            out.append(QueryGroup(label=c.label, phrases=names, concept=f"vocab:{c.id}"))
    return out


def _key_groups(idx: SearchIndex, groups: list[QueryGroup], text: str = "") -> list[QueryGroup]:
    """For long texts: every concept, then the rarest words (df > 0, not in most documents)."""
    n = max(idx.count(), 1)
    concepts = [g for g in groups if g.concept] + _clinical_concepts(text)
    scored: list[tuple[float, QueryGroup]] = []
    for g in groups:
        if g.concept:
            continue
        df = _df(idx, g.phrases)
        if df == 0 or df > 0.3 * n:
            continue
        scored.append((math.log((n - df + 0.5) / (df + 0.5)), g))
    scored.sort(key=lambda x: -x[0])
    return concepts + [g for _, g in scored[: max(0, MAX_LONG_TERMS - len(concepts))]]


def _filters(q: SearchQuery, place: Place | None) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if q.status:
        where.append(f"d.status IN ({','.join('?' * len(q.status))})")
        params.extend(q.status)
    if q.phase:
        where.append("(" + " OR ".join("d.phases LIKE ?" for _ in q.phase) + ")")
        params.extend(f"%|{p}|%" for p in q.phase)
    if q.study_type:
        where.append("d.study_type = ?")
        params.append(q.study_type)
    if q.age is not None:
        where.append("(d.min_age IS NULL OR d.min_age <= ?) AND (d.max_age IS NULL OR d.max_age >= ?)")
        params.extend([q.age, q.age])
    if q.sex:
        where.append("(d.sex IS NULL OR d.sex = 'ALL' OR d.sex = ?)")
        params.append(q.sex)
    if q.healthy_volunteers is not None:
        where.append("d.healthy = 1" if q.healthy_volunteers else "(d.healthy IS NULL OR d.healthy = 0)")
    if q.country:
        cc = country_code(q.country) or q.country.strip().lower()
        where.append("d.countries LIKE ?")
        params.append(f"%|{cc}|%")
    if q.sponsor:
        where.append("d.sponsors LIKE ?")
        params.append("%" + q.sponsor.strip().lower().replace("%", "").replace("_", "") + "%")
    if q.updated_since:
        where.append("d.last_update >= ?")
        params.append(q.updated_since.strip()[:10])
    if place is not None:
        dlat = q.radius_km / 111.0
        where.append(
            "d.rowid IN (SELECT trial_rowid FROM sites WHERE lat BETWEEN ? AND ?"
            + ("" if abs(place.lat) + dlat >= 89 else " AND lon BETWEEN ? AND ?")
            + ")"
        )
        params.extend([place.lat - dlat, place.lat + dlat])
        if abs(place.lat) + dlat < 89:
            dlon = q.radius_km / (111.0 * max(math.cos(math.radians(place.lat)), 0.01))
            params.extend([place.lon - dlon, place.lon + dlon])
    return where, params


def _nearest(
    idx: SearchIndex, rowid: int, status: str | None, q: SearchQuery, place: Place
) -> SiteHit | None:
    rows = idx.query(
        "SELECT lat, lon, status, facility, city, state, country FROM sites WHERE trial_rowid=?", (rowid,)
    )
    found = nearest_site(
        rows,
        (place.lat, place.lon),
        point=lambda r: (r[0], r[1]) if r[0] is not None and r[1] is not None else None,
        status=lambda r: r[2],
        study_status=status,
        statuses=q.status,
        radius_km=q.radius_km,
    )
    if found is None:
        return None
    (lat, lon, st, fac, city, state, country), dist = found
    return SiteHit(
        facility=fac,
        city=city,
        state=state,
        country=country,
        status=st or status,
        lat=lat,
        lon=lon,
        distance_km=round(dist, 1),
    )


_SENT = re.compile(r"(?<=[.!?])\s+|\n+")


def _snippet(idx: SearchIndex, rowid: int, words: list[str]) -> str | None:
    rows = idx.query(
        "SELECT m.summary, m.conditions, c.inclusion FROM fts_main m JOIN fts_crit c ON c.rowid=m.rowid"
        " WHERE m.rowid=?",
        (rowid,),
    )
    if not rows:
        return None
    stems = [w[:6] for w in words if len(w) >= 3][:40]
    for text in rows[0]:
        if not text:
            continue
        for sent in _SENT.split(text[:20000]):
            low = sent.lower()
            if stems and any(s in low for s in stems):
                s = sent.strip()
                return s if len(s) <= 240 else s[:237] + "..."
    first = (rows[0][0] or rows[0][1] or "").strip()
    return (first[:237] + "...") if len(first) > 240 else (first or None)


_Kept = list[tuple[tuple[Any, ...], "SiteHit | None"]]


def _candidates(
    idx: SearchIndex, query: SearchQuery, any_terms: bool = False
) -> tuple[_Kept, list[QueryGroup], Place | None, list[str]]:
    place: Place | None = None
    if query.near:
        place = resolve_place(query.near)
        if place is None:
            raise ValueError(f"cannot resolve place {query.near!r} offline")
    groups = analyse_query(query.q) if query.q else []
    long_text = len(groups) > LONG_QUERY_GROUPS or any_terms
    if long_text:
        groups = _key_groups(idx, groups, query.q)
    cond_expr = (
        fts_expression(analyse_query(query.condition), "and", ["conditions", "title"])
        if query.condition
        else ""
    )
    int_expr = (
        fts_expression(analyse_query(query.intervention), "and", ["interventions", "title"])
        if query.intervention
        else ""
    )
    where, params = _filters(query, place)
    words = [w for g in groups for w in (g.words or g.phrases[:3])]

    rows: list[tuple[Any, ...]] = []
    for mode in ("or",) if long_text else ("and", "or"):
        text_expr = fts_expression(groups, mode)
        field_expr = " AND ".join(e for e in (cond_expr, int_expr) if e)
        if not text_expr and not field_expr and query.q.strip() and not groups:
            break  # the query had only stop words
        share, bonus = (CRIT_SHARE_LONG, 0.0) if long_text else (CRIT_SHARE, FOCUS_BONUS)
        if idx.pg is not None and (text_expr or field_expr) and (PG_LONG_TEXT or not long_text):
            cond_groups = analyse_query(query.condition) if query.condition else []
            int_groups = analyse_query(query.intervention) if query.intervention else []
            rows = _run_pg(idx, groups, mode, cond_groups, int_groups, where, params, share, bonus)
        else:
            focus = "" if long_text else fts_expression(groups, mode, ["title", "conditions"], direct=True)
            rows = _run(idx, text_expr, field_expr, where, params, share, bonus, focus)
        if rows or len(groups) < 2:
            break

    kept: list[tuple[tuple[Any, ...], SiteHit | None]] = []
    for row in rows:
        nearest = _nearest(idx, row[0], row[3], query, place) if place is not None else None
        if place is not None and nearest is None:
            continue
        kept.append((row, nearest))
    if place is not None and not groups and not query.condition and not query.intervention:
        kept.sort(key=lambda x: (x[1].distance_km if x[1] else 0.0, x[0][1]))
    return kept, groups, place, words


def search_ids(store_or_index: Any, query: SearchQuery, any_terms: bool = False) -> list[str]:
    """Every matching trial id in rank order (no paging, no snippets): for benchmarks and batch use.
    ``any_terms`` ORs the query's terms (as for a long text) instead of ANDing them."""
    kept, *_ = _candidates(as_index(store_or_index), query, any_terms)
    return [row[1] for row, _ in kept]


def search(store_or_index: Any, query: SearchQuery) -> SearchResults:
    """Search trials: full text + filters + distance. See the module docstring for the ranking."""
    t0 = time.perf_counter()
    idx = as_index(store_or_index)
    kept, groups, place, words = _candidates(idx, query)
    total = len(kept)
    page: list[SearchHit] = []
    for (rowid, tid, title, status, phases, score), nearest in kept[
        query.offset : query.offset + query.limit
    ]:
        t = idx.trial_by_rowid(rowid)
        page.append(
            SearchHit(
                trial_id=tid,
                id=tid,
                title=title,
                status=status,
                phases=[p for p in (phases or "").split("|") if p],
                conditions=t.conditions[:10] if t else [],
                score=round(float(score), 4),
                nearest_site=nearest,
                distance_km=nearest.distance_km if nearest else None,
                snippet=_snippet(idx, rowid, words) if words else None,
            )
        )
    return SearchResults(
        query=query,
        total=total,
        hits=page,
        expanded=[g.label for g in groups if g.concept and not g.concept.startswith("vocab:")],
        place=place.name if place else None,
        took_ms=round((time.perf_counter() - t0) * 1000, 2),
    )


def _run_pg(
    idx: SearchIndex,
    groups: list[QueryGroup],
    mode: str,
    cond_groups: list[QueryGroup],
    int_groups: list[QueryGroup],
    where: list[str],
    params: list[Any],
    crit_share: float,
    focus_bonus: float,
) -> list[tuple[Any, ...]]:
    """Text matching and ranking by PostgreSQL (tsvector/ts_rank); filters in the side index."""
    factor = FOCUS_FACTOR if focus_bonus else 0.0
    ranked = idx.pg.rank(groups, mode, cond_groups, int_groups, crit_share, focus_bonus, factor)
    if not ranked:
        return []
    cond = (" AND " + " AND ".join(where)) if where else ""
    with idx._lock:
        conn = idx.conn
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS pg_hits(trial_id TEXT PRIMARY KEY, s REAL)")
        conn.execute("DELETE FROM temp.pg_hits")
        conn.executemany("INSERT OR REPLACE INTO temp.pg_hits VALUES (?, ?)", ranked)
        sql = (
            "SELECT d.rowid, d.trial_id, d.title, d.status, d.phases, h.s AS score FROM temp.pg_hits h"
            " JOIN docs d ON d.trial_id = h.trial_id WHERE 1=1" + cond + " ORDER BY score DESC, d.trial_id"
        )
        return list(conn.execute(sql, params))


def _run(
    idx: SearchIndex,
    text_expr: str,
    field_expr: str,
    where: list[str],
    params: list[Any],
    crit_share: float,
    focus_bonus: float = 0.0,
    focus_expr: str = "",
) -> list[tuple[Any, ...]]:
    cond = (" AND " + " AND ".join(where)) if where else ""
    if not text_expr and not field_expr:
        sql = (
            "SELECT d.rowid, d.trial_id, d.title, d.status, d.phases, 0.0 FROM docs d WHERE 1=1"
            + cond
            + " ORDER BY d.last_update DESC, d.trial_id"
        )
        return idx.query(sql, params)
    w = ",".join(str(x) for x in MAIN_WEIGHTS)
    main_expr = " AND ".join(f"({e})" for e in (text_expr, field_expr) if e)
    parts = [f"SELECT rowid AS r, -bm25(fts_main, {w}) AS s, 0 AS f FROM fts_main WHERE fts_main MATCH ?"]
    args: list[Any] = [main_expr]
    if text_expr:
        crit_join = ""
        crit_args: list[Any] = [text_expr]
        if field_expr:  # field filters must hold in the main table even for a criteria-only text match
            crit_join = " AND rowid IN (SELECT rowid FROM fts_main WHERE fts_main MATCH ?)"
            crit_args.append(field_expr)
        parts.append(
            f"SELECT rowid AS r, -{crit_share}*bm25(fts_crit) AS s, 0 AS f"
            " FROM fts_crit WHERE fts_crit MATCH ?" + crit_join
        )
        args.extend(crit_args)
        if focus_expr:  # the title or conditions name what was asked for
            parts.append("SELECT rowid AS r, 0 AS s, 1 AS f FROM fts_main WHERE fts_main MATCH ?")
            args.append(" AND ".join(f"({e})" for e in (focus_expr, field_expr) if e))
    sql = (
        "WITH h AS MATERIALIZED ("
        + " UNION ALL ".join(parts)
        + ") SELECT d.rowid, d.trial_id, d.title, d.status, d.phases,"
        f" sum(h.s) * (1 + {FOCUS_FACTOR} * max(h.f)) + {focus_bonus} * max(h.f) AS score"
        " FROM h JOIN docs d ON d.rowid = h.r WHERE 1=1"
        + cond
        + " GROUP BY d.rowid ORDER BY score DESC, d.trial_id"
    )
    try:
        return idx.query(sql, [*args, *params])
    except Exception as exc:  # an FTS5 syntax problem must not crash a search
        if "fts5" in str(exc).lower() or "syntax" in str(exc).lower():
            return []
        raise
