"""Gives every company that existed before workspaces its default workspace (companies made since
get theirs from accounts.services.company_create). Safe to run again: a company that has a default
keeps it, and the one-default constraint settles a company created while this runs.

The name is written out here (not imported from the app) so this migration means the same thing
forever."""

import uuid

from django.db import migrations

DEFAULT_WORKSPACE_NAME = "Default"
BATCH = 1000


def create_default_workspaces(apps, schema_editor):
    Company = apps.get_model("accounts", "Company")
    Workspace = apps.get_model("accounts", "Workspace")
    with_default = Workspace.unscoped.filter(is_default=True).values("company_id")
    missing = Company.objects.exclude(pk__in=with_default).values_list("pk", flat=True)
    Workspace.unscoped.bulk_create(
        [
            Workspace(id=uuid.uuid4(), company_id=company_id, name=DEFAULT_WORKSPACE_NAME, is_default=True)
            for company_id in missing
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )


def remove_default_workspaces(apps, schema_editor):
    Workspace = apps.get_model("accounts", "Workspace")
    Workspace.unscoped.filter(is_default=True).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_workspace")]

    operations = [migrations.RunPython(create_default_workspaces, remove_default_workspaces)]
