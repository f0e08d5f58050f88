"""The parser patterns in ``vocab/data/patterns``: each compiles, matches its examples, is used by
the code, and stays fast on long hostile text."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from trialmatch.vocab.patterns import pattern, pattern_entries, pattern_files, pattern_source

ROOT = Path(__file__).resolve().parents[2] / "trialmatch"
ENTRIES = [(g, k) for g in pattern_files() for k in pattern_entries(g)]
HOSTILE = [
    "a" * 20_000,
    "(" * 5_000 + "x" + ")" * 5_000,
    " " * 20_000 + "!",
    ("grade " * 3_000) + "x",
    ("1.5 x ULN or " * 1_500) + "!",
    ("not " * 4_000) + "eligible?",
]


def _source() -> str:
    files = [p for p in ROOT.rglob("*.py") if p.name != "patterns.py"]  # (its docstring has an example)
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


def test_every_group_has_a_version_and_entries() -> None:
    from trialmatch.vocab._load import load_data

    assert pattern_files(), "no pattern files found"
    for g in pattern_files():
        data = load_data(f"patterns/{g}")
        assert "version" in data, g
        assert pattern_entries(g), f"{g}.yaml has no patterns"


@pytest.mark.parametrize(("group", "key"), ENTRIES, ids=[f"{g}.{k}" for g, k in ENTRIES])
def test_pattern_compiles_and_matches_its_examples(group: str, key: str) -> None:
    e = pattern_entries(group)[key]
    rx = pattern(f"{group}.{key}")
    assert isinstance(rx.rx, re.Pattern)
    assert e.get("match"), f"{group}.{key}: give at least one example it matches"
    for ex in e.get("match", []):
        assert rx.search(str(ex)), f"{group}.{key} should match {ex!r}"
    for ex in e.get("no_match", []):
        assert not rx.search(str(ex)), f"{group}.{key} should not match {ex!r}"


def test_every_pattern_is_used_by_the_code() -> None:
    src = _source()
    unused = [f"{g}.{k}" for g, k in ENTRIES if f'"{g}.{k}"' not in src]
    assert not unused, f"patterns no code uses: {unused}"


def test_every_pattern_the_code_names_exists() -> None:
    names = set(re.findall(r'\b(?:pattern|pattern_source|_p|P)\(\s*"([a-z_]+\.[a-z0-9_]+)"', _source()))
    known = {f"{g}.{k}" for g, k in ENTRIES}
    assert names <= known, f"unknown patterns: {sorted(names - known)}"


def test_missing_pattern_names_its_file() -> None:
    with pytest.raises(KeyError, match="patterns/"):
        pattern(f"{pattern_files()[0]}.no_such_pattern_here")
    with pytest.raises(KeyError, match="patterns/"):
        pattern_source(f"{pattern_files()[0]}.no_such_pattern_here")


def test_pattern_source_is_the_compiled_patterns_text() -> None:
    for g, k in ENTRIES[:40]:
        assert pattern_source(f"{g}.{k}") == pattern(f"{g}.{k}").pattern


@pytest.mark.parametrize(("group", "key"), ENTRIES, ids=[f"{g}.{k}" for g, k in ENTRIES])
def test_pattern_never_backtracks_badly(group: str, key: str) -> None:
    """A hang guard, not a speed target: each search of 20k hostile characters ends in well
    under a second (catastrophic backtracking would take minutes)."""
    rx = pattern(f"{group}.{key}")
    for s in HOSTILE:
        t0 = time.perf_counter()
        rx.search(s)
        assert time.perf_counter() - t0 < 2.0, f"{group}.{key} is slow on {s[:20]!r}..."
