"""The back office for workspaces: list with company and default flag, create for a company, rename;
never delete (so the default can never be deleted)."""

import pytest

from accounts import selectors
from accounts.models import Company, Workspace
from tests.accounts.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/accounts/workspace/"


def test_company_added_in_the_admin_gets_one_default_workspace(admin_client):
    # when
    response = admin_client.post(
        "/admin/accounts/company/add/", {"name": "Acme", "currency": "GBP", "is_active": "on"}
    )

    # then
    assert response.status_code == 302, response.content[:2000]
    company = Company.objects.get(name="Acme")
    (default,) = Workspace.objects.for_company(company)
    assert default.is_default


def test_list_shows_company_and_default_flag(admin_client, company, other_company):
    # given
    further = WorkspaceFactory(company=company, name="Marketing")

    # when
    response = admin_client.get(LIST)

    # then
    assert response.status_code == 200
    defaults = [selectors.default_workspace(company=c) for c in (company, other_company)]
    for workspace in (further, *defaults):
        assert str(workspace.pk) in response.text
    for text in ("Marketing", company.name, other_company.name):
        assert text in response.text
    assert response.text.count('alt="True"') == 2 and response.text.count('alt="False"') == 1


def test_create_makes_a_non_default_workspace_for_the_company(admin_client, company):
    # when
    response = admin_client.post(f"{LIST}add/", {"company": company.pk, "name": "Sales"})

    # then
    assert response.status_code == 302, response.content[:2000]
    created = Workspace.objects.for_company(company).get(name="Sales")
    assert created.is_default is False
    assert Workspace.objects.for_company(company).filter(is_default=True).count() == 1


def test_create_needs_a_name(admin_client, company):
    response = admin_client.post(f"{LIST}add/", {"company": company.pk, "name": "  "})
    assert response.status_code == 200 and "This field is required" in response.text
    assert Workspace.objects.for_company(company).count() == 1


def test_rename_changes_the_name_only(admin_client, company, other_company):
    # given
    default = selectors.default_workspace(company=company)

    # when: a forged company and default flag are ignored
    response = admin_client.post(
        f"{LIST}{default.pk}/change/", {"name": "Head office", "company": other_company.pk, "is_default": ""}
    )

    # then
    assert response.status_code == 302, response.content[:2000]
    default.refresh_from_db()
    assert default.name == "Head office" and default.is_default and default.company_id == company.pk


def test_the_change_form_offers_only_the_name(admin_client, company):
    default = selectors.default_workspace(company=company)
    response = admin_client.get(f"{LIST}{default.pk}/change/")
    assert response.status_code == 200
    assert 'name="name"' in response.text
    assert 'name="company"' not in response.text and 'name="is_default"' not in response.text


def test_deleting_is_not_offered(admin_client, company):
    # given
    default = selectors.default_workspace(company=company)

    # when
    page = admin_client.get(f"{LIST}{default.pk}/change/")
    direct = admin_client.post(f"{LIST}{default.pk}/delete/", {"post": "yes"})
    bulk = admin_client.post(
        LIST, {"action": "delete_selected", "_selected_action": [default.pk], "post": "yes"}
    )

    # then
    assert "deletelink" not in page.text
    assert direct.status_code == 403
    assert bulk.status_code in (200, 302)
    assert Workspace.objects.for_company(company).filter(pk=default.pk).exists()
