"""The snapshot's lookup by recipient_id: a hash index on PostgreSQL (equality lookups only, and
far cheaper to fill with a million random UUIDs at approval than a btree), a btree elsewhere.
The index is the database's own (not in the model's Meta), so it is made here by vendor."""

from django.db import migrations

INDEX = "campaign_recipient_recipient"


def create(apps, schema_editor):
    using = "USING hash " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"CREATE INDEX {INDEX} ON campaigns_campaignrecipient {using}(recipient_id)")


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0002_snapshot_without_fk_constraint")]

    operations = [
        migrations.RemoveIndex(model_name="campaignrecipient", name=INDEX),
        migrations.RunPython(create, drop),
    ]
