"""Warming the web matcher up: parse (through the store's cache of parsed criteria) and compile every
open trial once, in a background thread started with the app, so that the first match request does
not pay for it.

A request that arrives before the warm-up has finished still works: it prepares the trials that are
missing itself, with the same ``prepare`` (criteria read from the store in bulk). Work is shared,
never done twice: criteria another thread is reading, or a trial it is preparing, are waited for
(``TTLCache.reserve`` and ``get_or_make``). ``$TRIALMATCH_WEB_WARMUP=0`` (or
``create_app(..., warm_up=False)``) turns the warm-up off; the app then prepares trials on first use.

``trialmatch serve`` also moves what the warm-up built out of the garbage collector's sight
(``gc.freeze``, ``WarmUp.freeze_gc``): the prepared trials are long-lived, and scanning them in
full collections otherwise pauses an occasional match request for 0.2-0.4 s.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from typing import Any

from trialmatch.records.model import Trial

__all__ = ["WARMUP_ENV", "WarmUp", "prepare", "warm_up", "warm_up_enabled"]

#: Environment variable: "0", "no", "off" or "false" turns the background warm-up off.
WARMUP_ENV = "TRIALMATCH_WEB_WARMUP"

log = logging.getLogger("trialmatch.web")


def warm_up_enabled() -> bool:
    return os.environ.get(WARMUP_ENV, "").strip().lower() not in ("0", "no", "off", "false")


def _compile(prepared: Any) -> None:
    """Compile every rule of a prepared trial now (the matcher compiles lazily otherwise)."""
    fn = getattr(prepared, "fn", None)
    for i in range(len(getattr(prepared, "raw", ()))):
        if fn is not None:
            fn(i)
    getattr(prepared, "concepts", None)


def prepare(
    backend: Any,
    trials: list[Trial],
    stop: threading.Event | None = None,
    chunk: int = 50,
    compile_rules: bool = False,
) -> int:
    """Prepare the trials not prepared yet, a ``chunk`` at a time: their parsed criteria read from
    the store in bulk, then the matcher's prepared form (rules compiled too with
    ``compile_rules``). Threads preparing the same trials share the work. Stops early when
    ``stop`` is set; returns the trials prepared."""
    done = 0
    for start in range(0, len(trials), chunk):
        if stop is not None and stop.is_set():
            break
        need = [t for t in trials[start : start + chunk] if not backend.has_prepared(t)]
        if not need:
            continue
        backend.load_criteria(need)
        for t in need:
            if stop is not None and stop.is_set():
                break
            prepared = backend.prepared(t)
            if prepared is not None and compile_rules:
                _compile(prepared)
            done += 1
    return done


def warm_up(backend: Any, stop: threading.Event | None = None, chunk: int = 50) -> int:
    """Prepare (parse, cache, compile) the trials the matcher screens when it knows nothing of the
    patient: every open trial up to the cap. Stops early when ``stop`` is set; returns the trials
    prepared."""
    return prepare(backend, backend.match_candidates(None), stop, chunk, compile_rules=True)


class WarmUp:
    """The background warm-up of one backend: ``start()``, then ``stop()`` (sets the stop flag and
    joins the thread). ``join()`` waits for it to finish (tests, measurements)."""

    def __init__(self, backend: Any, freeze_gc: bool = False) -> None:
        self.backend = backend
        self.freeze_gc = freeze_gc
        self._stop = threading.Event()
        self.thread: threading.Thread | None = None
        self.prepared = 0
        self.seconds: float | None = None
        self.error: str | None = None

    def _run(self) -> None:
        t0 = time.perf_counter()
        try:
            self.prepared = warm_up(self.backend, self._stop)
            if self.freeze_gc and not self._stop.is_set():
                gc.collect()
                gc.freeze()
        except Exception as exc:  # never let the warm-up take the app down
            self.error = type(exc).__name__
            log.warning("warm-up failed: %s", self.error)
        self.seconds = time.perf_counter() - t0
        log.info("warm-up: %d trials prepared in %.1f s", self.prepared, self.seconds)

    def start(self) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="trialmatch-warm-up", daemon=True)
            self.thread.start()

    def join(self, timeout: float | None = None) -> None:
        if self.thread is not None:
            self.thread.join(timeout)

    def stop(self, timeout: float | None = 30.0) -> None:
        self._stop.set()
        self.join(timeout)
