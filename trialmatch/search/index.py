"""The full-text search index: SQLite FTS5 (porter stemming, BM25) in a side file next to the
database (or in memory), built from the Store or from any iterable of ``Trial``.

Tables: ``docs`` (filter columns + the compressed trial JSON), ``sites`` (geocoded sites with
their status), ``fts_main`` (title, conditions, keywords, interventions, summary) and ``fts_crit``
(inclusion criteria only; exclusion criteria and exclusionary inclusion lines are not indexed, so a
trial that *excludes* a disease never matches it through its criteria).

PostgreSQL: for a store on PostgreSQL the text is also written to a ``search_fts`` tsvector table in
the store's database and matched/ranked there (``trialmatch.search.pg``: ``ts_rank``); this side
file (in ``$TRIALMATCH_INDEX_DIR`` or the per-user cache, keyed by the URL) still holds the filter
columns, sites, snippets and term statistics.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
import weakref
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from trialmatch.records.model import Trial
from trialmatch.search.textproc import load_vocab, normalise_text, split_criteria

__all__ = ["INDEX_VERSION", "SearchIndex", "index_path_for", "store_fingerprint"]

#: How long a freshness check of the store holds (seconds).
FRESHNESS_TTL_S = 2.0
#: Bumped when the schema or the indexed text changes: a different version forces a rebuild.
INDEX_VERSION = "4"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS docs(
  rowid INTEGER PRIMARY KEY, trial_id TEXT UNIQUE NOT NULL, status TEXT, phases TEXT, study_type TEXT,
  min_age REAL, max_age REAL, sex TEXT, healthy INTEGER, countries TEXT, sponsors TEXT,
  last_update TEXT, title TEXT, data BLOB);
CREATE TABLE IF NOT EXISTS sites(
  trial_rowid INTEGER, lat REAL, lon REAL, status TEXT, facility TEXT, city TEXT, state TEXT,
  country TEXT);
CREATE INDEX IF NOT EXISTS sites_latlon ON sites(lat, lon);
CREATE INDEX IF NOT EXISTS sites_trial ON sites(trial_rowid);
CREATE VIRTUAL TABLE IF NOT EXISTS fts_main USING fts5(
  title, conditions, keywords, interventions, summary, tokenize='porter unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE IF NOT EXISTS fts_crit USING fts5(
  inclusion, tokenize='porter unicode61 remove_diacritics 2');
"""


def index_path_for(db_url: str) -> str:
    """Where the index of a database lives: ``<file>.search.sqlite`` beside a SQLite database,
    else a file keyed by the URL in ``$TRIALMATCH_INDEX_DIR`` (default: the per-user cache)."""
    if db_url.startswith("sqlite"):
        path = db_url[len("sqlite:///") :] if db_url.startswith("sqlite:///") else ""
        if path and path != ":memory:":
            return path + ".search.sqlite"
        return ":memory:"
    from platformdirs import user_cache_dir

    d = Path(os.environ.get("TRIALMATCH_INDEX_DIR") or user_cache_dir("trialmatch"))
    d.mkdir(parents=True, exist_ok=True)
    return str(d / f"search-{hashlib.sha256(db_url.encode()).hexdigest()[:16]}.sqlite")


def store_fingerprint(store: Any) -> str | None:
    """A cheap value that changes when the store's trials change (None when unknown): the count,
    latest ``updated_at`` and highest version of the ``trials`` table."""
    fp = getattr(store, "fingerprint", None)
    if callable(fp):
        return str(fp())
    engine = getattr(store, "engine", None)
    if engine is None:
        return None
    try:
        from sqlalchemy import text

        with engine.connect() as conn:
            row = conn.execute(text("SELECT count(*), max(updated_at), sum(version) FROM trials")).fetchone()
        return f"trials:{tuple(row) if row else ()}"
    except Exception:
        return None


_LIVE: weakref.WeakSet[SearchIndex] = weakref.WeakSet()
_HOOKED: list[bool] = []


def _on_store_write(_conn: Any, _trials: list[Trial]) -> None:
    """A store in this process wrote trials: every live index asks its store again next time."""
    for idx in list(_LIVE):
        idx._checked_at = -1e18


def _watch(idx: SearchIndex) -> None:
    _LIVE.add(idx)
    if not _HOOKED:
        _HOOKED.append(True)
        try:
            from trialmatch.store import register_write_hook

            register_write_hook(_on_store_write)
        except ImportError:  # an older store without hooks: the TTL still bounds staleness
            pass


def _store_mark(store: Any) -> str | None:
    """The store's latest ``trials.updated_at`` (its own clock), for ``changes_since``."""
    engine = getattr(store, "engine", None)
    if engine is None:
        return None
    try:
        from sqlalchemy import text

        with engine.connect() as conn:
            v = conn.execute(text("SELECT max(updated_at) FROM trials")).scalar()
    except Exception:
        return None
    if v is None:
        return None
    return v.isoformat() if hasattr(v, "isoformat") else str(v)


def _pipe(values: Iterable[str]) -> str:
    vals = [v for v in values if v]
    return "|" + "|".join(vals) + "|" if vals else ""


def _site_rows(trial: Trial) -> Iterator[tuple[Any, ...]]:
    from trialmatch.search.geo import country_code, resolve_place

    for loc in trial.locations[:2000]:
        lat, lon = loc.lat, loc.lon
        if (lat is None or lon is None) and loc.city:
            where = ", ".join(
                x
                for x in (
                    loc.city,
                    loc.state if loc.country in (None, "United States") else None,
                    loc.country,
                )
                if x
            )
            place = resolve_place(where)
            if place is not None:
                lat, lon = place.lat, place.lon
        if lat is None or lon is None:
            continue
        yield (
            lat,
            lon,
            (loc.status or "").upper() or None,
            loc.facility,
            loc.city,
            loc.state,
            country_code(loc.country) or (loc.country or "").lower() or None,
        )


class SearchIndex:
    """An FTS5 index over trials. ``SearchIndex(store)`` opens the side file of the store's database
    (``ensure_fresh()`` rebuilds it when the store changed); ``SearchIndex.from_trials(trials)``
    builds an in-memory index."""

    def __init__(self, store: Any = None, path: str | None = None) -> None:
        self.store = store
        if path is None:
            url = str(getattr(store, "url", "") or getattr(getattr(store, "engine", None), "url", "") or "")
            path = index_path_for(url) if url else ":memory:"
        self.path = path
        self._lock = threading.RLock()
        self._checked_at = -1e18
        if store is not None:
            _watch(self)
        self.pg: Any = None  # PostgreSQL text ranking (trialmatch.search.pg) for a PostgreSQL store
        if store is not None:
            from trialmatch.search.pg import PgText, is_postgres

            if is_postgres(store):
                self.pg = PgText(store.engine)
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=120)
        self.conn.execute("PRAGMA journal_mode=WAL" if path != ":memory:" else "PRAGMA journal_mode=MEMORY")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.executescript(_SCHEMA)

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_trials(cls, trials: Iterable[Trial], path: str = ":memory:") -> SearchIndex:
        idx = cls(None, path=path)
        idx.rebuild(trials)
        return idx

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    def meta(self, key: str) -> str | None:
        with self._lock:
            row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def count(self) -> int:
        with self._lock:
            return int(self.conn.execute("SELECT count(*) FROM docs").fetchone()[0])

    def _store_trials(self) -> Iterable[Trial]:
        if self.store is None:
            return []
        it = getattr(self.store, "iter_trials", None)
        if callable(it):
            return it()  # type: ignore[no-any-return]
        return self.store.list_trials()  # type: ignore[no-any-return]

    def rebuild(self, trials: Iterable[Trial] | None = None) -> int:
        """Drop and rebuild the whole index (from ``trials`` or the store). Returns the count."""
        with self._lock:
            c = self.conn
            from_store = trials is None and self.store is not None
            fp = store_fingerprint(self.store) if from_store else None  # before reading: never too new
            mark = _store_mark(self.store) if from_store else None
            c.execute("BEGIN")
            try:
                for t in ("docs", "sites", "fts_main", "fts_crit"):
                    c.execute(f"DELETE FROM {t}")
                if self.pg is not None:
                    self.pg.clear()
                n = self._insert(trials if trials is not None else self._store_trials())
                self._set_meta("version", INDEX_VERSION)
                self._set_meta("vocab_version", str(load_vocab().version))
                if from_store:
                    self._set_meta("fingerprint", fp or "")
                    self._set_meta("store_mark", mark or "")
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
            c.execute("INSERT INTO fts_main(fts_main) VALUES('optimize')")
            c.execute("INSERT INTO fts_crit(fts_crit) VALUES('optimize')")
            return n

    def refresh(self) -> str:
        """Bring the index up to date with the store: ``"fresh"`` (nothing to do), ``"updated"``
        (only the trials the store's history shows changed since the last build were re-indexed) or
        ``"rebuilt"``."""
        if self.store is None:
            return "fresh"
        if self.meta("version") != INDEX_VERSION or self.meta("vocab_version") != str(load_vocab().version):
            self.rebuild()
            return "rebuilt"
        fp = store_fingerprint(self.store)
        if fp is not None and fp == self.meta("fingerprint"):
            return "fresh"
        if fp is None and self.count() > 0:
            return "fresh"
        mark = self.meta("store_mark")
        changes_since = getattr(self.store, "changes_since", None)
        if fp is not None and mark and callable(changes_since):
            import datetime as dt

            new_mark = _store_mark(self.store)
            try:
                ids = sorted({c.trial_id for c in changes_since(dt.datetime.fromisoformat(mark))})
            except Exception:
                ids = []
            if ids and len(ids) <= max(50, self.count() // 3):
                found = list(self.store.iter_trials(ids=ids))
                with self._lock:
                    self.update(found)
                    self.remove(set(ids) - {t.id for t in found})
                    self._set_meta("fingerprint", fp)
                    self._set_meta("store_mark", new_mark or mark)
                count = getattr(self.store, "count", None)
                if not callable(count) or int(count()) == self.count():
                    return "updated"
        self.rebuild()
        return "rebuilt"

    def update(self, trials: Iterable[Trial]) -> int:
        """Insert or replace the given trials (incremental refresh)."""
        with self._lock:
            self.conn.execute("BEGIN")
            try:
                n = self._insert(trials, replace=True)
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            return n

    def remove(self, trial_ids: Iterable[str]) -> None:
        ids = list(trial_ids)
        with self._lock:
            for tid in ids:
                self._delete(tid)
            if self.pg is not None:
                self.pg.delete(ids)

    def is_stale(self) -> bool:
        """True when the index was built by another version or the store changed since."""
        if self.meta("version") != INDEX_VERSION or self.meta("vocab_version") != str(load_vocab().version):
            return True
        if self.store is None:
            return False
        fp = store_fingerprint(self.store)
        return (fp is None and self.count() == 0) or (fp is not None and fp != self.meta("fingerprint"))

    def ensure_fresh(self, max_age_s: float = FRESHNESS_TTL_S) -> SearchIndex:
        """Refresh from the store when it changed (incrementally when it can). The store is asked at
        most every ``max_age_s`` seconds (a web server's searches do not each pay for the check)."""
        now = time.monotonic()
        if self.store is not None and now - self._checked_at >= max_age_s:
            if self.is_stale():
                self.refresh()
            self._checked_at = time.monotonic()
        return self

    # -- internals --------------------------------------------------------------------------------
    def _delete(self, trial_id: str) -> None:
        row = self.conn.execute("SELECT rowid FROM docs WHERE trial_id=?", (trial_id,)).fetchone()
        if row is None:
            return
        r = row[0]
        self.conn.execute("DELETE FROM docs WHERE rowid=?", (r,))
        self.conn.execute("DELETE FROM sites WHERE trial_rowid=?", (r,))
        self.conn.execute("DELETE FROM fts_main WHERE rowid=?", (r,))
        self.conn.execute("DELETE FROM fts_crit WHERE rowid=?", (r,))

    def _insert(self, trials: Iterable[Trial], replace: bool = False) -> int:
        vocab = load_vocab()
        c = self.conn
        n = 0
        pg_rows: list[dict[str, str]] = []
        for t in trials:
            if replace:
                self._delete(t.id)
            e = t.eligibility
            sponsors = [t.lead_sponsor or "", *t.collaborators]
            from trialmatch.search.geo import country_code

            countries = {country_code(x) or x.lower() for x in t.countries}
            cur = c.execute(
                "INSERT OR REPLACE INTO docs(trial_id, status, phases, study_type, min_age, max_age, sex,"
                " healthy, countries, sponsors, last_update, title, data) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    t.id,
                    (t.overall_status or "").upper() or None,
                    _pipe(t.phases),
                    t.study_type,
                    e.min_age_years,
                    e.max_age_years,
                    e.sex,
                    None if e.healthy_volunteers is None else int(e.healthy_volunteers),
                    _pipe(sorted(countries)),
                    _pipe(s.lower() for s in sponsors),
                    t.last_update_posted,
                    t.title,
                    zlib.compress(t.model_dump_json(exclude_none=True).encode("utf-8"), 3),
                ),
            )
            r = cur.lastrowid
            texts = (
                normalise_text(" ".join(x for x in (t.brief_title, t.official_title, t.acronym) if x), vocab),
                normalise_text("; ".join(t.conditions), vocab),
                normalise_text("; ".join(t.keywords), vocab),
                normalise_text(
                    "; ".join(
                        [i.name for i in t.interventions]
                        + [o for i in t.interventions for o in i.other_names]
                    ),
                    vocab,
                ),
                normalise_text(
                    " ".join(x for x in (t.brief_summary, (t.detailed_description or "")[:4000]) if x), vocab
                ),
            )
            c.execute(
                "INSERT INTO fts_main(rowid, title, conditions, keywords, interventions, summary)"
                " VALUES (?,?,?,?,?,?)",
                (r, *texts),
            )
            inc, _exc = split_criteria(e.criteria_text, vocab)
            inclusion = normalise_text(inc, vocab)
            c.execute("INSERT INTO fts_crit(rowid, inclusion) VALUES (?,?)", (r, inclusion))
            if self.pg is not None:
                keys = ("title", "conditions", "keywords", "interventions", "summary")
                pg_rows.append({"id": t.id, **dict(zip(keys, texts, strict=True)), "inclusion": inclusion})
                if len(pg_rows) >= 500:
                    self.pg.upsert(pg_rows)
                    pg_rows = []
            c.executemany(
                "INSERT INTO sites(trial_rowid, lat, lon, status, facility, city, state, country)"
                " VALUES (?,?,?,?,?,?,?,?)",
                [(r, *row) for row in _site_rows(t)],
            )
            n += 1
        if self.pg is not None:
            self.pg.upsert(pg_rows)
        return n

    # -- reading ---------------------------------------------------------------------------------
    def get_trial(self, trial_id: str) -> Trial | None:
        with self._lock:
            row = self.conn.execute("SELECT data FROM docs WHERE trial_id=?", (trial_id,)).fetchone()
        return None if row is None else Trial.model_validate_json(zlib.decompress(row[0]))

    def trial_by_rowid(self, rowid: int) -> Trial | None:
        with self._lock:
            row = self.conn.execute("SELECT data FROM docs WHERE rowid=?", (rowid,)).fetchone()
        return None if row is None else Trial.model_validate_json(zlib.decompress(row[0]))

    def iter_trials(self) -> Iterator[Trial]:
        with self._lock:
            ids = [r for (r,) in self.conn.execute("SELECT rowid FROM docs ORDER BY rowid")]
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            marks = ",".join("?" * len(part))
            with self._lock:
                rows = self.conn.execute(
                    f"SELECT data FROM docs WHERE rowid IN ({marks}) ORDER BY rowid", part
                ).fetchall()
            for (data,) in rows:
                yield Trial.model_validate_json(zlib.decompress(data))

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return list(self.conn.execute(sql, tuple(params)))

    def doc_frequency(self) -> dict[str, int]:
        """Document frequency of each stemmed term over title+conditions+summary (for key terms)."""
        with self._lock:
            self.conn.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.v_main USING fts5vocab(main, fts_main, 'row')"
            )
            return {str(t): int(d) for t, d in self.conn.execute("SELECT term, doc FROM temp.v_main")}

    def describe(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "trials": self.count(),
            "version": self.meta("version"),
            "fingerprint": self.meta("fingerprint"),
        }

    def __repr__(self) -> str:
        return f"SearchIndex({json.dumps(self.path)}, trials={self.count()})"
