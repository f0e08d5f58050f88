"""ClinicalTrials.gov API v2: an httpx client and incremental sync into the store."""

from trialmatch.ctgov.client import DEFAULT_BASE_URL, CtgovClient, CtgovError, Page
from trialmatch.ctgov.sync import SyncResult, query_key, sync

__all__ = ["DEFAULT_BASE_URL", "CtgovClient", "CtgovError", "Page", "SyncResult", "query_key", "sync"]
