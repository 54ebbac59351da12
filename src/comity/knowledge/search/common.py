"""What the two backends share around their SQL: checking a query, building hits and facets."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from comity.core.errors import InvalidInput
from comity.knowledge.enums import FACETS
from comity.knowledge.models import Entry
from comity.knowledge.search.base import FacetCount, Hit, SearchQuery, normalised_filters
from comity.knowledge.search.text import (
    ParsedQuery,
    body_text,
    cjk_snippet,
    parse_query,
    plain_snippet,
)

# At most this many matching entries are ranked (or, when browsing, sorted by year): the most
# recently added ones (highest ids) when more match. `total` and the facet counts still cover
# every match. See docs/knowledge-search.md.
CANDIDATE_CAP = 10_000
MAX_LIMIT = 100

# Column weights: a word in the title counts ten times a word of the body, a Chinese bigram
# twice. SQLite: bm25() column weights; PostgreSQL: ts_rank() weights of A (title), C (bigrams)
# and D (body); B holds the facet tags and never matches the ranked words.
TITLE_WEIGHT = 10.0
BODY_WEIGHT = 1.0
CJK_WEIGHT = 2.0


@dataclass(frozen=True)
class CheckedQuery:
    parsed: ParsedQuery
    filters: dict[str, tuple[str, ...]]
    limit: int
    offset: int
    language: str
    with_facets: bool


def check_query(query: SearchQuery) -> CheckedQuery:
    """Validate a SearchQuery: known facets, a page inside the ranked candidates."""
    filters = normalised_filters(query.filters)
    unknown = sorted(set(filters) - set(FACETS))
    if unknown:
        raise InvalidInput("filters", f"Unknown facet(s): {', '.join(unknown)}. Use: {', '.join(FACETS)}.")
    if not 1 <= query.limit <= MAX_LIMIT:
        raise InvalidInput("limit", f"limit must be between 1 and {MAX_LIMIT}.")
    if query.offset < 0 or query.offset + query.limit > CANDIDATE_CAP:
        raise InvalidInput("offset", f"offset must be between 0 and {CANDIDATE_CAP - query.limit}.")
    return CheckedQuery(
        parsed=parse_query(query.text),
        filters=filters,
        limit=query.limit,
        offset=query.offset,
        language=(query.language or "en").split("-")[0].lower(),
        with_facets=query.with_facets,
    )


def facet_counts(rows: Iterable[tuple[str, int]]) -> dict[str, list[FacetCount]]:
    """("facet:value", count) rows as facet -> counts, largest first, then by value."""
    grouped: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for key, count in rows:
        facet, _sep, value = key.partition(":")
        if facet in grouped:
            grouped[facet][value] += int(count)
    return {
        name: [FacetCount(value=v, count=c) for v, c in sorted(counter.items(), key=lambda i: (-i[1], i[0]))]
        for name, counter in grouped.items()
    }


def display_title(entry: Entry, language: str) -> str:
    translated = (entry.translations or {}).get(language)
    if isinstance(translated, dict) and str(translated.get("title", "")).strip():
        return str(translated["title"])
    return entry.title


def build_hits(
    *,
    using: str,
    ranked: Sequence[tuple[int, float]],
    snippets: dict[int, str],
    checked: CheckedQuery,
) -> list[Hit]:
    """Hits in the ranked order. The engines' snippets highlight words; a query of Chinese
    alone gets the CJK snippet (`text.cjk_snippet`), browsing the start of the text."""
    entries = Entry.objects.using(using).in_bulk([entry_id for entry_id, _score in ranked])
    hits: list[Hit] = []
    for entry_id, score in ranked:
        entry = entries.get(entry_id)
        if entry is None:  # deleted since the index was read
            continue
        snippet = snippets.get(entry_id)
        if snippet is None:
            text = body_text(entry) or entry.title
            snippet = cjk_snippet(text, checked.parsed.cjk) or plain_snippet(text)
        hits.append(
            Hit(
                entry_id=entry.pk,
                code=entry.code,
                kind=entry.kind,
                title=display_title(entry, checked.language),
                snippet_html=snippet,
                year=entry.year,
                states=tuple(entry.states),
                score=float(score),
            )
        )
    return hits
