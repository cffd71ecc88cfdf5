"""The back office names itself Postroom, its "View site" link leads somewhere that exists, and a
company is never deleted (it is switched off), which its page says."""

import pytest
from django.urls import reverse

from accounts.models import ApiKey

pytestmark = pytest.mark.django_db


def test_the_admin_is_postroom_and_view_site_exists(admin_client):
    index = admin_client.get("/admin/")

    assert "Postroom back office" in index.text and "Django administration" not in index.text
    assert "<title>Postroom administration | Postroom</title>" in index.text
    assert 'href="/api/docs/">View site</a>' in index.text
    assert admin_client.get("/api/docs/").status_code == 200


def test_a_company_is_switched_off_never_deleted(admin_client, company):
    page = admin_client.get(reverse("admin:accounts_company_change", args=[company.pk]))

    assert "deletelink" not in page.text
    assert "This company cannot be deleted: A company is switched off (Is active), never deleted" in page.text
    assert (
        admin_client.post(
            reverse("admin:accounts_company_delete", args=[company.pk]), {"post": "yes"}
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("changelist", "key_columns", "wide_column"),
    [
        ("/admin/accounts/apilogentry/", ["status_code", "duration_ms", "request_id"], "short_path"),
        ("/admin/billing/product/", ["unit_price", "is_active"], "format_code"),
        ("/admin/billing/order/", ["status", "total", "send_date", "campaign_link"], "company"),
        ("/admin/campaigns/campaign/", ["status", "total_cost", "dispatch_date"], "company"),
    ],
)
def test_key_columns_come_before_the_wide_ones(admin_client, changelist, key_columns, wide_column):
    columns = list(admin_client.get(changelist).context["cl"].list_display)

    assert all(columns.index(column) < columns.index(wide_column) for column in key_columns)


def test_a_long_api_path_is_shortened_in_the_list(admin_client, company):
    from tests.accounts.factories import ApiLogEntryFactory

    long_path = "/api/v1/files/" + "a" * 200
    ApiLogEntryFactory(company=company, path=long_path)

    page = admin_client.get("/admin/accounts/apilogentry/").text

    assert f'title="{long_path}"' in page and f">{long_path}<" not in page


def test_an_api_key_is_revoked_never_deleted(admin_client, api_user, api_key):
    key = ApiKey.unscoped.get(user=api_user)

    page = admin_client.get(reverse("admin:accounts_apikey_change", args=[key.pk]))
    listing = admin_client.get(reverse("admin:accounts_apikey_changelist"))
    admin_client.post(
        reverse("admin:accounts_apikey_changelist"),
        {"action": "delete_selected", "_selected_action": [key.pk], "post": "yes"},
    )

    assert "This API key cannot be deleted: A key is revoked (the Revoke action)" in page.text
    assert 'value="delete_selected"' not in listing.text and 'value="revoke"' in listing.text
    assert ApiKey.unscoped.filter(pk=key.pk).exists()
