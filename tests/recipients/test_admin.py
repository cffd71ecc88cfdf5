"""The back office for recipients and groups: deletes and edits go through recipients.services, so
the API's rules hold in the admin too, and a refusal is shown with its reason."""

import base64

import pytest
from django.urls import reverse

from billing import services as billing
from campaigns import services as campaign_services
from recipients import importing
from recipients.models import ImportJob, Recipient, RecipientGroup
from tests.admin_support import delete_in_admin, messages_of
from tests.campaigns.conftest import make_approved
from tests.recipients.factories import RecipientFactory, RecipientGroupFactory

pytestmark = pytest.mark.django_db

GROUPS = "/admin/recipients/recipientgroup/"
RECIPIENTS = "/admin/recipients/recipient/"
IN_USE = "Group cannot be deleted in its current state. A campaign that is approved and not yet dispatched uses it."


@pytest.fixture
def scheduled_group(company):
    """The group of a Scheduled (paid) campaign."""
    campaign = make_approved(company)
    billing.balance_top_up(company=company, amount="500.00")
    campaign_services.campaign_schedule(company=company, campaign_id=campaign.pk, next_available=True)
    return campaign.recipient_group


def test_deleting_the_group_of_a_scheduled_campaign_is_refused_with_the_reason(admin_client, scheduled_group):
    response = admin_client.post(f"{GROUPS}{scheduled_group.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert response["Location"] == f"{GROUPS}{scheduled_group.pk}/change/"
    assert messages_of(response) == [f"{scheduled_group.name}: {IN_USE}"]
    assert RecipientGroup.unscoped.filter(pk=scheduled_group.pk).exists()


def test_bulk_delete_refuses_the_group_in_use_and_deletes_the_other(admin_client, company, scheduled_group):
    free = RecipientGroupFactory(company=company, name="Free")
    RecipientFactory(company=company, group=free)

    response = admin_client.post(
        GROUPS,
        {"action": "delete_selected", "_selected_action": [scheduled_group.pk, free.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert messages_of(response) == [f"{scheduled_group.name}: {IN_USE}", "Deleted 1 recipient group."]
    assert set(RecipientGroup.unscoped.filter(company=company).values_list("name", flat=True)) == {
        "Default",
        scheduled_group.name,
    }


def test_the_bulk_confirmation_page_lists_the_groups_only(admin_client, company):
    group = RecipientGroupFactory(company=company, name="Many")
    RecipientFactory(company=company, group=group)

    page = admin_client.post(GROUPS, {"action": "delete_selected", "_selected_action": [group.pk]})

    assert page.status_code == 200 and "Recipient group: Many" in page.text
    assert RecipientGroup.unscoped.filter(pk=group.pk).exists()


def test_a_free_group_is_deleted_through_the_service(admin_client, company):
    group = RecipientGroupFactory(company=company)
    kept = RecipientFactory(company=company, group=group)

    response = admin_client.post(f"{GROUPS}{group.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302 and response["Location"] == GROUPS
    assert not RecipientGroup.unscoped.filter(pk=group.pk).exists()
    assert Recipient.unscoped.filter(pk=kept.pk).exists()  # a group's delete keeps its recipients


def test_the_default_group_offers_no_delete_and_says_why(admin_client, company):
    default = RecipientGroup.unscoped.get(company=company, is_default=True)

    page = admin_client.get(f"{GROUPS}{default.pk}/change/")

    assert "deletelink" not in page.text
    assert (
        "This recipient group cannot be deleted: Group cannot be deleted in its current state. "
        "It is the company&#x27;s default group." in page.text
    )
    assert admin_client.post(f"{GROUPS}{default.pk}/delete/", {"post": "yes"}).status_code == 403


@pytest.mark.parametrize("how", ["single", "bulk"])
def test_deleting_a_recipient_of_an_active_campaign_is_refused(admin_client, scheduled_group, how):
    recipient = Recipient.unscoped.filter(memberships__group=scheduled_group).first()

    response = delete_in_admin(admin_client, RECIPIENTS, [recipient.pk], how=how)

    reason = "This recipient is associated with an active campaign and cannot be deleted right now."
    assert messages_of(response) == [f"{recipient}: {reason}"]
    assert Recipient.unscoped.filter(pk=recipient.pk).exists()


def test_a_free_recipient_is_deleted_and_the_group_count_follows(admin_client, company):
    group = RecipientGroupFactory(company=company)
    recipient = RecipientFactory(company=company, group=group)

    response = admin_client.post(
        RECIPIENTS, {"action": "delete_selected", "_selected_action": [recipient.pk], "post": "yes"}
    )

    assert messages_of(response) == ["Deleted 1 recipient."]
    assert not Recipient.unscoped.filter(pk=recipient.pk).exists()
    assert RecipientGroup.unscoped.get(pk=group.pk).recipient_count == 0


def test_a_recipient_edit_goes_through_the_service(admin_client, company):
    recipient = RecipientFactory(company=company, postcode="sw1a 1aa")
    url = f"{RECIPIENTS}{recipient.pk}/change/"
    fields = ["title", "first_name", "last_name", "company_name", "address1", "address2", "address3",
              "address4", "address5", "city", "county", "country", "email", "mobile"]  # fmt: skip
    data = {field: getattr(recipient, field) for field in fields}

    response = admin_client.post(url, {**data, "postcode": " ec1a 1bb ", "custom_fields": "{}"})

    assert response.status_code == 302
    assert Recipient.unscoped.get(pk=recipient.pk).postcode == "EC1A 1BB"  # the service's cleaning


def test_group_and_recipients_link_each_other(admin_client, company):
    group = RecipientGroupFactory(company=company, name="Links")
    member = RecipientFactory(company=company, group=group)
    RecipientFactory(company=company)  # in the default group only

    group_page = admin_client.get(f"{GROUPS}{group.pk}/change/")
    filtered = f"{RECIPIENTS}?group={group.pk}"
    assert f'href="{filtered}"' in group_page.text

    listing = admin_client.get(filtered)
    assert [r.pk for r in listing.context["cl"].result_list] == [member.pk]
    recipient_page = admin_client.get(f"{RECIPIENTS}{member.pk}/change/")
    assert f'href="{GROUPS}{group.pk}/change/">Links</a>' in recipient_page.text


def test_import_job_links_its_group(admin_client, company):
    group = RecipientGroupFactory(company=company, name="Imported")
    job = ImportJob.unscoped.create(company=company, group=group, file_name="people.csv", mappings=[])

    listing = admin_client.get("/admin/recipients/importjob/")
    detail = admin_client.get(reverse("admin:recipients_importjob_change", args=[job.pk]))

    link = f'href="{GROUPS}{group.pk}/change/">Imported</a>'
    assert link in listing.text and link in detail.text
    assert "An import job goes with its group: delete the group." in detail.text


def test_a_group_rename_goes_through_the_service(admin_client, company):
    RecipientGroupFactory(company=company, name="Taken")
    group = RecipientGroupFactory(company=company, name="Old")
    url = f"{GROUPS}{group.pk}/change/"

    taken = admin_client.post(url, {"name": "Taken"})
    renamed = admin_client.post(url, {"name": "  New  "})

    assert taken.status_code == 200
    assert "A group with the same name already exists in this company." in taken.text
    assert renamed.status_code == 302 and RecipientGroup.unscoped.get(pk=group.pk).name == "New"


def test_a_failed_import_shows_why_in_the_job_list_and_on_its_page(
    admin_client, company, django_capture_on_commit_callbacks
):
    # given: an import the worker failed (eager here), and one that succeeded
    mappings = [
        {"sourceHeader": "Street", "destinationField": "Address1", "mappingType": "standard"},
        {"sourceHeader": "Post Code", "destinationField": "Postcode", "mappingType": "standard"},
    ]
    with django_capture_on_commit_callbacks(execute=True):  # the task runs (eager) once queued
        failed = importing.recipient_import_start(
            company=company, group_name="Broken", file_name="broken.csv",
            file_data=base64.b64encode(b"Name,Street\nJohn,1 Main St\n").decode(), file_url=None, mappings=mappings,
        )  # fmt: skip
        done = importing.recipient_import_start(
            company=company, group_name="Fine", file_name="fine.csv",
            file_data=base64.b64encode(b"Street,Post Code\n1 Main St,SW1A 1AA\n").decode(), file_url=None,
            mappings=mappings,
        )  # fmt: skip
    failed.refresh_from_db()
    assert failed.status == ImportJob.Status.FAILED
    assert failed.failure_reason == "The file has no column named: Post Code."

    # when
    listing = admin_client.get("/admin/recipients/importjob/")
    page = admin_client.get(f"/admin/recipients/importjob/{failed.pk}/change/")

    # then: the reason in the failed job's row, a dash in the other's, and on the job's page
    assert listing.status_code == 200 and page.status_code == 200
    rows = {
        job.pk: row
        for job in (failed, done)
        for row in listing.content.decode().split("<tr")
        if job.file_name in row
    }
    assert "The file has no column named: Post Code." in rows[failed.pk]
    assert '<td class="field-failure">-</td>' in rows[done.pk]
    assert "The file has no column named: Post Code." in page.content.decode()
