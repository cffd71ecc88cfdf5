"""A workspace-scoped model is declared like a company-scoped one (inherit WorkspaceModel) and fails
closed the same way: no query without scope, and a workspace of another company, or none, finds
nothing, exactly as another company finds nothing.

The model below belongs to no installed app, so migrations and the app registry's model list never
see it; its table exists only while these tests run (they are transactional because SQLite cannot
change its schema inside the test's transaction)."""

import pytest
from django.db import connection, models

from accounts import selectors
from accounts.tenancy import UnscopedQueryError, WorkspaceModel
from tests.accounts.factories import CompanyFactory, WorkspaceFactory


class ScopedNote(WorkspaceModel):
    text = models.CharField(max_length=50)

    class Meta(WorkspaceModel.Meta):
        app_label = "workspace_scoping_tests"


@pytest.fixture
def notes_table(transactional_db):
    with connection.schema_editor() as editor:
        editor.create_model(ScopedNote)
    yield
    with connection.schema_editor() as editor:
        editor.delete_model(ScopedNote)


@pytest.fixture
def two_companies(notes_table):
    """Two companies, each with a note in its default workspace and one in a further workspace."""
    made = {}
    for label in ("mine", "theirs"):
        company = CompanyFactory(name=label)
        default, further = selectors.default_workspace(company=company), WorkspaceFactory(company=company)
        for workspace in (default, further):
            ScopedNote.unscoped.create(company=company, workspace=workspace, text=f"{label} {workspace.name}")
        made[label] = (company, default, further)
    return made


def test_unscoped_queries_are_refused(notes_table):
    with pytest.raises(UnscopedQueryError):
        ScopedNote.objects.all()
    with pytest.raises(UnscopedQueryError):
        ScopedNote.objects.filter(text="x")


def test_a_workspace_sees_only_its_own_rows(two_companies):
    company, default, further = two_companies["mine"]
    assert [n.text for n in ScopedNote.objects.for_workspace(company, default)] == ["mine Default"]
    assert [n.text for n in ScopedNote.objects.for_workspace(company, further)] == [f"mine {further.name}"]
    assert ScopedNote.objects.for_company(company).count() == 2


def test_a_workspace_of_another_company_finds_nothing(two_companies):
    company, _, _ = two_companies["mine"]
    _, their_default, their_further = two_companies["theirs"]
    assert not ScopedNote.objects.for_workspace(company, their_default).exists()
    assert not ScopedNote.objects.for_workspace(company, their_further).exists()


def test_no_workspace_or_no_company_finds_nothing(two_companies):
    company, default, _ = two_companies["mine"]
    assert not ScopedNote.objects.for_workspace(company, None).exists()
    assert not ScopedNote.objects.for_workspace(None, default).exists()
    assert not ScopedNote.objects.for_company(None).exists()
    assert ScopedNote.unscoped.count() == 4
