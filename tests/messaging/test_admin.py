"""The back office of the message half: message campaigns (listed apart from the print ones,
read-only, stopped, resumed and deleted through messaging.services, refusals in staff words) and
messages (a read-only list that searches by index or by an address's beginning and never counts a
whole table)."""

import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.models import Campaign, MessageSettings, MessageStatus
from config.admin import CappedCountPaginator
from messaging import services
from messaging.models import CampaignPurge, Message, Occurrence
from messaging.services import CampaignFields
from messaging.services.firing import campaigns_fire_due
from tests.accounts.factories import CompanyFactory
from tests.admin_support import delete_in_admin, messages_of
from tests.campaigns.factories import CampaignFactory

pytestmark = pytest.mark.django_db

CAMPAIGNS = "/admin/messaging/messagecampaign/"
MESSAGES = "/admin/messaging/message/"
IN_TWO_DAYS = timezone.now().replace(microsecond=0) + timedelta(days=2)


@pytest.fixture
def admin_client(staff_user):
    """The back office, logged in as staff (this package's `client` is a services API client)."""
    client = Client()
    client.force_login(staff_user)
    return client


def sms_campaign(company, workspace, group, *, status="active", schedule_type="once", name="Spring sale"):
    return services.message_campaign_create(
        company=company,
        workspace=workspace,
        data=CampaignFields(
            name=name,
            status=status,
            sending_type="sms",
            schedule_type=schedule_type,
            schedule_rrule=IN_TWO_DAYS.strftime("%Y-%m-%d %H:%M:%S") if schedule_type == "once" else None,
            template="Hello {first_name}",
            sender="Postroom",
            recipient_lists=[str(group.pk)],
        ),
    )


def fetched(campaign) -> Campaign:
    return Campaign.unscoped.select_related("message_settings").get(pk=campaign.pk)


def act(admin_client, action: str, *campaigns):
    """The action on the list, and the list it leads back to (which shows, and so uses up, the
    messages the action left)."""
    return admin_client.post(
        CAMPAIGNS, {"action": action, "_selected_action": [c.pk for c in campaigns]}, follow=True
    )


def history(campaign) -> list[tuple]:
    return [(c.from_status, c.status, c.changed_by) for c in fetched(campaign).status_changes.all()]


def listed(response) -> list:
    return list(response.context["cl"].result_list)


# ---- the list ----------------------------------------------------------------------------------------


def test_message_campaigns_are_listed_apart_from_print_ones(admin_client, company, workspace, group):
    campaign = sms_campaign(company, workspace, group)
    printed = CampaignFactory(company=company, name="Spring letter")

    messages_list = admin_client.get(CAMPAIGNS)
    print_list = admin_client.get("/admin/campaigns/campaign/")

    assert [c.pk for c in listed(messages_list)] == [campaign.pk]
    assert [c.pk for c in listed(print_list)] == [printed.pk]
    assert list(messages_list.context["cl"].list_display) == [
        "action_checkbox", "name", "company", "workspace", "channel", "status", "next_firing", "last_firing",
        "total", "sent", "delivered", "failed", "created_at",
    ]  # fmt: skip
    assert "Message campaigns" in admin_client.get("/admin/").text


def test_the_list_and_the_page_show_the_counters(admin_client, company, workspace, group):
    campaign = sms_campaign(company, workspace, group)
    MessageSettings.objects.filter(campaign=campaign).update(
        total_messages=12, sent_count=9, delivered_count=4, failed_count=3, last_error="number unreachable"
    )

    listing = re.sub(r"\s+", " ", admin_client.get(CAMPAIGNS).text)
    page = admin_client.get(f"{CAMPAIGNS}{campaign.pk}/change/").text

    for column, value in [("total", 12), ("sent", 9), ("delivered", 4), ("failed", 3)]:
        assert f'<td class="field-{column}">{value}</td>' in listing
    assert "number unreachable" in page and "Delivered count" in page


def test_the_list_shows_the_next_firing(admin_client, company, workspace, group):
    sms_campaign(company, workspace, group)

    page = admin_client.get(CAMPAIGNS).text

    assert f"{timezone.localtime(IN_TWO_DAYS):%Y-%m-%d %H:%M %Z}" in page


def test_the_list_filters_by_status_channel_and_company(admin_client, company, workspace, group):
    active = sms_campaign(company, workspace, group, name="Active one")
    draft = sms_campaign(company, workspace, group, status="draft", name="Draft one")
    other_company = CompanyFactory()
    elsewhere = sms_campaign(
        other_company,
        other_company_workspace := other_company_default(other_company),
        group_of(other_company),
        name="Elsewhere",
    )
    assert other_company_workspace.company == other_company

    def names(**query) -> set[str]:
        return {c.name for c in listed(admin_client.get(CAMPAIGNS, query))}

    assert names(status="draft") == {draft.name}
    assert names(status="active") == {active.name, elsewhere.name}
    assert names(channel="sms") == {active.name, draft.name, elsewhere.name}
    assert names(channel="email") == set()
    assert names(company__id__exact=other_company.pk) == {elsewhere.name}


def test_search_by_name_or_uuid(admin_client, company, workspace, group):
    spring = sms_campaign(company, workspace, group, name="Spring sale")
    autumn = sms_campaign(company, workspace, group, name="Autumn sale")

    by_name = listed(admin_client.get(CAMPAIGNS, {"q": "spring"}))
    by_uuid = listed(admin_client.get(CAMPAIGNS, {"q": f" {autumn.pk} "}))

    assert [c.pk for c in by_name] == [spring.pk]
    assert [c.pk for c in by_uuid] == [autumn.pk]


# ---- the page ----------------------------------------------------------------------------------------


def test_the_page_is_read_only_with_settings_firings_history_and_messages(
    admin_client, company, workspace, group, staff_user
):
    campaign = sms_campaign(company, workspace, group, schedule_type="now")
    campaigns_fire_due()  # fires it (generation is the worker's: none here)
    occurrence = Occurrence.unscoped.get(campaign=campaign)
    Occurrence.unscoped.filter(pk=occurrence.pk).update(targeted=2, generated=1, without_address=1)

    page = re.sub(r"\s+", " ", admin_client.get(f"{CAMPAIGNS}{campaign.pk}/change/").text)

    assert 'name="name"' not in page and 'name="_save"' not in page
    assert "Hello {first_name}" in page and "Postroom" in page  # the settings
    firing = 'field-targeted"> <p>2</p> </td> <td class="field-generated"> <p>1</p> </td> <td class="field-without_address"> <p>1</p>'
    assert firing in page
    assert "active → finished" in page  # the history's last move
    assert f'href="{MESSAGES}?campaign_id={campaign.pk}"' in page
    assert "0 in all (0 queued, 0 sent, 0 delivered, 0 failed)" in page


def test_content_is_never_changed_or_added_here(admin_client, company, workspace, group):
    campaign = sms_campaign(company, workspace, group)

    changed = admin_client.post(f"{CAMPAIGNS}{campaign.pk}/change/", {"name": "Renamed"})

    assert changed.status_code == 403
    assert admin_client.get(f"{CAMPAIGNS}add/").status_code == 403
    assert fetched(campaign).name == "Spring sale"


# ---- stop and resume ---------------------------------------------------------------------------------


def test_stop_and_resume_move_the_status_through_the_services(
    admin_client, company, workspace, group, staff_user, client, campaigns_url
):
    campaign = sms_campaign(company, workspace, group)

    stopped = act(admin_client, "stop_campaigns", campaign)

    assert messages_of(stopped) == [
        "Spring sale: stopped. It fires no more, and its queued messages wait until it is resumed."
    ]
    assert fetched(campaign).status == MessageStatus.STOPPED
    assert fetched(campaign).message_settings.next_at is None
    assert client.get(f"{campaigns_url}/{campaign.pk}").json()["data"]["status"] == "stopped"

    resumed = act(admin_client, "resume_campaigns", campaign)

    assert messages_of(resumed) == [
        f"Spring sale: active again; next firing {timezone.localtime(IN_TWO_DAYS):%Y-%m-%d %H:%M %Z}."
    ]
    assert fetched(campaign).status == MessageStatus.ACTIVE
    assert fetched(campaign).message_settings.next_at == IN_TWO_DAYS
    assert history(campaign) == [
        ("", "draft", None),
        ("draft", "active", None),
        ("active", "stopped", staff_user),
        ("stopped", "active", staff_user),
    ]


def test_resuming_a_campaign_with_nothing_left_to_fire_leaves_it_finished(
    admin_client, company, workspace, group
):
    campaign = sms_campaign(company, workspace, group, schedule_type="now")
    campaigns_fire_due()
    assert fetched(campaign).status == MessageStatus.FINISHED

    response = act(admin_client, "resume_campaigns", campaign)

    assert messages_of(response) == ["Spring sale: finished: nothing is left to fire."]
    assert fetched(campaign).status == MessageStatus.FINISHED


def test_what_is_already_so_or_a_draft_is_left_alone_and_said(admin_client, company, workspace, group):
    active = sms_campaign(company, workspace, group, name="Running")
    draft = sms_campaign(company, workspace, group, status="draft", name="Not yet")
    act(admin_client, "stop_campaigns", active)

    again = act(admin_client, "stop_campaigns", active)
    resumed_draft = act(admin_client, "resume_campaigns", draft)

    assert messages_of(again) == ["Running: already stopped."]
    assert messages_of(resumed_draft) == ["Not yet: a draft is started by its integrator, through the API."]
    assert fetched(draft).status == MessageStatus.DRAFT
    assert fetched(draft).message_settings.next_at is None


def test_a_refusal_is_told_in_staff_words_and_nothing_changes(admin_client, company, workspace, group):
    """A message campaign the services cannot find in its workspace (here: none) is refused."""
    campaign = sms_campaign(company, workspace, group)
    Campaign.unscoped.filter(pk=campaign.pk).update(workspace=None)
    other = sms_campaign(company, workspace, group, name="Other")

    response = act(admin_client, "stop_campaigns", campaign, other)

    assert sorted(messages_of(response)) == sorted(
        [
            "Spring sale: Message campaign not found in its workspace.",
            "Other: stopped. It fires no more, and its queued messages wait until it is resumed.",
        ]
    )
    assert fetched(campaign).status == MessageStatus.ACTIVE
    assert fetched(campaign).message_settings.next_at == IN_TWO_DAYS


# ---- delete ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["single", "bulk"])
def test_a_deleted_campaign_goes_through_the_service(admin_client, company, workspace, group, how):
    campaign = sms_campaign(company, workspace, group)

    response = delete_in_admin(admin_client, CAMPAIGNS, [campaign.pk], how=how)

    assert response.status_code == 302
    assert not Campaign.unscoped.filter(pk=campaign.pk).exists()
    assert CampaignPurge.objects.filter(campaign_id=campaign.pk).exists()  # its messages go later


# ---- messages ----------------------------------------------------------------------------------------


def message(campaign, n: int, **values) -> Message:
    occurrence, _ = Occurrence.unscoped.get_or_create(
        campaign=campaign,
        scheduled_at=IN_TWO_DAYS,
        defaults={"company": campaign.company, "content": {}, "targeting": {}},
    )
    return Message.unscoped.create(
        company=campaign.company,
        campaign_id=campaign.pk,
        occurrence=occurrence,
        recipient_id=uuid.uuid4(),
        channel=campaign.channel,
        address=f"+4477009000{n:02d}",
        body=f"Hello {n}",
        message_key=f"{n:030X}",
        **values,
    )


@pytest.fixture
def campaign(company, workspace, group):
    return sms_campaign(company, workspace, group)


def keys(response) -> list[str]:
    return [m.message_key for m in listed(response)]


def test_messages_are_listed_newest_first_with_their_campaign(admin_client, campaign):
    first = message(campaign, 1)
    failed = message(
        campaign, 2, status=Message.Status.FAILED, attempts=5, last_error="gateway said no " + "x" * 100
    )

    response = admin_client.get(MESSAGES)

    assert keys(response) == [failed.message_key, first.message_key]
    assert f'<a href="{CAMPAIGNS}{campaign.pk}/change/">Spring sale</a>' in response.text
    assert 'title="gateway said no xxx' in response.text  # the error shortened, whole on hover
    assert list(response.context["cl"].list_display) == [
        "message_key", "campaign_link", "channel", "address", "status", "attempts", "error", "created_at",
        "sent_at", "delivered_at",
    ]  # fmt: skip


def test_messages_filter_by_status_channel_and_campaign(admin_client, company, workspace, group, campaign):
    queued = message(campaign, 1)
    sent = message(campaign, 2, status=Message.Status.SENT)
    other = message(sms_campaign(company, workspace, group, name="Other"), 3)

    assert keys(admin_client.get(MESSAGES, {"status__exact": "sent"})) == [sent.message_key]
    assert keys(admin_client.get(MESSAGES, {"channel": "email"})) == []
    assert keys(admin_client.get(MESSAGES, {"channel": "sms"})) == [
        other.message_key,
        sent.message_key,
        queued.message_key,
    ]
    assert keys(admin_client.get(MESSAGES, {"campaign_id": campaign.pk})) == [
        sent.message_key,
        queued.message_key,
    ]


def test_search_takes_a_whole_key_or_an_addresss_beginning_never_a_leading_wildcard(admin_client, campaign):
    one, two = message(campaign, 1), message(campaign, 12)

    with CaptureQueriesContext(connection) as by_key:
        found_by_key = keys(admin_client.get(MESSAGES, {"q": two.message_key.lower()}))
    with CaptureQueriesContext(connection) as by_address:
        found_by_address = keys(admin_client.get(MESSAGES, {"q": "+447700900001"}))
    found_by_middle = keys(admin_client.get(MESSAGES, {"q": "0900001"}))

    assert found_by_key == [two.message_key]
    assert found_by_address == [one.message_key]
    assert found_by_middle == []  # an address is searched from its beginning only
    for query in (*by_key.captured_queries, *by_address.captured_queries):
        assert "'%" not in query["sql"] and "%+44" not in query["sql"], query["sql"]


def test_a_message_of_a_deleted_campaign_still_shows(admin_client, company, workspace, group, campaign):
    kept = message(campaign, 1)
    services.message_campaign_delete(company=company, workspace=workspace, campaign_id=campaign.pk)

    listing = admin_client.get(MESSAGES)
    page = admin_client.get(f"{MESSAGES}{kept.pk}/change/")

    assert f"deleted ({campaign.pk})" in listing.text
    assert page.status_code == 200 and f"deleted ({campaign.pk})" in page.text and "Hello 1" in page.text


def test_the_count_stops_at_its_cap(admin_client, campaign, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "cap", 2)
    for n in range(3):
        message(campaign, n)

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(MESSAGES)

    assert "2+ messages" in response.text
    assert len(keys(response)) == 3  # the page itself is not capped
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT 3" in sql for sql in counts), counts


def test_messages_are_never_added_changed_or_deleted_here(admin_client, campaign):
    kept = message(campaign, 1)

    assert admin_client.get(f"{MESSAGES}add/").status_code == 403
    assert admin_client.post(f"{MESSAGES}{kept.pk}/change/", {"address": "x"}).status_code == 403
    assert admin_client.post(f"{MESSAGES}{kept.pk}/delete/", {"post": "yes"}).status_code == 403
    assert 'value="delete_selected"' not in admin_client.get(MESSAGES).text
    assert Message.unscoped.get(pk=kept.pk).address == kept.address


# ---- helpers for another company -------------------------------------------------------------------


def other_company_default(company):
    from accounts.selectors import default_workspace

    return default_workspace(company=company)


def group_of(company):
    from tests.recipients.factories import RecipientGroupFactory

    return RecipientGroupFactory(company=company)


# ---- queries that do not grow with the page ----------------------------------------------------------


def test_the_lists_take_the_same_queries_for_one_row_or_many(admin_client, company, workspace, group):
    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        return len(captured.captured_queries)

    first = sms_campaign(company, workspace, group, name="First")
    message(first, 1)
    one_campaign, one_message = queries(CAMPAIGNS), queries(MESSAGES)
    for n in range(2, 6):
        message(sms_campaign(company, workspace, group, name=f"Campaign {n}"), n)

    assert queries(CAMPAIGNS) == one_campaign
    assert queries(MESSAGES) == one_message


def test_the_page_shows_only_the_latest_firings(admin_client, campaign, monkeypatch):
    monkeypatch.setattr("messaging.selectors.RECENT_OCCURRENCES", 2)
    for days in (1, 2, 3):
        Occurrence.unscoped.create(
            company=campaign.company,
            campaign=campaign,
            scheduled_at=IN_TWO_DAYS + timedelta(days=days),
            content={},
            targeting={},
        )

    page = admin_client.get(f"{CAMPAIGNS}{campaign.pk}/change/")

    shown = [form.instance.scheduled_at for form in page.context["inline_admin_formsets"][1].formset.forms]
    assert shown == [IN_TWO_DAYS + timedelta(days=3), IN_TWO_DAYS + timedelta(days=2)]
