"""POST /api/v1/campaigns: the three creation modes and every documented outcome."""

import base64
import io
import re
from pathlib import Path

import pikepdf
import pytest
from django.conf import settings
from django.core.files.storage import default_storage

from campaigns.models import Campaign, Status, StatusChange
from templates.formats import FORMATS, format_by_code
from templates.models import PrintTemplate
from tests.accounts.factories import UserFactory
from tests.platform_api import assert_envelope, bearer, login
from tests.recipients.factories import RecipientFactory, RecipientGroupFactory
from tests.templates.factories import PrintTemplateFactory, flate_bomb_pdf, sample_pdf

pytestmark = pytest.mark.django_db

URL = "/api/v1/campaigns"


def campaign_body(fmt_code="A4_LETTER_C5WIN", **overrides) -> dict:
    fmt = format_by_code(fmt_code)
    letter = fmt.kind == "letter"
    campaign = {
        "name": "Spring Campaign",
        "pageSize": fmt.page_size,
        "pageOrientation": fmt.orientation,
        "windowGummedCode": fmt.envelope,
        "stockWeightCode": "100UNCOAT" if letter else "250SILK",
        "mailClassCode": "First",
        "isDuplex": True,
        "isAdmail": False,
        "isConfidential": False,
    }
    campaign.update(overrides)
    return campaign


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture
def group(company):
    group = RecipientGroupFactory(company=company)
    for _ in range(3):
        RecipientFactory(company=company, group=group)
    return group


def test_mode_a_from_a_template_with_a_group_is_in_preview(authed_client, company, group):
    # given
    template = PrintTemplateFactory(company=company)
    body = {
        "campaign": campaign_body(
            windowGummedCode="C5",
            recipients={"type": "group", "id": str(group.pk)},
            defaultRecipientName="Customer",
        ),
        "templateId": template.pk,
    }

    # when
    response = authed_client.post(URL, body, format="json")

    # then
    data = assert_envelope(response, 200, "Campaign created successfully.", errors=None)["data"]
    assert data["templateId"] == template.pk
    assert data["status"] == "Preview"
    assert data["warnings"] == []
    assert data["messages"] == ["Campaign successfully created."]
    campaign = Campaign.objects.for_company(company).get(pk=data["campaignId"])
    assert campaign.print_options.product.product_code.startswith("A4LC5W-100UNCOAT-F-D")
    assert [c.status for c in StatusChange.objects.filter(campaign=campaign)] == [
        Status.DRAFT,
        Status.PREVIEW,
    ]


def test_a_shared_template_serves_every_company(authed_client):
    template = PrintTemplateFactory(company=None)
    response = authed_client.post(
        URL, {"campaign": campaign_body(), "templateId": template.pk}, format="json"
    )
    assert assert_envelope(response, 200, "Campaign created successfully.")["data"]["status"] == "Draft"


def test_without_recipients_the_campaign_stays_in_draft_with_the_warning(authed_client, company):
    template = PrintTemplateFactory(company=company)
    response = authed_client.post(
        URL, {"campaign": campaign_body(), "templateId": template.pk}, format="json"
    )
    data = assert_envelope(response, 200, "Campaign created successfully.")["data"]
    assert data["status"] == "Draft"
    assert data["warnings"] == ["Campaign has no recipients yet; staying in Draft."]


def test_a_single_recipient_is_a_selection(authed_client, company):
    template = PrintTemplateFactory(company=company)
    recipient = RecipientFactory(company=company)
    body = {
        "campaign": campaign_body(recipients={"type": "single", "id": str(recipient.pk)}),
        "templateId": template.pk,
    }
    data = assert_envelope(authed_client.post(URL, body, format="json"), 200)["data"]
    assert data["status"] == "Preview"


def test_mode_c_base64_pdf_becomes_a_reusable_template(authed_client, company):
    body = {
        "campaign": campaign_body(),
        "pdf": {"fileBase64": b64(sample_pdf()), "originalName": "spring.pdf", "fileName": "spring.pdf"},
        "templateName": "Spring Campaign Base64 Template",
    }
    data = assert_envelope(
        authed_client.post(URL, body, format="json"), 200, "Campaign created successfully."
    )["data"]
    template = PrintTemplate.objects.for_company(company).get(pk=data["templateId"])
    assert template.company == company
    assert template.name == "Spring Campaign Base64 Template"
    assert template.format_code == "A4_LETTER_C5WIN"
    assert template.page_count == 1
    assert template.pdf.read().startswith(b"%PDF-")
    assert template.thumbnail.read().startswith(b"\x89PNG")
    # reusable: mode A with the new template
    again = authed_client.post(URL, {"campaign": campaign_body(), "templateId": template.pk}, format="json")
    assert_envelope(again, 200, "Campaign created successfully.")


def test_mode_b_pdf_url_is_fetched_through_the_guard(authed_client, company, file_server):
    base = file_server({"/files/spring.pdf": sample_pdf()})
    body = {
        "campaign": campaign_body(),
        "pdf": {"fileUrl": f"{base}/files/spring.pdf", "fileName": "spring.pdf"},
    }
    data = assert_envelope(
        authed_client.post(URL, body, format="json"), 200, "Campaign created successfully."
    )["data"]
    assert PrintTemplate.objects.for_company(company).get(pk=data["templateId"]).name == "spring"


def test_mode_b_refuses_an_internal_address(authed_client, settings):
    settings.OUTBOUND_FETCH_ALLOWED_NETWORKS = []
    body = {"campaign": campaign_body(), "pdf": {"fileUrl": "http://127.0.0.1:9/x.pdf"}}
    response = authed_client.post(URL, body, format="json")
    assert_envelope(response, 400, "The file URL points to an address that is not allowed.")


def test_mode_b_missing_file_is_a_readable_400(authed_client, file_server):
    base = file_server({})
    body = {"campaign": campaign_body(), "pdf": {"fileUrl": f"{base}/nope.pdf"}}
    assert_envelope(
        authed_client.post(URL, body, format="json"),
        400,
        "The file URL could not be downloaded: the server answered with status 404.",
    )


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.code)
def test_every_supported_format_can_be_created(authed_client, company, fmt):
    body = {"campaign": campaign_body(fmt.code), "pdf": {"fileBase64": b64(sample_pdf(fmt.code))}}
    data = assert_envelope(
        authed_client.post(URL, body, format="json"), 200, "Campaign created successfully."
    )["data"]
    campaign = Campaign.objects.for_company(company).get(pk=data["campaignId"])
    assert campaign.print_options.format_code == fmt.code


@pytest.mark.parametrize(
    ("size", "orientation", "envelope", "message"),
    [
        ("A4 Letter", "Portrait", None, "No layout defined for A4 Letter/Portrait/N/A"),
        ("A4 Letter", "Landscape", "C5WIN", "No layout defined for A4 Letter/Landscape/C5WIN"),
        ("A3 Poster", "Portrait", None, "No layout defined for A3 Poster/Portrait/N/A"),
        ("A6 Postcard", "Landscape", "C4WIN", "No layout defined for A6 Postcard/Landscape/C4WIN"),
    ],
)
def test_an_eleventh_combination_has_no_layout(authed_client, company, size, orientation, envelope, message):
    template = PrintTemplateFactory(company=company)
    campaign = campaign_body(pageSize=size, pageOrientation=orientation, windowGummedCode=envelope)
    response = authed_client.post(URL, {"campaign": campaign, "templateId": template.pk}, format="json")
    assert_envelope(response, 422, message, errors=None)


def test_values_match_case_insensitively(authed_client, company):
    template = PrintTemplateFactory(company=company)
    campaign = campaign_body(
        pageSize="a4 letter",
        pageOrientation="PORTRAIT",
        windowGummedCode="c5win",
        stockWeightCode="100uncoat",
        mailClassCode="first",
    )
    assert_envelope(
        authed_client.post(URL, {"campaign": campaign, "templateId": template.pk}, format="json"), 200
    )


def test_template_of_another_format_does_not_match_the_settings(authed_client, company):
    template = PrintTemplateFactory(company=company, format_code="A4_LETTER_C4WIN")
    response = authed_client.post(
        URL, {"campaign": campaign_body(), "templateId": template.pk}, format="json"
    )
    assert_envelope(
        response, 422, "Requested campaign settings do not match the template's settings.", errors=None
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "campaign is required"),
        ({"campaign": None, "templateId": 1}, "campaign is required"),
        ({"campaign": {"pageSize": "A4 Letter"}, "templateId": 1}, "campaign.name is required"),
        ({"campaign": {"name": "  "}, "templateId": 1}, "campaign.name is required"),
        ({"campaign": "x", "templateId": 1}, "campaign is required"),
        ({"campaign": {"name": "x", "recipients": {"type": "list", "id": "1"}}, "templateId": 1},
         "recipients.type must be 'group' or 'single'."),
        ({"campaign": {"name": "x", "recipients": {"type": "group"}}, "templateId": 1},
         "recipients.id is required when recipients.type is provided."),
        ({"campaign": {"name": "x"}}, "Provide templateId or pdf."),
        ({"campaign": {"name": "x"}, "pdf": {"originalName": "a.pdf"}}, "Provide templateId or pdf."),
        ({"campaign": {"name": "x", "isDuplex": "maybe"}, "templateId": 1}, "isDuplex is invalid."),
    ],
)  # fmt: skip
def test_invalid_requests(authed_client, body, message):
    assert_envelope(authed_client.post(URL, body, format="json"), 400, message, errors=None)


def test_a_body_that_is_not_an_object_is_an_invalid_request(authed_client):
    assert_envelope(authed_client.post(URL, [1, 2], format="json"), 400, "Invalid request", errors=None)


def test_stock_weight_not_offered_lists_the_accepted_values(authed_client, company):
    template = PrintTemplateFactory(company=company)
    body = {"campaign": campaign_body(stockWeightCode="80UNCOAT"), "templateId": template.pk}
    assert_envelope(
        authed_client.post(URL, body, format="json"),
        400,
        "Supported StockWeight values: 100UNCOAT, 120UNCOAT",
    )


def test_stock_weight_of_another_format_lists_this_formats_values(authed_client, company):
    template = PrintTemplateFactory(company=company, format_code="A6_POSTCARD")
    body = {"campaign": campaign_body("A6_POSTCARD", stockWeightCode="100UNCOAT"), "templateId": template.pk}
    assert_envelope(
        authed_client.post(URL, body, format="json"),
        400,
        "Supported StockWeight values: 250SILK, 300GLOSS, 350SILK, 350UNCOAT",
    )


def test_mail_class_not_offered(authed_client, company):
    template = PrintTemplateFactory(company=company)
    body = {"campaign": campaign_body(mailClassCode="Standard"), "templateId": template.pk}
    assert_envelope(
        authed_client.post(URL, body, format="json"), 400, "Supported Mail Class values: First, Second"
    )


def test_confidential_postcards_are_not_offered(authed_client, company):
    template = PrintTemplateFactory(company=company, format_code="A6_POSTCARD")
    body = {"campaign": campaign_body("A6_POSTCARD", isConfidential=True), "templateId": template.pk}
    assert_envelope(authed_client.post(URL, body, format="json"), 400, "Supported Confidential values: false")


def test_unknown_template_group_and_recipient_are_404(authed_client, company):
    template = PrintTemplateFactory(company=company)
    response = authed_client.post(URL, {"campaign": campaign_body(), "templateId": 987654}, format="json")
    assert_envelope(response, 404, "Template with id=987654 not found.", errors=None)
    missing = "0f710b4e-99d8-4b59-b793-a5db290df77f"
    for kind, message in (("group", "Group not found."), ("single", "Recipient not found.")):
        body = {
            "campaign": campaign_body(recipients={"type": kind, "id": missing}),
            "templateId": template.pk,
        }
        assert_envelope(authed_client.post(URL, body, format="json"), 404, message)
    assert not Campaign.objects.for_company(company).exists()


def test_another_companys_template_is_not_found(authed_client, other_company):
    theirs = PrintTemplateFactory(company=other_company)
    response = authed_client.post(URL, {"campaign": campaign_body(), "templateId": theirs.pk}, format="json")
    assert_envelope(response, 404, f"Template with id={theirs.pk} not found.")


# ---- PDFs that cannot be used -----------------------------------------------------------------


def encrypted_pdf() -> bytes:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(sample_pdf())) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(owner="owner", user="user"))
    return out.getvalue()


@pytest.mark.parametrize(
    ("pdf", "reason"),
    [
        (lambda: b"", "pdf.fileBase64 is empty."),
        (lambda: b"hello, not a pdf", "The file is not a PDF."),
        (lambda: sample_pdf()[:400], "The PDF is corrupt and cannot be read."),
        (lambda: encrypted_pdf(), "The PDF is encrypted (password protected)."),
        (lambda: sample_pdf("A5_POSTCARD_LANDSCAPE"), None),  # wrong size for an A4 letter
        (lambda: sample_pdf("A4_LETTER_C5WIN", pages=1000), "at most 12 page(s); this PDF has 1000."),
    ],
    ids=["zero-bytes", "not-a-pdf", "corrupt", "encrypted", "wrong-size", "1000-pages"],
)
def test_unusable_pdfs_are_refused(authed_client, company, pdf, reason):
    body = {"campaign": campaign_body(), "pdf": {"fileBase64": b64(pdf())}}
    response = authed_client.post(URL, body, format="json")
    payload = assert_envelope(response, 400, "Empty or invalid PDF.")
    if reason is not None:
        assert payload["errors"][0].endswith(reason), payload
    else:
        assert payload["errors"][0].startswith("Page 1 is 210 x 148 mm")
    assert not PrintTemplate.objects.owned_by(company).exists()
    assert not Campaign.objects.for_company(company).exists()


def test_invalid_base64_is_an_invalid_pdf(authed_client):
    body = {"campaign": campaign_body(), "pdf": {"fileBase64": "***not base64***"}}
    assert_envelope(authed_client.post(URL, body, format="json"), 400, "Empty or invalid PDF.")


def test_a_pdf_over_the_limit_is_413(authed_client, settings):
    settings.CAMPAIGN_PDF_MAX_BYTES = 1000
    body = {"campaign": campaign_body(), "pdf": {"fileBase64": b64(sample_pdf())}}
    assert_envelope(authed_client.post(URL, body, format="json"), 413, "PDF too large (>100MB).", errors=None)


def test_a_fetched_pdf_over_the_limit_is_413(authed_client, settings, file_server):
    settings.CAMPAIGN_PDF_MAX_BYTES = 1000
    base = file_server({"/big.pdf": sample_pdf()})
    body = {"campaign": campaign_body(), "pdf": {"fileUrl": f"{base}/big.pdf"}}
    assert_envelope(authed_client.post(URL, body, format="json"), 413, "PDF too large (>100MB).", errors=None)


def test_a_body_over_the_limit_is_413_before_it_is_read(authed_client, settings):
    settings.CAMPAIGN_MAX_BODY_BYTES = 2000
    body = {"campaign": campaign_body(), "pdf": {"fileBase64": b64(sample_pdf())}}
    assert_envelope(authed_client.post(URL, body, format="json"), 413, "PDF too large (>100MB).")


# ---- auth ----------------------------------------------------------------------------------------


def test_without_a_token_is_401_with_the_company_claim_message(api_client):
    response = api_client.post(URL, {"campaign": campaign_body()}, format="json")
    assert_envelope(response, 401, "CompanyId claim missing or invalid.")


def test_a_role_without_campaign_write_is_403(api_client, company):
    from accounts import services as account_services

    user = UserFactory(company=company, roles=("Read only",))
    token = login(api_client, account_services.api_key_issue(user=user).secret)["token"]
    client = bearer(api_client, token)
    response = client.post(URL, {"campaign": campaign_body()}, format="json")
    assert_envelope(response, 403, "Authenticated token is valid, but permission is denied")


# ---- PDFs that inflate too far (decompression bombs) -------------------------------------------

MiB = 1 << 20
STREAM_OVER_4_MIB = r"Stream \d+ 0 R of the PDF inflates to more than 4 MiB, the limit for one stream\."


@pytest.fixture
def inflate_limits(settings):
    settings.CAMPAIGN_PDF_MAX_STREAM_INFLATED_BYTES = 4 * MiB
    settings.CAMPAIGN_PDF_MAX_INFLATED_BYTES = 10 * MiB


def assert_nothing_kept(company):
    assert not PrintTemplate.objects.owned_by(company).exists()
    assert not Campaign.objects.for_company(company).exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


@pytest.mark.parametrize("source", ["fileBase64", "fileUrl"])
def test_a_pdf_with_a_stream_that_inflates_past_the_limit_is_refused(
    authed_client, company, inflate_limits, file_server, source
):
    bomb = flate_bomb_pdf(4 * MiB + 1)
    assert len(bomb) < 20_000
    pdf = (
        {"fileBase64": b64(bomb)}
        if source == "fileBase64"
        else {"fileUrl": f"{file_server({'/b.pdf': bomb})}/b.pdf"}
    )

    response = authed_client.post(URL, {"campaign": campaign_body(), "pdf": pdf}, format="json")

    payload = assert_envelope(response, 400, "Empty or invalid PDF.")
    assert len(payload["errors"]) == 1 and re.fullmatch(STREAM_OVER_4_MIB, payload["errors"][0]), payload
    assert_nothing_kept(company)


def test_streams_that_inflate_past_the_document_limit_in_all_are_refused(
    authed_client, company, inflate_limits
):
    bomb = flate_bomb_pdf(4 * MiB, streams=3)  # each stream within its limit, 12 MiB in all

    response = authed_client.post(
        URL, {"campaign": campaign_body(), "pdf": {"fileBase64": b64(bomb)}}, format="json"
    )

    assert_envelope(
        response,
        400,
        "Empty or invalid PDF.",
        errors=["The PDF's streams inflate to more than 10 MiB in all, the limit for one document."],
    )
    assert_nothing_kept(company)


def test_a_700_mb_bomb_is_refused_under_the_default_limits(authed_client, company):
    bomb = flate_bomb_pdf(700_000_000)
    assert len(bomb) < 1_000_000

    response = authed_client.post(
        URL, {"campaign": campaign_body(), "pdf": {"fileBase64": b64(bomb)}}, format="json"
    )

    payload = assert_envelope(response, 400, "Empty or invalid PDF.")
    assert re.fullmatch(STREAM_OVER_4_MIB.replace("4 MiB", "256 MiB"), payload["errors"][0]), payload
    assert_nothing_kept(company)


def test_a_pdf_that_inflates_to_the_limit_is_taken_and_its_preview_stays_compressed(
    authed_client, company, inflate_limits, django_capture_on_commit_callbacks
):
    body = {
        "campaign": campaign_body(defaultRecipientName="Customer"),
        "pdf": {"fileBase64": b64(flate_bomb_pdf(4 * MiB, streams=2))},  # 8 MiB of spaces in all
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = authed_client.post(URL, body, format="json")

    data = assert_envelope(response, 200, "Campaign created successfully.")["data"]
    preview = authed_client.get(f"{URL}/{data['campaignId']}/preview")
    assert preview.status_code == 200
    content = b"".join(preview.streaming_content)
    assert len(content) < 64 * 1024  # the page's 8 MiB of content went out compressed
    with pikepdf.open(io.BytesIO(content)) as pdf:
        unfiltered = [
            o for o in pdf.objects if isinstance(o, pikepdf.Stream) and pikepdf.Name.Filter not in o
        ]
        assert all(len(o.read_raw_bytes()) < 1024 for o in unfiltered)  # the address text only


def test_a_template_over_lowered_limits_gets_no_preview(
    authed_client, company, settings, django_capture_on_commit_callbacks
):
    template = PrintTemplateFactory(company=company, pdf=flate_bomb_pdf(8 * MiB))  # stored under the defaults
    settings.CAMPAIGN_PDF_MAX_STREAM_INFLATED_BYTES = 4 * MiB

    with django_capture_on_commit_callbacks(execute=True):
        response = authed_client.post(
            URL, {"campaign": campaign_body(), "templateId": template.pk}, format="json"
        )

    data = assert_envelope(response, 200, "Campaign created successfully.")["data"]
    url = f"{URL}/{data['campaignId']}/preview"
    assert_envelope(authed_client.get(url), 404, "Preview file not found for this campaign.", errors=None)
    campaign = Campaign.objects.for_company(company).get(pk=data["campaignId"])
    # The reason is kept for staff as the error's code and params.
    assert campaign.preview_error.startswith("pdf_stream_inflates_too_much ("), campaign.preview_error
    assert "limit=4194304" in campaign.preview_error
    assert not default_storage.exists(f"campaigns/{company.pk}/{campaign.pk}/preview.pdf")
