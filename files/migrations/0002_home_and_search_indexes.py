"""Home for every company that existed before the library; and, on PostgreSQL, the indexes
for name search (trigram, for `name ILIKE '%q%'`) and for subtree prefixes (`path LIKE 'x/%'`)."""

import uuid

from django.db import migrations

PG_INDEXES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS library_file_name_trgm ON files_libraryentry "
    "USING gin (UPPER(name) gin_trgm_ops) WHERE kind = 'file'",
    "CREATE INDEX IF NOT EXISTS library_company_path_prefix ON files_libraryentry "
    "(company_id, path varchar_pattern_ops)",
]
PG_DROP = [
    "DROP INDEX IF EXISTS library_company_path_prefix",
    "DROP INDEX IF EXISTS library_file_name_trgm",
]


def create_homes(apps, schema_editor):
    Company = apps.get_model("accounts", "Company")
    LibraryEntry = apps.get_model("files", "LibraryEntry")
    have = set(LibraryEntry._default_manager.filter(path="Home").values_list("company_id", flat=True))
    LibraryEntry._default_manager.bulk_create(
        LibraryEntry(id=uuid.uuid4(), company_id=pk, kind="folder", name="Home", path="Home", folder="")
        for pk in Company.objects.values_list("pk", flat=True)
        if pk not in have
    )


def pg_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_INDEXES:
            schema_editor.execute(statement)


def drop_pg_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("files", "0001_initial"),
    ]

    operations = [
        # Indexes first: PostgreSQL cannot build an index on a table with rows inserted earlier
        # in the same transaction whose deferred foreign-key checks are still pending.
        migrations.RunPython(pg_indexes, drop_pg_indexes),
        migrations.RunPython(create_homes, migrations.RunPython.noop),
    ]
