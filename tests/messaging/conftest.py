import base64

import pytest
from rest_framework.test import APIClient

from accounts.selectors import default_workspace
from tests.accounts.factories import CompanyFactory, OAuthApplicationFactory

# Local disk and S3 (moto's server), for the messages export's tests.
from tests.files.storages import library_storage, s3_server  # noqa: F401 (fixtures)

# The real worker and beat of tests/integration, for generation's worker tests.
from tests.integration.conftest import celery_beat_process, celery_worker_process  # noqa: F401 (fixtures)
from tests.recipients.factories import RecipientFactory, RecipientGroupFactory

TOKEN_URL = "/oauth/token/"


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def token_for(application) -> str:
    """An access token from the real token endpoint (client credentials, HTTP Basic)."""
    response = APIClient().post(
        TOKEN_URL,
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=basic(application.client_id, application.plain_secret),
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def services_client(application) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(application)}")
    return client


@pytest.fixture(autouse=True)
def _console_delivery(settings):
    """Delivery that follows a generation goes to the console unless a test names a gateway
    (production without MESSAGING_GATEWAY_URL refuses to deliver, loudly)."""
    if not settings.MESSAGING_DEFAULT_BACKEND and not settings.MESSAGING_GATEWAY_URL:
        settings.MESSAGING_DEFAULT_BACKEND = "messaging.delivery.console.ConsoleBackend"


@pytest.fixture
def company(db):
    return CompanyFactory()


@pytest.fixture
def workspace(company):
    return default_workspace(company=company)


@pytest.fixture
def oauth_app(company):
    return OAuthApplicationFactory(company=company)


@pytest.fixture
def client(oauth_app):
    return services_client(oauth_app)


@pytest.fixture
def campaigns_url(workspace):
    return f"/services/{workspace.pk}/campaigns"


@pytest.fixture
def group(company):
    group = RecipientGroupFactory(company=company)
    for first_name, mobile, email in (
        ("Ada", "+447700900001", "ada@example.com"),
        ("Bob", "+447700900002", ""),
    ):
        RecipientFactory(company=company, group=group, first_name=first_name, mobile=mobile, email=email)
    return group


@pytest.fixture
def via_gateway(settings, gateway):
    """Delivery through the HTTP gateway backend to the local fake gateway, unthrottled."""
    settings.MESSAGING_GATEWAY_URL = gateway.url
    settings.MESSAGING_DEFAULT_BACKEND = ""
    settings.MESSAGING_RATE_PER_SECOND = {}
    return gateway
