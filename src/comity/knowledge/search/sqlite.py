"""SQLite FTS5 backend (the embedded default).

One FTS5 table per index segment (`common.SEGMENT_SIZE` entries by id), created when its first
entry is indexed: `knowledge_fts_0000`, `knowledge_fts_0001`..., rowid = `knowledge_entry.id`:

| column | holds | bm25 weight |
|---|---|---|
| title | the title | 10 |
| body | summary, full text, translations, provisions, notes (`text.body_text`) | 1 |
| cjk | overlapping bigrams of the CJK runs of title and body | 2 |
| tags | one token per facet value (`text.facet_tag`), so filters are part of the MATCH | 0 |

Beside them, one plain table for all segments, `knowledge_facets` (entry_id, year, facets: the
"facet:value" lines), read for the order when browsing, the facet counts and the filters checked
on the matches: a short row, where reading an FTS5 column would load the entry's whole text.

Tokenizer `porter unicode61 remove_diacritics 2`: Unicode-aware words, case and diacritics
folded, and the Porter stemmer, which is English-only (other languages get its suffix rules
too, harmlessly: the same stemmer runs on the query). bm25's document frequencies are those of
the segment the entry is in (as Elasticsearch's are per shard).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connections, transaction

from comity.knowledge.models import Entry
from comity.knowledge.search import common
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
    facet_list,
    page_entries,
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
FACETS_TABLE = "knowledge_facets"  # created by migration 0003


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


def segment_sql(
    name: str,
    *,
    words: bool,
    match: bool,
    browse: bool,
    facets: bool,
    after: dict[str, tuple[str, ...]] | None = None,
) -> tuple[str, list[str]]:
    """The newest matches of one segment: (rowid, bm25 or 0, year or NULL, facets or NULL), and
    the parameters of the filters checked after the MATCH (`after`, on knowledge_facets). The
    statement's parameters: [the MATCH expression if match], those, n."""
    columns = ", ".join(
        [
            f"{name}.rowid",
            bm25(name) if words else "0.0",
            "f.year" if browse else "NULL",
            "f.facets" if facets else "NULL",
        ]
    )
    conditions, params = [f"{name} MATCH %s"] if match else [], []
    for facet, values in sorted((after or {}).items()):
        # The facets are stored as "\nfacet:value\n...\n": one instr() per value.
        conditions.append("(" + " OR ".join(["instr(f.facets, %s) > 0"] * len(values)) + ")")
        params += [f"\n{facet}:{value}\n" for value in values]
    join = f" JOIN {FACETS_TABLE} f ON f.entry_id = {name}.rowid" if browse or facets or after else ""
    where = f"WHERE {' AND '.join(conditions)} " if conditions else ""
    return (
        f"SELECT {columns} FROM {name}{join} {where}ORDER BY {name}.rowid DESC LIMIT %s",  # noqa: S608 - constant names
        params,
    )


# --- Where the filters are applied --------------------------------------------------------
# A filter is normally part of the MATCH, so FTS5 intersects it with the words. But bm25()
# counts, for every phrase of the MATCH, the rows of the segment that contain it, tags
# included: a filter value held by most entries (language "en", kind "case") costs a scan of its
# whole doclist in every segment asked, which is most of the search when the words are rare
# (then every segment is asked). Such a filter can instead be checked on the words' matches,
# from their facets (knowledge_facets), which costs per match walked. `plan_filters` estimates
# both: the words' rate (matches per entry, counted in the newest segments up to PROBE) and each
# filter value's share (over the newest SAMPLE entries, read again after SAMPLE_SECONDS), and
# checks a filter after the MATCH when walking the matches costs less than its doclists
# (ROW_COST: a match walked costs about as much as ROW_COST doclist entries, measured on the
# bench). Either way the same entries match: this only chooses the cheaper way.
PROBE = 4_000
ROW_COST = 200.0
SAMPLE = 2_000
SAMPLE_SECONDS = 300.0
_shares: dict[str, tuple[float, dict[str, float]]] = {}  # database alias -> (when, value -> share)


def facet_shares(cursor: Any, using: str) -> dict[str, float]:
    """ "facet:value" -> share of the newest SAMPLE entries that hold it (cached per process)."""
    cached = _shares.get(using)
    if cached and time.monotonic() - cached[0] < SAMPLE_SECONDS:
        return cached[1]
    counts: Counter[str] = Counter()
    cursor.execute(f"SELECT facets FROM {FACETS_TABLE} ORDER BY entry_id DESC LIMIT %s", [SAMPLE])  # noqa: S608 - constant names
    rows = cursor.fetchall()
    for (facets,) in rows:
        counts.update(facet_list(facets))
    seen = len(rows)
    shares = {value: n / seen for value, n in counts.items()} if seen else {}
    _shares[using] = (time.monotonic(), shares)
    return shares


def words_rate(cursor: Any, words: str, newest_first: Sequence[int]) -> float:
    """Matches of the words per entry in the newest segments (a segment's worth of entries at
    least, or all): a lower bound once PROBE matches are found."""
    cursor.execute(f"SELECT max(entry_id) FROM {FACETS_TABLE}")  # noqa: S608 - constant names
    newest = int(cursor.fetchone()[0] or 0)
    found = span = 0
    for segment in newest_first:
        name = table(segment)
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {name} WHERE {name} MATCH %s LIMIT %s)",  # noqa: S608 - constant names
            [words, PROBE - found],
        )
        found += int(cursor.fetchone()[0])
        span += min(common.SEGMENT_SIZE, newest - segment * common.SEGMENT_SIZE + 1)
        if found >= PROBE or span >= common.SEGMENT_SIZE:
            break
    return found / max(span, 1)


def plan_filters(
    filters: dict[str, tuple[str, ...]], shares: dict[str, float], rate: float
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """(filters kept in the MATCH, filters checked on the matches). The least selective filter
    first: checked after when the matches walked per entry (the words' rate times the share of
    the filters left in the MATCH) times ROW_COST is below its share (its doclist per entry)."""
    share = {
        name: min(1.0, sum(shares.get(f"{name}:{v}", 0.0) for v in values))
        for name, values in filters.items()
    }
    inside = dict(filters)
    after: dict[str, tuple[str, ...]] = {}
    for name in sorted(filters, key=lambda n: -share[n]):
        others = 1.0
        for other in inside:
            if other != name:
                others *= share[other]
        if rate * others * ROW_COST < share[name]:
            after[name] = inside.pop(name)
    return inside, after


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
        with self._cursor() as cursor:
            newest_first = segments(cursor)
            inside: dict[str, tuple[str, ...]] = checked.filters
            after: dict[str, tuple[str, ...]] = {}
            if words and checked.filters and newest_first:
                rate = words_rate(cursor, words, newest_first)
                inside, after = plan_filters(checked.filters, facet_shares(cursor, self.using), rate)
            filters = filter_match(inside)
            match = " AND ".join(f"({part})" for part in (words, filters) if part)

            def fetch(segment: int, n: int) -> list[Candidate]:
                sql, after_params = segment_sql(
                    table(segment),
                    words=bool(words),
                    match=bool(match),
                    browse=not words,
                    facets=checked.with_facets,
                    after=after,
                )
                cursor.execute(sql, [*([match] if match else []), *after_params, n])
                # bm25 is lower for better matches: negated, higher is better.
                return [
                    (row[0], -row[1], row[2], facet_list(row[3]) if checked.with_facets else None)
                    for row in cursor.fetchall()
                ]

            got = collect(
                newest_first,
                fetch,
                ranked=bool(words),
                offset=checked.offset,
                limit=checked.limit,
                with_facets=checked.with_facets,
            )
            snippets = {}
            if checked.parsed.phrases:
                snippets = self._snippets(cursor, words, [entry_id for entry_id, _s in got.ranked])
        entries = page_entries(self.using, got.ranked)
        hits = build_hits(entries=entries, ranked=got.ranked, snippets=snippets, checked=checked)
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
                f"title, body, cjk, tags, tokenize = '{_TOKENIZE}')"
            )
            known.add(segment)
        return name

    def index_entries(self, entry_ids: Iterable[int]) -> None:
        ids = sorted(set(entry_ids))
        with transaction.atomic(using=self.using), self._cursor() as cursor:
            known = set(segments(cursor))
            for first in range(0, len(ids), BATCH):
                batch = ids[first : first + BATCH]
                entries = list(Entry.objects.using(self.using).filter(pk__in=batch).order_by("pk"))
                self._replace(cursor, known, batch, entries)

    def index_written(self, entries: Sequence[Entry]) -> None:
        """Index entries just inserted or updated, as they are in memory (index_entries reads
        them back)."""
        ordered = sorted(entries, key=lambda e: e.pk)
        with transaction.atomic(using=self.using), self._cursor() as cursor:
            self._replace(cursor, set(segments(cursor)), [e.pk for e in ordered], ordered)

    def _replace(self, cursor: Any, known: set[int], ids: Sequence[int], entries: Sequence[Entry]) -> None:
        """Drop the index rows of `ids`, then index `entries` (those of them that still exist),
        each in its segment, in id order (FTS5 inserts faster so)."""
        present = {entry.pk: entry for entry in entries}
        for segment, group in by_segment(ids).items():
            name = self._ensure(cursor, segment, known)
            pks = [(pk,) for pk in group]
            # One rowid per statement: FTS5 looks a rowid up directly, but scans for IN (...).
            cursor.executemany(f"DELETE FROM {name} WHERE rowid = %s", pks)  # noqa: S608 - constant names
            cursor.executemany(f"DELETE FROM {FACETS_TABLE} WHERE entry_id = %s", pks)  # noqa: S608 - constant names
            self._insert(cursor, name, [present[pk] for pk in group if pk in present])

    def _insert(self, cursor: Any, name: str, entries: Iterable[Entry]) -> int:
        texts, facets = [], []
        for entry in entries:
            doc = index_document(entry)
            texts.append((doc.entry_id, doc.title, doc.body, doc.cjk, doc.tags))
            facets.append((doc.entry_id, doc.year, "\n" + "\n".join(doc.facets) + "\n"))
        cursor.executemany(
            f"INSERT INTO {name} (rowid, title, body, cjk, tags) VALUES (%s, %s, %s, %s, %s)",  # noqa: S608 - constant names
            texts,
        )
        cursor.executemany(f"INSERT INTO {FACETS_TABLE} (entry_id, year, facets) VALUES (%s, %s, %s)", facets)  # noqa: S608 - constant names
        return len(texts)

    def drop_all(self) -> None:
        """Drop every segment table and empty the facets (before a rebuild, or when migrating away)."""
        with self._cursor() as cursor:
            for segment in segments(cursor):
                cursor.execute(f"DROP TABLE {table(segment)}")
            cursor.execute(f"DELETE FROM {FACETS_TABLE}")  # noqa: S608 - constant names

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
            cursor.execute(f"DELETE FROM {FACETS_TABLE} WHERE entry_id NOT IN (SELECT id FROM {_ENTRY})")  # noqa: S608 - constant names
        return removed
