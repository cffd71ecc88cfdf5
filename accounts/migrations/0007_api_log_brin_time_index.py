# The log's time index becomes a BRIN index on PostgreSQL: entries arrive in time order, so a BRIN
# index serves the retention purge's "older than" scan at a fraction of a B-tree's cost per write.
# Elsewhere (SQLite, development) a plain index keeps the purge from scanning the table.

from django.db import migrations, models

TIME_INDEX = "apilog_requested_at"


def create_time_index(apps, schema_editor):
    method = "USING brin " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f'CREATE INDEX "{TIME_INDEX}" ON "accounts_apilogentry" {method}("requested_at")')


def drop_time_index(apps, schema_editor):
    schema_editor.execute(f'DROP INDEX IF EXISTS "{TIME_INDEX}"')


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_default_workspaces"),
    ]

    operations = [
        migrations.AlterField(
            model_name="apilogentry",
            name="requested_at",
            field=models.DateTimeField(),
        ),
        migrations.RunPython(create_time_index, drop_time_index),
    ]
