"""The search interface shared by every backend (SQLite FTS5, PostgreSQL full text).

Callers use `comity.knowledge.search.search(query)` and never know which backend answered;
`settings.COMITY_SEARCH_BACKEND` ("sqlite" or "postgresql", default from the database vendor)
chooses it. Both must return the same entries for the same query (tests run on both).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from comity.knowledge.models import Entry


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""  # user words; quoted phrases allowed ("controlled delivery"); empty = browse
    # facet -> accepted values: OR within a facet, AND across facets (facets: enums.FACETS)
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    language: str = "en"  # UI language: titles/summaries shown in it when translated
    limit: int = 20
    offset: int = 0
    with_facets: bool = True


@dataclass(frozen=True)
class Hit:
    entry_id: int
    code: str
    kind: str
    title: str
    snippet_html: str  # escaped text with the matched terms in <mark>...</mark>
    year: int | None
    states: tuple[str, ...]
    score: float


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    # The number of matching entries when `total_exact`; otherwise more than CANDIDATE_CAP match
    # and `total` is CANDIDATE_CAP (shown as "more than 10,000").
    total: int
    # facet -> counts, largest first: over every match when `total_exact`, otherwise over the
    # CANDIDATE_CAP most recently added matches (the ones ranked).
    facets: dict[str, list[FacetCount]]
    total_exact: bool = True


class SearchBackend(Protocol):
    name: str

    def search(self, query: SearchQuery) -> SearchResult: ...

    def index_entries(self, entry_ids: Iterable[int]) -> None:
        """Bring the index in step with these entries (inserted, updated or deleted)."""
        ...

    def index_written(self, entries: Sequence[Entry]) -> None:
        """Index entries the caller has just inserted or updated in this transaction, as they
        are in memory (index_entries without reading them back)."""
        ...

    def rebuild(self) -> None: ...

    def drop_all(self) -> None:
        """Drop the whole index (every segment)."""
        ...

    def prune(self) -> int:
        """Drop the index rows of entries that no longer exist; how many."""
        ...


def normalised_filters(filters: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """Drop empty values, de-duplicate, sort: the same filters always give the same query."""
    out: dict[str, tuple[str, ...]] = {}
    for name, values in filters.items():
        kept = tuple(sorted({str(v).strip() for v in values if str(v).strip()}))
        if kept:
            out[name] = kept
    return out
