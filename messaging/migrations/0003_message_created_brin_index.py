# Messages arrive in time order, so a BRIN index on created_at serves the retention purge's
# "older than" scan at a tiny fraction of a B-tree's size and cost per generated row (PostgreSQL).
# Elsewhere (SQLite, development) a plain index keeps the purge from scanning the table.

from django.db import migrations

TIME_INDEX = "message_created_at"


def create_time_index(apps, schema_editor):
    method = "USING brin " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f'CREATE INDEX "{TIME_INDEX}" ON "messaging_message" {method}("created_at")')


def drop_time_index(apps, schema_editor):
    schema_editor.execute(f'DROP INDEX IF EXISTS "{TIME_INDEX}"')


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0002_occurrence_checkpoint"),
    ]

    operations = [
        migrations.RunPython(create_time_index, drop_time_index),
    ]
