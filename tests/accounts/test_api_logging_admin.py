"""The back office for API logging: switching windows on a company's page, browsing the log
(filters, search, detail), its read-only nature, and the retention purge."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts import api_logging, services
from accounts.models import ApiKey, ApiLogEntry, ApiLoggingChange
from accounts.tasks import purge_old_api_log_entries
from tests.accounts.factories import ApiLogEntryFactory, CompanyFactory
from tests.admin_support import change_form_data

pytestmark = pytest.mark.django_db
LOG_LIST = "/admin/accounts/apilogentry/"
COMPANIES = "/admin/accounts/company/"


@pytest.fixture
def clock():
    with time_machine.travel(time.time(), tick=False) as traveller:
        yield traveller


# ---- the window from the company's page -----------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "hours"), [("enable_logging_1h", 1), ("enable_logging_24h", 24), ("enable_logging_7d", 168)]
)
def test_list_actions_enable_logging(admin_client, company, staff_user, clock, action, hours):
    response = admin_client.post(COMPANIES, {"action": action, "_selected_action": [company.pk]})
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.api_logging_until == timezone.now() + timedelta(hours=hours)
    change = ApiLoggingChange.objects.get(company=company)
    assert (change.action, change.changed_by) == ("enabled", staff_user)


def test_list_actions_extend_and_disable(admin_client, company, clock):
    admin_client.post(COMPANIES, {"action": "enable_logging_1h", "_selected_action": [company.pk]})
    admin_client.post(COMPANIES, {"action": "extend_logging_24h", "_selected_action": [company.pk]})
    company.refresh_from_db()
    assert company.api_logging_until == timezone.now() + timedelta(hours=25)
    admin_client.post(COMPANIES, {"action": "disable_logging", "_selected_action": [company.pk]})
    company.refresh_from_db()
    assert company.api_logging_until is None
    assert list(
        ApiLoggingChange.objects.filter(company=company).order_by("id").values_list("action", flat=True)
    ) == [
        "enabled",
        "extended",
        "disabled",
    ]


def test_company_page_enables_until_a_chosen_time_and_shows_the_history(
    admin_client, company, staff_user, clock
):
    # given
    page = f"{COMPANIES}{company.pk}/change/"
    data = change_form_data(admin_client.get(page))
    until = timezone.localtime(timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)

    # when
    data.update(
        api_logging_change="enable_until",
        api_logging_until_input_0=until.strftime("%Y-%m-%d"),
        api_logging_until_input_1=until.strftime("%H:%M:%S"),
    )
    response = admin_client.post(page, data)

    # then
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    company.refresh_from_db()
    assert company.api_logging_until == until
    shown = admin_client.get(page).content.decode()
    assert "API logging history" in shown and "on until" in shown and staff_user.email in shown


def test_company_page_extend_without_a_window_says_why(admin_client, company):
    page = f"{COMPANIES}{company.pk}/change/"
    data = change_form_data(admin_client.get(page))
    data["api_logging_change"] = "extend_1h"
    response = admin_client.post(page, data, follow=True)
    assert "API logging is not on for this company." in response.content.decode()
    assert not ApiLoggingChange.objects.filter(company=company).exists()


def test_company_page_enable_until_needs_a_time(admin_client, company):
    page = f"{COMPANIES}{company.pk}/change/"
    data = change_form_data(admin_client.get(page))
    data["api_logging_change"] = "enable_until"
    response = admin_client.post(page, data)
    assert response.status_code == 200
    assert "Choose when logging ends." in response.content.decode()


# ---- browsing the log --------------------------------------------------------------------------------


@pytest.fixture
def log(company, other_company):
    now = timezone.now()
    return {
        "ok": ApiLogEntryFactory(company=company, requested_at=now - timedelta(days=3)),
        "missing": ApiLogEntryFactory(
            company=company, method="GET", path="/api/v1/groups/42", route="v1:group", status_code=404
        ),
        "limited": ApiLogEntryFactory(company=company, status_code=429, request_id="req-find-me-0001"),
        "crash": ApiLogEntryFactory(
            company=other_company, status_code=500, requested_at=now - timedelta(days=10)
        ),
    }


def listed(admin_client, query: str = "") -> set:
    response = admin_client.get(f"{LOG_LIST}?{query}")
    assert response.status_code == 200
    return {entry.pk for entry in response.context["cl"].result_list}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"ok", "missing", "limited", "crash"}),
        ("method=GET", {"missing"}),
        ("status_code=404", {"missing"}),
        ("status_class=2xx", {"ok"}),
        ("status_class=4xx", {"missing", "limited"}),
        ("status_class=5xx", {"crash"}),
        ("route=v1:group", {"missing"}),
        ("q=groups/42", {"missing"}),
        ("q=req-find-me-0001", {"limited"}),
        ("q=%3Dreq-find-me-0001", {"limited"}),  # =<request id>, as the README documents it
        ("q=%3Dreq-find-me", set()),  # exact: a prefix finds nothing
    ],
)
def test_log_filters_and_search(admin_client, log, query, expected):
    assert listed(admin_client, query) == {log[name].pk for name in expected}


def test_log_filter_by_company(admin_client, log, other_company):
    assert listed(admin_client, f"company__id__exact={other_company.pk}") == {log["crash"].pk}


def test_log_filter_by_date_range(admin_client, log):
    today = timezone.localdate()
    ago = lambda days: (today - timedelta(days=days)).isoformat()  # noqa: E731
    assert listed(admin_client, f"requested_at__range_from={ago(4)}&requested_at__range_to={ago(2)}") == {
        log["ok"].pk
    }
    assert listed(admin_client, f"requested_at__range_from={ago(1)}") == {
        log["missing"].pk,
        log["limited"].pk,
    }
    assert listed(admin_client, f"requested_at__range_to={ago(5)}") == {log["crash"].pk}
    combined = f"requested_at__range_from={ago(4)}&status_class=2xx"
    assert listed(admin_client, combined) == {log["ok"].pk}


def test_log_detail_pretty_prints_and_escapes(admin_client, company):
    entry = ApiLogEntryFactory(
        company=company,
        request_body='{"name": "<script>alert(1)</script>", "nested": {"a": 1}}',
        request_headers={"Authorization": "[REDACTED]", "Content-Type": "application/json"},
        response_body="not json <b>",
    )
    response = admin_client.get(f"{LOG_LIST}{entry.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<pre" in html and "&quot;nested&quot;: {\n    &quot;a&quot;: 1\n  }" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "not json &lt;b&gt;" in html
    assert "&quot;Authorization&quot;: &quot;[REDACTED]&quot;" in html


def test_log_detail_names_the_api_key_of_the_session(
    admin_client, authed_client, api_user, company, staff_user
):
    services.api_logging_enable(company=company, by=staff_user, duration=timedelta(hours=1))
    authed_client.post("/api/v1/account/balance")
    api_logging.flush()
    entry = ApiLogEntry.unscoped.get(company=company)
    prefix = ApiKey.objects.for_company(company).get(user=api_user).prefix
    assert f"{prefix}…" in admin_client.get(f"{LOG_LIST}{entry.pk}/change/").content.decode()


def test_log_is_read_only_for_everyone(admin_client, company):
    entry = ApiLogEntryFactory(company=company)
    assert admin_client.get(f"{LOG_LIST}add/").status_code == 403
    assert admin_client.post(f"{LOG_LIST}{entry.pk}/change/", {"status_code": 201}).status_code == 403
    assert admin_client.post(f"{LOG_LIST}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.status_code == 200


# ---- retention ---------------------------------------------------------------------------------------------


def test_purge_removes_entries_older_than_the_retention_in_batches(settings, clock):
    # given
    settings.API_LOG_RETENTION_DAYS = 30
    settings.API_LOG_PURGE_BATCH = 2
    company = CompanyFactory()
    now = timezone.now()
    old = [
        ApiLogEntryFactory(company=company, requested_at=now - timedelta(days=31, minutes=i))
        for i in range(5)
    ]
    kept = [
        ApiLogEntryFactory(company=company, requested_at=now - timedelta(days=29)),
        ApiLogEntryFactory(company=company, requested_at=now),
    ]

    # when
    purge_old_api_log_entries.delay()

    # then
    remaining = set(ApiLogEntry.unscoped.values_list("pk", flat=True))
    assert remaining == {e.pk for e in kept}
    assert not remaining & {e.pk for e in old}
