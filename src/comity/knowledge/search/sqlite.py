"""SQLite FTS5 backend (the embedded default).

One FTS5 table, `knowledge_fts` (migration 0002), rowid = `knowledge_entry.id`:

| column | holds | bm25 weight |
|---|---|---|
| title | the title | 10 |
| body | summary, full text, translations, provisions, notes (`text.body_text`) | 1 |
| cjk | overlapping bigrams of the CJK runs of title and body | 2 |
| tags | one token per facet value (`text.facet_tag`), so filters are part of the MATCH | 0 |
| facets | UNINDEXED JSON list of "facet:value", read for the facet counts | - |

Tokenizer `porter unicode61 remove_diacritics 2`: Unicode-aware words, case and diacritics
folded, and the Porter stemmer, which is English-only (other languages get its suffix rules
too, harmlessly: the same stemmer runs on the query).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connections, transaction

from comity.knowledge.models import Entry
from comity.knowledge.search.base import SearchQuery, SearchResult
from comity.knowledge.search.common import (
    BODY_WEIGHT,
    CANDIDATE_CAP,
    CJK_WEIGHT,
    TITLE_WEIGHT,
    CheckedQuery,
    build_hits,
    check_query,
    facet_counts,
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

TABLE = "knowledge_fts"
BATCH = 2_000
_BM25 = f"bm25({TABLE}, {TITLE_WEIGHT}, {BODY_WEIGHT}, {CJK_WEIGHT}, 0.0, 0.0)"
_ENTRY = Entry._meta.db_table


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
            ranked = self._ranked(cursor, checked, words, match)
            facets = None
            if checked.with_facets:
                facets = facet_counts(self._facet_rows(cursor, match))
                total = sum(c.count for c in facets["kind"])
            else:
                total = self._total(cursor, match)
            snippets = {}
            if checked.parsed.phrases:
                snippets = self._snippets(cursor, words, [entry_id for entry_id, _s in ranked])
        hits = build_hits(using=self.using, ranked=ranked, snippets=snippets, checked=checked)
        return SearchResult(hits=hits, total=total, facets=facets or {})

    def _ranked(self, cursor: Any, checked: CheckedQuery, words: str, match: str) -> list[tuple[int, float]]:
        page = [CANDIDATE_CAP, checked.limit, checked.offset]
        if words:
            # The newest CANDIDATE_CAP matches (FTS5 walks the doclists by descending rowid and
            # stops), ranked by bm25 (lower is better), ties by id.
            cursor.execute(
                f"SELECT id, score FROM (SELECT rowid AS id, {_BM25} AS score FROM {TABLE} "  # noqa: S608 - constant names
                f"WHERE {TABLE} MATCH %s ORDER BY rowid DESC LIMIT %s) ORDER BY score, id DESC LIMIT %s OFFSET %s",
                [match, *page],
            )
            return [(row[0], -row[1]) for row in cursor.fetchall()]
        if match:
            candidates = (
                f"SELECT rowid AS id FROM {TABLE} WHERE {TABLE} MATCH %s ORDER BY rowid DESC LIMIT %s"  # noqa: S608 - constant names
            )
            params: list[Any] = [match, *page]
        else:
            candidates = f"SELECT id FROM {_ENTRY} ORDER BY id DESC LIMIT %s"  # noqa: S608 - constant names
            params = page
        # Browsing: newest year first, then newest entry.
        cursor.execute(
            f"SELECT e.id, 0.0 FROM {_ENTRY} e JOIN ({candidates}) c ON c.id = e.id "  # noqa: S608 - constant names
            "ORDER BY e.year IS NULL, e.year DESC, e.id DESC LIMIT %s OFFSET %s",
            params,
        )
        return [(row[0], 0.0) for row in cursor.fetchall()]

    def _total(self, cursor: Any, match: str) -> int:
        if match:
            cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE {TABLE} MATCH %s", [match])  # noqa: S608 - constant names
        else:
            cursor.execute(f"SELECT count(*) FROM {_ENTRY}")  # noqa: S608 - constant names
        return int(cursor.fetchone()[0])

    def _facet_rows(self, cursor: Any, match: str) -> list[tuple[str, int]]:
        sql = f"SELECT j.value, count(*) FROM {TABLE}, json_each({TABLE}.facets) j"  # noqa: S608 - constant names
        if match:
            cursor.execute(f"{sql} WHERE {TABLE} MATCH %s GROUP BY j.value", [match])
        else:
            cursor.execute(f"{sql} GROUP BY j.value")
        return cursor.fetchall()

    def _snippets(self, cursor: Any, words: str, ids: Sequence[int]) -> dict[int, str]:
        if not ids:
            return {}
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(
            f"SELECT rowid, snippet({TABLE}, 1, %s, %s, '…', 24) FROM {TABLE} "  # noqa: S608 - constant names
            f"WHERE {TABLE} MATCH %s AND rowid IN ({marks})",
            [MARK_START, MARK_END, words, *ids],
        )
        return {row[0]: finish_snippet(row[1] or "") for row in cursor.fetchall()}

    # --- index ----------------------------------------------------------------------------

    def index_entries(self, entry_ids: Iterable[int]) -> None:
        ids = sorted(set(entry_ids))
        with transaction.atomic(using=self.using), self._cursor() as cursor:
            for first in range(0, len(ids), BATCH):
                batch = ids[first : first + BATCH]
                # One rowid per statement: FTS5 looks a rowid up directly, but scans for IN (...).
                cursor.executemany(f"DELETE FROM {TABLE} WHERE rowid = %s", [(pk,) for pk in batch])  # noqa: S608 - constant names
                self._insert(cursor, Entry.objects.using(self.using).filter(pk__in=batch))

    def _insert(self, cursor: Any, entries: Iterable[Entry]) -> int:
        rows = []
        for entry in entries:
            doc = index_document(entry)
            rows.append((doc.entry_id, doc.title, doc.body, doc.cjk, doc.tags, json.dumps(doc.facets)))
        cursor.executemany(
            f"INSERT INTO {TABLE} (rowid, title, body, cjk, tags, facets) VALUES (%s, %s, %s, %s, %s, %s)",  # noqa: S608 - constant names
            rows,
        )
        return len(rows)

    def rebuild(self) -> None:
        with transaction.atomic(using=self.using), self._cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608 - constant names
            last = 0
            while True:
                batch = list(Entry.objects.using(self.using).filter(pk__gt=last).order_by("pk")[:BATCH])
                if not batch:
                    break
                self._insert(cursor, batch)
                last = batch[-1].pk
            # Merge the index segments into one b-tree: faster queries after a bulk load.
            cursor.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('optimize')")  # noqa: S608 - constant names
