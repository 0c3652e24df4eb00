"""On PostgreSQL, the database itself refuses two open sessions of one supervisor that overlap.

An exclusion constraint over (supervisor, the session's time range) needs the btree_gist
extension for the equality on the supervisor's id. SQLite has no such constraint: there the
check in slots.py, made inside the one write transaction SQLite allows at a time, is the rule
(see docs/supervision.md). The constraint is not declared on the model, so Django's own
checks and ``makemigrations`` see the same model on both databases.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE supervision_slot ADD CONSTRAINT slot_no_overlap EXCLUDE USING gist (
    supervisor_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&
) WHERE (status = 'open');
"""
DROP = "ALTER TABLE supervision_slot DROP CONSTRAINT IF EXISTS slot_no_overlap;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
