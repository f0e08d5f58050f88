"""PostgreSQL full-text ranking for stores on PostgreSQL: a ``search_fts`` table of tsvectors
(``english`` configuration) in the store's own database, queried with ``phraseto_tsquery`` and
ranked with ``ts_rank``. Filters, sites and distances stay in the FTS5 side index (they are the
same for both backends); only matching and ranking of the text come from PostgreSQL.

Column roles mirror the FTS5 index: ``tsv_main`` (title and conditions weight A, keywords and
interventions B, summary D), ``tsv_focus`` (title + conditions: condition filter and focus bonus),
``tsv_int`` (interventions + title: intervention filter), ``tsv_crit`` (inclusion criteria only).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from trialmatch.search.textproc import QueryGroup

__all__ = ["PgText", "is_postgres"]

_DDL = (
    "CREATE TABLE IF NOT EXISTS search_fts (trial_id VARCHAR(128) PRIMARY KEY, tsv_main tsvector,"
    " tsv_focus tsvector, tsv_int tsvector, tsv_crit tsvector)",
    "CREATE INDEX IF NOT EXISTS search_fts_main ON search_fts USING gin (tsv_main)",
    "CREATE INDEX IF NOT EXISTS search_fts_focus ON search_fts USING gin (tsv_focus)",
    "CREATE INDEX IF NOT EXISTS search_fts_int ON search_fts USING gin (tsv_int)",
    "CREATE INDEX IF NOT EXISTS search_fts_crit ON search_fts USING gin (tsv_crit)",
)
_INSERT = (
    "INSERT INTO search_fts (trial_id, tsv_main, tsv_focus, tsv_int, tsv_crit) VALUES (:id,"
    " setweight(to_tsvector('english', :title), 'A') || setweight(to_tsvector('english', :conditions), 'A')"
    " || setweight(to_tsvector('english', :keywords), 'B')"
    " || setweight(to_tsvector('english', :interventions), 'B')"
    " || setweight(to_tsvector('english', :summary), 'D'),"
    " to_tsvector('english', :title || ' ' || :conditions),"
    " to_tsvector('english', :interventions || ' ' || :title),"
    " to_tsvector('english', :inclusion))"
    " ON CONFLICT (trial_id) DO UPDATE SET tsv_main = EXCLUDED.tsv_main, tsv_focus = EXCLUDED.tsv_focus,"
    " tsv_int = EXCLUDED.tsv_int, tsv_crit = EXCLUDED.tsv_crit"
)


def is_postgres(store: Any) -> bool:
    engine = getattr(store, "engine", None)
    return engine is not None and getattr(engine.dialect, "name", "") == "postgresql"


def _tsquery(groups: list[QueryGroup], mode: str, params: dict[str, Any], prefix: str) -> str:
    """``(phraseto_tsquery(p1) || phraseto_tsquery(p2)) && (...)`` with bound phrases."""
    parts: list[str] = []
    for gi, g in enumerate(groups):
        alts: list[str] = []
        for pi, phrase in enumerate(g.phrases[:60]):
            key = f"{prefix}{gi}_{pi}"
            params[key] = phrase[:200]
            alts.append(f"phraseto_tsquery('english', :{key})")
        if alts:
            parts.append("(" + " || ".join(alts) + ")")
    return (" && " if mode == "and" else " || ").join(parts)


class PgText:
    """The ``search_fts`` table of one PostgreSQL store."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        from sqlalchemy import text

        with engine.begin() as conn:
            for ddl in _DDL:
                conn.execute(text(ddl))

    def clear(self) -> None:
        from sqlalchemy import text

        with self.engine.begin() as conn:
            conn.execute(text("DELETE FROM search_fts"))

    def upsert(self, rows: list[dict[str, str]]) -> None:
        from sqlalchemy import text

        if rows:
            with self.engine.begin() as conn:
                conn.execute(text(_INSERT), rows)

    def delete(self, trial_ids: Iterable[str]) -> None:
        from sqlalchemy import bindparam, text

        ids = list(trial_ids)
        if ids:
            stmt = text("DELETE FROM search_fts WHERE trial_id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            )
            with self.engine.begin() as conn:
                conn.execute(stmt, {"ids": ids})

    def rank(
        self,
        groups: list[QueryGroup],
        mode: str,
        condition: list[QueryGroup],
        intervention: list[QueryGroup],
        crit_share: float,
        focus_bonus: float,
        focus_factor: float = 0.0,
    ) -> list[tuple[str, float]]:
        """(trial_id, score) of every trial matching the text (main or inclusion criteria) and the
        condition/intervention filters."""
        from sqlalchemy import text

        params: dict[str, Any] = {}
        q = _tsquery(groups, mode, params, "q")
        direct = [QueryGroup(label=g.label, phrases=g.direct or g.phrases) for g in groups]
        dq = _tsquery(direct, mode, params, "d") if focus_bonus or focus_factor else ""
        cq = _tsquery(condition, "and", params, "c")
        iq = _tsquery(intervention, "and", params, "i")
        if not (q or cq or iq):
            return []
        where: list[str] = []
        if q:
            focus = "(CASE WHEN tsv_focus @@ qq.dq THEN 1 ELSE 0 END)" if dq else "0"
            score = (
                "(10 * (CASE WHEN tsv_main @@ qq.q THEN ts_rank(tsv_main, qq.q) ELSE 0 END)"
                f" + {float(crit_share)} * 10"
                " * (CASE WHEN tsv_crit @@ qq.q THEN ts_rank(tsv_crit, qq.q) ELSE 0 END)"
                f") * (1 + {float(focus_factor)} * {focus}) + {float(focus_bonus)} * {focus}"
            )
            where.append("(tsv_main @@ qq.q OR tsv_crit @@ qq.q)")
        else:
            score = "10 * ts_rank(tsv_focus, " + ("qq.cq" if cq else "qq.iq") + ")"
        if cq:
            where.append("tsv_focus @@ qq.cq")
        if iq:
            where.append("tsv_int @@ qq.iq")
        empty = "''::tsquery"
        sql = (
            f"WITH qq AS MATERIALIZED (SELECT {q or empty} AS q, {cq or empty} AS cq, {iq or empty} AS iq,"
            f" {dq or empty} AS dq)"
            f" SELECT trial_id, {score} AS s FROM search_fts, qq WHERE " + " AND ".join(where)
        )
        with self.engine.connect() as conn:
            return [(str(r[0]), float(r[1])) for r in conn.execute(text(sql), params)]
