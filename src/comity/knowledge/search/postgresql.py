"""PostgreSQL full-text backend (production).

One table per index segment (`common.SEGMENT_SIZE` entries by id), created when its first entry
is indexed: `knowledge_search_0000`, `knowledge_search_0001`... Each holds per entry its text
search configuration, its year (the order when browsing), one `tsvector` with the segment's own
GIN index, and the "facet:value" lines for the facet counts (one text, read faster than an array). The tsvector is

    setweight(to_tsvector(config, title), 'A')       -- ranked weight 1.0
    || setweight(to_tsvector(config, body), 'D')     -- 0.1
    || setweight(to_tsvector('simple', bigrams), 'C')  -- 0.2 (CJK bigrams)
    || setweight(tags::tsvector, 'B')                -- facet tags, never ranked

where `config` is the stemming configuration of the entry's language when the server has it
(english, french, spanish, russian, arabic) and `simple` otherwise (Chinese and every other
language). A query's words are parsed once per search with every one of those configurations
and the results OR-ed (`words_tsquery`), so an English query finds English entries stemmed the
English way and French ones the French way; the segments are then asked with that tsquery.
"""

from __future__ import annotations

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
    Collected,
    build_hits,
    by_segment,
    check_query,
    facet_counts,
    page_entries,
    segment_of,
)
from comity.knowledge.search.text import (
    MARK_END,
    MARK_START,
    ParsedQuery,
    body_text,
    facet_tag,
    finish_snippet,
    index_document,
    run_bigrams,
)

PREFIX = "knowledge_search_"
BATCH = 2_000
_ENTRY = Entry._meta.db_table

# The UN languages whose snowball stemmer PostgreSQL ships (Chinese has none: simple + bigrams).
STEMMED = {"en": "english", "fr": "french", "es": "spanish", "ru": "russian", "ar": "arabic"}
# ts_rank weights, in PostgreSQL's order {D, C, B, A}.
_WEIGHTS = f"'{{{BODY_WEIGHT / TITLE_WEIGHT}, {CJK_WEIGHT / TITLE_WEIGHT}, 0, 1.0}}'::float4[]"
_HEADLINE = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=24, MinWords=12, ShortWord=2, "
    'MaxFragments=1, FragmentDelimiter=" … "'
)
# PostgreSQL's parser reads <...> as an HTML tag and drops it; FTS5 reads the words inside. The
# brackets become spaces, so both index the same words.
_VECTOR = (
    "setweight(to_tsvector(t.config, translate(t.title, '<>', '  ')), 'A') "
    "|| setweight(to_tsvector(t.config, translate(t.body, '<>', '  ')), 'D') "
    "|| setweight(to_tsvector('simple', t.cjk), 'C') || setweight(t.tags::tsvector, 'B')"
)


def table(segment: int) -> str:
    return f"{PREFIX}{segment:04d}"


def segments(cursor: Any) -> list[int]:
    """The segments that exist, newest (highest) first."""
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename ~ %s",
        [f"^{PREFIX}[0-9]{{4}}$"],
    )
    return sorted((int(row[0][len(PREFIX) :]) for row in cursor.fetchall()), reverse=True)


def candidates_sql(names: Sequence[str], *, words: bool, match: bool, browse: bool, facets: bool) -> str:
    """The newest matches across the segments `names` (newest first), one statement: a branch
    per segment, each its newest matches by id, appended in order under one LIMIT, so the
    executor stops at the first segments that give enough and never runs the others.
    Rows: (entry_id, ts_rank or 0, year or NULL, facets or NULL). Parameters, per branch:
    [words tsquery if words] [match tsquery if match] n; then n."""
    columns = ", ".join(
        [
            "entry_id",
            f"ts_rank({_WEIGHTS}, document, %s::tsquery, 1) AS score" if words else "0.0 AS score",
            "year" if browse else "NULL AS year",
            "facets" if facets else "NULL AS facets",
        ]
    )
    where = "WHERE document @@ %s::tsquery " if match else ""
    branches = [
        f"(SELECT {columns} FROM {name} {where}ORDER BY entry_id DESC LIMIT %s)"  # noqa: S608 - constant names
        for name in names
    ]
    return "SELECT * FROM (" + " UNION ALL ".join(branches) + ") c LIMIT %s"  # noqa: S608 - constant names


def candidates_params(segment_count: int, words: str | None, match: str, n: int) -> list[Any]:
    branch = [*([words] if words is not None else []), *([match] if match else []), n]
    return [*(branch * segment_count), n]


def page_sql(names: Sequence[str], *, words: bool, match: bool, facets: bool) -> str:
    """`candidates_sql` (CANDIDATE_CAP + 1 of them), then in the same statement what
    `common.order` does with them: the count, the page (by score, or by year when browsing) and
    the facet counts of the first CANDIDATE_CAP. Rows: ("n", count), ("hit", entry_id, score),
    ("facet", value, count). Parameters: candidates_params, CANDIDATE_CAP, limit, offset."""
    candidates = candidates_sql(names, words=words, match=match, browse=not words, facets=facets)
    ordering = "score DESC, entry_id DESC" if words else "year DESC NULLS LAST, entry_id DESC"
    parts = [
        "SELECT 'n' AS kind, count(*) AS id, NULL::float8 AS score, NULL AS facet FROM c",
        f"SELECT * FROM (SELECT 'hit', entry_id, score::float8, NULL FROM k ORDER BY {ordering} LIMIT %s OFFSET %s) h",  # noqa: S608 - constant names
    ]
    if facets:
        parts.append(
            "SELECT 'facet', count(*), NULL, f FROM k, unnest(string_to_array(k.facets, E'\\n')) f "
            "WHERE f <> '' GROUP BY f"
        )
    return (
        f"WITH c AS MATERIALIZED ({candidates}), "  # noqa: S608 - constant names
        "k AS (SELECT * FROM c ORDER BY entry_id DESC LIMIT %s) " + " UNION ALL ".join(parts)
    )


_available: dict[str, dict[str, str]] = {}  # connection alias -> language -> configuration


def configurations(using: str) -> dict[str, str]:
    """Language -> configuration among STEMMED that this server has (once per process)."""
    if using not in _available:
        with connections[using].cursor() as cursor:
            cursor.execute(
                "SELECT cfgname FROM pg_ts_config WHERE cfgname = ANY(%s)", [list(STEMMED.values())]
            )
            present = {row[0] for row in cursor.fetchall()}
        _available[using] = {lang: cfg for lang, cfg in STEMMED.items() if cfg in present}
    return _available[using]


def text_query(parsed: ParsedQuery, configs: Iterable[str]) -> tuple[str, list[Any]]:
    """A tsquery expression (SQL, params) for the user's words alone."""
    parts: list[str] = []
    params: list[Any] = []
    if parsed.phrases:
        # websearch syntax with every part quoted: a phrase each, no operators.
        words = " ".join(f'"{p}"' for p in parsed.phrases)
        names = ["simple", *configs]
        parts.append("(" + " || ".join("websearch_to_tsquery(%s::regconfig, %s)" for _ in names) + ")")
        for name in names:
            params += [name, words]
    for run in parsed.cjk:
        if len(run) == 1:  # any bigram that starts with this character
            parts.append("to_tsquery('simple', %s)")
            params.append(f"'{run}':*")
        else:
            parts.append("phraseto_tsquery('simple', %s)")
            params.append(" ".join(run_bigrams(run)))
    return " && ".join(parts), params


def filter_query(filters: dict[str, tuple[str, ...]]) -> str:
    return " & ".join(
        "(" + " | ".join(facet_tag(name, value) for value in values) + ")"
        for name, values in sorted(filters.items())
    )


def words_tsquery(cursor: Any, parsed: ParsedQuery, configs: Iterable[str]) -> str | None:
    """The user's words as the text of one tsquery (parsed by the server, once per search), or
    None when there are no words; "" when the words leave no lexeme (matches nothing)."""
    sql, params = text_query(parsed, configs)
    if not sql:
        return None
    cursor.execute(f"SELECT ({sql})::text", params)
    return str(cursor.fetchone()[0] or "")


def match_tsquery(words: str | None, tags: str) -> str:
    return " & ".join(f"({part})" for part in (words, tags) if part)


class PostgresBackend:
    name = "postgresql"

    def __init__(self, using: str = "default") -> None:
        self.using = using

    def _cursor(self) -> Any:
        return connections[self.using].cursor()

    def _config(self, language: str) -> str:
        return configurations(self.using).get(language, "simple")

    # --- search ---------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        checked = check_query(query)
        with self._cursor() as cursor:
            words = words_tsquery(cursor, checked.parsed, configurations(self.using).values())
            if words == "":
                return SearchResult(hits=[], total=0, facets=facet_counts([]) if checked.with_facets else {})
            match = match_tsquery(words, filter_query(checked.filters))

            names = [table(segment) for segment in segments(cursor)]
            got = Collected(ranked=[], count=0, exact=True)
            if names:
                cap = common.CANDIDATE_CAP
                with transaction.atomic(using=self.using):
                    # The newest candidates rely on Append running the branches in order; a
                    # parallel Append would run them at once and the LIMIT keep any of them.
                    cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
                    cursor.execute(
                        page_sql(
                            names, words=words is not None, match=bool(match), facets=checked.with_facets
                        ),
                        [
                            *candidates_params(len(names), words, match, cap + 1),
                            cap,
                            checked.limit,
                            checked.offset,
                        ],
                    )
                    rows = cursor.fetchall()
                for kind, number, score, facet in rows:
                    if kind == "n":
                        got.count, got.exact = min(number, cap), number <= cap
                    elif kind == "hit":
                        got.ranked.append((number, float(score)))
                    else:
                        got.facets[facet] = number
            entries = page_entries(self.using, got.ranked)
            snippets = {}
            if words and checked.parsed.phrases:
                snippets = self._snippets(cursor, words, entries)
        hits = build_hits(entries=entries, ranked=got.ranked, snippets=snippets, checked=checked)
        facets = facet_counts(got.facets.items()) if checked.with_facets else {}
        return SearchResult(hits=hits, total=got.count, facets=facets, total_exact=got.exact)

    def _snippets(self, cursor: Any, words: str, entries: dict[int, Entry]) -> dict[int, str]:
        if not entries:
            return {}
        rows = [(pk, self._config(e.language), body_text(e)) for pk, e in entries.items()]
        cursor.execute(
            "SELECT t.id, ts_headline(t.cfg::regconfig, translate(t.body, '<>', '  '), %s::tsquery, %s) "
            "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS t(id, cfg, body)",
            [words, _HEADLINE, [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]],
        )
        return {row[0]: finish_snippet(row[1] or "") for row in cursor.fetchall()}

    # --- index ---------------------------------------------------------------------------

    def _rows(self, entries: Iterable[Entry]) -> list[tuple[Any, ...]]:
        """(entry_id, config, year, title, body, cjk, tags, facets) of each entry."""
        rows = []
        for entry in entries:
            doc = index_document(entry)
            facets = "\n" + "\n".join(doc.facets) + "\n"
            rows.append(
                (
                    doc.entry_id,
                    self._config(doc.language),
                    doc.year,
                    doc.title,
                    doc.body,
                    doc.cjk,
                    doc.tags,
                    facets,
                )
            )
        return rows

    def _insert(self, cursor: Any, name: str, entries: Iterable[Entry]) -> None:
        # One statement for the batch, one array per column: executemany sends one INSERT per
        # entry, which the server parses and plans each time.
        rows = self._rows(entries)
        if not rows:
            return
        cursor.execute(
            f"INSERT INTO {name} (entry_id, config, year, document, facets) "  # noqa: S608 - constant names
            f"SELECT t.id, t.config, t.year, {_VECTOR}, t.facets FROM unnest(%s::bigint[], %s::regconfig[], "
            "%s::integer[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[]) "
            "AS t(id, config, year, title, body, cjk, tags, facets) "
            "ON CONFLICT (entry_id) DO UPDATE SET config = EXCLUDED.config, year = EXCLUDED.year, "
            "document = EXCLUDED.document, facets = EXCLUDED.facets",
            [list(column) for column in zip(*rows, strict=True)],
        )

    def _ensure(self, cursor: Any, segment: int, known: set[int], *, index: bool = True) -> str:
        """The segment's table, created (with its GIN index unless `index` is False) when missing.
        A transaction-level advisory lock keeps two writers from creating it at once."""
        name = table(segment)
        if segment not in known:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {name} (entry_id bigint PRIMARY KEY, config regconfig NOT NULL, "
                "year integer, document tsvector NOT NULL, facets text NOT NULL)"
            )
            if index:
                cursor.execute(f"CREATE INDEX IF NOT EXISTS {name}_document ON {name} USING gin (document)")
            known.add(segment)
        return name

    def index_entries(self, entry_ids: Iterable[int]) -> None:
        with transaction.atomic(using=self.using), self._cursor() as cursor:
            known = set(segments(cursor))
            for segment, ids in by_segment(entry_ids).items():
                name = self._ensure(cursor, segment, known)
                for first in range(0, len(ids), BATCH):
                    batch = ids[first : first + BATCH]
                    entries = list(Entry.objects.using(self.using).filter(pk__in=batch))
                    present = {e.pk for e in entries}
                    gone = [pk for pk in batch if pk not in present]
                    if gone:
                        cursor.execute(f"DELETE FROM {name} WHERE entry_id = ANY(%s)", [gone])  # noqa: S608 - constant names
                    self._insert(cursor, name, entries)

    def index_written(self, entries: Sequence[Entry]) -> None:
        """Index entries just inserted or updated, as they are in memory (index_entries reads
        them back); _insert replaces an entry's row."""
        grouped: dict[int, list[Entry]] = {}
        for entry in entries:
            grouped.setdefault(segment_of(entry.pk), []).append(entry)
        with transaction.atomic(using=self.using), self._cursor() as cursor:
            known = set(segments(cursor))
            for segment, group in grouped.items():
                self._insert(cursor, self._ensure(cursor, segment, known), group)

    def drop_all(self) -> None:
        """Drop every segment table (before a rebuild, or when migrating away)."""
        with self._cursor() as cursor:
            for segment in segments(cursor):
                cursor.execute(f"DROP TABLE {table(segment)}")

    def rebuild(self) -> None:
        """Refill the segments, building each GIN index once at the end (faster than row by row)."""
        known: set[int] = set()
        with transaction.atomic(using=self.using), self._cursor() as cursor:
            self.drop_all()
            last = 0
            while True:
                batch = list(Entry.objects.using(self.using).filter(pk__gt=last).order_by("pk")[:BATCH])
                if not batch:
                    break
                grouped: dict[int, list[Entry]] = {}
                for entry in batch:
                    grouped.setdefault(segment_of(entry.pk), []).append(entry)
                for segment, entries in grouped.items():
                    self._insert(cursor, self._ensure(cursor, segment, known, index=False), entries)
                last = batch[-1].pk
            for segment in known:
                name = table(segment)
                cursor.execute(f"CREATE INDEX {name}_document ON {name} USING gin (document)")
        with self._cursor() as cursor:
            for segment in known:
                cursor.execute(f"ANALYZE {table(segment)}")

    def prune(self) -> int:
        """Drop index rows whose entry is gone (after a flush, which empties only Django's tables)."""
        removed = 0
        with self._cursor() as cursor:
            for segment in segments(cursor):
                cursor.execute(
                    f"DELETE FROM {table(segment)} s WHERE NOT EXISTS "  # noqa: S608 - constant names
                    f"(SELECT 1 FROM {_ENTRY} e WHERE e.id = s.entry_id)"
                )
                removed += int(cursor.rowcount or 0)
        return removed
