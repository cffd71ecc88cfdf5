"""Workspaces: one default per company from its creation on, further ones made and renamed through
the services, and lookups that fail closed exactly like the company's."""

import uuid

import pytest
from django.db import IntegrityError, transaction

from accounts import selectors, services
from accounts.errors import WorkspaceNameInvalid, WorkspaceNotFound
from accounts.models import Workspace
from accounts.tenancy import UnscopedQueryError, workspace_of_company
from tests.accounts.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db


def _defaults(company) -> list[Workspace]:
    return list(Workspace.objects.for_company(company).filter(is_default=True))


# ---- one default per company --------------------------------------------------------------------


def test_the_database_refuses_a_second_default_workspace(company):
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        Workspace.unscoped.create(company=company, name="Another default", is_default=True)
    assert len(_defaults(company)) == 1


def test_another_company_may_have_its_own_default(company, other_company):
    assert len(_defaults(company)) == len(_defaults(other_company)) == 1
    assert _defaults(company)[0].pk != _defaults(other_company)[0].pk


def test_company_create_makes_exactly_one_default_workspace():
    # when
    company = services.company_create(name="Acme")

    # then
    (default,) = Workspace.objects.for_company(company)
    assert default.is_default and default.name == "Default"
    assert isinstance(default.pk, uuid.UUID)


def test_workspaces_are_refused_without_a_company():
    with pytest.raises(UnscopedQueryError):
        Workspace.objects.all()


# ---- services ----------------------------------------------------------------------------------


def test_workspace_create_makes_a_further_non_default_workspace(company):
    # when
    workspace = services.workspace_create(company=company, name="  Marketing  ")

    # then
    assert workspace.company_id == company.pk
    assert workspace.name == "Marketing" and workspace.is_default is False
    assert Workspace.objects.for_company(company).count() == 2
    assert len(_defaults(company)) == 1


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_workspace_names_are_checked(company, name):
    with pytest.raises(WorkspaceNameInvalid):
        services.workspace_create(company=company, name=name)
    workspace = WorkspaceFactory(company=company)
    with pytest.raises(WorkspaceNameInvalid):
        services.workspace_rename(company=company, workspace_id=workspace.pk, name=name)


def test_workspace_rename_changes_only_the_name(company):
    # given
    default = selectors.default_workspace(company=company)

    # when
    renamed = services.workspace_rename(company=company, workspace_id=str(default.pk), name="Head office")

    # then
    default.refresh_from_db()
    assert renamed.pk == default.pk and default.name == "Head office"
    assert default.is_default and default.company_id == company.pk


def test_workspace_rename_refuses_another_companys_workspace(company, other_company):
    # given
    theirs = selectors.default_workspace(company=other_company)

    # when / then
    with pytest.raises(WorkspaceNotFound):
        services.workspace_rename(company=company, workspace_id=theirs.pk, name="Mine now")
    theirs.refresh_from_db()
    assert theirs.name == "Default"


# ---- selectors: fail closed like the company ---------------------------------------------------


def test_get_workspace_for_company_finds_the_companys_own(company):
    workspace = WorkspaceFactory(company=company)
    assert selectors.get_workspace_for_company(company=company, workspace_id=workspace.pk) == workspace
    assert selectors.get_workspace_for_company(company=company, workspace_id=str(workspace.pk)) == workspace


@pytest.mark.parametrize("kind", ["foreign", "missing", "malformed", "none"])
def test_get_workspace_for_company_is_not_found_alike(company, other_company, kind):
    # given
    workspace_id = {
        "foreign": lambda: selectors.default_workspace(company=other_company).pk,
        "missing": uuid.uuid4,
        "malformed": lambda: "not-a-uuid",
        "none": lambda: None,
    }[kind]()

    # when / then
    with pytest.raises(WorkspaceNotFound):
        selectors.get_workspace_for_company(company=company, workspace_id=workspace_id)


def test_get_workspace_for_company_without_a_company_finds_nothing(company):
    default = selectors.default_workspace(company=company)
    with pytest.raises(WorkspaceNotFound):
        selectors.get_workspace_for_company(company=None, workspace_id=default.pk)


def test_default_workspace_is_the_companys_default(company):
    # given
    WorkspaceFactory(company=company, name="AAA first by name")

    # when
    default = selectors.default_workspace(company=company)

    # then
    assert default.is_default and default.company_id == company.pk


def test_default_workspace_without_a_company_is_not_found():
    with pytest.raises(WorkspaceNotFound):
        selectors.default_workspace(company=None)


def test_workspace_of_company_accepts_only_the_companys_own(company, other_company):
    mine, theirs = WorkspaceFactory(company=company), WorkspaceFactory(company=other_company)
    assert workspace_of_company(company, mine) is True
    assert workspace_of_company(company, theirs) is False
    assert workspace_of_company(company, None) is False
    assert workspace_of_company(None, mine) is False
