"""Criteria text of the seed pages, cut out of ../shared/seeds at test time (never copied)."""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["SEED_FILES", "seed_criteria_text"]

SEED_FILES = {
    "NCT07077551": "000_d127006f2dea0e11.txt",
    "NCT07279532": "001_d012576d1aea8c04.txt",
    "NCT06540937": "002_b1bd8bb771afc7b0.txt",
    "STARTNET": "003_bd75ca85215470ad.txt",
    "NCT06592989": "004_53887417c8779f77.txt",
}
_END = re.compile(
    r"^(About Second Affiliated|Minimum Eligible Age|Study details|Accepts Healthy|Locations)\b", re.M
)


def seed_criteria_text(shared: Path, trial: str) -> str:
    """The criteria block of a seed page: from the first "Inclusion Criteria" to the page chrome."""
    text = (shared / "seeds" / SEED_FILES[trial]).read_text(encoding="utf-8")
    m = re.search(r"^[\s•*-]*Inclusion Criteria", text, re.M)
    if m is None:
        return ""
    rest = text[m.start() :]
    e = _END.search(rest)
    return rest[: e.start()] if e else rest
