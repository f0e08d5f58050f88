"""Hang guards that hold on a loaded machine.

A guard measures the CPU time of the test's own thread (``time.thread_time``), not wall time: other
processes on a shared machine stretch wall time, but not the work the code under test does, so a
runaway (quadratic, backtracking) input still trips the guard while a busy machine does not.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["cpu_budget"]


@contextmanager
def cpu_budget(seconds: float, what: object = "") -> Iterator[None]:
    """Assert that the block uses less than ``seconds`` of this thread's CPU time."""
    start = time.thread_time()
    yield
    used = time.thread_time() - start
    assert used < seconds, f"{str(what)[:40]!r}: {used:.2f} s of CPU, budget {seconds} s"
