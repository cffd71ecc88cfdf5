"""/services/{serviceUuid}/campaigns through HTTP: every documented outcome, exact status and
message, the Error items, clone, list paging/filters/sort/optional fields, and tenancy."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from campaigns.models import Campaign
from messaging.models import CampaignPurge, Occurrence
from messaging.tasks import campaigns_fire_due
from tests.accounts.factories import CompanyFactory, OAuthApplicationFactory, WorkspaceFactory
from tests.messaging.conftest import services_client
from tests.recipients.factories import RecipientGroupFactory

pytestmark = pytest.mark.django_db

INVALID = "Invalid request."


def sms(group, **overrides):
    payload = {
        "name": "Spring sale",
        "status": "draft",
        "sending_type": "sms",
        "schedule_type": "once",
        "schedule_rrule": (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S"),
        "template": "Hello {first_name}",
        "sender": "+41587000000",
        "recipient_lists": str(group.pk),
    }
    payload.update(overrides)
    return payload


def create(client, url, payload):
    return client.post(url, payload, format="json")


def items_of(response) -> dict:
    body = response.json()
    assert set(body) == {"code", "message", "items"}
    return {item["name"]: item["message"] for item in body["items"]}


def assert_invalid(response, *names):
    assert response.status_code == 400, response.content
    assert response.json()["message"] == INVALID
    assert response.json()["code"] == "invalid_request"
    items = items_of(response)
    for name in names:
        assert name in items, items
    return items


# ---- create ------------------------------------------------------------------------------------


def test_create_a_draft_returns_201_with_the_campaign(client, campaigns_url, group):
    payload = sms(group)

    response = create(client, campaigns_url, payload)

    assert response.status_code == 201
    data = response.json()["data"]
    for key in ("name", "status", "sending_type", "schedule_type", "template", "sender"):
        assert data[key] == payload[key]
    assert data["schedule_rrule"] == payload["schedule_rrule"]
    assert data["recipient_lists"] == str(group.pk)
    assert data["query_type"] == "all"
    assert data["next_dt"] is None and data["last_dt"] is None
    assert data["created_dt"].endswith("Z")
    assert Campaign.objects.for_company(group.company).get(pk=data["uuid"]).channel == "sms"


def test_create_active_once_schedules_the_firing(client, campaigns_url, group):
    when = datetime(2031, 5, 1, 17, 5, tzinfo=UTC)

    response = create(
        client, campaigns_url, sms(group, status="active", schedule_rrule="2031-05-01 17:05:00")
    )

    data = response.json()["data"]
    assert data["status"] == "active"
    assert data["next_dt"] == "2031-05-01T17:05:00Z"
    assert datetime.fromisoformat(data["next_dt"]) == when


def test_create_now_fires_once_and_finishes(client, campaigns_url, group):
    response = create(
        client, campaigns_url, sms(group, status="active", schedule_type="now", schedule_rrule=None)
    )
    uuid = response.json()["data"]["uuid"]

    campaigns_fire_due.apply()

    data = client.get(f"{campaigns_url}/{uuid}?fields=tasks").json()["data"]
    assert data["status"] == "finished"
    assert data["next_dt"] is None and data["last_dt"] is not None
    assert len(data["tasks"]) == 1
    assert Occurrence.unscoped.filter(campaign_id=uuid).count() == 1


def test_recipient_lists_may_be_a_json_array_or_comma_separated(client, campaigns_url, company, group):
    second = RecipientGroupFactory(company=company)

    as_array = create(client, campaigns_url, sms(group, recipient_lists=[str(group.pk), str(second.pk)]))
    as_text = create(client, campaigns_url, sms(group, recipient_lists=f"{group.pk}, {second.pk}"))

    assert as_array.json()["data"]["recipient_lists"] == f"{group.pk},{second.pk}"
    assert as_text.json()["data"]["recipient_lists"] == f"{group.pk},{second.pk}"


def test_every_missing_required_field_is_an_item(client, campaigns_url):
    response = create(client, campaigns_url, {})

    items = assert_invalid(
        response, "name", "status", "sending_type", "schedule_type", "template", "sender", "recipient_lists"
    )
    assert items["name"] == "This field is required."


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", "paused"),
        ("sending_type", "pigeon"),
        ("schedule_type", "sometimes"),
        ("query_type", "some"),
        ("name", ["x"]),
        ("name", "x" * 201),
        ("template", "x" * 70_000),
        ("template", "a\x00b"),
        ("recipient_lists", 5),
    ],
)
def test_a_bad_field_is_an_item_naming_it(client, campaigns_url, group, field, value):
    assert_invalid(create(client, campaigns_url, sms(group, **{field: value})), field)


@pytest.mark.parametrize("status", ["stopped", "finished"])
def test_a_new_campaign_is_active_or_draft(client, campaigns_url, group, status):
    items = assert_invalid(create(client, campaigns_url, sms(group, status=status)), "status")
    assert items["status"] == "A new campaign is either active or draft."


def test_an_unknown_or_foreign_recipient_list_is_an_item(client, campaigns_url, group):
    foreign = RecipientGroupFactory(company=CompanyFactory())

    for value in (str(foreign.pk), "00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        items = assert_invalid(
            create(client, campaigns_url, sms(group, recipient_lists=value)), "recipient_lists"
        )
        assert items["recipient_lists"].startswith("Recipient list not found")


def test_segmentation_needs_a_query(client, campaigns_url, group):
    items = assert_invalid(create(client, campaigns_url, sms(group, query_type="segmentation")), "query")
    assert items["query"] == "A segmentation query is required when query_type is segmentation."


def test_a_segmentation_query_as_json_text_is_kept(client, campaigns_url, group):
    query = {"segmentation": [{"operator": "OR", "rules": [
        {"field": "first_name", "condition": "eq", "value": "Ada", "operator": "AND"}]}]}  # fmt: skip

    response = create(client, campaigns_url, sms(group, query_type="segmentation", query=json.dumps(query)))

    assert response.status_code == 201, response.content
    stored = json.loads(response.json()["data"]["query"])
    assert stored["segmentation"][0]["rules"][0]["value"] == "Ada"


def test_a_whatsapp_template_must_be_a_json_message(client, campaigns_url, group):
    items = assert_invalid(create(client, campaigns_url, sms(group, sending_type="whatsapp")), "template")
    assert items["template"] == "Must be a JSON message for this sending_type."

    message = json.dumps({"type": "text", "text": {"body": "Hi {first_name}"}})
    assert (
        create(client, campaigns_url, sms(group, sending_type="whatsapp", template=message)).status_code
        == 201
    )


@pytest.mark.parametrize(
    "body",
    [b"{", b"[1]", b"null", b'"x"', b"1", b'{"name": "\\ud800"}', b"[" * 1000 + b"]" * 1000],
)
def test_a_body_that_is_no_campaign_object_is_400(client, campaigns_url, body):
    response = client.generic("POST", campaigns_url, body, content_type="application/json")

    assert_invalid(response)


def test_a_segmentation_query_nested_1000_deep_is_400(client, campaigns_url, group):
    deep = "[" * 1000 + "]" * 1000
    response = client.generic(
        "POST",
        campaigns_url,
        json.dumps(sms(group, query_type="segmentation"))[:-1] + f', "query": {{"segmentation": {deep}}}}}',
        content_type="application/json",
    )

    assert_invalid(response)


# ---- clone ------------------------------------------------------------------------------------


def test_clone_copies_the_campaign_and_fills_template_vars(client, campaigns_url, group):
    source = create(client, campaigns_url, sms(group, template="Today {temp}, wind {wind}, hi {first_name}"))
    source_uuid = source.json()["data"]["uuid"]

    response = create(
        client,
        campaigns_url,
        {"clone_uuid": source_uuid, "template_vars": {"temp": "-22C", "wind": "100km/h"}, "name": "Weather"},
    )

    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert data["uuid"] != source_uuid
    assert data["name"] == "Weather"
    assert data["template"] == "Today -22C, wind 100km/h, hi {first_name}"
    assert data["recipient_lists"] == str(group.pk)
    assert data["status"] == "draft"


def test_clone_of_a_finished_campaign_is_a_draft(client, campaigns_url, group):
    source = create(
        client, campaigns_url, sms(group, status="active", schedule_type="now", schedule_rrule=None)
    )
    source_uuid = source.json()["data"]["uuid"]
    campaigns_fire_due.apply()
    assert client.get(f"{campaigns_url}/{source_uuid}").json()["data"]["status"] == "finished"

    response = create(client, campaigns_url, {"clone_uuid": source_uuid})

    assert response.json()["data"]["status"] == "draft"


def test_clone_of_an_unknown_campaign_is_an_item(client, campaigns_url):
    items = assert_invalid(
        create(client, campaigns_url, {"clone_uuid": "00000000-0000-0000-0000-000000000000"}), "clone_uuid"
    )
    assert items["clone_uuid"] == "Campaign to clone not found."


# ---- fetch, update, status, delete ------------------------------------------------------------------


@pytest.fixture
def campaign_url(client, campaigns_url, group):
    response = create(client, campaigns_url, sms(group))
    return f"{campaigns_url}/{response.json()['data']['uuid']}"


def test_get_one(client, campaign_url):
    response = client.get(campaign_url)

    assert response.status_code == 200
    assert response.json()["data"]["name"] == "Spring sale"


@pytest.mark.parametrize("campaign", ["00000000-0000-0000-0000-000000000000", "nope"])
def test_get_an_unknown_campaign_is_404_resource_not_found(client, campaigns_url, campaign):
    response = client.get(f"{campaigns_url}/{campaign}")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Resource not found.", "items": []}


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_writing_an_unknown_campaign_is_404_campaign_not_found(client, campaigns_url, group, method):
    url = f"{campaigns_url}/00000000-0000-0000-0000-000000000000"

    response = getattr(client, method)(url, sms(group), format="json")

    assert response.status_code == 404
    assert response.json()["message"] == "Campaign not found."


def test_put_replaces_the_campaign(client, campaign_url, group):
    response = client.put(
        campaign_url, sms(group, name="Renamed", template="Bye {first_name}"), format="json"
    )

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["name"] == "Renamed" and data["template"] == "Bye {first_name}"


def test_put_needs_the_whole_payload(client, campaign_url):
    assert_invalid(client.put(campaign_url, {"name": "x"}, format="json"), "status", "template")


def test_patch_stops_and_resumes(client, campaign_url):
    client.patch(campaign_url, {"status": "active"}, format="json")
    stopped = client.patch(campaign_url, {"status": "stopped"}, format="json")
    resumed = client.patch(campaign_url, {"status": "active"}, format="json")

    assert stopped.status_code == 200
    assert stopped.json()["data"]["status"] == "stopped"
    assert stopped.json()["data"]["next_dt"] is None
    assert resumed.json()["data"]["status"] == "active"
    assert resumed.json()["data"]["next_dt"] is not None


@pytest.mark.parametrize("status", ["draft", "finished", "", None, 1])
def test_patch_takes_only_active_or_stopped(client, campaign_url, status):
    assert_invalid(client.patch(campaign_url, {"status": status}, format="json"), "status")


def test_delete_is_204_and_the_campaign_is_gone(client, campaign_url):
    response = client.delete(campaign_url)

    assert response.status_code == 204
    assert response.content == b""
    assert client.get(campaign_url).status_code == 404
    assert client.delete(campaign_url).json()["message"] == "Campaign not found."
    assert CampaignPurge.objects.count() == 1


# ---- list -------------------------------------------------------------------------------------------


@pytest.fixture
def three(client, campaigns_url, group):
    names = []
    for name, channel, status in (("A", "sms", "draft"), ("B", "email", "draft"), ("C", "sms", "active")):
        create(client, campaigns_url, sms(group, name=name, sending_type=channel, status=status))
        names.append(name)
    return names


def test_list_pages_newest_first_with_meta(client, campaigns_url, three):
    response = client.get(f"{campaigns_url}?page_size=2")

    body = response.json()
    assert [c["name"] for c in body["data"]] == ["C", "B"]
    pagination = body["meta"]["pagination"]
    assert {k: pagination[k] for k in ("total", "count", "perPage", "currentPage", "totalPages")} == {
        "total": 3, "count": 2, "perPage": 2, "currentPage": 1, "totalPages": 2,
    }  # fmt: skip
    links = pagination["links"]
    assert links["prev"] is None
    assert links["next"].startswith("http://testserver/services/") and "page_number=2" in links["next"]
    assert "page_number=2" in links["last"] and "page_number=1" in links["first"]

    second = client.get(links["next"]).json()
    assert [c["name"] for c in second["data"]] == ["A"]
    assert second["meta"]["pagination"]["links"]["next"] is None


def test_list_filters_and_sorts(client, campaigns_url, three):
    def names(query):
        return [c["name"] for c in client.get(f"{campaigns_url}?{query}").json()["data"]]

    assert names("sending_type=sms") == ["C", "A"]
    assert names("status=draft") == ["B", "A"]
    assert names("sort=created_dt:asc") == ["A", "B", "C"]
    assert names("sort=created_dt") == ["A", "B", "C"]
    assert names("sort=-created_dt") == ["C", "B", "A"]
    assert names("sort=name:desc") == ["C", "B", "A"]


ORM_ORDER = {
    "created_dt": "created_at",
    "updated_dt": "updated_at",
    "name": "name",
    "next_dt": "message_settings__next_at",
    "last_dt": "message_settings__last_at",
}


@pytest.mark.parametrize("key", ORM_ORDER)
@pytest.mark.parametrize("descending", [False, True])
def test_list_sorts_as_the_database_orders_the_column(client, campaigns_url, company, group, key, descending):
    # given: equal names, and firings set, past and missing (nulls sort as the database sorts them)
    for name, status in (("B", "active"), ("A", "draft"), ("B", "draft"), ("C", "active")):
        create(client, campaigns_url, sms(group, name=name, status=status))
    fired = Campaign.objects.for_company(company).filter(name="C").get()
    fired.message_settings.last_at = timezone.now() - timedelta(days=1)
    fired.message_settings.save(update_fields=["last_at"])
    sign = "-" if descending else ""
    expected = Campaign.objects.for_company(company).order_by(f"{sign}{ORM_ORDER[key]}", f"{sign}id")

    # when
    response = client.get(f"{campaigns_url}?sort={key}:{'desc' if descending else 'asc'}")

    # then
    assert [c["uuid"] for c in response.json()["data"]] == [str(c.pk) for c in expected]


def test_a_page_past_the_end_is_empty_with_the_total(client, campaigns_url, three):
    pagination = client.get(f"{campaigns_url}?page_size=2&page_number=5").json()["meta"]["pagination"]

    assert pagination["count"] == 0 and pagination["total"] == 3 and pagination["totalPages"] == 2


def test_an_empty_workspace_lists_nothing_with_a_total_of_zero(client, campaigns_url):
    body = client.get(campaigns_url).json()

    assert body["data"] == [] and body["meta"]["pagination"]["total"] == 0


def test_a_list_page_costs_two_queries(client, campaigns_url, three, django_assert_num_queries):
    # the credential with the path's workspace, then the page with its total
    with django_assert_num_queries(2):
        response = client.get(f"{campaigns_url}?status=draft&sort=name")

    assert response.json()["meta"]["pagination"]["total"] == 2


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=paused", "status"),
        ("sending_type=fax", "sending_type"),
        ("page_size=101", "page_size"),
        ("page_size=0", "page_size"),
        ("page_number=0", "page_number"),
        ("page_number=x", "page_number"),
        ("page_number=99999999999999999999999", "page_number"),
        ("sort=cost", "sort"),
        ("sort=name:up", "sort"),
        ("fields=everything", "fields"),
    ],
)
def test_list_rejects_unknown_values(client, campaigns_url, query, field):
    assert_invalid(client.get(f"{campaigns_url}?{query}"), field)


def test_list_with_tasks_and_message_counts(client, campaigns_url, group):
    create(client, campaigns_url, sms(group, status="active", schedule_type="now", schedule_rrule=None))
    campaigns_fire_due.apply()

    data = client.get(f"{campaigns_url}?fields=tasks,messages").json()["data"][0]

    assert len(data["tasks"]) == 1
    assert set(data["messages"]) == {"queued", "sent", "delivered", "failed", "total"}


# ---- tenancy ----------------------------------------------------------------------------------------


def test_another_workspaces_campaign_is_404_everywhere(client, company, campaign_url, group):
    other_workspace = WorkspaceFactory(company=company)
    uuid = campaign_url.rsplit("/", 1)[1]
    url = f"/services/{other_workspace.pk}/campaigns/{uuid}"

    assert client.get(url).status_code == 404
    assert client.put(url, sms(group), format="json").status_code == 404
    assert client.patch(url, {"status": "stopped"}, format="json").status_code == 404
    assert client.delete(url).status_code == 404
    assert client.get(campaign_url).status_code == 200


def test_another_company_cannot_reach_the_campaign(campaign_url, group):
    stranger = services_client(OAuthApplicationFactory(company=CompanyFactory()))

    assert stranger.get(campaign_url).status_code == 404
    assert stranger.delete(campaign_url).status_code == 404


def test_the_platform_api_does_not_serve_message_campaigns(authed_client, campaign_url):
    uuid = campaign_url.rsplit("/", 1)[1]

    assert authed_client.get(f"/api/v1/campaigns/{uuid}").status_code == 404
    assert uuid not in json.dumps(authed_client.get("/api/v1/campaigns").json())


def test_a_1_mb_template_is_refused_before_it_is_read(client, campaigns_url, group):
    response = create(client, campaigns_url, sms(group, template="x" * 1_100_000))

    assert response.status_code == 413
    assert response.json() == {"code": "payload_too_large", "message": "Request body too large.", "items": []}


def test_a_group_an_active_message_campaign_targets_cannot_be_deleted(
    client, campaigns_url, group, authed_client
):
    """The platform API's group delete keeps a group that a running message campaign fires at;
    once the campaign is stopped the group may go."""
    uuid = create(client, campaigns_url, sms(group, status="active")).json()["data"]["uuid"]

    refused = authed_client.delete(f"/api/v1/groups/{group.pk}")
    client.patch(f"{campaigns_url}/{uuid}", {"status": "stopped"}, format="json")
    allowed = authed_client.delete(f"/api/v1/groups/{group.pk}")

    assert refused.status_code == 400
    assert refused.json()["message"] == "Group cannot be deleted in its current state."
    assert allowed.status_code == 200, allowed.content
