"""Performance scales: ECOG <-> Karnofsky (the usual correspondence, Oken 1982 / Buccheri 1996).

ECOG 0 = KPS 100-90 ... the mapping table lives in ``data/scales.yaml``.
"""

from __future__ import annotations

from trialmatch.vocab._load import load_data

__all__ = ["ecog_from_karnofsky", "karnofsky_range"]


def _table() -> list[tuple[int, int, int]]:
    rows = load_data("scales")["ecog_karnofsky"]
    return [(int(r["ecog"]), int(r["kps_min"]), int(r["kps_max"])) for r in rows]


def ecog_from_karnofsky(kps: float) -> int | None:
    """The ECOG grade for a Karnofsky score (None when outside 0-100)."""
    if kps is None or kps < 0 or kps > 100:
        return None
    for ecog, lo, hi in _table():
        if lo <= kps <= hi:
            return ecog
    return None


def karnofsky_range(ecog: int) -> tuple[int, int] | None:
    """The Karnofsky range (inclusive) that corresponds to an ECOG grade."""
    for e, lo, hi in _table():
        if e == ecog:
            return lo, hi
    return None
