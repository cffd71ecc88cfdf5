"""The back office: template upload (checked, thumbnail), campaigns with history and preview,
and the product catalogue."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from billing.models import Product
from campaigns.services import campaign_render_preview
from templates.models import PrintTemplate
from tests.campaigns.factories import CampaignFactory
from tests.recipients.factories import RecipientFactory, RecipientGroupFactory
from tests.templates.factories import flate_bomb_pdf, sample_pdf

pytestmark = pytest.mark.django_db


def test_staff_upload_a_shared_template_with_a_thumbnail(admin_client):
    response = admin_client.post(
        "/admin/templates/printtemplate/add/",
        {"name": "Shared A6", "company": "", "format_code": "A6_POSTCARD",
         "upload": SimpleUploadedFile("a6.pdf", sample_pdf("A6_POSTCARD", 2), content_type="application/pdf")},
    )  # fmt: skip
    assert response.status_code == 302, response.content[:2000]
    template = PrintTemplate.unscoped.get(name="Shared A6")
    assert template.company is None and template.page_count == 2
    assert template.thumbnail.read().startswith(b"\x89PNG")
    page = admin_client.get(f"/admin/templates/printtemplate/{template.pk}/change/")
    assert page.status_code == 200 and b"<img" in page.content


def test_an_unusable_pdf_is_refused_with_the_reason(admin_client):
    response = admin_client.post(
        "/admin/templates/printtemplate/add/",
        {"name": "Wrong", "format_code": "A4_LETTER_C5WIN",
         "upload": SimpleUploadedFile("a6.pdf", sample_pdf("A6_POSTCARD"), content_type="application/pdf")},
    )  # fmt: skip
    assert response.status_code == 200
    assert b"Page 1 is" in response.content
    assert not PrintTemplate.unscoped.exists()


def test_staff_upload_of_a_decompression_bomb_is_refused_with_the_reason(admin_client, settings):
    settings.CAMPAIGN_PDF_MAX_STREAM_INFLATED_BYTES = 4 * 1024 * 1024
    bomb = flate_bomb_pdf(64 * 1024 * 1024)

    response = admin_client.post(
        "/admin/templates/printtemplate/add/",
        {"name": "Bomb", "company": "", "format_code": "A4_LETTER_C5WIN",
         "upload": SimpleUploadedFile("bomb.pdf", bomb, content_type="application/pdf")},
    )  # fmt: skip

    assert response.status_code == 200
    assert re.search(
        rb"Empty or invalid PDF. Stream \d+ 0 R of the PDF inflates to more than 4 MiB, the limit for one stream.",
        response.content,
    )
    assert not PrintTemplate.unscoped.exists()


def test_campaign_page_shows_history_and_preview(admin_client, company):
    group = RecipientGroupFactory(company=company)
    RecipientFactory(company=company, group=group)
    campaign = CampaignFactory(company=company, group=group)
    campaign_render_preview(campaign_id=campaign.pk)

    page = admin_client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/")

    assert page.status_code == 200
    assert b"Preview" in page.content and b"Draft" in page.content
    preview_url = f"/admin/stored-files/campaigns/campaign/{campaign.pk}/preview_file/"
    assert preview_url.encode() in page.content
    preview = admin_client.get(preview_url)
    assert preview["Content-Type"] == "application/pdf"
    assert b"".join(preview.streaming_content).startswith(b"%PDF-")
    assert admin_client.get("/admin/campaigns/campaign/").status_code == 200


def test_catalogue_prices_are_editable(admin_client):
    product = Product.objects.get(product_code="A4LC5W-100UNCOAT-F-S")
    assert admin_client.get("/admin/billing/product/").status_code == 200
    response = admin_client.post(
        f"/admin/billing/product/{product.pk}/change/",
        {"format_code": product.format_code, "stock_weight": product.stock_weight, "mail_class": product.mail_class,
         "is_duplex": "", "is_admail": "", "is_confidential": "", "product_code": product.product_code,
         "unit_price": "1.10", "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.unit_price == Decimal("1.10")
