"""PostgreSQL full-text backend (production).

One table, `knowledge_search` (migration 0002): per entry its text search configuration, one
`tsvector` with a GIN index, and the "facet:value" list for the facet counts. The tsvector is

    setweight(to_tsvector(config, title), 'A')       -- ranked weight 1.0
    || setweight(to_tsvector(config, body), 'D')     -- 0.1
    || setweight(to_tsvector('simple', bigrams), 'C')  -- 0.2 (CJK bigrams)
    || setweight(tags::tsvector, 'B')                -- facet tags, never ranked

where `config` is the stemming configuration of the entry's language when the server has it
(english, french, spanish, russian, arabic) and `simple` otherwise (Chinese and every other
language). A query is parsed with every one of those configurations and the results OR-ed, so
an English query finds English entries stemmed the English way and French ones the French way.
"""

from __future__ import annotations

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
    body_text,
    facet_tag,
    finish_snippet,
    index_document,
    run_bigrams,
)

TABLE = "knowledge_search"
INDEX = "knowledge_search_document"
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
_NO_TAGS = "translate(%s, '<>', '  ')"
_VECTOR = (
    f"setweight(to_tsvector(%s::regconfig, {_NO_TAGS}), 'A') || setweight(to_tsvector(%s::regconfig, {_NO_TAGS}), 'D') "
    "|| setweight(to_tsvector('simple', %s), 'C') || setweight(%s::tsvector, 'B')"
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
        words, word_params = text_query(checked.parsed, configurations(self.using).values())
        tags = filter_query(checked.filters)
        parts, params = [], []
        if words:
            parts.append(f"({words})")
            params += word_params
        if tags:
            parts.append("%s::tsquery")
            params.append(tags)
        match = " && ".join(parts)
        with self._cursor() as cursor:
            ranked = self._ranked(cursor, checked, (words, word_params), (match, params))
            facets = None
            if checked.with_facets:
                facets = facet_counts(self._facet_rows(cursor, match, params))
                total = sum(c.count for c in facets["kind"])
            else:
                total = self._total(cursor, match, params)
            snippets = {}
            if checked.parsed.phrases:
                snippets = self._snippets(cursor, words, word_params, [i for i, _s in ranked])
        hits = build_hits(using=self.using, ranked=ranked, snippets=snippets, checked=checked)
        return SearchResult(hits=hits, total=total, facets=facets or {})

    def _ranked(
        self,
        cursor: Any,
        checked: CheckedQuery,
        words: tuple[str, list[Any]],
        match: tuple[str, list[Any]],
    ) -> list[tuple[int, float]]:
        page = [checked.limit, checked.offset]
        if words[0]:
            # The newest CANDIDATE_CAP matches, ranked by ts_rank (length-normalised), ties by id.
            cursor.execute(
                f"SELECT c.entry_id, ts_rank({_WEIGHTS}, c.document, {words[0]}, 1) AS score FROM "  # noqa: S608 - constant names
                f"(SELECT entry_id, document FROM {TABLE} WHERE document @@ ({match[0]}) "
                "ORDER BY entry_id DESC LIMIT %s) c ORDER BY score DESC, c.entry_id DESC LIMIT %s OFFSET %s",
                [*words[1], *match[1], CANDIDATE_CAP, *page],
            )
            return [(row[0], float(row[1])) for row in cursor.fetchall()]
        if match[0]:
            candidates = (
                f"SELECT entry_id AS id FROM {TABLE} WHERE document @@ ({match[0]}) "  # noqa: S608 - constant names
                "ORDER BY entry_id DESC LIMIT %s"
            )
            params = [*match[1], CANDIDATE_CAP, *page]
        else:
            candidates = f"SELECT id FROM {_ENTRY} ORDER BY id DESC LIMIT %s"  # noqa: S608 - constant names
            params = [CANDIDATE_CAP, *page]
        cursor.execute(
            f"SELECT e.id FROM {_ENTRY} e JOIN ({candidates}) c ON c.id = e.id "  # noqa: S608 - constant names
            "ORDER BY e.year DESC NULLS LAST, e.id DESC LIMIT %s OFFSET %s",
            params,
        )
        return [(row[0], 0.0) for row in cursor.fetchall()]

    def _total(self, cursor: Any, match: str, params: list[Any]) -> int:
        if match:
            cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE document @@ ({match})", params)  # noqa: S608 - constant names
        else:
            cursor.execute(f"SELECT count(*) FROM {_ENTRY}")  # noqa: S608 - constant names
        return int(cursor.fetchone()[0])

    def _facet_rows(self, cursor: Any, match: str, params: list[Any]) -> list[tuple[str, int]]:
        where = f"WHERE document @@ ({match})" if match else ""
        cursor.execute(f"SELECT f, count(*) FROM {TABLE}, unnest(facets) f {where} GROUP BY f", params)  # noqa: S608 - constant names
        return cursor.fetchall()

    def _snippets(self, cursor: Any, words: str, params: list[Any], ids: Sequence[int]) -> dict[int, str]:
        entries = Entry.objects.using(self.using).in_bulk(list(ids))
        if not entries:
            return {}
        rows = [(pk, self._config(e.language), body_text(e)) for pk, e in entries.items()]
        cursor.execute(
            f"SELECT t.id, ts_headline(t.cfg::regconfig, translate(t.body, '<>', '  '), {words}, %s) "  # noqa: S608 - constant names
            "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS t(id, cfg, body)",
            [*params, _HEADLINE, [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]],
        )
        return {row[0]: finish_snippet(row[1] or "") for row in cursor.fetchall()}

    # --- index ----------------------------------------------------------------------------

    def _rows(self, entries: Iterable[Entry]) -> list[tuple[Any, ...]]:
        rows = []
        for entry in entries:
            doc = index_document(entry)
            config = self._config(doc.language)
            rows.append(
                (doc.entry_id, config, config, doc.title, config, doc.body, doc.cjk, doc.tags, doc.facets)
            )
        return rows

    def _insert(self, cursor: Any, entries: Iterable[Entry]) -> None:
        cursor.executemany(
            f"INSERT INTO {TABLE} (entry_id, config, document, facets) VALUES (%s, %s::regconfig, {_VECTOR}, %s) "  # noqa: S608 - constant names
            "ON CONFLICT (entry_id) DO UPDATE SET config = EXCLUDED.config, document = EXCLUDED.document, "
            "facets = EXCLUDED.facets",
            self._rows(entries),
        )

    def index_entries(self, entry_ids: Iterable[int]) -> None:
        ids = sorted(set(entry_ids))
        with transaction.atomic(using=self.using), self._cursor() as cursor:
            for first in range(0, len(ids), BATCH):
                batch = ids[first : first + BATCH]
                entries = list(Entry.objects.using(self.using).filter(pk__in=batch))
                present = {e.pk for e in entries}
                gone = [pk for pk in batch if pk not in present]
                if gone:
                    cursor.execute(f"DELETE FROM {TABLE} WHERE entry_id = ANY(%s)", [gone])  # noqa: S608 - constant names
                self._insert(cursor, entries)

    def rebuild(self) -> None:
        """Refill the table, building the GIN index once at the end (faster than row by row)."""
        with transaction.atomic(using=self.using), self._cursor() as cursor:
            cursor.execute(f"TRUNCATE {TABLE}")
            cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")
            last = 0
            while True:
                batch = list(Entry.objects.using(self.using).filter(pk__gt=last).order_by("pk")[:BATCH])
                if not batch:
                    break
                self._insert(cursor, batch)
                last = batch[-1].pk
            cursor.execute(f"CREATE INDEX {INDEX} ON {TABLE} USING gin (document)")
        with self._cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}")
