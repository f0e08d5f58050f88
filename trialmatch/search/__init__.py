"""Search and discovery: full-text search with filters and distance, NEN condition expansion,
similar trials, plain-language summaries, glossary, saved searches and alerts.

Heavy modules load lazily; import from the submodules (``trialmatch.search.engine`` ...) or use the
names re-exported here.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SearchIndex", "SearchQuery", "SearchResults", "search"]


def __getattr__(name: str) -> Any:
    if name == "search":
        from trialmatch.search.engine import search

        return search
    if name == "SearchIndex":
        from trialmatch.search.index import SearchIndex

        return SearchIndex
    if name in ("SearchQuery", "SearchResults"):
        from trialmatch.search import query

        return getattr(query, name)
    raise AttributeError(name)
