"""The data migration that gives every company that existed before workspaces its default one
(accounts/migrations/0006_default_workspaces.py), run with the real app registry."""

import importlib

import pytest
from django.apps import apps as django_apps

from accounts.models import Workspace
from tests.accounts.factories import CompanyFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("accounts.migrations.0006_default_workspaces")


def _before_workspaces(count: int) -> list:
    """Companies as they were before workspaces: made by the factory, their workspaces removed."""
    companies = CompanyFactory.create_batch(count)
    Workspace.unscoped.filter(company__in=companies).delete()
    return companies


def _defaults_by_company() -> dict:
    found: dict = {}
    for workspace in Workspace.unscoped.filter(is_default=True):
        found.setdefault(workspace.company_id, []).append(workspace.pk)
    return found


def test_every_existing_company_gets_exactly_one_default_workspace():
    # given
    old = _before_workspaces(3)
    current = CompanyFactory()  # made after workspaces: has its default already
    (current_default,) = Workspace.objects.for_company(current)
    further = WorkspaceFactory(company=old[0])  # a non-default one is no default

    # when
    migration.create_default_workspaces(django_apps, None)

    # then
    defaults = _defaults_by_company()
    assert set(defaults) == {c.pk for c in (*old, current)}
    assert all(len(pks) == 1 for pks in defaults.values())
    assert defaults[current.pk] == [current_default.pk]
    assert Workspace.unscoped.get(pk=further.pk).is_default is False
    assert {w.name for w in Workspace.unscoped.filter(company__in=old, is_default=True)} == {"Default"}


def test_running_it_twice_changes_nothing():
    # given
    _before_workspaces(2)
    migration.create_default_workspaces(django_apps, None)
    first = _defaults_by_company()

    # when
    migration.create_default_workspaces(django_apps, None)

    # then
    assert _defaults_by_company() == first
    assert Workspace.unscoped.count() == 2


def test_the_reverse_removes_default_workspaces_only():
    # given
    company = CompanyFactory()
    further = WorkspaceFactory(company=company)

    # when
    migration.remove_default_workspaces(django_apps, None)

    # then
    assert list(Workspace.unscoped.filter(company=company)) == [further]
