"""The messages export API's answers: {"data": ...}, in the field names its issue decided."""

from config.api.export import messages
from config.api.webhook_shapes import rendered_all
from messaging.services.exports import ExportPages, ExportType


def publish_body(export) -> dict:
    """202: the export job, queued (or the one already at work for the campaign)."""
    return {
        "message": messages.PUBLISH_QUEUED,
        "data": {"job_id": str(export.pk), "campaign_id": str(export.campaign_id), "status": export.status},
    }


def pages_body(pages) -> dict:
    return {
        "data": {
            "campaign_id": str(pages.campaign_id),
            "num_files": pages.num_files,
            "total_rows": pages.total_rows,
            "status": pages.status,
        }
    }


def fetch_body(page, export_type: ExportType, *, url: str | None = None) -> dict:
    """`data` transforms with export_type, as the spec says (utf8: the page's CSV text; json: its
    rows as {customer_id, message}; url: a time-limited link to it); the page's place beside it,
    and for json whether the rows were cut, for url when the link expires."""
    place = {"file_num": page.file_num, "num_files": page.num_files}
    if export_type == ExportType.UTF8:
        return {"data": page.text, **place}
    if export_type == ExportType.JSON:
        return {"data": page.rows, **place, "truncated": page.truncated}
    return {"data": url, **place, "expires_at": page.expires_at}


def export_ready(export) -> dict:
    """A finished export that became its campaign's current one (a webhook's `export.ready`):
    what the pages endpoint now answers in `data`."""
    pages = ExportPages(
        campaign_id=str(export.campaign_id),
        num_files=export.pages,
        total_rows=export.rows,
        status=export.status,
    )
    return pages_body(pages)["data"]


# Exports in webhook events (registered from messaging.apps).
WEBHOOK_SHAPES = rendered_all({"export": export_ready})
