"""The web app's view of the rest of TrialMatch: trials, criteria, search, matching, glossary.

Each capability calls the owning package when it is there (store, criteria, search, matching,
patients) and falls back to a small local implementation otherwise, so that the app works while
the project grows. Per-trial derived data (parsed criteria, plain summary, quality flags) is
cached in-process; trials themselves are cached for ``ttl`` seconds. Parsed criteria and the
matcher's prepared trials are kept (keyed by trial id and last update) until the LRU drops them;
``trialmatch.web.warmup`` fills them for every open trial when the app starts.

The patient matcher screens every open trial, up to a safety cap of 5,000 trials
(``$TRIALMATCH_WEB_MATCH_CAP`` overrides it; beyond the cap, trials naming the patient's disease
in title or conditions are chosen first).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from trialmatch.criteria.model import Criterion
from trialmatch.matching.model import MatchReport, TrialResult
from trialmatch.patients.model import Patient
from trialmatch.records.model import OPEN_STATUSES, Trial
from trialmatch.web import geo
from trialmatch.web.backend_util import (
    Hit,
    SearchFilters,
    TTLCache,
    _as_patient,
    _fallback_criteria,
    _flag_text,
    _norm_words,
    _open,
    _passes,
    _term_pair,
    _trial_words,
    _word_set,
    optional,
    stale_warning,
)
from trialmatch.web.warmup import prepare

__all__ = [
    "DEFAULT_MATCH_CAP",
    "MATCH_CAP_ENV",
    "Backend",
    "Hit",
    "SearchFilters",
    "match_cap",
    "optional",
    "stale_warning",
]

log = logging.getLogger("trialmatch.web")

#: Environment variable: the most open trials the web matcher screens for one patient.
MATCH_CAP_ENV = "TRIALMATCH_WEB_MATCH_CAP"
DEFAULT_MATCH_CAP = 5000


def match_cap() -> int:
    """The matcher's cap on trials screened per patient: ``$TRIALMATCH_WEB_MATCH_CAP`` when it is a
    positive whole number, else 5,000."""
    raw = os.environ.get(MATCH_CAP_ENV, "").strip()
    try:
        cap = int(raw) if raw else DEFAULT_MATCH_CAP
    except ValueError:
        return DEFAULT_MATCH_CAP
    return cap if cap > 0 else DEFAULT_MATCH_CAP


class Backend:
    """Trials from the store (or a given list), with cached derived data."""

    def __init__(self, db_url: str, trials: Iterable[Trial] | None = None, ttl: float = 300.0) -> None:
        self.db_url = db_url
        self._fixed = {t.id: t for t in trials} if trials is not None else None
        self._store: Any = None
        room = max(4096, match_cap() + 1024)
        self._trials = TTLCache(room, ttl)
        self._derived = TTLCache(4096, 3600.0)
        self._prep = TTLCache(2 * room, math.inf)  # parsed criteria and prepared trials
        self._all: tuple[float, list[Trial]] | None = None
        self._fixed_index: Any = None
        self._summary_rows: tuple[float, list[tuple[str, str | None, set[str]]]] | None = None
        self._searches = TTLCache(512, min(ttl, 60.0))
        self.ttl = ttl
        if self._fixed is None:
            store_cls = optional("trialmatch.store", "Store")
            if store_cls is not None:
                self._store = store_cls(db_url)

    # -- trials -------------------------------------------------------------------------
    def get_trial(self, trial_id: str) -> Trial | None:
        trial_id = trial_id.strip()[:64]
        if self._fixed is not None:
            return self._fixed.get(trial_id)
        cached = self._trials.get(trial_id)
        if cached is not None:
            return cached if isinstance(cached, Trial) else None
        trial = self._store.get_trial(trial_id) if self._store is not None else None
        self._trials.put(trial_id, trial if trial is not None else False)
        return trial  # type: ignore[no-any-return]

    def all_trials(self) -> list[Trial]:
        if self._fixed is not None:
            return list(self._fixed.values())
        if self._all is not None and time.monotonic() - self._all[0] < self.ttl:
            return self._all[1]
        trials: list[Trial] = []
        if self._store is not None:
            it = getattr(self._store, "iter_trials", None)
            trials = list(it()) if it is not None else list(self._store.list_trials())
        self._all = (time.monotonic(), trials)
        return trials

    # -- derived data (cached per trial) -------------------------------------------------
    def load_trials(self, ids: list[str]) -> list[Trial]:
        """The trials with these ids, in order (unknown ids left out): cached ones from memory,
        the rest read from the store in bulk and cached."""
        if self._fixed is not None:
            return [t for t in (self._fixed.get(i) for i in ids) if t is not None]
        got: dict[str, Trial] = {}
        missing = []
        for i in ids:
            cached = self._trials.get(i)
            if isinstance(cached, Trial):
                got[i] = cached
            elif cached is None:
                missing.append(i)
        it = getattr(self._store, "iter_trials", None) if self._store is not None else None
        if missing and it is not None:
            for t in it(ids=missing):
                self._trials.put(t.id, t)
                got[t.id] = t
        elif missing:
            for i in missing:
                t = self.get_trial(i)
                if t is not None:
                    got[i] = t
        return [got[i] for i in ids if i in got]

    def _key(self, kind: str, trial: Trial) -> str:
        return f"{kind}:{trial.id}:{trial.last_update_posted}"

    def _cached(self, kind: str, trial: Trial, fn: Callable[[], Any], cache: TTLCache | None = None) -> Any:
        return (cache or self._derived).get_or_make(self._key(kind, trial), fn)

    def has_prepared(self, trial: Trial) -> bool:
        """Whether the matcher's prepared form of this version of the trial is cached."""
        return self._key("prepared", trial) in self._prep

    def load_criteria(self, trials: list[Trial]) -> None:
        """Read the parsed criteria of many trials from the store at once (it parses and stores
        the missing ones) into the cache; trials cached or being read by another thread are
        left alone."""
        bulk = getattr(self._store, "load_all_criteria", None) if self._store is not None else None
        if bulk is None:
            return
        keys = {self._key("criteria", t): t for t in trials}
        mine = self._prep.reserve(list(keys))
        if not mine:
            return
        try:
            found = bulk(ids=[keys[k].id for k in mine])
            for k in mine:
                if keys[k].id in found:
                    self._prep.put(k, list(found[keys[k].id]))
        except Exception as exc:  # criteria() reads them one by one instead
            log.warning("reading parsed criteria failed: %s", type(exc).__name__)
        finally:
            self._prep.release(mine)

    def criteria(self, trial: Trial) -> list[Criterion]:
        def parse() -> list[Criterion]:
            if self._store is not None and hasattr(self._store, "get_criteria"):
                try:
                    return list(self._store.get_criteria(trial.id))
                except Exception:
                    pass
            fn = optional("trialmatch.criteria", "trial_criteria")
            if fn is None:
                return _fallback_criteria(trial)
            try:
                return list(fn(trial))
            except Exception:
                return _fallback_criteria(trial)

        return self._cached("criteria", trial, parse, self._prep)  # type: ignore[no-any-return]

    def prepared(self, trial: Trial) -> Any:
        """The matcher's prepared form of a trial (compiled rules), cached per trial."""
        cls: Any = optional("trialmatch.matching.match", "PreparedTrial")
        if cls is None:
            return None

        def make() -> Any:
            return cls.from_trial(trial, self.criteria(trial))

        return self._cached("prepared", trial, make, self._prep)

    def plain_summary(self, trial: Trial) -> str | None:
        def make() -> str:
            fn = optional("trialmatch.search.plain", "plain_summary")
            if fn is not None:
                try:
                    return str(fn(trial) or "")
                except Exception:
                    pass
            return trial.plain_summary or ""

        return self._cached("summary", trial, make) or None

    def _flags(self, trial: Trial, today: dt.date) -> list[tuple[str, str]]:
        """(code, message) data-quality flags: the records package's, plus the stale-status
        warning when it has none of its own."""

        def make() -> list[tuple[str, str]]:
            fn = optional("trialmatch.records.quality", "quality_flags")
            flags: list[Any] = []
            if fn is not None:
                try:
                    flags = list(fn(trial, today))
                except Exception:
                    flags = []
            out = [(str(getattr(f, "code", "") or ""), _flag_text(f)) for f in flags]
            stale = stale_warning(trial, today)
            if stale and not any(code.startswith("stale") for code, _ in out):
                out.append(("stale_update", stale))
            return out

        return self._cached(f"flags{today}", trial, make)  # type: ignore[no-any-return]

    def quality_flags(self, trial: Trial, today: dt.date) -> list[str]:
        return [msg[:1].upper() + msg[1:] for _, msg in self._flags(trial, today)]

    def stale_note(self, trial: Trial, today: dt.date) -> str | None:
        """The stale-status warning shown in search results, if any."""
        for code, msg in self._flags(trial, today):
            if code.startswith("stale"):
                return msg[:1].upper() + msg[1:]
        return None

    def glossary_terms_in(self, text: str) -> list[tuple[str, str]]:
        fn = optional("trialmatch.search.glossary", "glossary_terms_in")
        if fn is None:
            return []
        try:
            found = fn(text[:100_000])
        except Exception:
            return []
        return [_term_pair(x) for x in found][:40]

    def glossary_matches(self, text: str) -> list[tuple[str, str, str]]:
        """(term, definition, the words as written in ``text``) for glossary terms in ``text``."""
        fn = optional("trialmatch.search.glossary", "glossary_terms_in")
        if fn is None or not text:
            return []
        try:
            found = fn(text[:100_000])
        except Exception:
            return []
        out = []
        for x in found[:40]:
            term, d = _term_pair(x)
            out.append((term, d, str(getattr(x, "matched", None) or term)))
        return out

    def glossary(self) -> list[tuple[str, str]]:
        fn = optional("trialmatch.search.glossary", "glossary")
        if fn is None:
            return []
        try:
            return [_term_pair(x) for x in fn()]
        except Exception:
            return []

    # -- search ------------------------------------------------------------------------
    def search(self, f: SearchFilters) -> list[Hit]:
        """Search with filters; results are cached for a minute per distinct search."""
        key = repr(sorted(f.__dict__.items()))
        cached = self._searches.get(key)
        if cached is None:
            cached = [(h.trial.id, h.score, h.distance_km, h.site) for h in self._search(f)]
            self._searches.put(key, cached)
        out = []
        for tid, score, dist, site in cached:
            t = self.get_trial(tid)
            if t is not None:
                out.append(Hit(trial=t, score=score, distance_km=dist, site=site))
        return out

    def _search(self, f: SearchFilters) -> list[Hit]:
        hits = self._search_engine(f)
        if hits is not None:
            return hits
        origin = geo.geocode(f.near) if f.near else None
        hits = self._search_fallback(f)
        for h in hits:
            loc, dist = geo.nearest_site(h.trial, origin, f.statuses())
            if loc is not None:
                h.site = ", ".join(x for x in (loc.facility, loc.city, loc.country) if x)
            h.distance_km = dist
        if origin is not None and f.radius_km:
            hits = [h for h in hits if h.distance_km is not None and h.distance_km <= f.radius_km]
        if origin is not None and not f.q:
            hits.sort(key=lambda h: (h.distance_km is None, h.distance_km or 0.0))
        return hits[: f.limit]

    def _index(self) -> Any:
        if self._fixed is not None:
            if self._fixed_index is None:
                cls: Any = optional("trialmatch.search.index", "SearchIndex")
                self._fixed_index = cls.from_trials(self._fixed.values()) if cls is not None else False
            return self._fixed_index or None
        return self._store

    def _search_engine(self, f: SearchFilters) -> list[Hit] | None:
        """The search package's FTS5 engine; None when it is missing or fails (use the fallback)."""
        fn = optional("trialmatch.search.engine", "search")
        query_cls = optional("trialmatch.search.query", "SearchQuery")
        index = self._index()
        if fn is None or query_cls is None or index is None:
            return None
        try:
            sq = query_cls(
                q=f.q,
                status=f.statuses(),
                phase=[f.phase] if f.phase else [],
                age=f.age,
                sex=f.sex or None,
                country=f.country or None,
                near=f.near or None,
                radius_km=f.radius_km or 20_000.0,
                limit=f.limit,
            )
            res = fn(index, sq)
        except Exception:
            return None
        out: list[Hit] = []
        for h in res.hits:
            t = self.get_trial(h.trial_id)
            if t is None:
                continue
            site = h.nearest_site
            name = ", ".join(x for x in (site.facility, site.city, site.country) if x) if site else None
            if name is None:
                loc, _ = geo.nearest_site(t, None, f.statuses())
                name = ", ".join(x for x in (loc.facility, loc.city, loc.country) if x) if loc else None
            out.append(Hit(trial=t, score=h.score, distance_km=h.distance_km, site=name or None))
        return out

    def _search_fallback(self, f: SearchFilters) -> list[Hit]:
        qwords = _norm_words(f.q)[:20]
        out: list[Hit] = []
        for t in self.all_trials():
            if not _passes(t, f):
                continue
            score = 0.0
            if qwords:
                hay = self._cached("words", t, functools.partial(_trial_words, t))
                title = self._cached(
                    "twords",
                    t,
                    functools.partial(_word_set, t, True, True),
                )
                matched = [w for w in qwords if w in hay or any(h.startswith(w) for h in hay if len(w) > 4)]
                if len(matched) < len(qwords):
                    continue
                score = sum(3.0 if w in title else 1.0 for w in qwords) + (0.5 if _open(t) else 0.0)
            out.append(Hit(trial=t, score=score))
        out.sort(key=lambda h: (-h.score, not _open(h.trial), h.trial.id))
        return out

    def similar(self, trial: Trial, k: int = 5) -> list[Trial]:
        """Related trials (cached per trial): the search package's ``similar`` or shared terms."""
        ids = self._cached(f"similar{k}", trial, lambda: [t.id for t in self._similar(trial, k)])
        got = [self.get_trial(i) for i in ids]
        return [t for t in got if t is not None]

    def _similar(self, trial: Trial, k: int) -> list[Trial]:
        fn = optional("trialmatch.search.similar", "similar")
        index = self._index()
        if fn is not None and index is not None:
            try:
                got = [self.get_trial(r.trial_id) for r in fn(trial, index, k=k)]
                return [t for t in got if t is not None and t.id != trial.id][:k]
            except Exception:
                pass
        mine = set(_norm_words(" ".join(trial.conditions + trial.keywords)))
        if not mine:
            return []
        scored = []
        for t in self.all_trials():
            if t.id == trial.id:
                continue
            theirs = self._cached("ckwords", t, functools.partial(_word_set, t, False, True))
            common = len(mine & theirs)
            if common:
                scored.append((common / (len(mine | theirs) or 1), t))
        scored.sort(key=lambda x: (-x[0], x[1].id))
        return [t for _, t in scored[:k]]

    # -- patients and matching -----------------------------------------------------------
    def load_patient(self, obj: Any) -> Patient:
        """A profile dict, a FHIR bundle dict, or note text -> Patient (ValueError if unusable)."""
        if isinstance(obj, str):
            fn = optional("trialmatch.patients.notes", "read_note")
            if fn is None:
                raise ValueError("reading clinical notes is not available yet")
            return _as_patient(fn(obj[:200_000]))
        if not isinstance(obj, dict):
            raise ValueError("patient must be a profile object, a FHIR Bundle or note text")
        fn = optional("trialmatch.patients.load", "load_patient")
        if fn is not None:
            return _as_patient(fn(obj))
        if obj.get("resourceType") == "Bundle":
            raise ValueError("reading FHIR bundles is not available yet")
        return Patient.model_validate(obj)

    def match(
        self, patient: Patient, trials: list[Trial], as_of: dt.date, trial_ids: list[str] | None = None
    ) -> MatchReport:
        """Judge ``trials`` for a patient; every trial is reported, ineligible ones included."""
        fn = optional("trialmatch.matching.match", "match_patient")
        if fn is not None:
            prepare(self, trials)
            prepared = [self.prepared(t) for t in trials]
            rep = fn(patient, prepared, as_of, trial_ids=tuple(trial_ids or ()), include_ineligible=True)
            return rep if isinstance(rep, MatchReport) else MatchReport.model_validate(rep)
        results = [
            TrialResult(
                trial_id=t.id,
                registry_id=t.registry_id,
                title=t.title,
                status=t.overall_status,
                verdict="possibly_eligible",
                score=0.0,
            )
            for t in trials
        ]
        return MatchReport(
            patient_id=patient.id,
            as_of=as_of,
            results=results,
            warnings=["the matcher is not available yet: nothing was checked"],
        )

    def match_candidates(self, patient: Patient | None, limit: int | None = None) -> list[Trial]:
        """Trials to match a patient against: every open one, up to ``limit`` (default
        :func:`match_cap`); beyond it, those naming the patient's disease in title or conditions
        are chosen first. Reads the store's summaries, so only the chosen trials are loaded."""
        limit = match_cap() if limit is None else max(1, limit)
        name = (patient.cancer.name if patient and patient.cancer and patient.cancer.name else "") or ""
        words = set(_norm_words(name)) - {"of", "the", "and", "with"}
        rows = self._summaries()
        if rows is not None:
            open_rows = [r for r in rows if r[1] is None or r[1] in OPEN_STATUSES] or rows
            if len(open_rows) > limit and words:
                open_rows = sorted(open_rows, key=lambda r: -len(words & r[2]))
            return self.load_trials([r[0] for r in open_rows[:limit]])
        trials = [t for t in self.all_trials() if _open(t)] or self.all_trials()
        if len(trials) > limit and words:
            trials = sorted(trials, key=lambda t: -len(words & _word_set(t, True, False)))
        return trials[:limit]

    def _summaries(self) -> list[tuple[str, str | None, set[str]]] | None:
        """(id, status, title and condition words) of every stored trial, cached for ``ttl``."""
        if self._store is None or not hasattr(self._store, "list_trials"):
            return None
        if self._summary_rows is not None and time.monotonic() - self._summary_rows[0] < self.ttl:
            return self._summary_rows[1]
        try:
            rows = [
                (r.id, r.status, set(_norm_words(" ".join([r.title or "", *r.conditions]))))
                for r in self._store.list_trials()
            ]
        except Exception:
            return None
        self._summary_rows = (time.monotonic(), rows)
        return rows
