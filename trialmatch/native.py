"""The compiled build of the criteria parser, and whether this process uses it.

The parser (``trialmatch.criteria`` and ``trialmatch.vocab``) is plain, typed Python. Set-up
compiles it with mypyc (``scripts/build_native.py``) into extension modules that sit beside the
sources; Python's import system prefers them. They run the same code about 1.25x faster.

Compiled modules are only used while they match their sources. At import, ``trialmatch`` hashes
the sources and compares the digest with the one the build recorded (``_native.json``). When they
differ (a source edited after the build), when the record is missing, or when
``TRIALMATCH_PURE=1`` is set, a finder put first on ``sys.meta_path`` loads every compiled module
from its ``.py`` file instead. It is all or nothing: compiled modules call each other directly, so
one stale module would otherwise still run old code through its neighbours.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = [
    "ENV_PURE",
    "MANIFEST",
    "NativeStatus",
    "build_record",
    "compiled_sources",
    "install_guard",
    "source_digest",
    "status",
]

_ROOT = Path(__file__).resolve().parent
ENV_PURE = "TRIALMATCH_PURE"
MANIFEST = _ROOT / "_native.json"
_PACKAGES = ("criteria", "vocab")
# Kept pure: the rule and criterion classes are data that the matcher, the store and tests build
# and take apart (also from untrusted JSON); a compiled class would check every field's type on
# construction and refuse the malformed rules the evaluator is meant to report as unknown.
_PURE_ONLY = frozenset({"trialmatch.criteria.rules", "trialmatch.criteria.model"})


@dataclass(frozen=True, slots=True)
class NativeStatus:
    """``compiled``: this process runs the compiled parser; ``reason``: why (not), for people."""

    compiled: bool
    reason: str


def compiled_sources() -> dict[str, Path]:
    """The modules the build compiles: dotted name -> source file (package ``__init__``s and the
    data classes stay pure)."""
    out: dict[str, Path] = {}
    for pkg in _PACKAGES:
        for path in sorted((_ROOT / pkg).glob("*.py")):
            name = f"trialmatch.{pkg}.{path.stem}"
            if path.stem != "__init__" and name not in _PURE_ONLY:
                out[name] = path
    return out


def source_digest(sources: dict[str, Path] | None = None) -> str:
    """SHA-256 over the compiled modules' names and source bytes, and the Python version."""
    h = hashlib.sha256(sys.version.encode())
    for name, path in sorted((sources or compiled_sources()).items()):
        h.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _built_files() -> list[Path]:
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    dirs = [_ROOT, *(_ROOT / p for p in _PACKAGES)]
    return [f for d in dirs for f in d.iterdir() if f.name.endswith(suffixes)]


def build_record() -> dict[str, Any] | None:
    """What the last build recorded (``digest``, ``mypyc`` version, ``modules``), or None."""
    try:
        recorded = json.loads(MANIFEST.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return recorded if isinstance(recorded, dict) else None


def _decide() -> NativeStatus:
    if not _built_files():
        return NativeStatus(False, "pure Python: not compiled (scripts/build_native.py builds it)")
    if os.environ.get(ENV_PURE, "") not in ("", "0"):
        return NativeStatus(False, f"pure Python: {ENV_PURE} is set")
    recorded = build_record()
    if recorded is None:
        return NativeStatus(False, "pure Python: the build record is missing; rebuild")
    if recorded.get("digest") != source_digest():
        return NativeStatus(False, "pure Python: the sources (or Python) changed since the build; rebuild")
    return NativeStatus(True, f"compiled with mypyc {recorded.get('mypyc', '?')}")


class _SourceFinder(importlib.abc.MetaPathFinder):
    """Loads the named modules from their ``.py`` files, never from a compiled build."""

    def __init__(self, sources: dict[str, Path]) -> None:
        self._sources = sources

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        src = self._sources.get(fullname)
        return importlib.util.spec_from_file_location(fullname, src) if src else None


_STATUS: NativeStatus | None = None


def install_guard() -> NativeStatus:
    """Decide once per process whether the compiled modules may load; if not, make sure they
    do not (warning when a build exists but is stale). Runs when ``trialmatch`` is imported."""
    global _STATUS
    if _STATUS is not None:
        return _STATUS
    _STATUS = st = _decide()
    if not st.compiled and "not compiled" not in st.reason:
        if not any(isinstance(f, _SourceFinder) for f in sys.meta_path):
            sys.meta_path.insert(0, _SourceFinder(compiled_sources()))
        if ENV_PURE not in st.reason:
            warnings.warn(f"trialmatch: {st.reason} (scripts/build_native.py)", stacklevel=2)
    return st


def status() -> NativeStatus:
    """Whether this process runs the compiled parser, and why (not)."""
    return _STATUS if _STATUS is not None else install_guard()
