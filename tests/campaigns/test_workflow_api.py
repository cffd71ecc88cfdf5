"""List, details, preview, approve (with the recipient snapshot), statusDetails and delete."""

import io
import uuid

import pypdf
import pytest
from django.core.files.storage import default_storage

from campaigns import status as machine
from campaigns.models import Campaign, CampaignRecipient, Status
from tests.campaigns.factories import CampaignFactory
from tests.platform_api import assert_envelope
from tests.recipients.factories import RecipientFactory, RecipientGroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(company):
    group = RecipientGroupFactory(company=company)
    RecipientFactory(company=company, group=group, first_name="Olivia", last_name="Smith", address1="1 High Street",
                     city="London", postcode="SW1A 1AA")  # fmt: skip
    RecipientFactory(company=company, group=group, first_name="Noah", last_name="Jones", postcode="LS1 4AB")
    return group


def move(campaign, *statuses):
    for to in statuses:
        machine.transition(campaign, to)
    return campaign


# ---- list and details -------------------------------------------------------------------------


def test_list_defaults_sorting_and_paging(authed_client, company):
    first = CampaignFactory(company=company, name="Beta")
    second = CampaignFactory(company=company, name="Alpha")
    Campaign.unscoped.filter(pk=first.pk).update(updated_at=second.updated_at.replace(year=2030))

    body = assert_envelope(authed_client.get("/api/v1/campaigns"), 200, "Campaign list fetched successfully.")
    data = body["data"]
    assert (data["total"], data["offset"], data["limit"], data["hasMore"], data["nextOffset"]) == (
        2,
        0,
        50,
        False,
        None,
    )
    assert [i["campaignName"] for i in data["items"]] == ["Beta", "Alpha"]  # updateddate descending
    item = data["items"][1]
    assert set(item) == {
        "campaignId", "campaignName", "status", "currentStatusOrder", "recipientCount", "pageSize",
        "dispatchDate", "totalCost", "createdDate", "updatedDate",
    }  # fmt: skip
    assert (item["status"], item["currentStatusOrder"], item["pageSize"], item["totalCost"]) == (
        "Draft",
        1,
        "A4 Letter",
        0.0,
    )

    by_name = authed_client.get(
        "/api/v1/campaigns", {"sortField": "NAME", "sortOrder": "ascending", "limit": 1}
    )
    data = assert_envelope(by_name, 200)["data"]
    assert [i["campaignName"] for i in data["items"]] == ["Alpha"]
    assert (data["hasMore"], data["nextOffset"]) == (True, 1)
    created = authed_client.get("/api/v1/campaigns", {"sortField": "createddate", "sortOrder": "ascending"})
    assert [i["campaignName"] for i in assert_envelope(created, 200)["data"]["items"]] == ["Beta", "Alpha"]


@pytest.mark.parametrize(
    ("limit", "expected"), [("0", 100), ("-5", 100), ("201", 100), ("200", 200), ("7", 7)]
)
def test_list_limit_rule(authed_client, limit, expected):
    assert (
        assert_envelope(authed_client.get("/api/v1/campaigns", {"limit": limit}), 200)["data"]["limit"]
        == expected
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"sortField": "cost"}, "Invalid sortField. Allowed values: updateddate, createddate, name."),
        ({"sortOrder": "up"}, "Invalid sortOrder. Allowed values: ascending, descending."),
    ],
)
def test_list_refuses_unknown_sorting(authed_client, query, message):
    assert_envelope(authed_client.get("/api/v1/campaigns", query), 400, message)


def test_list_shows_only_the_callers_campaigns(authed_client, other_company):
    CampaignFactory(company=other_company)
    assert assert_envelope(authed_client.get("/api/v1/campaigns"), 200)["data"]["total"] == 0


def test_list_unauthenticated_message(api_client):
    assert_envelope(api_client.get("/api/v1/campaigns"), 401, "Claim missing or invalid.")


def test_details(authed_client, company, group):
    campaign = CampaignFactory(company=company, group=group, format_code="A4_LETTER_C5WIN")
    body = assert_envelope(
        authed_client.get(f"/api/v1/campaigns/{campaign.pk}"), 200, "Campaign details fetched successfully."
    )
    data = body["data"]
    assert {k: data[k] for k in ("id", "name", "status", "recipientCount", "dispatchDate", "cost", "pageSize",
                                 "pageOrientation", "mailClass", "windowsGummedCode")} == {
        "id": str(campaign.pk), "name": campaign.name, "status": "Preview", "recipientCount": 2, "dispatchDate": None,
        "cost": 0.0, "pageSize": "A4 Letter", "pageOrientation": "Portrait", "mailClass": "First",
        "windowsGummedCode": "C5WIN",
    }  # fmt: skip
    assert data["created"].endswith("Z") and data["updated"].endswith("Z")


@pytest.mark.parametrize("campaign_id", ["5b0ee7a4-2a4e-4a0e-9a53-0c5c3f7d1e11", "not-a-guid"])
def test_details_of_an_unknown_campaign(authed_client, campaign_id):
    assert_envelope(
        authed_client.get(f"/api/v1/campaigns/{campaign_id}"), 404, "Campaign not found.", errors=None
    )


# ---- preview --------------------------------------------------------------------------------


def preview_text(response) -> str:
    reader = pypdf.PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_preview_is_rendered_by_the_task_with_the_first_recipients_address(
    authed_client, company, group, django_capture_on_commit_callbacks
):
    # given: the campaign is created, and the on-commit task runs
    with django_capture_on_commit_callbacks(execute=True):
        campaign = CampaignFactory(company=company, group=group)

    # when
    response = authed_client.get(f"/api/v1/campaigns/{campaign.pk}/preview")

    # then: the PDF, with the address in it
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="campaign-preview.pdf"'
    text = preview_text(response)
    assert "Olivia Smith" in text and "SW1A 1AA" in text
    assert "Noah" not in text


def test_preview_without_recipients_shows_the_default_recipient_name(
    authed_client, company, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        campaign = CampaignFactory(company=company, default_recipient_name="Valued Customer")
    assert "Valued Customer" in preview_text(authed_client.get(f"/api/v1/campaigns/{campaign.pk}/preview"))


def test_preview_of_a_non_window_envelope_has_no_address(
    authed_client, company, group, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        campaign = CampaignFactory(company=company, group=group, format_code="A4_LETTER_C5NONWINDOW")
    assert "Olivia" not in preview_text(authed_client.get(f"/api/v1/campaigns/{campaign.pk}/preview"))


def test_preview_404s_until_it_exists_and_when_it_is_gone(
    authed_client, company, django_capture_on_commit_callbacks
):
    # not rendered yet (the on-commit task has not run)
    campaign = CampaignFactory(company=company)
    url = f"/api/v1/campaigns/{campaign.pk}/preview"
    assert_envelope(authed_client.get(url), 404, "Preview file not found for this campaign.", errors=None)
    assert_envelope(
        authed_client.get(f"/api/v1/campaigns/{uuid.uuid4()}/preview"),
        404,
        "Preview file not found for this campaign.",
    )

    # rendered, then lost from storage
    from campaigns.services import campaign_render_preview

    key = campaign_render_preview(campaign_id=campaign.pk)
    assert authed_client.get(url).status_code == 200
    default_storage.delete(key)
    assert_envelope(authed_client.get(url), 404, "Preview file does not exist on server.", errors=None)


def test_rendering_twice_is_harmless(company):
    from campaigns.services import campaign_render_preview

    campaign = CampaignFactory(company=company)
    first = campaign_render_preview(campaign_id=campaign.pk)
    second = campaign_render_preview(campaign_id=campaign.pk)
    assert first == second and default_storage.exists(second)


# ---- approve -----------------------------------------------------------------------------------


def approve(client, campaign_id):
    return client.post(f"/api/v1/campaigns/approve?campaignId={campaign_id}")


def test_approve_freezes_the_recipient_list(authed_client, company, group):
    # given
    campaign = CampaignFactory(company=company, group=group)

    # when
    response = approve(authed_client, campaign.pk)

    # then
    body = assert_envelope(response, 200, "Campaign approved successfully.", errors=None)
    assert body["data"] == {"currentStatus": "Approved"}
    rows = list(CampaignRecipient.objects.filter(campaign=campaign).order_by("sequence"))
    assert [(r.sequence, r.first_name, r.postcode) for r in rows] == [
        (1, "Olivia", "SW1A 1AA"),
        (2, "Noah", "LS1 4AB"),
    ]

    # and later edits never change it
    olivia = rows[0].recipient_id
    authed_client.put(
        f"/api/v1/recipients/{olivia}", {"address1": "99 New Road", "postcode": "ZZ9 9ZZ"}, format="json"
    )
    RecipientFactory(company=company, group=group)
    authed_client.post(
        f"/api/v1/groups/{group.pk}/recipients-remove",
        {"recipientIds": [str(rows[1].recipient_id)]},
        format="json",
    )
    frozen = CampaignRecipient.objects.get(campaign=campaign, sequence=1)
    assert (frozen.address1, frozen.postcode) == ("1 High Street", "SW1A 1AA")
    assert CampaignRecipient.objects.filter(campaign=campaign).count() == 2
    details = assert_envelope(authed_client.get(f"/api/v1/campaigns/{campaign.pk}"), 200)["data"]
    assert details["recipientCount"] == 2


def test_recipients_and_group_of_an_approved_campaign_cannot_be_deleted(authed_client, company, group):
    campaign = CampaignFactory(company=company, group=group)
    approve(authed_client, campaign.pk)
    member = CampaignRecipient.objects.filter(campaign=campaign).first().recipient_id
    assert_envelope(
        authed_client.delete(f"/api/v1/recipients/{member}"),
        400,
        "This recipient is associated with an active campaign and cannot be deleted right now.",
    )
    assert_envelope(
        authed_client.delete(f"/api/v1/groups/{group.pk}"),
        400,
        "Group cannot be deleted in its current state.",
    )


def test_a_single_recipient_campaign_snapshots_that_recipient(authed_client, company):
    recipient = RecipientFactory(company=company, first_name="Ada")
    campaign = CampaignFactory(company=company, recipient=recipient)
    assert_envelope(approve(authed_client, campaign.pk), 200, "Campaign approved successfully.")
    assert [r.first_name for r in CampaignRecipient.objects.filter(campaign=campaign)] == ["Ada"]


def test_approve_without_recipients(authed_client, company):
    campaign = CampaignFactory(company=company)
    assert_envelope(
        approve(authed_client, campaign.pk), 200,
        "Cannot approve the campaign. Please add at least one recipient before approving.", errors=None,
    )  # fmt: skip
    assert approve(authed_client, campaign.pk).json()["data"] is None


def test_approve_an_emptied_group(authed_client, company, group):
    campaign = CampaignFactory(company=company, group=group)
    ids = [str(r.pk) for r in group.recipients.all()]
    authed_client.post(f"/api/v1/groups/{group.pk}/recipients-remove", {"recipientIds": ids}, format="json")
    assert_envelope(
        approve(authed_client, campaign.pk),
        200,
        "Cannot approve the campaign. Please add at least one recipient before approving.",
    )


def test_approve_twice_is_an_invalid_transition(authed_client, company, group):
    campaign = CampaignFactory(company=company, group=group)
    approve(authed_client, campaign.pk)
    response = approve(authed_client, campaign.pk)
    assert_envelope(
        response,
        200,
        "Cannot promote status: the requested status is not valid for this campaign.",
        errors=None,
    )
    assert response.json()["data"] is None


@pytest.mark.parametrize("to", [Status.SCHEDULED, Status.PRINTING, Status.DISPATCHED, Status.CANCELLED])
def test_approve_a_read_only_campaign(authed_client, company, group, to):
    campaign = CampaignFactory(company=company, group=group)
    path = {
        Status.SCHEDULED: [Status.APPROVED, Status.SCHEDULED],
        Status.PRINTING: [Status.APPROVED, Status.SCHEDULED, Status.PRINTING],
        Status.DISPATCHED: [Status.APPROVED, Status.SCHEDULED, Status.PRINTING, Status.DISPATCHED],
        Status.CANCELLED: [Status.CANCELLED],
    }[to]
    move(campaign, *path)
    assert_envelope(
        approve(authed_client, campaign.pk), 200,
        "Unable to approve the campaign because it is currently in a read-only state.", errors=None,
    )  # fmt: skip


@pytest.mark.parametrize("campaign_id", ["5b0ee7a4-2a4e-4a0e-9a53-0c5c3f7d1e11", "nope", ""])
def test_approve_an_unknown_campaign(authed_client, campaign_id):
    assert_envelope(
        approve(authed_client, campaign_id),
        404,
        "Approval failed: the campaign could not be found.",
        errors=None,
    )


def test_campaign_id_is_read_in_any_casing(authed_client, company, group):
    campaign = CampaignFactory(company=company, group=group)
    assert_envelope(
        authed_client.post(f"/api/v1/campaigns/approve?campaignid={campaign.pk}"),
        200,
        "Campaign approved successfully.",
    )


# ---- statusDetails -------------------------------------------------------------------------


def test_status_details_read_the_history(authed_client, company, group):
    campaign = CampaignFactory(company=company, group=group)
    approve(authed_client, campaign.pk)
    body = assert_envelope(
        authed_client.post(f"/api/v1/campaigns/statusDetails?campaignId={campaign.pk}"), 200, "Successful!"
    )
    assert body["data"]["currentStatus"] == "Approved"
    assert [h["status"] for h in body["data"]["statusHistories"]] == ["Draft", "Preview", "Approved"]
    assert all(h["date"].endswith("Z") for h in body["data"]["statusHistories"])


def test_status_details_of_an_unknown_campaign(authed_client):
    response = authed_client.post(f"/api/v1/campaigns/statusDetails?campaignId={uuid.uuid4()}")
    assert_envelope(response, 404, "campaign not found.", errors=None)


# ---- delete ----------------------------------------------------------------------------------


def delete(client, campaign_id):
    return client.post(f"/api/v1/campaigns/delete?campaignId={campaign_id}")


@pytest.mark.parametrize("to", [[], [Status.APPROVED], [Status.APPROVED, Status.AWAITING_PAYMENT]])
def test_delete_before_scheduling(authed_client, company, group, to, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        campaign = CampaignFactory(company=company, group=group)
    if to:
        approve(authed_client, campaign.pk)
        move(Campaign.unscoped.get(pk=campaign.pk), *to[1:])
    key = Campaign.unscoped.get(pk=campaign.pk).preview_file
    with django_capture_on_commit_callbacks(execute=True):
        response = delete(authed_client, campaign.pk)
    body = assert_envelope(response, 200, "Campaign deleted successfully.", errors=None)
    assert body["data"] is True
    assert not Campaign.unscoped.filter(pk=campaign.pk).exists()
    assert not CampaignRecipient.objects.filter(campaign_id=campaign.pk).exists()
    assert not default_storage.exists(key)


@pytest.mark.parametrize("to", [Status.SCHEDULED, Status.PRINTING, Status.DISPATCHED, Status.CANCELLED])
def test_delete_a_read_only_campaign(authed_client, company, group, to):
    campaign = CampaignFactory(company=company, group=group)
    path = {
        Status.SCHEDULED: [Status.APPROVED, Status.SCHEDULED],
        Status.PRINTING: [Status.APPROVED, Status.SCHEDULED, Status.PRINTING],
        Status.DISPATCHED: [Status.APPROVED, Status.SCHEDULED, Status.PRINTING, Status.DISPATCHED],
        Status.CANCELLED: [Status.CANCELLED],
    }[to]
    move(campaign, *path)
    response = delete(authed_client, campaign.pk)
    assert_envelope(
        response, 200, "Can not delete. Campaign is already scheduled or in a read-only state.", errors=None
    )
    assert response.json()["data"] is None
    assert Campaign.unscoped.filter(pk=campaign.pk).exists()


def test_delete_an_unknown_campaign(authed_client):
    assert_envelope(
        delete(authed_client, uuid.uuid4()), 404, "Cannot delete — campaign not found.", errors=None
    )
