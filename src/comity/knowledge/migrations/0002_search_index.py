"""The full-text index of knowledge entries, per database engine (comity.knowledge.search).

SQLite: the FTS5 table `knowledge_fts` (rowid = entry id). PostgreSQL: the table
`knowledge_search` with a tsvector and its GIN index. Neither has a foreign key to the entries
(an FTS5 table cannot, and on PostgreSQL one would stop Django's flush from truncating the
entries): the services keep the index in step, and `search.prune_orphans` (run after every
migrate and flush) drops rows of entries that no longer exist. The SQL is written out here, frozen, so
later changes to the backends need a new migration. Existing entries are indexed on the way.
"""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE knowledge_fts USING fts5("
    "title, body, cjk, tags, facets UNINDEXED, "
    "tokenize = 'porter unicode61 remove_diacritics 2')",
]
SQLITE_REVERSE = ["DROP TABLE IF EXISTS knowledge_fts"]

POSTGRESQL = [
    "CREATE TABLE knowledge_search ("
    "entry_id bigint PRIMARY KEY, "
    "config regconfig NOT NULL, "
    "document tsvector NOT NULL, "
    "facets text[] NOT NULL)",
    "CREATE INDEX knowledge_search_document ON knowledge_search USING gin (document)",
]
POSTGRESQL_REVERSE = ["DROP TABLE IF EXISTS knowledge_search"]


def _run(schema_editor, statements_by_vendor):
    for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def forward(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE, "postgresql": POSTGRESQL})
    Entry = apps.get_model("knowledge", "Entry")
    if Entry.objects.using(schema_editor.connection.alias).exists():
        from comity.knowledge.search import backend_for

        backend_for(schema_editor.connection.alias).rebuild()


def backward(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE})


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
