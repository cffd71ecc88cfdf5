"""Campaign API v2's campaigns in the back office: listed with their status (derived in the list's
own query), send time and counters; read-only, with their clients a page of 100 at a time; never
added here; deleted through messaging.services (the messages purged later). They stay out of the
message campaigns' pages, and their messages link to them."""

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client as BrowserClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.models import Campaign, MessageSettings
from messaging.models import CampaignClient, CampaignPurge, ClientCampaign, Message, Occurrence
from messaging.services.clients import ClientCampaignFields, client_campaign_create
from messaging.services.firing import campaigns_fire_due
from tests.accounts.factories import CompanyFactory, UserFactory
from tests.admin_support import delete_in_admin, messages_of

pytestmark = pytest.mark.django_db

CAMPAIGNS = "/admin/messaging/clientcampaign/"
MESSAGE_CAMPAIGNS = "/admin/messaging/messagecampaign/"
MESSAGES = "/admin/messaging/message/"
TOMORROW = timezone.now().replace(microsecond=0) + timedelta(days=1)
WHATSAPP = json.dumps({"to": "<accountID>", "type": "template", "template": {"name": "hi", "components": []}})


@pytest.fixture
def admin_client(staff_user):
    """The back office, logged in as staff (this package's `client` is a services API client)."""
    client = BrowserClient()
    client.force_login(staff_user)
    return client


def client_campaign(
    company, *, clients: int = 2, name: str = "Order updates", send_at=TOMORROW
) -> ClientCampaign:
    return client_campaign_create(
        company=company,
        user=UserFactory(company=company),
        data=ClientCampaignFields(
            name=name,
            account_ids=[f"+4477009{n:05d}" for n in range(clients)],
            params=[[f"Ada {n}", f"#{n}"] for n in range(clients)],
            message="Hello {{1}}, order {{2}}",
            json=WHATSAPP,
            send_at=send_at,
        ),
    ).client_campaign


def set_counters(campaign: ClientCampaign, **values) -> None:
    MessageSettings.objects.filter(campaign_id=campaign.campaign_id).update(**values)


def listed(response) -> list:
    return list(response.context["cl"].result_list)


def flat(response) -> str:
    return re.sub(r"\s+", " ", response.text)


# ---- the list ----------------------------------------------------------------------------------------


def test_the_list_shows_status_send_time_and_counters(admin_client, company):
    campaign = client_campaign(company)
    set_counters(
        campaign,
        total_messages=150,
        sent_count=120,
        delivered_count=90,
        failed_count=7,
        last_error="no route",
    )

    response = admin_client.get(CAMPAIGNS)

    assert response.status_code == 200
    assert [c.pk for c in listed(response)] == [campaign.pk]
    assert list(response.context["cl"].list_display) == [
        "action_checkbox", "id", "name", "company", "state", "send_at", "total", "sent", "delivered", "failed",
        "last_error",
    ]  # fmt: skip
    page = flat(response)
    for column, value in [
        ("state", "scheduled"),
        ("total", 150),
        ("sent", 120),
        ("delivered", 90),
        ("failed", 7),
    ]:
        assert f'<td class="field-{column}">{value}</td>' in page
    assert "Order updates" in page and company.name in page and "no route" in page


def test_the_status_follows_the_firing(admin_client, company):
    scheduled = client_campaign(company, name="Later")
    sending = client_campaign(company, name="Now", send_at=None)
    campaigns_fire_due()  # fires "Now" (its generation is the worker's: none here)

    states = {c.campaign.name: c for c in listed(admin_client.get(CAMPAIGNS))}
    page = admin_client.get(f"{CAMPAIGNS}{sending.pk}/change/")

    assert Occurrence.unscoped.filter(campaign_id=sending.campaign_id).exists()
    assert {name: c.firing_status for name, c in states.items()} == {"Later": None, "Now": "pending"}
    assert '<div class="readonly">sending</div>' in page.text
    assert scheduled.pk in {c.pk for c in states.values()}


def test_the_list_takes_the_same_queries_for_one_campaign_or_many(admin_client, company):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(CAMPAIGNS).status_code == 200
        return len(captured.captured_queries)

    client_campaign(company, send_at=None)
    campaigns_fire_due()
    one = queries()
    for n in range(4):
        client_campaign(CompanyFactory(), name=f"Campaign {n}", send_at=None if n % 2 else TOMORROW)
    campaigns_fire_due()

    assert queries() == one


def test_search_by_name_or_id_and_filter_by_company(admin_client, company):
    first = client_campaign(company, name="Spring orders")
    second = client_campaign(company, name="Autumn orders")
    elsewhere = client_campaign(CompanyFactory(), name="Spring elsewhere")

    def ids(**query) -> set[int]:
        response = admin_client.get(CAMPAIGNS, query)
        assert response.status_code == 200
        return {c.pk for c in listed(response)}

    assert ids(q="spring") == {first.pk, elsewhere.pk}
    assert ids(q=str(second.pk)) == {second.pk}
    assert ids(q="9" * 30) == set()  # past any ID: searched as a name
    assert ids(company__id__exact=company.pk) == {first.pk, second.pk}


# ---- the page ----------------------------------------------------------------------------------------


def test_the_page_is_read_only_with_what_it_sends(admin_client, company):
    campaign = client_campaign(company)

    response = admin_client.get(f"{CAMPAIGNS}{campaign.pk}/change/")

    assert response.status_code == 200
    page = flat(response)
    assert 'name="_save"' not in page and "<textarea" not in page
    assert "Hello {{1}}, order {{2}}" in page and "&lt;accountID&gt;" in page
    assert f'href="{MESSAGES}?campaign_id={campaign.campaign_id}"' in page
    assert "deletelink" in page
    assert admin_client.post(f"{CAMPAIGNS}{campaign.pk}/change/", {"name": "x"}).status_code == 403
    assert admin_client.get(f"{CAMPAIGNS}add/").status_code == 403


def test_the_clients_show_a_page_at_a_time(admin_client, company):
    campaign = client_campaign(company, clients=250)

    first = admin_client.get(f"{CAMPAIGNS}{campaign.pk}/change/")
    third = admin_client.get(f"{CAMPAIGNS}{campaign.pk}/change/", {"clients_page": 3})
    beyond = admin_client.get(f"{CAMPAIGNS}{campaign.pk}/change/", {"clients_page": "99"})
    garbage = admin_client.get(f"{CAMPAIGNS}{campaign.pk}/change/", {"clients_page": "abc"})

    assert [row[0] for row in first.context["clients"]] == list(range(1, 101))
    assert first.context["clients"][0] == (1, "+447700900000", '["Ada 0", "#0"]')
    assert "Clients 1–100 of 250" in first.text
    assert 'href="?clients_page=2#clients"' in first.text and 'href="?clients_page=3#clients"' in first.text
    assert [row[0] for row in third.context["clients"]] == list(range(201, 251))
    assert "Clients 201–250 of 250" in third.text and "+447700900249" in third.text
    assert [row[0] for row in beyond.context["clients"]] == list(range(201, 251))
    assert [row[0] for row in garbage.context["clients"]] == list(range(1, 101))


def test_a_page_of_clients_reads_the_same_queries_whatever_the_page(admin_client, company):
    campaign = client_campaign(company, clients=250)

    def queries(page: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert (
                admin_client.get(f"{CAMPAIGNS}{campaign.pk}/change/", {"clients_page": page}).status_code
                == 200
            )
        return len(captured.captured_queries)

    queries(2)  # the session's first read

    assert queries(1) == queries(3)


# ---- delete ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["single", "bulk"])
def test_a_deleted_campaign_goes_through_the_service(admin_client, company, how):
    campaign = client_campaign(company, clients=3)
    assert admin_client.get(f"{CAMPAIGNS}{campaign.pk}/delete/").status_code == 200  # the confirmation

    response = delete_in_admin(admin_client, CAMPAIGNS, [campaign.pk], how=how)

    assert response.status_code == 302
    assert not ClientCampaign.unscoped.filter(pk=campaign.pk).exists()
    assert not Campaign.unscoped.filter(pk=campaign.campaign_id).exists()
    assert not CampaignClient.objects.filter(campaign_id=campaign.campaign_id).exists()
    assert CampaignPurge.objects.filter(campaign_id=campaign.campaign_id, company_id=company.pk).exists()
    assert not any("error" in text.lower() for text in messages_of(response))


# ---- beside the message campaigns --------------------------------------------------------------------


def test_client_campaigns_stay_out_of_the_message_campaigns_pages(admin_client, company):
    campaign = client_campaign(company)

    response = admin_client.get(MESSAGE_CAMPAIGNS)
    page = admin_client.get(f"{MESSAGE_CAMPAIGNS}{campaign.campaign_id}/change/")

    assert response.status_code == 200 and listed(response) == []
    assert page.status_code == 302  # "doesn't exist", back to the list


def test_a_client_campaigns_message_links_to_its_page(admin_client, company):
    campaign = client_campaign(company, send_at=None)
    campaigns_fire_due()
    occurrence = Occurrence.unscoped.get(campaign_id=campaign.campaign_id)
    message = Message.unscoped.create(
        company=company,
        campaign_id=campaign.campaign_id,
        occurrence=occurrence,
        client=1,
        channel="whatsapp",
        address="+447700900000",
        body="Hello Ada 0, order #0",
        message_key=f"{1:030X}",
    )
    link = f'<a href="{CAMPAIGNS}{campaign.pk}/change/">Order updates</a>'

    listing = admin_client.get(MESSAGES)
    own_page = admin_client.get(f"{MESSAGES}{message.pk}/change/")

    assert link in listing.text
    assert link in own_page.text
