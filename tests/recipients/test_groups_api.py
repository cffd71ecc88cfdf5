import uuid

import pytest

from recipients import usage
from recipients.models import Recipient, RecipientGroup
from tests.platform_api import assert_envelope
from tests.recipients.factories import RecipientFactory, RecipientGroupFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/groups"


def test_every_company_starts_with_one_default_group(authed_client, company):
    data = assert_envelope(authed_client.get(URL), 200, "Groups list retrieved successfully.")["data"]
    assert data["total"] == 1
    (group,) = data["data"]
    assert group["isDefaultGroup"] is True and group["recipientCount"] == 0
    assert set(group) == {"id", "groupName", "recipientCount", "isDefaultGroup", "createdDate", "updatedDate"}


def test_create_group(authed_client, company):
    response = authed_client.post(URL, {"groupName": "Spring Campaign Audience"}, format="json")
    data = assert_envelope(response, 200, "Group created")["data"]
    assert data["groupName"] == "Spring Campaign Audience" and data["status"] == "ready"
    assert data["isDefaultGroup"] is False and data["recipientCount"] == 0 and data["failedRecords"] == 0
    assert data["fileName"] is None and data["totalRecords"] is None and data["updatedDate"] is None
    assert RecipientGroup.objects.for_company(company).filter(pk=data["id"]).exists()


@pytest.mark.parametrize("body", [{}, {"groupName": ""}, {"groupName": "   "}, {"groupName": None}])
def test_create_group_needs_a_name(authed_client, body):
    assert_envelope(
        authed_client.post(URL, body, format="json"),
        400,
        "Group name is required.",
        errors=["Validation failed"],
    )


def test_create_duplicate_group_is_409(authed_client, company):
    RecipientGroupFactory(company=company, name="Dup")
    response = authed_client.post(URL, {"GroupName": "Dup"}, format="json")
    assert_envelope(
        response, 409, "A group with the same name already exists in this company.", errors=["Conflict"]
    )


def test_same_name_in_another_company_is_fine(authed_client, other_company):
    RecipientGroupFactory(company=other_company, name="Shared name")
    assert_envelope(
        authed_client.post(URL, {"groupName": "Shared name"}, format="json"), 200, "Group created"
    )


def test_list_pages_groups(authed_client, company):
    for i in range(3):
        RecipientGroupFactory(company=company, name=f"G{i}")
    data = assert_envelope(authed_client.get(URL, {"offset": 1, "limit": 2}), 200)["data"]
    assert data["total"] == 4 and data["hasMore"] is True and data["nextOffset"] == 3
    assert [g["groupName"] for g in data["data"]] == ["G0", "G1"]


def test_by_name(authed_client, company):
    group = RecipientGroupFactory(company=company, name="March Import")
    RecipientFactory(company=company, group=group)
    data = assert_envelope(
        authed_client.get(f"{URL}/by-name", {"name": "March Import"}), 200, "Group details"
    )["data"]
    assert data["id"] == str(group.pk) and data["recipientCount"] == 1 and data["status"] == "ready"


def test_by_name_not_found_and_missing_name(authed_client, other_company):
    RecipientGroupFactory(company=other_company, name="Theirs")
    assert_envelope(
        authed_client.get(f"{URL}/by-name", {"name": "Theirs"}), 404, "Group not found", errors=["Not found"]
    )
    assert_envelope(
        authed_client.get(f"{URL}/by-name"), 400, "name is required", errors=["Validation failed"]
    )


def test_remove_recipients_keeps_them(authed_client, company):
    group = RecipientGroupFactory(company=company)
    a, b, c = (RecipientFactory(company=company, group=group) for _ in range(3))
    response = authed_client.post(
        f"{URL}/{group.pk}/recipients-remove",
        {"recipientIds": [str(a.pk), str(b.pk), str(uuid.uuid4())]},
        format="json",
    )
    data = assert_envelope(response, 200, "Recipients removed from group")["data"]
    assert data == {"groupId": str(group.pk), "removed": 2}
    group.refresh_from_db()
    assert group.recipient_count == 1 and list(group.recipients.all()) == [c]
    assert Recipient.objects.for_company(company).count() == 3


@pytest.mark.parametrize("body", [{}, {"recipientIds": []}, {"recipientIds": None}])
def test_remove_recipients_needs_ids(authed_client, company, body):
    group = RecipientGroupFactory(company=company)
    response = authed_client.post(f"{URL}/{group.pk}/recipients-remove", body, format="json")
    assert_envelope(response, 400, "RecipientIds is required.", errors=["Validation failed"])


def test_delete_group(authed_client, company):
    group = RecipientGroupFactory(company=company)
    recipient = RecipientFactory(company=company, group=group)
    assert_envelope(authed_client.delete(f"{URL}/{group.pk}"), 200, "Group deleted")
    assert not RecipientGroup.objects.for_company(company).filter(pk=group.pk).exists()
    assert Recipient.objects.for_company(company).filter(pk=recipient.pk).exists()


def test_default_group_cannot_be_deleted(authed_client, company):
    group = RecipientGroup.objects.for_company(company).get(is_default=True)
    response = authed_client.delete(f"{URL}/{group.pk}")
    assert_envelope(
        response, 400, "Group cannot be deleted in its current state.", errors=["Validation failed"]
    )


def test_importing_group_cannot_be_deleted(authed_client, company):
    group = RecipientGroupFactory(company=company)
    RecipientGroup.unscoped.filter(pk=group.pk).update(status=RecipientGroup.Status.IMPORTING)
    assert_envelope(
        authed_client.delete(f"{URL}/{group.pk}"), 400, "Group cannot be deleted in its current state."
    )


def test_group_of_an_active_campaign_cannot_be_deleted(authed_client, company, monkeypatch):
    group = RecipientGroupFactory(company=company)
    monkeypatch.setattr(usage, "_group_checks", [lambda c, group_id: group_id == group.pk])
    assert_envelope(
        authed_client.delete(f"{URL}/{group.pk}"), 400, "Group cannot be deleted in its current state."
    )


def test_delete_unknown_group_is_404(authed_client):
    assert_envelope(authed_client.delete(f"{URL}/{uuid.uuid4()}"), 404, "Group not found.")


def test_admin_lists_groups_and_shows_the_import_error_report(admin_client, company):
    from recipients.models import ImportJob, ImportRowError

    group = RecipientGroupFactory(company=company, name="Imported")
    job = ImportJob.objects.for_company(company).create(
        company=company, group=group, file_name="a.csv", mappings=[]
    )
    ImportRowError.objects.create(job=job, row_number=7, reason="The Postcode field is required.")
    assert "Imported" in admin_client.get("/admin/recipients/recipientgroup/").text
    page = admin_client.get(f"/admin/recipients/recipientgroup/{group.pk}/change/").text
    assert "The Postcode field is required." in page and ">7<" in page
    RecipientFactory(company=company, group=group, postcode="ZZ9 9ZZ")
    assert "ZZ9 9ZZ" in admin_client.get("/admin/recipients/recipient/", {"q": "zz9"}).text
    assert admin_client.get("/admin/recipients/importjob/").status_code == 200
