"""Benchmarks of knowledge search at scale (DESIGN.md section 5: 1M entries, filtered top 20,
p95 <= 50 ms on SQLite and on PostgreSQL), run by `make bench` (`comity.bench`).

`bench_knowledge(total=1_000_000)`:

- SQLite: a database of `total` generated entries, cached in `var/bench/` under the generator
  version and size (built once: raw `executemany` in batches, then the FTS5 index by the
  backend's own `rebuild()`; later runs reuse it).
- PostgreSQL: the same entries in the database `comity_bench_knowledge` (COMITY_BENCH_PG_URL, else
  postgres://postgres@127.0.0.1:5432), kept between runs the same way; skipped with a line
  when the server cannot be reached.
- For each: `search()` (filtered top 20 with the exact total, no facets) for a mix of queries,
  one of them a word that matches most entries, each beside the same SQL run with a raw cursor
  (the bare engine); the same query ranked without the candidate cap (what the cap saves); the
  facet counts, timed separately.
- Import throughput: `import_files` of a generated JSON file into the fresh bench database.

    python -m comity.knowledge.bench [--total N] [--runs N]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from comity.bench import _fmt_ms, _line, _setup, _stats, _time, bench_database

GENERATOR_VERSION = 2
BATCH = 10_000
SQLITE_ALIAS = "knowledge_bench_sqlite"
PG_ALIAS = "knowledge_bench_pg"
PG_DATABASE = "comity_bench_knowledge"

# The generated texts (v2). Words are drawn from a vocabulary of VOCABULARY_SIZE words with
# Zipf's law (the word of rank r is drawn with weight 1/r), as words are in real text: these
# domain words are spread over the 600 most frequent ranks, the words the queries use sit at
# PLACED ranks (so "laundering" is in about 30% of the entries, "bank" 19%, "controlled" 10%,
# "wallet" 2%), and made-up words fill the rest. COMMON is written into 90% of the summaries
# (the word that matches most entries), PHRASE into 1% of the bodies. (v1 drew every word
# uniformly from these 101 words, so that each was in about half of the entries, and every
# query was one of words matching most entries.)
COMMON = "request"
PHRASE = "controlled delivery"
VOCABULARY_SIZE = 4_000
PLACED = {
    "laundering": 20,
    "bank": 35,
    "records": 45,
    "controlled": 70,
    "delivery": 90,
    "ransomware": 300,
    "wallet": 400,
}
WORDS = [
    "authority",
    "central",
    "competent",
    "evidence",
    "witness",
    "statement",
    "hearing",
    "bank",
    "account",
    "records",
    "seizure",
    "freezing",
    "confiscation",
    "proceeds",
    "property",
    "tracing",
    "identification",
    "extradition",
    "surrender",
    "arrest",
    "warrant",
    "nationality",
    "refusal",
    "ground",
    "dual",
    "criminality",
    "offence",
    "penalty",
    "sentence",
    "transfer",
    "prisoner",
    "proceedings",
    "prosecution",
    "investigation",
    "court",
    "judgement",
    "appeal",
    "treaty",
    "convention",
    "article",
    "reciprocity",
    "assurance",
    "diplomatic",
    "channel",
    "translation",
    "language",
    "delay",
    "urgent",
    "execution",
    "videoconference",
    "data",
    "preservation",
    "subscriber",
    "traffic",
    "provider",
    "electronic",
    "server",
    "cryptocurrency",
    "wallet",
    "exchange",
    "vessel",
    "container",
    "port",
    "customs",
    "border",
    "migrant",
    "smuggling",
    "trafficking",
    "victim",
    "firearm",
    "ammunition",
    "corruption",
    "bribery",
    "official",
    "laundering",
    "shell",
    "company",
    "trust",
    "beneficial",
    "owner",
    "invoice",
    "fraud",
    "cybercrime",
    "ransomware",
    "drug",
    "cocaine",
    "heroin",
    "precursor",
    "shipment",
    "delivery",
    "controlled",
    "undercover",
    "agent",
    "joint",
    "team",
    "liaison",
    "magistrate",
    "prosecutor",
    "police",
    "interpol",
    "europol",
    "eurojust",
]
STATES = [
    "FRA",
    "MEX",
    "EGY",
    "DEU",
    "ESP",
    "ITA",
    "NGA",
    "BRA",
    "COL",
    "ZAF",
    "IND",
    "CHN",
    "RUS",
    "USA",
    "GBR",
    "ARG",
    "PER",
    "MAR",
    "TUR",
    "THA",
]
LANGUAGES = ["en"] * 14 + ["fr", "fr", "es", "es", "ru", "ar"]
ARTICLES = ["18", "18(3)(c)", "16", "13", "20", "19", "27", "12", "14", "21", "5", "6", "8", "23", "24"]
KINDS = ["case"] * 7 + ["legislation", "legislation", "guide"]
OFFENCES = [
    "money_laundering",
    "drug_trafficking",
    "corruption",
    "fraud",
    "trafficking_in_persons",
    "cybercrime",
]
MEASURES = [
    "bank_records",
    "search_and_seizure",
    "taking_evidence",
    "controlled_delivery",
    "identify_trace_proceeds",
]
COOPERATION = ["mla", "extradition", "confiscation"]
OBSTACLES = ["delay", "language", "dual_criminality", "incomplete_request", "bank_secrecy"]

# (label, text, filters): each run picks the next one.
QUERIES: list[tuple[str, str, dict[str, tuple[str, ...]]]] = [
    (f"'{COMMON}' (most entries) + article 18", COMMON, {"article": ("18",)}),
    ("'laundering' + states FRA|MEX", "laundering", {"state": ("FRA", "MEX")}),
    ('"controlled delivery" + kind case', '"controlled delivery"', {"kind": ("case",)}),
    ("'bank records' + year 2019 + language en", "bank records", {"year": ("2019",), "language": ("en",)}),
    (
        "'ransomware wallet' + cooperation mla|extradition",
        "ransomware wallet",
        {"cooperation_type": ("mla", "extradition")},
    ),
    ("'洗钱' (Chinese bigram) + kind case", "洗钱", {"kind": ("case",)}),
]


def _vocabulary() -> tuple[list[str], list[float]]:
    """The words by rank (most frequent first) and their cumulative Zipf weights."""
    rng = random.Random(7)  # noqa: S311 - benchmark data
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    others = [w for w in WORDS if w not in PLACED and w != COMMON]
    filler: set[str] = set()
    while len(filler) < VOCABULARY_SIZE - len(PLACED) - len(others):
        filler.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    slots = {rank - 1: word for word, rank in PLACED.items()}
    free = [i for i in range(600) if i not in slots]
    slots.update(zip(rng.sample(free, len(others)), others, strict=True))
    rest = sorted(filler)
    rng.shuffle(rest)
    fill = iter(rest)
    words = [slots[i] if i in slots else next(fill) for i in range(VOCABULARY_SIZE)]
    return words, list(itertools.accumulate(1 / rank for rank in range(1, VOCABULARY_SIZE + 1)))


def _pools(seed: int = 11) -> dict[str, list[str]]:
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    words, weights = _vocabulary()

    def sentence(n: int) -> str:
        return " ".join(rng.choices(words, cum_weights=weights, k=n))

    return {
        "title": [sentence(6).capitalize() for _ in range(20_000)],
        "summary": [sentence(18) + "." for _ in range(20_000)],
        "body": [sentence(40) + "." for _ in range(20_000)],
    }


def _rows(total: int) -> Any:
    """The generated entries as tuples of the raw INSERT's columns (deterministic)."""
    pools = _pools()
    rng = random.Random(GENERATOR_VERSION)  # noqa: S311 - benchmark data
    now = "2026-06-01 00:00:00"
    for i in range(total):
        r = rng.random()
        title = pools["title"][rng.randrange(20_000)]
        summary = pools["summary"][rng.randrange(20_000)]
        body = pools["body"][rng.randrange(20_000)]
        if r < 0.9:
            summary = f"{COMMON} {summary}"
        if i % 50 == 0:
            body += " 洗钱案件 跨国有组织犯罪"
        if i % 100 == 7:
            body += f" {PHRASE}."
        yield (
            f"kb{i:012d}",
            f"bench:{i}",
            KINDS[i % len(KINDS)],
            f"{title} {i}",
            summary,
            body,
            LANGUAGES[(i * 7) % len(LANGUAGES)],
            1990 + (i * 13) % 36,
            json.dumps(rng.sample(STATES, 1 + i % 3)),
            json.dumps([COOPERATION[i % 3]]),
            json.dumps(rng.sample(MEASURES, 1 + i % 2)),
            json.dumps(rng.sample(ARTICLES, 1 + i % 3)),
            json.dumps([OFFENCES[(i * 5) % len(OFFENCES)]]),
            json.dumps([OBSTACLES[(i * 3) % len(OBSTACLES)]] if i % 4 == 0 else []),
            now,
            now,
        )


_COLUMNS = (
    "code, source_key, kind, title, summary, body, language, year, states, cooperation_types, measures, "
    "articles, offences, obstacles, created_at, updated_at, url, source, translations, is_example, "
    "request_types, court, outcome, obstacle_notes, good_practices, provisions"
)
_CONSTANT = ("", "", "{}", False, "[]", "", "", "[]", "[]", "[]")


def _generate(alias: str, total: int) -> tuple[float, float]:
    """Insert `total` entries, then rebuild the index; (insert seconds, index seconds)."""
    from django.db import connections, transaction

    from comity.knowledge.search import backend_for

    connection = connections[alias]
    start = time.perf_counter()
    with transaction.atomic(using=alias):
        if connection.vendor == "postgresql":
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY knowledge_entry ({_COLUMNS}) FROM STDIN") as copy,
            ):
                for row in _rows(total):
                    copy.write_row((*row, *_CONSTANT))
        else:
            sql = f"INSERT INTO knowledge_entry ({_COLUMNS}) VALUES ({', '.join(['%s'] * 26)})"  # noqa: S608 - constant names
            with connection.cursor() as cursor:
                batch = []
                for row in _rows(total):
                    batch.append((*row, *_CONSTANT))
                    if len(batch) == BATCH:
                        cursor.executemany(sql, batch)
                        batch = []
                cursor.executemany(sql, batch)
    inserted = time.perf_counter() - start
    start = time.perf_counter()
    backend_for(alias).rebuild()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE knowledge_entry" if connection.vendor == "postgresql" else "ANALYZE")
        cursor.execute(
            "CREATE TABLE bench_meta (version integer, total integer, insert_s real, index_s real)"
        )
        cursor.execute(
            "INSERT INTO bench_meta VALUES (%s, %s, %s, %s)",
            [GENERATOR_VERSION, total, inserted, time.perf_counter() - start],
        )
    return inserted, time.perf_counter() - start


def _cached(alias: str, total: int) -> tuple[float, float] | None:
    from django.db import connections
    from django.db.utils import DatabaseError

    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT version, total, insert_s, index_s FROM bench_meta")
            row = cursor.fetchone()
    except DatabaseError:
        return None
    if row and row[0] == GENERATOR_VERSION and row[1] == total:
        return float(row[2]), float(row[3])
    return None


def _add_alias(alias: str, settings_dict: dict[str, Any]) -> None:
    from django.db import DEFAULT_DB_ALIAS, connections

    configured = connections.configure_settings(
        {DEFAULT_DB_ALIAS: dict(connections.settings[DEFAULT_DB_ALIAS]), alias: settings_dict}
    )
    connections.settings[alias] = configured[alias]


def _prepare(alias: str, total: int, fresh: Any) -> tuple[str, tuple[float, float]]:
    """Reuse the cached database of this size and generator version (migrated: a migration of
    the search index rebuilds it, and is timed), else build it."""
    from django.core.management import call_command

    cached = _cached(alias, total)
    if cached is not None:
        start = time.perf_counter()
        call_command("migrate", database=alias, verbosity=0, interactive=False)
        took = time.perf_counter() - start
        # migrate prunes the index (seconds at 1M); a migration of the index rebuilds it (minutes).
        return ("cached" if took < 5 else f"cached, migrate took {took:.1f} s"), cached
    fresh()
    call_command("migrate", database=alias, verbosity=0, interactive=False)
    return "generated", _generate(alias, total)


def _sqlite(total: int) -> str:
    folder = Path.cwd() / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"knowledge-v{GENERATOR_VERSION}-{total}.sqlite3"
    _add_alias(
        SQLITE_ALIAS,
        {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path), "OPTIONS": {"timeout": 20}},
    )

    def fresh() -> None:
        from django.db import connections

        connections[SQLITE_ALIAS].close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    state, _times = _prepare(SQLITE_ALIAS, total, fresh)
    return f"{state} {path}"


def _pg_url() -> str:
    return os.environ.get("COMITY_BENCH_PG_URL") or f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}"


def _postgresql(total: int) -> str | None:
    import dj_database_url
    import psycopg

    url = _pg_url()
    parsed: dict[str, Any] = dict(dj_database_url.parse(url))
    admin: dict[str, Any] = {
        "host": parsed.get("HOST") or "127.0.0.1",
        "port": parsed.get("PORT") or 5432,
        "user": parsed.get("USER") or "postgres",
        "password": parsed.get("PASSWORD") or None,
        "dbname": "postgres",
        "connect_timeout": 3,
        "autocommit": True,
    }
    try:
        psycopg.connect(**admin).close()
    except psycopg.Error as exc:
        print(f"knowledge search on PostgreSQL: skipped, {url} unreachable ({str(exc).strip()[:80]})")
        return None
    _add_alias(PG_ALIAS, parsed)

    def fresh() -> None:
        from django.db import connections

        connections[PG_ALIAS].close()
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{parsed["NAME"]}"')
            conn.execute(f'CREATE DATABASE "{parsed["NAME"]}"')

    state, _times = _prepare(PG_ALIAS, total, fresh)
    return f"{state} {url}"


def _bare(alias: str) -> Any:
    """The statements the backend runs for a search without facets (the words parsed, then
    the segments asked newest first until CANDIDATE_CAP + 1 candidates), on a raw cursor, with
    none of the work around them (checks, ordering, hits, snippets)."""
    from django.db import connections

    from comity.knowledge.search import CANDIDATE_CAP
    from comity.knowledge.search.base import SearchQuery
    from comity.knowledge.search.common import check_query

    connection = connections[alias]
    if connection.vendor == "sqlite":
        from comity.knowledge.search import sqlite as backend

        def run(text: str, filters: dict[str, tuple[str, ...]]) -> int:
            checked = check_query(SearchQuery(text=text, filters=filters))
            words = backend.text_match(checked.parsed)
            found = 0
            with connection.cursor() as cursor:
                newest_first = backend.segments(cursor)
                # The same plan as the backend: where each filter applies (sqlite.plan_filters).
                rate = backend.words_rate(cursor, words, newest_first)
                shares = backend.facet_shares(cursor, alias)
                inside, after = backend.plan_filters(checked.filters, shares, rate)
                match = " AND ".join(f"({p})" for p in (words, backend.filter_match(inside)) if p)
                for segment in newest_first:
                    sql, params = backend.segment_sql(
                        backend.table(segment),
                        words=True,
                        match=True,
                        browse=False,
                        facets=False,
                        after=after,
                    )
                    cursor.execute(sql, [match, *params, CANDIDATE_CAP + 1 - found])
                    found += len(cursor.fetchall())
                    if found > CANDIDATE_CAP:
                        break
            return found

        return run

    from comity.knowledge.search import postgresql as pg

    def run_pg(text: str, filters: dict[str, tuple[str, ...]]) -> int:
        checked = check_query(SearchQuery(text=text, filters=filters))
        with connection.cursor() as cursor:
            words = pg.words_tsquery(cursor, checked.parsed, pg.configurations(alias).values())
            match = pg.match_tsquery(words, pg.filter_query(checked.filters))
            names = [pg.table(segment) for segment in pg.segments(cursor)]
            sql = pg.page_sql(names, words=True, match=True, facets=False)
            cursor.execute("SET max_parallel_workers_per_gather = 0")  # as the backend does, per search
            cursor.execute(
                sql,
                [*pg.candidates_params(len(names), words, match, CANDIDATE_CAP + 1), CANDIDATE_CAP, 20, 0],
            )
            return len(cursor.fetchall())

    return run_pg


def _matches(result: Any) -> str:
    return f"{result.total:,}" if result.total_exact else f"more than {result.total:,}"


def _measure(alias: str, label: str, total: int, runs: int) -> float:
    """Print the timings over one database; return the p95 of the filtered top 20 (seconds)."""
    from comity.knowledge.search import CANDIDATE_CAP, SearchQuery, backend_for

    backend = backend_for(alias)
    bare = _bare(alias)
    everything: list[float] = []
    bare_all: list[float] = []
    for name, text, filters in QUERIES:
        query = SearchQuery(text=text, filters=filters, with_facets=False)
        result = backend.search(query)
        for _ in range(3):  # warm-up
            backend.search(query), bare(text, filters)
        ours = _time(lambda: backend.search(query), runs)  # noqa: B023 - used in this iteration
        base = _time(lambda: bare(text, filters), runs)  # noqa: B023 - used in this iteration
        everything += ours
        bare_all += base
        _line(f"  {label}: {name} -> {_matches(result)} match, top {len(result.hits)}", ours, base)
    p95 = _stats(everything)[2]
    _line(
        f"  {label}: filtered top 20 + total (exact up to {CANDIDATE_CAP:,}), all queries "
        f"({len(everything)} searches, {total:,} entries)",
        everything,
        bare_all,
        f"\n    goal: p95 <= 50 ms -> {'met' if p95 <= 0.05 else 'NOT met'} ({p95 * 1000:.1f} ms)",
    )
    for name, text, filters in (QUERIES[0], QUERIES[1], QUERIES[2], ("browse, no words, no filter", "", {})):
        query = SearchQuery(text=text, filters=filters, with_facets=True)
        backend.search(query)
        samples = _time(lambda: backend.search(query), max(3, runs // 2))  # noqa: B023 - used in this iteration
        _low, median, high = _stats(samples)
        print(
            f"  {label}: with facet counts, {name} ({_matches(backend.search(query))} match, "
            f"{len(samples)} runs): median {_fmt_ms(median)}  p95 {_fmt_ms(high)}"
        )
    return p95


def bench_import(entries: int = 20_000) -> None:
    """Import a generated JSON file of `entries` through import_files into the default database."""
    from comity.knowledge.importers import import_files

    rows = []
    for row in _rows(entries):
        (
            _code,
            key,
            kind,
            title,
            summary,
            body,
            lang,
            year,
            states,
            coop,
            measures,
            articles,
            offences,
            obstacles,
        ) = row[:14]
        rows.append(
            {
                "source_key": f"import:{key}",
                "kind": kind,
                "title": title,
                "summary": summary,
                "body": body,
                "language": lang,
                "year": year,
                "states": json.loads(states),
                "cooperation_types": json.loads(coop),
                "measures": json.loads(measures),
                "articles": json.loads(articles),
                "offences": json.loads(offences),
                "obstacles": json.loads(obstacles),
            }
        )
    with tempfile.TemporaryDirectory(prefix="comity-bench-import-") as folder:
        path = Path(folder) / "entries.json"
        path.write_text(json.dumps(rows), encoding="utf-8")
        start = time.perf_counter()
        report = import_files([path])
        first = time.perf_counter() - start
        start = time.perf_counter()
        again = import_files([path])
        second = time.perf_counter() - start
    if report.failed or report.created != entries or again.unchanged != entries:
        raise SystemExit(f"bench import: unexpected report {report.summary()} / {again.summary()}")
    print(
        f"knowledge import (JSON, {entries:,} entries, validation + write + index): "
        f"{entries / first:,.0f} entries/s; re-import of the same file (all unchanged): {entries / second:,.0f} entries/s"
    )


def bench_knowledge(total: int = 1_000_000, runs: int = 20) -> None:
    print(f"knowledge search over {total:,} generated entries (generator v{GENERATOR_VERSION})")
    start = time.perf_counter()
    where = _sqlite(total)
    print(f"  SQLite FTS5 database: {where} ({time.perf_counter() - start:.1f} s)")
    from django.db import connections

    with connections[SQLITE_ALIAS].cursor() as cursor:
        cursor.execute("SELECT insert_s, index_s FROM bench_meta")
        ins, idx = cursor.fetchone()
    print(
        f"  built with: insert {ins:.1f} s, index rebuild {idx:.1f} s ({total / max(idx, 1e-9):,.0f} entries/s)"
    )
    _measure(SQLITE_ALIAS, "sqlite", total, runs)
    connections[SQLITE_ALIAS].close()
    start = time.perf_counter()
    where_pg = _postgresql(total)
    if where_pg is not None:
        print(f"  PostgreSQL database: {where_pg} ({time.perf_counter() - start:.1f} s)")
        with connections[PG_ALIAS].cursor() as cursor:
            cursor.execute("SELECT insert_s, index_s FROM bench_meta")
            ins, idx = cursor.fetchone()
        print(
            f"  built with: insert {ins:.1f} s, index rebuild {idx:.1f} s ({total / max(idx, 1e-9):,.0f} entries/s)"
        )
        _measure(PG_ALIAS, "postgresql", total, runs)
        connections[PG_ALIAS].close()
    bench_import()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    _setup()
    with bench_database():
        bench_knowledge(args.total, args.runs)


if __name__ == "__main__":
    main()
