"""Helpers of the web backend: optional imports, search filters and hits, a TTL cache, the simple
fallback search and criteria splitter, flag and glossary adapters (pure functions)."""

from __future__ import annotations

import datetime as dt
import importlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from trialmatch.criteria.model import Criterion
from trialmatch.patients.model import Patient
from trialmatch.records.model import OPEN_STATUSES, OVERALL_STATUSES, Trial

__all__ = ["Hit", "SearchFilters", "TTLCache", "optional", "stale_warning"]


def optional(module: str, name: str) -> Callable[..., Any] | None:
    """``module.name`` if importable, else None (a part of the project not written yet)."""
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    return getattr(mod, name, None)  # type: ignore[no-any-return]


@dataclass
class SearchFilters:
    q: str = ""
    status: str = ""  # "" | "open" | an overall status
    phase: str = ""
    age: float | None = None
    sex: str = ""  # "" | female | male
    country: str = ""
    near: str = ""
    radius_km: float | None = None
    limit: int = 50

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in ("", None) and k != "limit"}

    def statuses(self) -> list[str]:
        """The study statuses searched, as the search engine reads them (none chosen: every status)."""
        if not self.status:
            return list(OVERALL_STATUSES)
        return list(OPEN_STATUSES) if self.status == "open" else [self.status]


@dataclass
class Hit:
    trial: Trial
    score: float = 0.0
    distance_km: float | None = None
    site: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_WORD = re.compile(r"[a-z0-9]+")
_STEMS = (
    ("metastases", "metasta"),
    ("metastasis", "metasta"),
    ("metastatic", "metasta"),
    ("tumours", "tumor"),
    ("tumour", "tumor"),
    ("tumors", "tumor"),
)


def _norm_words(text: str) -> list[str]:
    words = _WORD.findall(text.lower()[:200_000])
    out = []
    for w in words:
        for a, b in _STEMS:
            if w == a:
                w = b
        out.append(w)
    return out


def _open(trial: Trial) -> bool:
    return (trial.overall_status or "") in OPEN_STATUSES


class TTLCache:
    """A thread-safe LRU cache whose entries expire ``ttl`` seconds after they were stored
    (``ttl`` may be ``math.inf``). ``get_or_make`` computes a missing value once even when
    several threads (requests, the warm-up thread) ask for it at the same time."""

    def __init__(self, size: int, ttl: float) -> None:
        self.size, self.ttl = size, ttl
        self._d: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._making: dict[str, threading.Event] = {}

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def __len__(self) -> int:
        with self._lock:
            return len(self._d)

    def reserve(self, keys: list[str]) -> list[str]:
        """Mark the keys that are neither cached nor being made as being made by the caller, who
        must ``put`` their values and then ``release`` them (other threads' ``get_or_make`` on
        them waits until then); returns the keys reserved."""
        got = []
        with self._lock:
            now = time.monotonic()
            for k in keys:
                hit = self._d.get(k)
                if (hit is not None and now - hit[0] <= self.ttl) or k in self._making:
                    continue
                self._making[k] = threading.Event()
                got.append(k)
        return got

    def release(self, keys: list[str]) -> None:
        """End the reservation of ``keys`` (made or not: a waiting thread then makes a missing one)."""
        with self._lock:
            events = [self._making.pop(k, None) for k in keys]
        for ev in events:
            if ev is not None:
                ev.set()

    def get_or_make(self, key: str, make: Callable[[], Any], wait: float = 60.0) -> Any:
        """The cached value, else ``make()`` stored (a None result is returned, not stored).
        A thread asking for a key another thread is making waits for it (at most ``wait``
        seconds, then makes it itself); ``make`` must not ask for the same key."""
        val = self.get(key)
        if val is not None:
            return val
        with self._lock:
            ev = self._making.get(key)
            mine = ev is None
            if ev is None:
                ev = self._making[key] = threading.Event()
        if not mine:
            ev.wait(wait)
            val = self.get(key)
            return val if val is not None else make()
        try:
            val = self.get(key)
            if val is None:
                val = make()
                if val is not None:
                    self.put(key, val)
            return val
        finally:
            with self._lock:
                self._making.pop(key, None)
            ev.set()

    def get(self, key: str) -> Any:
        with self._lock:
            hit = self._d.get(key)
            if hit is None or time.monotonic() - hit[0] > self.ttl:
                return None
            self._d.move_to_end(key)
            return hit[1]

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            self._d[key] = (time.monotonic(), value)
            self._d.move_to_end(key)
            while len(self._d) > self.size:
                self._d.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._d.clear()


def _as_patient(p: Any) -> Patient:
    if isinstance(p, Patient):
        return p
    if isinstance(p, dict):
        return Patient.model_validate(p)
    return Patient.model_validate(p.model_dump() if hasattr(p, "model_dump") else p)


def _word_set(t: Trial, title: bool, keywords: bool) -> set[str]:
    parts = [t.title or ""] if title else []
    parts += t.conditions + (t.keywords if keywords else [])
    return set(_norm_words(" ".join(parts)))


def _trial_words(t: Trial) -> set[str]:
    parts = [
        t.id,
        t.registry_id or "",
        t.brief_title or "",
        t.official_title or "",
        t.acronym or "",
        *t.conditions,
        *t.keywords,
        t.brief_summary or "",
        t.lead_sponsor or "",
        *(i.name for i in t.interventions),
    ]
    return set(_norm_words(" ".join(parts)))


def _passes(t: Trial, f: SearchFilters) -> bool:
    st = t.overall_status or ""
    if f.status == "open" and st not in OPEN_STATUSES:
        return False
    if f.status and f.status != "open" and st != f.status:
        return False
    if f.phase and f.phase not in t.phases:
        return False
    el = t.eligibility
    if f.age is not None:
        if el.min_age_years is not None and f.age < el.min_age_years:
            return False
        if el.max_age_years is not None and f.age > el.max_age_years:
            return False
    if f.sex in ("female", "male") and el.sex and el.sex not in ("ALL", f.sex.upper()):
        return False
    return not (f.country and f.country.lower() not in (c.lower() for c in t.countries))


def _flag_text(f: Any) -> str:
    if isinstance(f, str):
        return f
    for attr in ("message", "text", "detail", "code"):
        v = getattr(f, attr, None) if not isinstance(f, dict) else f.get(attr)
        if v:
            return str(v)
    return str(f)


def _term_pair(x: Any) -> tuple[str, str]:
    if isinstance(x, (tuple, list)) and len(x) >= 2:
        term, d = x[0], x[1]
        if isinstance(d, dict):
            d = d.get("definition") or d.get("plain") or d.get("text") or ""
        return (str(term), str(d))
    if isinstance(x, dict):
        return (str(x.get("term", "")), str(x.get("definition") or x.get("plain") or ""))
    return (str(getattr(x, "term", x)), str(getattr(x, "definition", "")))


def stale_warning(trial: Trial, today: dt.date) -> str | None:
    """A warning when an open trial's status has not been verified or updated for a year."""
    if not _open(trial):
        return None
    last = trial.status_verified_date or trial.last_update_posted
    if not last:
        return None
    try:
        y, m = int(last[:4]), int(last[5:7]) if len(last) >= 7 else 1
        when = dt.date(y, m, 1)
    except ValueError:
        return None
    if (today - when).days > 365:
        return f"Status may be out of date: last verified or updated {last}."
    return None


_HEADER = re.compile(r"^\s*(inclusion|exclusion)\s+criteria\s*:?\s*$", re.I)
_BULLET = re.compile(r"^\s*(?:[*\-•]|\d{1,3}[.)])\s*")


def _fallback_criteria(trial: Trial) -> list[Criterion]:
    """Criteria split into items by header and bullet, without rules (needs review)."""
    text = (trial.eligibility.criteria_text or "")[:100_000]
    kind = "inclusion"
    out: list[Criterion] = []
    for line in text.splitlines():
        m = _HEADER.match(line)
        if m:
            kind = m.group(1).lower()
            continue
        item = _BULLET.sub("", line).strip()
        if item:
            out.append(Criterion(kind=kind, text=item, index=len(out)))  # type: ignore[arg-type]
    return out
