"""Stored files open for staff only, through the admin (config.admin_files): streamed from local
disk, a presigned URL on S3, never a public /media/ path."""

import time
import urllib.request
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.storage import default_storage

from campaigns import printing
from campaigns import services as campaign_services
from campaigns.models import Campaign
from templates.models import PrintTemplate
from tests.accounts.factories import UserFactory
from tests.campaigns.factories import CampaignFactory
from tests.recipients.factories import RecipientFactory, RecipientGroupFactory
from tests.templates.factories import PrintTemplateFactory

pytestmark = pytest.mark.django_db


def url(obj, field: str) -> str:
    return f"/admin/stored-files/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/{field}/"


def expires_in(presigned: str) -> float:
    """Seconds a presigned URL has left (signature version 4 or 2), after checking it is signed."""
    query = parse_qs(urlsplit(presigned).query)
    if "X-Amz-Signature" in query:
        signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        return signed_at.timestamp() + int(query["X-Amz-Expires"][0]) - time.time()
    assert "Signature" in query, presigned
    return int(query["Expires"][0]) - time.time()


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def template():
    """A template in the test's own local storage (MEDIA_ROOT)."""
    return PrintTemplateFactory()


def stored(key: str) -> bytes:
    with default_storage.open(key, "rb") as handle:
        return handle.read()


def test_staff_open_a_template_thumbnail_and_pdf_from_local_disk(admin_client, template):
    thumbnail = admin_client.get(url(template, "thumbnail"))
    pdf = admin_client.get(url(template, "pdf"))

    assert thumbnail.status_code == 200
    assert thumbnail["Content-Type"] == "image/png"
    assert thumbnail["Content-Disposition"] == f'inline; filename="printtemplate-{template.pk}-page1.png"'
    assert body(thumbnail) == stored(template.thumbnail.name)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert body(pdf) == stored(template.pdf.name)
    assert "no-cache" in thumbnail["Cache-Control"]  # private bytes: never kept by a proxy


def test_the_admin_links_go_through_the_view_never_media(admin_client, template):
    listing = admin_client.get("/admin/templates/printtemplate/").content.decode()
    page = admin_client.get(f"/admin/templates/printtemplate/{template.pk}/change/").content.decode()

    assert f'<img src="{url(template, "thumbnail")}"' in listing
    assert f'<img src="{url(template, "thumbnail")}"' in page
    assert f'href="{url(template, "pdf")}"' in page
    assert "/media/" not in listing + page


def test_media_is_never_served(client, admin_client, template):
    key = template.thumbnail.name
    assert stored(key).startswith(b"\x89PNG")

    assert client.get(f"/media/{key}").status_code == 404
    assert admin_client.get(f"/media/{key}").status_code == 404


def test_anonymous_and_non_staff_are_sent_to_the_login(client, template):
    target = url(template, "thumbnail")

    anonymous = client.get(target)
    client.force_login(UserFactory())
    non_staff = client.get(target)

    for response in (anonymous, non_staff):
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=/admin/stored-files/")


def test_staff_without_the_models_view_permission_are_refused(client, template):
    clerk = UserFactory(is_staff=True, roles=())  # staff, but with no rights on templates
    client.force_login(clerk)

    assert client.get(url(template, "thumbnail")).status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/admin/stored-files/templates/printtemplate/999999/thumbnail/",  # no such object
        "/admin/stored-files/templates/printtemplate/not-a-number/thumbnail/",
        "/admin/stored-files/templates/printtemplate/{pk}/name/",  # not a file the admin offers
        "/admin/stored-files/templates/nosuchmodel/{pk}/thumbnail/",
        "/admin/stored-files/sessions/session/{pk}/session_data/",  # a model with no admin
        "/admin/stored-files/campaigns/campaign/00000000-0000-0000-0000-000000000000/preview_file/",
    ],
)
def test_unknown_objects_models_and_fields_are_404(admin_client, template, path):
    assert admin_client.get(path.format(pk=template.pk)).status_code == 404


def test_a_stored_key_leading_out_of_storage_is_404(admin_client, template, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the browser")
    PrintTemplate.unscoped.filter(pk=template.pk).update(thumbnail="../secret.txt")

    assert admin_client.get(url(template, "thumbnail")).status_code == 404


def test_an_empty_field_or_a_missing_file_is_404(admin_client, template):
    PrintTemplate.unscoped.filter(pk=template.pk).update(thumbnail="")
    default_storage.delete(template.pdf.name)

    assert admin_client.get(url(template, "thumbnail")).status_code == 404
    assert admin_client.get(url(template, "pdf")).status_code == 404


@pytest.mark.parametrize("library_storage", ["s3"], indirect=True)
def test_on_s3_staff_are_sent_to_a_short_lived_presigned_url(admin_client, library_storage, settings):
    template = PrintTemplateFactory()

    response = admin_client.get(url(template, "thumbnail"))

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(settings.STORAGES["default"]["OPTIONS"]["endpoint_url"])
    assert 0 < expires_in(location) <= settings.ADMIN_FILE_URL_SECONDS
    with urllib.request.urlopen(location, timeout=10) as fetched:  # what the browser does next
        assert fetched.read().startswith(b"\x89PNG")
        assert fetched.headers["Content-Type"] == "image/png"
        assert fetched.headers["Content-Disposition"] == (
            f'inline; filename="printtemplate-{template.pk}-page1.png"'
        )


@pytest.mark.parametrize("library_storage", ["local", "s3"], indirect=True)
def test_campaign_preview_and_print_files_open_for_staff(admin_client, company, library_storage):
    group = RecipientGroupFactory(company=company)
    RecipientFactory(company=company, group=group)
    campaign = CampaignFactory(company=company, group=group)
    campaign_services.campaign_render_preview(campaign_id=campaign.pk)
    campaign_services.campaign_approve(company=company, campaign_id=campaign.pk)
    run = printing.print_files_write(campaign_id=campaign.pk)
    campaign = Campaign.unscoped.get(pk=campaign.pk)
    first = run.files[0]["name"]
    page = admin_client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/").content.decode()

    preview = admin_client.get(url(campaign, "preview_file"))
    print_file = admin_client.get(f"/admin/campaigns/campaign/{campaign.pk}/print/{first}")

    assert f'href="{url(campaign, "preview_file")}"' in page
    assert f'href="/admin/campaigns/campaign/{campaign.pk}/print/{first}"' in page
    if library_storage.name == "local":
        assert body(preview).startswith(b"%PDF-")
        assert print_file["Content-Disposition"] == f'attachment; filename="{first}"'
        assert body(print_file) == library_storage.read(run.files[0]["key"])
    else:
        assert preview.status_code == print_file.status_code == 302
        with urllib.request.urlopen(print_file["Location"], timeout=10) as fetched:
            assert fetched.headers["Content-Disposition"] == f'attachment; filename="{first}"'
            assert fetched.read() == library_storage.read(run.files[0]["key"])
