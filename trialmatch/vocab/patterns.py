"""Named regular expressions of the parsers, kept as versioned data in ``data/patterns/*.yaml``.

A phrase list that is only words belongs in a phrase vocabulary (``criteria_phrases.yaml``); a cue
whose shape matters (a gap of up to 30 characters between two words, an anchor at the start of an
item) is a *pattern*. Each file holds the patterns of one parser module::

    version: 1
    investigator_strong:
      pattern: '\\binvestigator\\b[^.;]{0,25}opinion'
      flags: i                      # letters of re flags: i (IGNORECASE), m (MULTILINE), s, x
      match: ["in the investigator's opinion"]   # examples the tests check
      no_match: ["investigational agent"]

``pattern("parse.investigator_strong")`` is the compiled regex (compiled once). Every entry
carries examples, and ``tests/vocab/test_patterns.py`` checks them, that each pattern is used by
the code, and that none backtracks badly on long hostile input.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from trialmatch.vocab._load import DATA_DIR, load_data
from trialmatch.vocab.prefilter import Cue

__all__ = ["pattern", "pattern_entries", "pattern_files", "pattern_source"]

_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE, "a": re.ASCII}


def pattern_files() -> list[str]:
    """The pattern files present (``parse``, ``numeric`` ...), sorted."""
    return sorted(p.stem for p in (DATA_DIR / "patterns").glob("*.yaml"))


def pattern_entries(group: str) -> dict[str, dict[str, Any]]:
    """The raw entries of ``data/patterns/<group>.yaml`` (without ``version``)."""
    data = load_data(f"patterns/{group}")
    return {k: v for k, v in data.items() if k != "version"}


def pattern_source(name: str) -> str:
    """The regex text of pattern ``group.key``, for a larger pattern built around it (no ``Cue`` is
    made: a Cue made after the first parse rebuilds the shared prefilter index)."""
    group, _, key = name.partition(".")
    entries = pattern_entries(group)
    if key not in entries:
        raise KeyError(f"no pattern {key!r} in trialmatch/vocab/data/patterns/{group}.yaml")
    return str(entries[key]["pattern"])


@cache
def pattern(name: str) -> Cue:
    """The compiled pattern ``group.key`` (``KeyError`` names the file and key when missing),
    skipping the regex when a text lacks every literal a match needs (``prefilter.Cue``)."""
    group, _, key = name.partition(".")
    entries = pattern_entries(group)
    if key not in entries:
        raise KeyError(f"no pattern {key!r} in trialmatch/vocab/data/patterns/{group}.yaml")
    e = entries[key]
    flags = 0
    for ch in str(e.get("flags", "")):
        flags |= _FLAGS[ch]
    return Cue(re.compile(str(e["pattern"]), flags))
