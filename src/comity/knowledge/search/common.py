"""What the two backends share around their SQL: checking a query, the index segments, the
capped candidate collection, building hits and facets.

Segments: each backend splits its index by entry id into segments of SEGMENT_SIZE entries (one
FTS5 table, or one PostgreSQL table with its own GIN index, per segment). A search asks the
segments from the newest down for their newest matches, until CANDIDATE_CAP + 1 are found
(`collect`): a word that matches most entries is answered by the newest segment alone, and the
engine's work (SQLite's bm25 counts every match of a word in the table it ranks in) stays bounded
by the segment size, not by the size of the knowledge base.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

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
# recently added ones (highest ids) when more match. Then `total` is not exact (the page says
# "more than 10,000") and the facet counts cover these candidates. docs/knowledge-search.md.
CANDIDATE_CAP = 10_000
MAX_LIMIT = 100
# Entries per index segment (ids [n * SEGMENT_SIZE, (n + 1) * SEGMENT_SIZE) in segment n).
# Changing it needs `comity knowledge-reindex`.
SEGMENT_SIZE = 100_000

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


def page_entries(using: str, ranked: Sequence[tuple[int, float]]) -> dict[int, Entry]:
    """The entries of the page, read once (for the hits and the PostgreSQL snippets)."""
    return Entry.objects.using(using).in_bulk([entry_id for entry_id, _score in ranked])


def build_hits(
    *,
    entries: dict[int, Entry],
    ranked: Sequence[tuple[int, float]],
    snippets: dict[int, str],
    checked: CheckedQuery,
) -> list[Hit]:
    """Hits in the ranked order. The engines' snippets highlight words; a query of Chinese
    alone gets the CJK snippet (`text.cjk_snippet`), browsing the start of the text."""
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


def facet_list(stored: str | None) -> list[str]:
    """The "facet:value" lines as both backends store them ("\\nkind:case\\nyear:2019\\n")."""
    return [value for value in (stored or "").split("\n") if value]


def segment_of(entry_id: int) -> int:
    return entry_id // SEGMENT_SIZE


def by_segment(entry_ids: Iterable[int]) -> dict[int, list[int]]:
    """Entry ids grouped by segment, each group sorted."""
    groups: dict[int, list[int]] = {}
    for entry_id in sorted(set(entry_ids)):
        groups.setdefault(segment_of(entry_id), []).append(entry_id)
    return groups


# A candidate as a segment returns it: (entry id, score, year, "facet:value" list or None).
# Segments return theirs newest first (highest id first).
Candidate = tuple[int, float, int | None, Sequence[str] | None]


@dataclass
class Collected:
    ranked: list[tuple[int, float]]  # the page, in order
    count: int  # candidates kept (<= CANDIDATE_CAP)
    exact: bool  # every match was seen (count is the total)
    facets: Counter[str] = field(default_factory=Counter)


def collect(
    segments: Sequence[int],
    fetch: Callable[[int, int], list[Candidate]],
    *,
    ranked: bool,
    offset: int,
    limit: int,
    with_facets: bool,
) -> Collected:
    """Ask `fetch(segment, n)` for the newest n matches of each segment, newest segment first,
    until CANDIDATE_CAP + 1 are found (the extra one only tells that more match); then `order`."""
    candidates: list[Candidate] = []
    for segment in segments:  # newest first
        need = CANDIDATE_CAP + 1 - len(candidates)
        candidates += fetch(segment, need)[:need]
        if len(candidates) > CANDIDATE_CAP:
            break
    return order(candidates, ranked=ranked, offset=offset, limit=limit, with_facets=with_facets)


def order(
    candidates: list[Candidate], *, ranked: bool, offset: int, limit: int, with_facets: bool
) -> Collected:
    """The newest CANDIDATE_CAP + 1 matches (newest first) as the page `offset:offset + limit`:
    by score (higher first) when `ranked`, else by year (newest first, none last); ties by newest
    entry. More than CANDIDATE_CAP candidates: the total is not exact, and the oldest is dropped."""
    exact = len(candidates) <= CANDIDATE_CAP
    candidates = candidates[:CANDIDATE_CAP]
    facets: Counter[str] = Counter()
    if with_facets:
        for candidate in candidates:
            facets.update(candidate[3] or ())
    end = offset + limit
    if ranked:
        top = heapq.nsmallest(end, candidates, key=lambda c: (-c[1], -c[0]))
    else:
        top = heapq.nsmallest(end, candidates, key=lambda c: (c[2] is None, -(c[2] or 0), -c[0]))
    return Collected(
        ranked=[(c[0], float(c[1])) for c in top[offset:end]],
        count=len(candidates),
        exact=exact,
        facets=facets,
    )
