"""The text half of the search index, for the database in use.

SQLite: an FTS5 table over library_searchentry (external content: the text is kept once, in
the entry), with the Porter stemmer for English. PostgreSQL: a tsvector column generated from
the title (weight A) and body (weight D) with the english configuration, and its GIN index.
"""

from django.db import migrations

SQLITE_UP = [
    "CREATE VIRTUAL TABLE library_search_fts USING fts5(title, body, "
    "content='library_searchentry', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
]
SQLITE_DOWN = ["DROP TABLE IF EXISTS library_search_fts"]
POSTGRES_UP = [
    "ALTER TABLE library_searchentry ADD COLUMN vector tsvector GENERATED ALWAYS AS "
    "(setweight(to_tsvector('english', title), 'A') || "
    "setweight(to_tsvector('english', body), 'D')) STORED",
    "CREATE INDEX library_searchentry_vector ON library_searchentry USING GIN (vector)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS library_searchentry_vector",
    "ALTER TABLE library_searchentry DROP COLUMN IF EXISTS vector",
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
