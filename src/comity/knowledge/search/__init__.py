"""Knowledge-base search: `search(query)` answers from the backend the settings choose.

    from comity.knowledge.search import SearchQuery, search
    result = search(SearchQuery(text='"controlled delivery"', filters={"article": ("20",)}))

`settings.COMITY_SEARCH_BACKEND` is "sqlite" (FTS5, `search/sqlite.py`) or "postgresql"
(`search/postgresql.py`); it must match the database. Writes keep the index in step through
`comity.knowledge.services`; `comity knowledge-reindex` rebuilds it. docs/knowledge-search.md
describes both backends, the candidate cap and where they differ.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from comity.knowledge.search.base import (
    FacetCount,
    Hit,
    SearchBackend,
    SearchQuery,
    SearchResult,
    normalised_filters,
)
from comity.knowledge.search.common import CANDIDATE_CAP

__all__ = [
    "CANDIDATE_CAP",
    "FacetCount",
    "Hit",
    "SearchBackend",
    "SearchQuery",
    "SearchResult",
    "backend_for",
    "get_backend",
    "normalised_filters",
    "search",
]

_VENDORS = {"sqlite": "sqlite", "postgresql": "postgresql"}


def get_backend(using: str = "default") -> SearchBackend:
    """The configured backend over the database `using`; refuses a backend the database cannot
    serve (FTS5 needs SQLite, tsvector needs PostgreSQL)."""
    name = settings.COMITY_SEARCH_BACKEND
    vendor = connections[using].vendor
    if _VENDORS.get(name) != vendor:
        raise ImproperlyConfigured(
            f"COMITY_SEARCH_BACKEND={name!r} cannot search a {vendor} database; use {vendor!r}."
        )
    return backend_for(using)


def backend_for(using: str) -> SearchBackend:
    """The backend that fits the database `using` (migrations and the bench, which work on
    databases other than the configured one)."""
    if connections[using].vendor == "postgresql":
        from comity.knowledge.search.postgresql import PostgresBackend

        return PostgresBackend(using)
    from comity.knowledge.search.sqlite import SqliteBackend

    return SqliteBackend(using)


def search(query: SearchQuery) -> SearchResult:
    """Ranked hits (`query.limit` from `query.offset`), the exact total and facet counts.

    Raises `comity.core.errors.InvalidInput` for an unknown facet or a page out of range.
    """
    return get_backend().search(query)


def prune_orphans(using: str = "default") -> int:
    """Drop index rows whose entry is gone (after a flush, which empties only Django's tables)."""
    if connections[using].vendor not in _VENDORS:
        return 0
    return backend_for(using).prune()
