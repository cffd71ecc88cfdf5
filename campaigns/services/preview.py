"""The campaign preview: the template's pages with the first recipient's address, rendered in the
background to storage."""

import tempfile
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from campaigns import status as machine
from campaigns.errors import InvalidPdf, NotAPrintCampaign
from campaigns.models import Campaign
from campaigns.pdf import address_lines, render_preview
from campaigns.selectors import first_recipient_fields, get_campaign_for_company
from webhooks.events import EventType, record_event, shape_of


def request_preview(campaign: Campaign) -> None:
    """Render the preview in the background once the surrounding transaction commits."""
    from campaigns.tasks import render_campaign_preview

    campaign_id = str(campaign.pk)
    transaction.on_commit(lambda: render_campaign_preview.delay(campaign_id))


def campaign_preview_request(*, company, campaign_id) -> Campaign:
    """Render a print campaign's preview again, in the background (staff, after a template or
    recipient fix): only while it is writable (read-only from Scheduled on) and only for a print
    campaign (NotAPrintCampaign)."""
    with transaction.atomic():
        campaign = get_campaign_for_company(company=company, campaign_id=campaign_id, for_update=True)
        machine.require_writable(campaign)
        if machine.kind_of(campaign) != machine.Kind.PRINT:
            raise NotAPrintCampaign()
        request_preview(campaign)
    return campaign


def preview_key(campaign: Campaign) -> str:
    return f"campaigns/{campaign.company_id}/{campaign.pk}/preview.pdf"


def campaign_render_preview(*, campaign_id) -> str | None:
    """Render the campaign's preview (template pages with the first recipient's address, or the
    default recipient name, in the format's address area) to storage; the key, or None if the
    campaign no longer exists or its template is refused (the reason in `preview_error`).
    Idempotent: a rerun writes the same key again."""
    campaign = (
        Campaign.unscoped.select_related("print_options__template", "recipient_group", "company")
        .filter(pk=campaign_id)
        .first()
    )
    if campaign is None:
        return None
    options = campaign.print_options
    fields = first_recipient_fields(campaign)
    if fields is not None:
        address = address_lines(fields)
    elif options.default_recipient_name:
        address = [options.default_recipient_name]
    else:
        address = None
    key = preview_key(campaign)
    with tempfile.TemporaryDirectory(prefix="campaign-preview-") as workdir:
        template_path = Path(workdir) / "template.pdf"
        with options.template.pdf.open("rb") as source, open(template_path, "wb") as out:
            for chunk in iter(lambda: source.read(1024 * 1024), b""):
                out.write(chunk)
        out_path = Path(workdir) / "preview.pdf"
        try:
            render_preview(template=template_path, fmt=options.format, address=address, out=out_path)
        except InvalidPdf as exc:  # the template is refused now (a limit was lowered): for good
            _record_failure(campaign, str(exc))
            return None
        if default_storage.exists(key):
            default_storage.delete(key)
        with open(out_path, "rb") as rendered:
            stored = default_storage.save(key, File(rendered))
    with transaction.atomic():
        now = timezone.now()
        updated = Campaign.unscoped.filter(pk=campaign.pk).update(
            preview_file=stored, preview_generated_at=now, preview_error=""
        )
        if updated:
            campaign.preview_file, campaign.preview_generated_at, campaign.preview_error = stored, now, ""
            _record_preview(campaign, EventType.PREVIEW_READY)
    if not updated:  # deleted while rendering
        default_storage.delete(stored)
        return None
    return stored


# What the company is told when rendering failed unexpectedly: the error itself (a storage path,
# a library's words) stays in the worker's log.
PREVIEW_FAILED = "The preview could not be rendered."


def campaign_preview_fail(*, campaign_id) -> None:
    """Record that the preview could not be rendered (the render task gave up after its retries):
    PREVIEW_FAILED in `preview_error` and `preview.failed`; nothing if the campaign no longer
    exists."""
    campaign = Campaign.unscoped.select_related("company").filter(pk=campaign_id).first()
    if campaign is not None:
        _record_failure(campaign, PREVIEW_FAILED)


def _record_failure(campaign: Campaign, error: str) -> None:
    """The reason in `preview_error` and `preview.failed`, in one transaction (unless deleted)."""
    error = error[: Campaign._meta.get_field("preview_error").max_length]
    with transaction.atomic():
        if Campaign.unscoped.filter(pk=campaign.pk).update(preview_error=error):
            campaign.preview_error = error
            _record_preview(campaign, EventType.PREVIEW_FAILED)


def _record_preview(campaign: Campaign, type: EventType) -> None:
    """`preview.ready` / `preview.failed`: the campaign, and its preview's outcome beside it."""
    record_event(
        company=campaign.company,
        type=type,
        kind="campaign",
        obj=campaign,
        extra={"preview": shape_of("campaign_preview", campaign)},
    )
