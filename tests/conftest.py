import importlib
import uuid

import pytest
from django.apps import apps as django_apps
from pytest_django.plugin import pytest_collection_modifyitems as django_test_order
from rest_framework.test import APIClient

from accounts import api_logging
from accounts import selectors as account_selectors
from accounts import services as account_services
from billing import dates
from billing.models import Product
from config.api.throttles import window_leases
from config.celery import app as celery_app
from messaging.delivery import reset_backends
from tests.accounts.factories import CompanyFactory, StaffUserFactory, UserFactory
from tests.files.storages import library_storage, s3_server  # noqa: F401 (fixtures)
from tests.messaging.gateway import closed_port, gateway  # noqa: F401 (fixtures)
from tests.messaging.smtp import mail_server  # noqa: F401 (a fixture)
from tests.platform_api import bearer, login
from tests.remote import file_server  # noqa: F401 (a fixture for every test)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Transactional tests last, again. pytest-django puts them after the others, but pytest then
    groups tests by session-scoped parameters (Playwright's browser_name), which can pull the
    browser tests, and their flush of the database (seeded catalogue included), in among the
    others."""
    django_test_order(items)


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """A fresh cache namespace per test (rate-limit counters, ...), also on a shared Redis, and no
    rate-limit leases left from another test."""
    settings.CACHES = {
        alias: {**conf, "KEY_PREFIX": uuid.uuid4().hex} for alias, conf in settings.CACHES.items()
    }
    window_leases.forget_all()


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Local storage writes go to the test's own directory, never to var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _fresh_role_rights():
    """Each test starts with no remembered role rights or accepted tokens (process-local caches)."""
    from config.api.jwt import recently_accepted

    account_selectors.forget_role_rights()
    recently_accepted.forget_all()
    yield
    account_selectors.forget_role_rights()
    recently_accepted.forget_all()


@pytest.fixture(autouse=True)
def _fresh_blocked_dates():
    """No process-local copy of staff-blocked dates carries over between tests."""
    dates.forget_blocked_dates()
    yield
    dates.forget_blocked_dates()


@pytest.fixture(autouse=True)
def _fresh_delivery_backends():
    """Backends are built once per process from settings: each test builds its own."""
    reset_backends()
    yield
    reset_backends()


@pytest.fixture(autouse=True)
def _api_logging_in_test_thread(settings):
    """API log entries wait in the buffer until the test calls api_logging.flush() (no background
    thread: it would write outside the test's transaction); each test starts with no windows."""
    settings.API_LOG_BACKGROUND_FLUSH = False
    api_logging.discard()
    api_logging.forget_windows()
    yield
    api_logging.discard()
    api_logging.forget_windows()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Tasks run in-process unless a test asks for a real worker (marker `worker`)."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True  # a test sees a task's unexpected error
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def company(db):
    return CompanyFactory()


@pytest.fixture
def api_user(company):
    return UserFactory(company=company)


@pytest.fixture
def api_key(api_user) -> str:
    return account_services.api_key_issue(user=api_user).secret


@pytest.fixture
def tokens(api_client, api_key) -> dict:
    return login(APIClient(), api_key)


@pytest.fixture
def authed_client(api_client, tokens) -> APIClient:
    """An API client logged in as an Integrator of `company`."""
    return bearer(api_client, tokens["token"])


@pytest.fixture
def other_company(db):
    return CompanyFactory(name="Someone Else Ltd")


@pytest.fixture
def staff_user(db):
    return StaffUserFactory()


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def catalogue(db):
    """The product catalogue, for transactional tests, which run on a flushed database: seeded
    as its data migration seeds it (the migration's own function, with the real app registry)."""
    if not Product.objects.exists():
        importlib.import_module("billing.migrations.0003_seed_product_catalogue").seed(django_apps, None)
