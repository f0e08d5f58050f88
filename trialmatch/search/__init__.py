"""Search and discovery: full-text search with filters and distance, NEN condition expansion,
similar trials, plain-language summaries, glossary, saved searches and alerts.

Names load lazily (start-up stays fast): ``from trialmatch.search import search, SearchQuery``.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "GlossaryEntry",
    "PlainSummary",
    "SearchHit",
    "SearchIndex",
    "SearchQuery",
    "SearchResults",
    "SimilarTrial",
    "glossary",
    "glossary_terms_in",
    "list_saved_searches",
    "plain_summary",
    "resolve_place",
    "run_alerts",
    "save_search",
    "search",
    "search_ids",
    "similar",
    "unsubscribe",
]

_WHERE = {
    "search": "engine",
    "search_ids": "engine",
    "SearchIndex": "index",
    "SearchQuery": "query",
    "SearchResults": "query",
    "SearchHit": "query",
    "SimilarTrial": "similar",
    "similar": "similar",
    "PlainSummary": "plain",
    "plain_summary": "plain",
    "GlossaryEntry": "glossary",
    "glossary": "glossary",
    "glossary_terms_in": "glossary",
    "save_search": "alerts",
    "run_alerts": "alerts",
    "list_saved_searches": "alerts",
    "unsubscribe": "alerts",
    "resolve_place": "geo",
}


def __getattr__(name: str) -> Any:
    mod = _WHERE.get(name)
    if mod is None:
        raise AttributeError(name)
    return getattr(importlib.import_module(f"trialmatch.search.{mod}"), name)
