"""Storage: SQLAlchemy 2, SQLite by default (WAL), PostgreSQL as the alternative.

``Store`` holds trials (current record + version history), parsed criteria, import progress and
sync state. Other areas add their own table modules to this package (derived from ``Base``).
"""

from trialmatch.store.base import Base
from trialmatch.store.store import (
    Store,
    WriteHook,
    normalise_url,
    register_write_hook,
    unregister_write_hook,
    utcnow,
)
from trialmatch.store.types import (
    Change,
    ImportSummary,
    Rejection,
    TrialSummary,
    TrialVersion,
    content_hash,
    criteria_hash,
    diff_trials,
    parse_hash,
)

__all__ = [
    "Base",
    "Change",
    "ImportSummary",
    "Rejection",
    "Store",
    "TrialSummary",
    "TrialVersion",
    "WriteHook",
    "content_hash",
    "criteria_hash",
    "diff_trials",
    "normalise_url",
    "parse_hash",
    "register_write_hook",
    "unregister_write_hook",
    "utcnow",
]
