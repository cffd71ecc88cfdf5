"""`Idempotency-Key` through HTTP on every surface: a repeat is the stored answer byte for byte and
does nothing more; another request with the key is 422; a repeat while the first runs is 409 with
Retry-After; a 5xx is not kept; keys are per company; expired keys run anew and are purged."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import idempotency
from accounts.models import IdempotencyKey
from accounts.principal import API_KEY, OAUTH_CLIENT, SESSION
from accounts.tasks import purge_expired_idempotency_keys
from billing import services as billing
from billing.models import Balance, LedgerEntry
from campaigns.models import Campaign, Status
from messaging.models import ClientCampaign
from recipients.models import Recipient
from tests.accounts.factories import CompanyFactory, UserFactory
from tests.api import idempotency_urls
from tests.campaigns.conftest import make_approved
from tests.concurrency import released_together
from tests.export_api import export_client
from tests.messaging import conftest as messaging
from tests.messaging.test_api_v2 import CLIENTS, LATER
from tests.messaging.test_services_api import sms
from tests.platform_api import assert_envelope, bearer, login
from tests.templates.factories import MessageTemplateFactory

pytestmark = pytest.mark.django_db

THREADS = 20
RECIPIENTS = "/api/v1/recipients"
SCHEDULE = "/api/v1/campaigns/schedule"
PAID = "Congratulations! Your payment was successful. Campaign scheduled successfully!"
BODY = json.dumps({"address1": "1 Main Street", "postcode": "SW1A 1AA", "firstName": "Ann"})

V1_INVALID = "The Idempotency-Key header must be 1 to 255 visible ASCII characters."
V1_REUSED = "This Idempotency-Key was already used with a different request (method, path or body)."
V1_IN_USE = (
    "A request with this Idempotency-Key is still being processed. Retry after the time given in Retry-After."
)


def post(client, path: str, body: str = BODY, key: str | None = None, **extra):
    if key is not None:
        extra["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(path, body, content_type="application/json", **extra)


def recipients_of(company) -> int:
    return Recipient.objects.for_company(company).count()


def assert_replay_of(first, repeat) -> None:
    assert repeat.status_code == first.status_code
    assert repeat.content == first.content
    assert repeat["Content-Type"] == first["Content-Type"]
    assert repeat["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")


def hold(company, kind: str, key: str, method: str, path: str, body: bytes) -> int:
    """A claim on `key` for exactly this request, as one still running holds it."""
    fingerprint = idempotency.request_fingerprint(method, path, body)
    claim = idempotency.idempotency_claim(
        company=company, credential_kind=kind, key=key, fingerprint=fingerprint
    )
    assert isinstance(claim, int)
    return claim


# ---- the platform API ---------------------------------------------------------------------------


def test_a_repeat_is_the_stored_answer_byte_for_byte_and_creates_nothing(authed_client, company):
    first = post(authed_client, RECIPIENTS, key="create-ann-1")
    repeat = post(authed_client, RECIPIENTS, key="create-ann-1")

    assert_envelope(first, 200, "Recipient created")
    assert_replay_of(first, repeat)
    assert recipients_of(company) == 1


def test_without_a_key_each_request_runs(authed_client, company):
    post(authed_client, RECIPIENTS)
    post(authed_client, RECIPIENTS)

    assert recipients_of(company) == 2
    assert not IdempotencyKey.objects.for_company(company).exists()


def test_another_key_is_another_request(authed_client, company):
    post(authed_client, RECIPIENTS, key="a")
    post(authed_client, RECIPIENTS, key="b")

    assert recipients_of(company) == 2


@pytest.mark.usefixtures("catalogue")
def test_a_retried_schedule_charges_once_and_answers_as_the_first_time(authed_client, company):
    # given: an approved campaign of 99.00 and a balance of 1000.00
    billing.balance_top_up(company=company, amount="1000.00")
    campaign = make_approved(company)
    path = f"{SCHEDULE}?campaignId={campaign.pk}&next_available_date=true&use_balance=true"

    # when: the answer is lost and the client sends the schedule again, with its key
    first = post(authed_client, path, body="", key="schedule-7f3a")
    repeat = post(authed_client, path, body="", key="schedule-7f3a")

    # then: one payment; the repeat says what the first said (not "read-only": it did not run)
    assert_envelope(first, 200, PAID)
    assert_replay_of(first, repeat)
    assert Balance.objects.get(company=company).amount == Decimal("901.00")
    assert LedgerEntry.objects.for_company(company).filter(kind=LedgerEntry.Kind.PAYMENT).count() == 1
    assert Campaign.objects.for_company(company).get(pk=campaign.pk).status == Status.SCHEDULED


def test_a_4xx_is_stored_and_replayed(authed_client, company):
    bad = json.dumps({"firstName": "No address"})

    first = post(authed_client, RECIPIENTS, body=bad, key="bad-1")
    repeat = post(authed_client, RECIPIENTS, body=bad, key="bad-1")

    assert first.status_code == 400
    assert_replay_of(first, repeat)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", RECIPIENTS, json.dumps({"address1": "2 Other Road", "postcode": "AB1 2CD"})),
        ("post", RECIPIENTS + "?groupId=00000000-0000-0000-0000-000000000000", BODY),
        ("put", RECIPIENTS, BODY),
    ],
    ids=["another body", "another query", "another method"],
)
def test_the_key_with_another_request_is_422(authed_client, company, method, path, body):
    post(authed_client, RECIPIENTS, key="k-1")

    response = getattr(authed_client, method)(
        path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )

    assert_envelope(response, 422, V1_REUSED, errors=["Unprocessable Entity"])
    assert recipients_of(company) == 1


def test_a_repeat_while_the_first_runs_is_409_with_retry_after(authed_client, company):
    hold(company, SESSION, "busy-1", "POST", RECIPIENTS, BODY.encode())

    response = post(authed_client, RECIPIENTS, key="busy-1")

    assert_envelope(response, 409, V1_IN_USE, errors=["Conflict"])
    assert response["Retry-After"] == "1"
    assert recipients_of(company) == 0


def test_a_request_whose_process_vanished_runs_again_after_the_lease(authed_client, company):
    hold(company, SESSION, "gone-1", "POST", RECIPIENTS, BODY.encode())

    with time_machine.travel(timezone.now() + timedelta(seconds=settings.IDEMPOTENCY_LEASE_SECONDS + 1)):
        response = post(authed_client, RECIPIENTS, key="gone-1")

    assert_envelope(response, 200, "Recipient created")
    assert recipients_of(company) == 1
    assert IdempotencyKey.objects.for_company(company).get(key="gone-1").status == "done"


@pytest.mark.parametrize(
    "key",
    ["", "has space", "tab\there", "caf\u00e9", "x" * 256],
    ids=["empty", "space", "control", "non-ascii", "256 characters"],
)
def test_a_bad_key_is_400(authed_client, company, key):
    response = post(authed_client, RECIPIENTS, key=key)

    assert_envelope(response, 400, V1_INVALID, errors=["Validation failed"])
    assert recipients_of(company) == 0


@pytest.mark.parametrize("key", ["x" * 255, "!", '"8e03978e-40d5-43e8-bc93-6894a57f9324"'])
def test_keys_of_1_to_255_visible_characters_are_taken(authed_client, company, key):
    first = post(authed_client, RECIPIENTS, key=key)
    repeat = post(authed_client, RECIPIENTS, key=key)

    assert_replay_of(first, repeat)
    assert recipients_of(company) == 1


def test_another_companys_same_key_is_a_new_key(authed_client, company, api_client):
    other = CompanyFactory()
    other_user = UserFactory(company=other)
    from accounts import services as account_services

    other_client = bearer(
        APIClient(), login(APIClient(), account_services.api_key_issue(user=other_user).secret)["token"]
    )

    mine = post(authed_client, RECIPIENTS, key="shared-key")
    theirs = post(other_client, RECIPIENTS, key="shared-key")

    assert_envelope(theirs, 200, "Recipient created")
    assert not theirs.has_header("Idempotent-Replayed")
    assert mine.json()["data"] != theirs.json()["data"]
    assert recipients_of(company) == 1 and recipients_of(other) == 1


def test_reads_and_unauthenticated_requests_take_no_key(authed_client, api_key, company):
    anonymous = APIClient()
    listing = authed_client.get(RECIPIENTS, HTTP_IDEMPOTENCY_KEY="bad key ignored")
    refused = post(anonymous, RECIPIENTS, key="bad key ignored")
    logged_in = post(
        anonymous, "/api/v1/account/login", json.dumps({"ApiKey": api_key}), key="bad key ignored"
    )

    assert listing.status_code == 200
    assert_envelope(refused, 401)
    assert_envelope(logged_in, 200, "Login successful")
    assert not IdempotencyKey.objects.for_company(company).exists()


@pytest.mark.urls("tests.api.idempotency_urls")
def test_a_5xx_is_not_stored_and_the_key_may_be_retried(authed_client, company):
    idempotency_urls.FAILURES[:] = [1]

    failed = post(authed_client, "/api/v1/_test/flaky", key="flaky-1")
    assert not IdempotencyKey.objects.for_company(company).exists()
    retried = post(authed_client, "/api/v1/_test/flaky", key="flaky-1")
    repeat = post(authed_client, "/api/v1/_test/flaky", key="flaky-1")

    assert_envelope(failed, 500)
    assert_envelope(retried, 201, "Done")
    assert_replay_of(retried, repeat)


# ---- expiry -------------------------------------------------------------------------------------


def test_an_expired_key_runs_anew_and_the_purge_deletes_expired_keys(authed_client, api_key, company):
    post(authed_client, RECIPIENTS, key="old-1")
    later = timezone.now() + timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS, minutes=1)

    with time_machine.travel(later):
        client = bearer(APIClient(), login(APIClient(), api_key)["token"])  # the first token has expired
        again = post(client, RECIPIENTS, key="old-1")
        post(client, RECIPIENTS, key="fresh-1")
    assert_envelope(again, 200, "Recipient created")
    assert not again.has_header("Idempotent-Replayed")
    assert recipients_of(company) == 3

    with time_machine.travel(later + timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS - 1)):
        assert purge_expired_idempotency_keys.apply().get() == 0
    with time_machine.travel(later + timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS, minutes=1)):
        assert purge_expired_idempotency_keys.apply().get() == 2
    assert not IdempotencyKey.objects.for_company(company).exists()


def test_the_purge_goes_in_batches(company):
    for i in range(5):
        hold(company, SESSION, f"batch-{i}", "POST", RECIPIENTS, b"")

    with time_machine.travel(timezone.now() + timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS, minutes=1)):
        assert idempotency.idempotency_keys_purge_expired(batch_size=2) == 5
    assert not IdempotencyKey.objects.for_company(company).exists()


def test_the_purge_runs_on_the_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["purge-expired-idempotency-keys"]
    assert entry["task"] == purge_expired_idempotency_keys.name


def test_requests_are_not_one_transaction():
    # A claim must commit before its view runs, so the next identical request sees it.
    assert not settings.DATABASES["default"].get("ATOMIC_REQUESTS")


# ---- the other surfaces -------------------------------------------------------------------------


# The services API's fixtures (a workspace, its campaigns URL, an OAuth client, a group).
workspace, campaigns_url = messaging.workspace, messaging.campaigns_url
oauth_app, group = messaging.oauth_app, messaging.group


@pytest.fixture
def services(oauth_app):
    return messaging.services_client(oauth_app)


@pytest.fixture
def services_body(group) -> str:
    return json.dumps(sms(group))


@pytest.fixture
def v2(company):
    from accounts import services as account_services

    client = APIClient()
    client.credentials(
        HTTP_X_API_KEY=account_services.api_key_issue(user=UserFactory(company=company)).secret
    )
    return client


V2_CREATE = "/v2/campaign/create"


@pytest.fixture
def v2_body(company) -> str:
    template = MessageTemplateFactory(company=company)
    return json.dumps(
        {"name": "Order confirmation", "clients": CLIENTS, "TempMsgID": str(template.pk), "SendAt": LATER}
    )


@pytest.fixture
def export(company, tokens):
    from accounts import services as account_services

    return export_client(tokens["token"], account_services.messages_api_code_rotate(company=company))


EXPORT_ALL = "/v1/campaign/all"


def message_campaigns(company) -> int:
    return Campaign.objects.for_company(company).count()


def test_a_key_on_the_services_api(services, campaigns_url, services_body, company):
    first = post(services, campaigns_url, services_body, key="svc-1")
    repeat = post(services, campaigns_url, services_body, key="svc-1")
    other = post(services, campaigns_url, services_body.replace("Spring", "Autumn"), key="svc-1")
    bad = post(services, campaigns_url, services_body, key="bad key")

    assert first.status_code == 201
    assert_replay_of(first, repeat)
    assert message_campaigns(company) == 1
    assert (other.status_code, other.json()) == (
        422,
        {
            "code": "unprocessable_entity",
            "message": "This Idempotency-Key was already used with a different request.",
            "items": [],
        },
    )
    assert (bad.status_code, bad.json()) == (
        400,
        {
            "code": "invalid_request",
            "message": "Invalid request.",
            "items": [{"name": "Idempotency-Key", "message": "Must be 1 to 255 visible ASCII characters."}],
        },
    )


def test_a_repeat_on_the_services_api_while_the_first_runs(services, campaigns_url, services_body, company):
    hold(company, OAUTH_CLIENT, "svc-busy", "POST", campaigns_url, services_body.encode())

    response = post(services, campaigns_url, services_body, key="svc-busy")

    assert (response.status_code, response.json()) == (
        409,
        {
            "code": "conflict",
            "message": V1_IN_USE,
            "items": [],
        },
    )
    assert response["Retry-After"] == "1"


def test_a_key_on_campaign_api_v2(v2, v2_body, company):
    first = post(v2, V2_CREATE, v2_body, key="v2-1")
    repeat = post(v2, V2_CREATE, v2_body, key="v2-1")
    other = post(v2, V2_CREATE, v2_body.replace("Order", "Other"), key="v2-1")
    bad = post(v2, V2_CREATE, v2_body, key="")

    assert first.status_code == 200, first.content
    assert_replay_of(first, repeat)
    assert ClientCampaign.objects.for_company(company).count() == 1
    assert (other.status_code, other.json()) == (
        422,
        {"error": "Idempotency-Key already used with a different request"},
    )
    assert (bad.status_code, bad.json()) == (
        400,
        {"error": "invalid request: Idempotency-Key must be 1 to 255 visible ASCII characters"},
    )


def test_a_repeat_on_campaign_api_v2_while_the_first_runs(v2, v2_body, company):
    hold(company, API_KEY, "v2-busy", "POST", V2_CREATE, v2_body.encode())

    response = post(v2, V2_CREATE, v2_body, key="v2-busy")

    assert (response.status_code, response.json()) == (
        409,
        {"error": "a request with this Idempotency-Key is still in progress: retry later"},
    )
    assert response["Retry-After"] == "1"


def test_a_key_on_the_messages_export_api(export, company):
    first = post(export, EXPORT_ALL, "{}", key="exp-1")
    repeat = post(export, EXPORT_ALL, "{}", key="exp-1")
    other = post(export, EXPORT_ALL, '{"page": 2}', key="exp-1")
    bad = post(export, EXPORT_ALL, "{}", key="x" * 256)

    assert first.status_code == 200, first.content
    assert_replay_of(first, repeat)
    assert (other.status_code, other.json()) == (
        422,
        {"message": "This Idempotency-Key was already used with a different request."},
    )
    assert (bad.status_code, bad.json()) == (
        400,
        {"message": "The Idempotency-Key header must be 1 to 255 visible ASCII characters."},
    )


def test_a_repeat_on_the_messages_export_api_while_the_first_runs(export, company):
    hold(company, SESSION, "exp-busy", "POST", EXPORT_ALL, b"{}")

    response = post(export, EXPORT_ALL, "{}", key="exp-busy")

    assert (response.status_code, response.json()) == (409, {"message": V1_IN_USE})
    assert response["Retry-After"] == "1"


def test_the_keys_of_one_company_are_per_credential_kind(authed_client, v2, v2_body, company):
    # A session and an API key of the same company: two principals, two key spaces.
    post(authed_client, RECIPIENTS, key="kind-1")
    created = post(v2, V2_CREATE, v2_body, key="kind-1")

    assert created.status_code == 200
    assert not created.has_header("Idempotent-Replayed")
    kinds = set(IdempotencyKey.objects.for_company(company).values_list("credential_kind", flat=True))
    assert kinds == {SESSION, API_KEY}


# ---- under real concurrency (PostgreSQL) --------------------------------------------------------


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"].endswith(".sqlite3"),
    reason="needs PostgreSQL: SQLite serialises every write on one file lock",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("catalogue")
def test_twenty_identical_schedules_with_one_key_pay_once(company, api_key):
    # given: an approved campaign of 99.00 and a balance of 1000.00
    billing.balance_top_up(company=company, amount="1000.00")
    campaign = make_approved(company)
    token = login(APIClient(), api_key)["token"]
    path = f"{SCHEDULE}?campaignId={campaign.pk}&next_available_date=true&use_balance=true"

    # when: 20 threads, each with its own connection, send the same request with the same key
    def schedule(_):
        response = post(bearer(APIClient(), token), path, body="", key="race-1")
        return response.status_code, response.json()["message"], response.has_header("Idempotent-Replayed")

    results = released_together(schedule, THREADS)

    # then: one ran and paid; each of the others waited (409) or got its answer
    ran = [r for r in results if r == (200, PAID, False)]
    replayed = [r for r in results if r == (200, PAID, True)]
    waited = [r for r in results if r == (409, V1_IN_USE, False)]
    assert len(ran) == 1 and len(ran) + len(replayed) + len(waited) == THREADS, results
    assert Balance.objects.get(company=company).amount == Decimal("901.00")
    assert LedgerEntry.objects.for_company(company).filter(kind=LedgerEntry.Kind.PAYMENT).count() == 1
    assert IdempotencyKey.objects.for_company(company).get().status == "done"
