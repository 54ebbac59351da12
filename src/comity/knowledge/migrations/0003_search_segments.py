"""The search index in segments of entries by id (comity.knowledge.search.common.SEGMENT_SIZE).

The single index table of 0002 (`knowledge_fts` on SQLite, `knowledge_search` on PostgreSQL) is
replaced by one table per segment (`knowledge_fts_0000`..., `knowledge_search_0000`...), which the
backends create when a segment gets its first entry; on SQLite, `knowledge_facets` holds the
year and facets of every entry beside them. A search asks the newest segment first and
stops once it has its candidates, so the engine's work no longer grows with the knowledge base.
Existing entries are indexed again on the way (a long step for a large knowledge base: about
10,000 entries/s on SQLite, see docs/knowledge-search.md). Going back drops the segments and
gives back the empty 0002 table: run `comity knowledge-reindex` after it.
"""

from django.db import migrations

OLD = {"sqlite": "knowledge_fts", "postgresql": "knowledge_search"}

# The 0002 tables, frozen, for going back.
SQLITE_0002 = (
    "CREATE VIRTUAL TABLE knowledge_fts USING fts5("
    "title, body, cjk, tags, facets UNINDEXED, "
    "tokenize = 'porter unicode61 remove_diacritics 2')"
)
POSTGRESQL_0002 = [
    "CREATE TABLE knowledge_search ("
    "entry_id bigint PRIMARY KEY, "
    "config regconfig NOT NULL, "
    "document tsvector NOT NULL, "
    "facets text[] NOT NULL)",
    "CREATE INDEX knowledge_search_document ON knowledge_search USING gin (document)",
]


# SQLite: the year and facets of every entry, beside the segments (search/sqlite.py).
SQLITE_FACETS = (
    "CREATE TABLE knowledge_facets (entry_id integer PRIMARY KEY, year integer, facets text NOT NULL)"
)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in OLD:
        return
    schema_editor.execute(f"DROP TABLE IF EXISTS {OLD[vendor]}")
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_FACETS)
    from comity.knowledge.search import backend_for

    backend = backend_for(schema_editor.connection.alias)
    Entry = apps.get_model("knowledge", "Entry")
    if Entry.objects.using(schema_editor.connection.alias).exists():
        backend.rebuild()


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in OLD:
        return
    from comity.knowledge.search import backend_for

    backend_for(schema_editor.connection.alias).drop_all()
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE knowledge_facets")
    for statement in [SQLITE_0002] if vendor == "sqlite" else POSTGRESQL_0002:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_search_index")]

    operations = [migrations.RunPython(forward, backward)]
