"""The back office's OAuth applications (the services API's clients): made, changed, rotated and
deleted through accounts.services; a client secret is shown once, on the page that answers the
save or the rotation, and stored hashed; rotation and deletion end the application's tokens at
once; django-oauth-toolkit's raw admin pages are gone."""

import base64
import re

import pytest
from django.contrib.auth.hashers import check_password
from oauth2_provider.models import get_access_token_model
from rest_framework.test import APIClient

from accounts import services
from accounts.errors import OAuthApplicationNotFound
from accounts.models import OAuthApplication
from accounts.selectors import default_workspace
from tests.accounts.factories import CompanyFactory, OAuthApplicationFactory, WorkspaceFactory
from tests.admin_support import delete_in_admin, messages_of

pytestmark = pytest.mark.django_db

APPLICATIONS = "/admin/accounts/oauthapplication/"
SECRET = re.compile(r'<code class="client-secret">([^<]+)</code>')


def token_response(client_id: str, secret: str):
    credentials = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return APIClient().post(
        "/oauth/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {credentials}"
    )


def token(client_id: str, secret: str) -> str:
    response = token_response(client_id, secret)
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def services_status(workspace, access_token: str) -> int:
    """The status of a services API call made with `access_token`."""
    return (
        APIClient()
        .get(f"/services/{workspace.pk}/campaigns", HTTP_AUTHORIZATION=f"Bearer {access_token}")
        .status_code
    )


def secrets_on(page) -> list[str]:
    return SECRET.findall(page.content.decode())


@pytest.fixture
def workspace(company):
    return default_workspace(company=company)


@pytest.fixture
def app(company):
    return OAuthApplicationFactory(company=company, name="Shop integration")


# ---- making one -------------------------------------------------------------------------------------


def test_staff_make_an_application_and_see_its_secret_once(admin_client, company, workspace):
    response = admin_client.post(
        f"{APPLICATIONS}add/",
        {"company": company.pk, "workspace": workspace.pk, "name": "Shop", "allowed_ips": " 127.0.0.1 "},
    )

    assert response.status_code == 200
    [secret] = secrets_on(response)
    application = OAuthApplication.objects.get(company=company)
    assert (application.name, application.workspace, application.allowed_ips) == (
        "Shop",
        workspace,
        "127.0.0.1",
    )
    assert application.client_type == OAuthApplication.CLIENT_CONFIDENTIAL
    assert application.client_id in response.text
    # shown in this response only: never cached, never in the messages cookie, stored hashed
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert not any(secret in message for message in messages_of(response))
    assert application.client_secret != secret and check_password(secret, application.client_secret)
    assert secret not in admin_client.get(f"{APPLICATIONS}{application.pk}/change/").text
    # and it works
    assert services_status(workspace, token(application.client_id, secret)) == 200


def test_an_application_for_every_workspace_of_the_company(admin_client, company):
    response = admin_client.post(f"{APPLICATIONS}add/", {"company": company.pk, "name": "All"})

    assert response.status_code == 200 and len(secrets_on(response)) == 1
    assert OAuthApplication.objects.get(company=company).workspace is None


def test_a_workspace_of_another_company_is_refused(admin_client, company):
    elsewhere = WorkspaceFactory(company=CompanyFactory())

    response = admin_client.post(
        f"{APPLICATIONS}add/", {"company": company.pk, "workspace": elsewhere.pk, "name": "Shop"}
    )

    assert response.status_code == 200
    assert "Workspace not found." in response.text and not secrets_on(response)
    assert not OAuthApplication.objects.exists()


def test_allowed_addresses_that_are_not_addresses_are_refused(admin_client, company):
    response = admin_client.post(
        f"{APPLICATIONS}add/", {"company": company.pk, "name": "Shop", "allowed_ips": "10.0.0.0/8, nowhere"}
    )

    assert response.status_code == 200
    assert "Allowed addresses must be IP addresses or networks (CIDR)." in response.text
    assert not OAuthApplication.objects.exists()


# ---- the list, the page, and django-oauth-toolkit's own pages -----------------------------------------


def test_the_list_shows_each_application_and_filters_by_company(admin_client, company, app):
    other = OAuthApplicationFactory(company=CompanyFactory(name="Other Ltd"), name="Other app")

    listing = admin_client.get(APPLICATIONS)
    filtered = admin_client.get(APPLICATIONS, {"company__id__exact": company.pk})

    assert list(listing.context["cl"].list_display) == [
        "action_checkbox", "name", "company", "workspace_shown", "client_id", "created",
    ]  # fmt: skip
    assert app.client_id in listing.text and other.client_id in listing.text
    assert app.client_id in filtered.text and other.client_id not in filtered.text


def test_the_page_shows_live_tokens_and_never_the_secret(admin_client, app):
    token(app.client_id, app.plain_secret)

    page = admin_client.get(f"{APPLICATIONS}{app.pk}/change/")

    assert page.status_code == 200
    assert app.plain_secret not in page.text and app.client_secret not in page.text
    assert "Stored hashed: shown once" in page.text
    assert re.search(r"Live access tokens:?</label>\s*<div class=\"readonly\">1</div>", page.text)


def test_django_oauth_toolkits_raw_pages_are_gone(admin_client):
    index = admin_client.get("/admin/").text

    assert "OAuth applications" in index
    assert "Access tokens" not in index and "Refresh tokens" not in index and "Grants" not in index
    for model in ("accesstoken", "refreshtoken", "grant", "idtoken"):
        assert admin_client.get(f"/admin/oauth2_provider/{model}/").status_code == 404


# ---- changing one -------------------------------------------------------------------------------------


def test_allowed_addresses_change_through_the_service_and_apply_at_once(admin_client, app, workspace):
    access = token(app.client_id, app.plain_secret)

    response = admin_client.post(
        f"{APPLICATIONS}{app.pk}/change/", {"name": "Shop v2", "allowed_ips": "10.0.0.0/8\n192.0.2.7"}
    )

    assert response.status_code == 302
    app.refresh_from_db()
    assert (app.name, app.allowed_ips) == ("Shop v2", "10.0.0.0/8\n192.0.2.7")
    assert services_status(workspace, access) == 401  # the test client calls from 127.0.0.1


def test_a_bad_address_change_is_refused_and_nothing_changes(admin_client, app):
    response = admin_client.post(
        f"{APPLICATIONS}{app.pk}/change/", {"name": "Renamed", "allowed_ips": "300.1.1.1"}
    )

    assert response.status_code == 200
    assert "Allowed addresses must be IP addresses or networks (CIDR)." in response.text
    app.refresh_from_db()
    assert (app.name, app.allowed_ips) == ("Shop integration", "")


def test_the_company_and_workspace_are_not_editable(admin_client, app):
    page = admin_client.get(f"{APPLICATIONS}{app.pk}/change/").text

    assert 'name="name"' in page and 'name="allowed_ips"' in page
    assert (
        'name="company"' not in page and 'name="workspace"' not in page and 'name="client_secret"' not in page
    )


# ---- rotating the secret -------------------------------------------------------------------------------


def test_rotation_shows_a_new_secret_once_and_ends_the_tokens(admin_client, app, workspace):
    old_secret = app.plain_secret
    access = token(app.client_id, old_secret)
    assert services_status(workspace, access) == 200

    response = admin_client.post(APPLICATIONS, {"action": "rotate_secret", "_selected_action": [app.pk]})

    assert response.status_code == 200
    [new_secret] = secrets_on(response)
    assert new_secret != old_secret
    assert "no-store" in response["Cache-Control"]
    app.refresh_from_db()
    assert check_password(new_secret, app.client_secret) and not check_password(old_secret, app.client_secret)
    # the token it held ends at once; the old secret gets no new one; the new secret does
    assert services_status(workspace, access) == 401
    assert token_response(app.client_id, old_secret).json()["error"] == "invalid_client"
    assert services_status(workspace, token(app.client_id, new_secret)) == 200


def test_rotation_leaves_other_applications_tokens_alone(admin_client, company, app, workspace):
    other = OAuthApplicationFactory(company=company)
    access = token(other.client_id, other.plain_secret)

    admin_client.post(APPLICATIONS, {"action": "rotate_secret", "_selected_action": [app.pk]})

    assert services_status(workspace, access) == 200


# ---- deleting one --------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["single", "bulk"])
def test_a_deleted_application_is_gone_with_its_tokens(admin_client, app, workspace, how):
    access = token(app.client_id, app.plain_secret)

    response = delete_in_admin(admin_client, APPLICATIONS, [app.pk], how=how)

    assert response.status_code == 302
    assert not OAuthApplication.objects.filter(pk=app.pk).exists()
    assert not get_access_token_model().objects.exists()
    assert services_status(workspace, access) == 401
    assert token_response(app.client_id, app.plain_secret).json()["error"] == "invalid_client"


# ---- the services themselves -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        lambda company, app: services.oauth_application_rotate_secret(company=company, application_id=app.pk),
        lambda company, app: services.oauth_application_delete(company=company, application_id=app.pk),
        lambda company, app: services.oauth_application_update(
            company=company, application_id=app.pk, name="x", allowed_ips=""
        ),
    ],
)
def test_another_companys_application_is_not_found(app, change):
    with pytest.raises(OAuthApplicationNotFound):
        change(CompanyFactory(), app)

    assert OAuthApplication.objects.get(pk=app.pk).name == "Shop integration"


@pytest.mark.parametrize("application_id", ["not-a-number", None, 0])
def test_a_malformed_or_unknown_application_is_not_found(company, application_id):
    with pytest.raises(OAuthApplicationNotFound):
        services.oauth_application_rotate_secret(company=company, application_id=application_id)
