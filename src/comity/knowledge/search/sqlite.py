"""SQLite FTS5 backend (the embedded default).

One FTS5 table per index segment (`common.SEGMENT_SIZE` entries by id), created when its first
entry is indexed: `knowledge_fts_0000`, `knowledge_fts_0001`..., rowid = `knowledge_entry.id`:

| column | holds | bm25 weight |
|---|---|---|
| title | the title | 10 |
| body | summary, full text, translations, provisions, notes (`text.body_text`) | 1 |
| cjk | overlapping bigrams of the CJK runs of title and body | 2 |
| tags | one token per facet value (`text.facet_tag`), so filters are part of the MATCH | 0 |
| year | UNINDEXED, the order when browsing | - |
| facets | UNINDEXED "facet:value" lines, read for the facet counts | - |

Tokenizer `porter unicode61 remove_diacritics 2`: Unicode-aware words, case and diacritics
folded, and the Porter stemmer, which is English-only (other languages get its suffix rules
too, harmlessly: the same stemmer runs on the query). bm25's document frequencies are those of
the segment the entry is in (as Elasticsearch's are per shard).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connections, transaction

from comity.knowledge.models import Entry
from comity.knowledge.search.base import SearchQuery, SearchResult
from comity.knowledge.search.common import (
    BODY_WEIGHT,
    CJK_WEIGHT,
    TITLE_WEIGHT,
    Candidate,
    build_hits,
    by_segment,
    check_query,
    collect,
    facet_counts,
    segment_of,
)
from comity.knowledge.search.text import (
    MARK_END,
    MARK_START,
    ParsedQuery,
    facet_tag,
    finish_snippet,
    index_document,
    run_bigrams,
)

PREFIX = "knowledge_fts_"
BATCH = 2_000
_ENTRY = Entry._meta.db_table
_TOKENIZE = "porter unicode61 remove_diacritics 2"


def table(segment: int) -> str:
    return f"{PREFIX}{segment:04d}"


def bm25(name: str) -> str:
    return f"bm25({name}, {TITLE_WEIGHT}, {BODY_WEIGHT}, {CJK_WEIGHT}, 0.0, 0.0, 0.0)"


def segments(cursor: Any) -> list[int]:
    """The segments that exist, newest (highest) first."""
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB %s",
        [PREFIX + "[0-9][0-9][0-9][0-9]"],
    )
    return sorted((int(row[0][len(PREFIX) :]) for row in cursor.fetchall()), reverse=True)


def segment_sql(name: str, *, words: bool, match: bool, browse: bool, facets: bool) -> str:
    """The newest matches of one segment: (rowid, bm25 or 0, year or NULL, facets or NULL)."""
    columns = ", ".join(
        [
            "rowid",
            bm25(name) if words else "0.0",
            "year" if browse else "NULL",
            "facets" if facets else "NULL",
        ]
    )
    where = f"WHERE {name} MATCH %s " if match else ""
    return f"SELECT {columns} FROM {name} {where}ORDER BY rowid DESC LIMIT %s"  # noqa: S608 - constant names


def _string(text: str) -> str:
    """An FTS5 string: a phrase of whatever tokens the tokenizer finds in it."""
    return '"' + text.replace('"', '""') + '"'


def text_match(parsed: ParsedQuery) -> str:
    """The MATCH expression of the user's words alone (also used for the snippets)."""
    parts = []
    if parsed.phrases:
        parts.append("{title body} : (" + " AND ".join(_string(p) for p in parsed.phrases) + ")")
    for run in parsed.cjk:
        grams = run_bigrams(run)
        # One character: any bigram that starts with it.
        parts.append(
            f"cjk : ({_string(grams[0])} *)" if len(run) == 1 else f"cjk : {_string(' '.join(grams))}"
        )
    return " AND ".join(parts)


def filter_match(filters: dict[str, tuple[str, ...]]) -> str:
    """OR within a facet, AND across facets, on the tags column."""
    return " AND ".join(
        "tags : (" + " OR ".join(facet_tag(name, value) for value in values) + ")"
        for name, values in sorted(filters.items())
    )


class SqliteBackend:
    name = "sqlite"

    def __init__(self, using: str = "default") -> None:
        self.using = using

    def _cursor(self) -> Any:
        return connections[self.using].cursor()

    # --- search ---------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        checked = check_query(query)
        words = text_match(checked.parsed)
        filters = filter_match(checked.filters)
        match = " AND ".join(f"({part})" for part in (words, filters) if part)
        with self._cursor() as cursor:

            def fetch(segment: int, n: int) -> list[Candidate]:
                sql = segment_sql(
                    table(segment),
                    words=bool(words),
                    match=bool(match),
                    browse=not words,
                    facets=checked.with_facets,
                )
                cursor.execute(sql, [match, n] if match else [n])
                return [
                    # bm25 is lower for better matches: negated, higher is better.
                    (row[0], -row[1], row[2], row[3].split("\n") if row[3] else None)
                    for row in cursor.fetchall()
                ]

            got = collect(
                segments(cursor),
                fetch,
                ranked=bool(words),
                offset=checked.offset,
                limit=checked.limit,
                with_facets=checked.with_facets,
            )
            snippets = {}
            if checked.parsed.phrases:
                snippets = self._snippets(cursor, words, [entry_id for entry_id, _s in got.ranked])
        hits = build_hits(using=self.using, ranked=got.ranked, snippets=snippets, checked=checked)
        facets = facet_counts(got.facets.items()) if checked.with_facets else {}
        return SearchResult(hits=hits, total=got.count, facets=facets, total_exact=got.exact)

    def _snippets(self, cursor: Any, words: str, ids: Sequence[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        for segment, group in by_segment(ids).items():
            name = table(segment)
            marks = ", ".join(["%s"] * len(group))
            cursor.execute(
                f"SELECT rowid, snippet({name}, 1, %s, %s, '…', 24) FROM {name} "  # noqa: S608 - constant names
                f"WHERE {name} MATCH %s AND rowid IN ({marks})",
                [MARK_START, MARK_END, words, *group],
            )
            found.update({row[0]: finish_snippet(row[1] or "") for row in cursor.fetchall()})
        return found

    # --- index ----------------------------------------------------------------------------

    def _ensure(self, cursor: Any, segment: int, known: set[int]) -> str:
        name = table(segment)
        if segment not in known:
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {name} USING fts5("
                f"title, body, cjk, tags, year UNINDEXED, facets UNINDEXED, tokenize = '{_TOKENIZE}')"
            )
            known.add(segment)
        return name

    def index_entries(self, entry_ids: Iterable[int]) -> None:
        with transaction.atomic(using=self.using), self._cursor() as cursor:
            known = set(segments(cursor))
            for segment, ids in by_segment(entry_ids).items():
                name = self._ensure(cursor, segment, known)
                for first in range(0, len(ids), BATCH):
                    batch = ids[first : first + BATCH]
                    # One rowid per statement: FTS5 looks a rowid up directly, but scans for IN (...).
                    cursor.executemany(f"DELETE FROM {name} WHERE rowid = %s", [(pk,) for pk in batch])  # noqa: S608 - constant names
                    self._insert(cursor, name, Entry.objects.using(self.using).filter(pk__in=batch))

    def _insert(self, cursor: Any, name: str, entries: Iterable[Entry]) -> int:
        rows = []
        for entry in entries:
            doc = index_document(entry)
            rows.append(
                (doc.entry_id, doc.title, doc.body, doc.cjk, doc.tags, doc.year, "\n".join(doc.facets))
            )
        cursor.executemany(
            f"INSERT INTO {name} (rowid, title, body, cjk, tags, year, facets) VALUES (%s, %s, %s, %s, %s, %s, %s)",  # noqa: S608 - constant names
            rows,
        )
        return len(rows)

    def drop_all(self) -> None:
        """Drop every segment table (before a rebuild, or when migrating away)."""
        with self._cursor() as cursor:
            for segment in segments(cursor):
                cursor.execute(f"DROP TABLE {table(segment)}")

    def rebuild(self) -> None:
        with transaction.atomic(using=self.using), self._cursor() as cursor:
            self.drop_all()
            known: set[int] = set()
            last = 0
            while True:
                batch = list(Entry.objects.using(self.using).filter(pk__gt=last).order_by("pk")[:BATCH])
                if not batch:
                    break
                grouped: dict[int, list[Entry]] = {}
                for entry in batch:
                    grouped.setdefault(segment_of(entry.pk), []).append(entry)
                for segment, entries in grouped.items():
                    self._insert(cursor, self._ensure(cursor, segment, known), entries)
                last = batch[-1].pk
            # Merge each segment's b-trees into one: faster queries after a bulk load.
            for segment in known:
                name = table(segment)
                cursor.execute(f"INSERT INTO {name} ({name}) VALUES ('optimize')")  # noqa: S608 - constant names

    def prune(self) -> int:
        """Drop index rows whose entry is gone (after a flush, which empties only Django's tables)."""
        removed = 0
        with self._cursor() as cursor:
            for segment in segments(cursor):
                cursor.execute(
                    f"DELETE FROM {table(segment)} WHERE rowid NOT IN (SELECT id FROM {_ENTRY})"  # noqa: S608 - constant names
                )
                removed += int(cursor.rowcount or 0)
        return removed
