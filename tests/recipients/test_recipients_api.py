import uuid

import pytest

from accounts import services as account_services
from recipients import usage
from recipients.models import Recipient, RecipientCounter, RecipientGroup
from tests.accounts.factories import UserFactory
from tests.platform_api import assert_envelope, bearer, login
from tests.recipients.factories import RecipientFactory, RecipientGroupFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/recipients"

VALID = {
    "title": "Mr",
    "firstName": "John",
    "lastName": "Doe",
    "address1": "1 Main Street",
    "address2": "Flat 2",
    "postcode": "sw1a 1aa",
    "city": "London",
    "address3": None,
    "address4": None,
    "companyName": "Example Ltd",
    "countryName": "United Kingdom",
    "countyName": "Greater London",
    "email": "john@example.com",
    "mobile": "+447700900123",
    "customFields": {"MemberId": "A1029"},
}


def default_group(company) -> RecipientGroup:
    return RecipientGroup.objects.for_company(company).get(is_default=True)


# ---- create ---------------------------------------------------------------------------------


def test_create_goes_to_the_default_group(authed_client, company):
    # when
    response = authed_client.post(URL, VALID, format="json")

    # then
    body = assert_envelope(response, 200, "Recipient created", errors=None)
    recipient = Recipient.objects.for_company(company).get(pk=body["data"]["recipientId"])
    assert recipient.postcode == "SW1A 1AA"
    assert recipient.custom_fields == {"MemberId": "A1029"}
    assert recipient.email == "john@example.com" and recipient.mobile == "+447700900123"
    group = default_group(company)
    assert list(recipient.groups.all()) == [group]
    assert group.recipient_count == 1
    assert RecipientCounter.objects.get(company=company).count == 1


def test_create_into_a_named_group_with_pascal_case_keys(authed_client, company):
    group = RecipientGroupFactory(company=company)
    body = {"Address1": "2 High St", "Postcode": "AB1 2CD", "GroupId": str(group.pk), "FirstName": "Ann"}
    response = authed_client.post(URL, body, format="json")
    data = assert_envelope(response, 200, "Recipient created")["data"]
    recipient = Recipient.objects.for_company(company).get(pk=data["recipientId"])
    assert recipient.first_name == "Ann" and list(recipient.groups.all()) == [group]


def test_create_without_address1_and_postcode(authed_client):
    response = authed_client.post(URL, {"firstName": "John"}, format="json")
    assert_envelope(
        response,
        400,
        "Validation failed",
        errors=["The Address1 field is required.", "The Postcode field is required."],
    )


def test_create_with_invalid_group_guid(authed_client):
    response = authed_client.post(URL, {**VALID, "groupId": "not-a-guid"}, format="json")
    assert_envelope(response, 400, "GroupId is not a valid GUID.", errors=["Validation failed"])


def test_create_into_another_companys_group(authed_client, other_company):
    foreign = RecipientGroupFactory(company=other_company)
    response = authed_client.post(URL, {**VALID, "groupId": str(foreign.pk)}, format="json")
    assert_envelope(response, 400, "Group not found in this company.")
    assert foreign.recipients.count() == 0


@pytest.mark.parametrize(
    ("field", "length"), [("address1", 256), ("address3", 151), ("companyName", 101), ("countyName", 101)]
)
def test_create_with_over_long_field(authed_client, field, length):
    response = authed_client.post(URL, {**VALID, field: "x" * length}, format="json")
    body = assert_envelope(response, 400, "Validation failed")
    assert any(field in line for line in body["errors"])


@pytest.mark.parametrize(
    "bad", [{"address1": 5}, {"customFields": "x"}, {"customFields": {"a": {"b": 1}}}, {"email": "nope"}]
)
def test_create_with_wrong_types(authed_client, bad):
    assert_envelope(authed_client.post(URL, {**VALID, **bad}, format="json"), 400, "Validation failed")


# ---- list -------------------------------------------------------------------------------------


def test_list_pages_all_recipients(authed_client, company):
    made = [RecipientFactory(company=company) for _ in range(5)]
    response = authed_client.get(URL, {"offset": 1, "limit": 2})
    data = assert_envelope(response, 200, "Recipients list")["data"]
    assert data["total"] == 5 and data["offset"] == 1 and data["limit"] == 2
    assert data["hasMore"] is True and data["nextOffset"] == 3
    assert [r["recipientId"] for r in data["data"]] == [str(r.pk) for r in made[1:3]]
    item = data["data"][0]
    assert set(item) >= {
        "recipientId", "title", "firstName", "lastName", "companyName", "address1", "address2", "address3",
        "address4", "postCode", "city", "countyName", "countryName", "customFields",
    }  # fmt: skip


def test_list_items_keep_quotes_backslashes_control_and_non_ascii_characters(authed_client, company):
    # The page's JSON is made by the database and passed on as bytes: nothing may be lost or
    # mis-escaped on the way, and empty optional fields show as null.
    odd = RecipientFactory(
        company=company,
        first_name='Zoë "Z" \\ Łukasz',
        company_name="",
        address2="tab\there\nnew line",
        custom_fields={'Note "quoted"': 'say "hi" \\ é ☃'},
    )
    response = authed_client.get(URL)
    response.content.decode("utf-8")  # well-formed UTF-8, not escaped or double-encoded
    item = assert_envelope(response, 200)["data"]["data"][0]
    assert item["recipientId"] == str(odd.pk)
    assert item["firstName"] == 'Zoë "Z" \\ Łukasz'
    assert item["companyName"] is None
    assert item["address2"] == "tab\there\nnew line"
    assert item["customFields"] == {'Note "quoted"': 'say "hi" \\ é ☃'}


def test_list_defaults_and_last_page(authed_client, company):
    RecipientFactory(company=company)
    data = assert_envelope(authed_client.get(URL), 200)["data"]
    assert data == {**data, "total": 1, "offset": 0, "limit": 100, "hasMore": False, "nextOffset": None}
    past = assert_envelope(authed_client.get(URL, {"offset": 50}), 200)["data"]
    assert past["data"] == [] and past["hasMore"] is False and past["nextOffset"] is None


def test_list_filters_by_group(authed_client, company):
    group = RecipientGroupFactory(company=company)
    inside = RecipientFactory(company=company, group=group)
    RecipientFactory(company=company)
    data = assert_envelope(authed_client.get(URL, {"groupId": str(group.pk)}), 200)["data"]
    assert data["total"] == 1 and [r["recipientId"] for r in data["data"]] == [str(inside.pk)]
    everyone = assert_envelope(authed_client.get(URL, {"groupId": "0"}), 200)["data"]
    assert everyone["total"] == 2


def test_list_never_shows_another_companys_recipients(authed_client, other_company):
    RecipientFactory(company=other_company)
    assert assert_envelope(authed_client.get(URL), 200)["data"]["total"] == 0


@pytest.mark.parametrize(
    "query", [{"limit": 0}, {"limit": -1}, {"offset": -1}, {"limit": "abc"}, {"offset": "1.5"}]
)
def test_list_rejects_bad_paging(authed_client, query):
    assert_envelope(authed_client.get(URL, query), 400)


def test_list_caps_huge_limits(authed_client):
    assert assert_envelope(authed_client.get(URL, {"limit": 10**9}), 200)["data"]["limit"] == 1000


def test_list_with_invalid_group_guid(authed_client):
    response = authed_client.get(URL, {"groupId": "abc"})
    assert_envelope(response, 400, "recipientGroupId is not a valid GUID.", errors=["Validation failed"])


def test_list_without_token_uses_the_documented_message(api_client):
    assert_envelope(api_client.get(URL), 401, "CompanyId claim missing or invalid.", errors=["Unauthorized"])


def test_list_without_the_right_is_403(company, api_client):
    user = UserFactory(company=company, roles=())
    bearer(api_client, login(api_client, account_services.api_key_issue(user=user).secret)["token"])
    assert_envelope(api_client.get(URL), 403, "Authenticated token is valid, but permission is denied")


# ---- details, update, delete ------------------------------------------------------------------


def test_details(authed_client, company):
    recipient = RecipientFactory(company=company, custom_fields={"MemberId": "A1"})
    data = assert_envelope(authed_client.get(f"{URL}/{recipient.pk}"), 200, "Recipient details")["data"]
    assert data["id"] == str(recipient.pk) and data["postcode"] == recipient.postcode
    assert data["customFields"] == {"MemberId": "A1"} and "address5" in data


@pytest.mark.parametrize("rid", ["not-a-guid", "6c787c5c-8b1e-4781-9807-32dad17d37aa"])
def test_details_not_found(authed_client, rid):
    assert_envelope(authed_client.get(f"{URL}/{rid}"), 404, "Recipient not found.", errors=["Not found"])


def test_details_without_token(api_client, company):
    recipient = RecipientFactory(company=company)
    assert_envelope(api_client.get(f"{URL}/{recipient.pk}"), 401, "Missing or invalid credentials")


def test_partial_update_changes_only_sent_fields(authed_client, company):
    recipient = RecipientFactory(company=company, first_name="John", city="London")
    response = authed_client.put(
        f"{URL}/{recipient.pk}",
        {"id": str(recipient.pk), "firstName": "Jane", "postcode": "cb1 2ab"},
        format="json",
    )
    assert_envelope(response, 200, "Recipient updated")
    recipient.refresh_from_db()
    assert (recipient.first_name, recipient.city, recipient.postcode) == ("Jane", "London", "CB1 2AB")


def test_update_with_mismatched_body_id(authed_client, company):
    recipient = RecipientFactory(company=company)
    response = authed_client.put(f"{URL}/{recipient.pk}", {"id": str(uuid.uuid4())}, format="json")
    assert_envelope(response, 400, "Body Id does not match route Id.", errors=None)


def test_update_with_invalid_fields(authed_client, company):
    recipient = RecipientFactory(company=company)
    response = authed_client.put(f"{URL}/{recipient.pk}", {"address1": "x" * 300}, format="json")
    assert_envelope(response, 400, "Validation failed", errors=["One or more request fields are invalid."])


def test_update_not_found(authed_client):
    assert_envelope(
        authed_client.put(f"{URL}/{uuid.uuid4()}", {"city": "x"}, format="json"), 404, "Recipient not found."
    )


def test_delete_keeps_counts_right(authed_client, company):
    group = RecipientGroupFactory(company=company)
    recipient = RecipientFactory(company=company, group=group)
    assert_envelope(authed_client.delete(f"{URL}/{recipient.pk}"), 200, "Recipient deleted")
    group.refresh_from_db()
    assert group.recipient_count == 0 and RecipientCounter.objects.get(company=company).count == 0
    assert not Recipient.objects.for_company(company).exists()


def test_delete_refused_while_in_an_active_campaign(authed_client, company, monkeypatch):
    # given: a campaign app that reports this recipient in active use (the registry is the seam)
    recipient = RecipientFactory(company=company)
    monkeypatch.setattr(usage, "_recipient_checks", [lambda c, ids: recipient.pk in ids])

    # when
    response = authed_client.delete(f"{URL}/{recipient.pk}")

    # then
    assert_envelope(
        response,
        400,
        "This recipient is associated with an active campaign and cannot be deleted right now.",
        errors=None,
    )
    assert Recipient.objects.for_company(company).filter(pk=recipient.pk).exists()


def test_delete_not_found(authed_client):
    assert_envelope(authed_client.delete(f"{URL}/{uuid.uuid4()}"), 404, "Recipient not found.")
