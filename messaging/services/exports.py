"""The messages export API's rules (/v1/): publish a campaign's generated messages as CSV pages
(messaging.exporting writes them in the worker), count its pages, fetch one as text, rows or a
time-limited URL, open a page from a signed download token; and the audit of every call.

publish, pages and fetch record their own audit row (MessagesApiCall: user, x-ip, endpoint,
campaign and job), whatever their outcome; the surface records the calls that reach no service
here (campaign/all) with `messages_api_call_record`."""

import csv
import io
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.http import content_disposition_header
from storages.backends.s3 import S3Storage

from accounts.selectors import messages_monthly_row_limit
from campaigns.models import Campaign
from messaging import exporting
from messaging.errors import (
    DownloadRefused,
    ExportFileNotFound,
    ExportPageUnreadable,
    NothingToPublish,
    UsageLimitExceeded,
)
from messaging.models import MessageExport, MessagesApiCall, Occurrence
from messaging.selectors import EXPORT_AT_WORK, GENERATION_UNDER_WAY, get_exportable_campaign, settings_of

JSON_MAX_ROWS = 1000
DOWNLOAD_SALT = "messaging.export.download"
CONTENT_TYPE = "text/csv; charset=utf-8"
# What a download token may name: a page of an export of a campaign of its company.
_PAGE_KEY = re.compile(
    r"companies/(?P<company>[0-9a-f-]{36})/messages/(?P<campaign>[0-9a-f-]{36})/[0-9a-f-]{36}/"
    r"(?P<page>page-[0-9]{5}\.csv)"
)


class Endpoint(StrEnum):
    """The audited endpoints (MessagesApiCall.endpoint)."""

    CAMPAIGNS = "campaign/all"
    PUBLISH = "messages/publish"
    PAGES = "messages/pages"
    FETCH = "messages/fetch"


class ExportType(StrEnum):
    UTF8 = "utf8"
    JSON = "json"
    URL = "url"


@dataclass(frozen=True)
class ExportPages:
    campaign_id: str
    num_files: int
    total_rows: int
    status: str  # the export at work's (queued, running), else the latest's (done, failed), else "none"


@dataclass(frozen=True)
class FetchedPage:
    file_num: int
    num_files: int
    text: str | None = None  # utf8: the page's CSV
    rows: list[dict] | None = None  # json: [{customer_id, message}], at most JSON_MAX_ROWS
    truncated: bool = False  # json: the page has more rows than `rows`
    url_token: str | None = None  # url, local storage: the signed token of /v1/messages/download/<token>
    url: str | None = None  # url, S3: a presigned GET
    expires_at: datetime | None = None  # url


# ---- audit -------------------------------------------------------------------------------------


def messages_api_call_record(
    *, company, user, ip, endpoint, campaign_id=None, job_id=None
) -> MessagesApiCall:
    """One audit row of a messages export API call."""
    return MessagesApiCall.objects.create(
        company_id=company.pk,
        user_id=getattr(user, "pk", None),
        ip=ip,
        endpoint=str(endpoint),
        campaign_id=_uuid_or_none(campaign_id),
        job_id=_uuid_or_none(job_id),
    )


def _uuid_or_none(value) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


class _Audit:
    """Records the call when the block ends, however it ends, with what was learnt inside."""

    def __init__(self, *, company, user, ip, endpoint: Endpoint):
        self.values = {"company": company, "user": user, "ip": ip, "endpoint": endpoint}
        self.campaign_id = self.job_id = None

    def __enter__(self) -> "_Audit":
        return self

    def __exit__(self, *exc_info) -> None:
        messages_api_call_record(**self.values, campaign_id=self.campaign_id, job_id=self.job_id)


# ---- publish -----------------------------------------------------------------------------------


def messages_publish(*, company, campaign_id, user, ip) -> MessageExport:
    """Queue an export of the campaign's generated messages; the export already at work, if one
    is. NothingToPublish when the campaign has no messages and no firing under way;
    UsageLimitExceeded (nothing queued) when the month's published rows, the rows of the
    company's exports at work and the campaign's messages would pass its monthly row limit (the
    new export reserves its rows until it is done or failed). The export waits for a generation
    under way; it becomes the campaign's current one once complete."""
    # The audit is recorded after the transaction, whatever its outcome.
    with _Audit(company=company, user=user, ip=ip, endpoint=Endpoint.PUBLISH) as audit, transaction.atomic():
        campaign = get_exportable_campaign(company=company, campaign_id=campaign_id)
        audit.campaign_id = campaign.pk
        # Publishes of one campaign take turns: the second sees the first's export at work.
        Campaign.objects.for_company(company).select_for_update().filter(pk=campaign.pk).first()
        export = (
            MessageExport.objects.for_company(company)
            .filter(campaign=campaign, status__in=EXPORT_AT_WORK)
            .first()
        )
        if export is None:
            export = _new_export(company=company, campaign=campaign, user=user, ip=ip)
        audit.job_id = export.pk
    return export


def _new_export(*, company, campaign: Campaign, user, ip) -> MessageExport:
    settings_row = settings_of(campaign)
    total = settings_row.total_messages if settings_row is not None else 0
    generating = Occurrence.unscoped.filter(campaign_id=campaign.pk, status__in=GENERATION_UNDER_WAY).exists()
    if not total and not generating:
        raise NothingToPublish()
    _reserve_usage(company=company, rows=total)
    export = MessageExport.objects.for_company(company).create(
        company=company,
        campaign=campaign,
        page_rows=settings.MESSAGES_EXPORT_PAGE_ROWS,
        rows_reserved=total,
        requested_by=user if getattr(user, "pk", None) else None,
        requested_ip=ip,
    )
    exporting.queue_export(export.pk)
    return export


def _reserve_usage(*, company, rows: int) -> None:
    """UsageLimitExceeded unless this month's published rows, the rows the company's exports at
    work hold and `rows` fit in its monthly row limit. Under the month's usage row lock, held until
    the caller's transaction commits the new export's reservation: of two publishes racing, the
    second counts the first's rows. (Lock order: campaign, then usage row.)"""
    limit = messages_monthly_row_limit(company=company)
    if limit is None:
        return
    used = exporting.usage_locked(company_id=company.pk).rows_published
    reserved = (
        MessageExport.objects.for_company(company)
        .filter(status__in=EXPORT_AT_WORK)
        .aggregate(held=Coalesce(Sum("rows_reserved"), 0))["held"]
    )
    if used + reserved + rows > limit:
        raise UsageLimitExceeded(limit=limit, used=used + reserved, requested=rows)


# ---- pages -------------------------------------------------------------------------------------


def messages_pages(*, company, campaign_id, user, ip) -> ExportPages:
    """The campaign's published pages (its current export's), from the job rows; counted as a
    pages call in the month's usage."""
    with _Audit(company=company, user=user, ip=ip, endpoint=Endpoint.PAGES) as audit:
        campaign = get_exportable_campaign(company=company, campaign_id=campaign_id)
        audit.campaign_id = campaign.pk
        current, latest = _current_and_latest(company, campaign)
        audit.job_id = latest.pk if latest is not None else None
        exporting.usage_add(company_id=company.pk, pages_calls=1)
    return ExportPages(
        campaign_id=str(campaign.pk),
        num_files=current.pages if current is not None else 0,
        total_rows=current.rows if current is not None else 0,
        status=latest.status if latest is not None else "none",
    )


def _current_and_latest(company, campaign) -> tuple[MessageExport | None, MessageExport | None]:
    """The campaign's current export, and the one to report: at work, else the newest. One query."""
    exports = list(
        MessageExport.objects.for_company(company)
        .filter(campaign=campaign)
        .order_by("-created_at")
        .only("pk", "status", "is_current", "pages", "rows", "created_at")[:20]
    )
    current = next((export for export in exports if export.is_current), None)
    if current is None and len(exports) == 20:
        current = (
            MessageExport.objects.for_company(company).filter(campaign=campaign, is_current=True).first()
        )
    latest = next((export for export in exports if export.status in EXPORT_AT_WORK), None)
    return current, latest or (exports[0] if exports else None)


# ---- fetch -------------------------------------------------------------------------------------


def messages_fetch(*, company, campaign_id, file_num: int, export_type: ExportType, user, ip) -> FetchedPage:
    """Page `file_num` (from 0) of the campaign's current export: its CSV text (utf8), its first
    JSON_MAX_ROWS rows (json), or a URL valid MESSAGES_EXPORT_URL_SECONDS (url: presigned on S3,
    a signed download token on local storage). ExportFileNotFound outside 0..num_files-1 (or
    before a first export); ExportPageUnreadable when the stored page cannot be read."""
    with _Audit(company=company, user=user, ip=ip, endpoint=Endpoint.FETCH) as audit:
        campaign = get_exportable_campaign(company=company, campaign_id=campaign_id)
        audit.campaign_id = campaign.pk
        current = (
            MessageExport.objects.for_company(company).filter(campaign=campaign, is_current=True).first()
        )
        if current is None or isinstance(file_num, bool) or not isinstance(file_num, int):
            raise ExportFileNotFound()
        audit.job_id = current.pk
        if not 0 <= file_num < current.pages:
            raise ExportFileNotFound()
        key = current.page_key(file_num)
        page = {"file_num": file_num, "num_files": current.pages}
        export_type = ExportType(export_type)
        if export_type == ExportType.UTF8:
            return FetchedPage(**page, text=_page_text(key))
        if export_type == ExportType.JSON:
            rows, truncated = _page_rows(key)
            return FetchedPage(**page, rows=rows, truncated=truncated)
        return FetchedPage(**page, **_page_url(company, campaign, key, file_num))


UNREADABLE = (OSError, UnicodeDecodeError, csv.Error, BotoCoreError, ClientError, ValueError)


def _page_text(key: str) -> str:
    try:
        with default_storage.open(key, "rb") as handle:
            return handle.read().decode("utf-8")
    except UNREADABLE as exc:
        raise ExportPageUnreadable() from exc


def _page_rows(key: str) -> tuple[list[dict], bool]:
    """The page's first JSON_MAX_ROWS rows, read as a stream (a page may be larger)."""
    try:
        with default_storage.open(key, "rb") as handle:
            reader = csv.reader(io.TextIOWrapper(handle, encoding="utf-8", newline=""))
            if next(reader, None) != ["customer_id", "message"]:
                raise ExportPageUnreadable()
            rows = []
            for row in reader:
                if len(rows) == JSON_MAX_ROWS:
                    return rows, True
                if len(row) != 2:
                    raise ExportPageUnreadable()
                rows.append({"customer_id": row[0], "message": row[1]})
            return rows, False
    except UNREADABLE as exc:
        raise ExportPageUnreadable() from exc


def _download_name(campaign: Campaign, file_num: int) -> str:
    return f"messages-{campaign.pk}-page-{file_num:05d}.csv"


def _page_url(company, campaign: Campaign, key: str, file_num: int) -> dict:
    seconds = settings.MESSAGES_EXPORT_URL_SECONDS
    expires_at = timezone.now() + timedelta(seconds=seconds)
    if isinstance(default_storage, S3Storage):
        url = default_storage.url(
            key,
            parameters={
                "ResponseContentType": CONTENT_TYPE,
                "ResponseContentDisposition": content_disposition_header(
                    True, _download_name(campaign, file_num)
                ),
            },
            expire=seconds,
        )
        return {"url": url, "expires_at": expires_at}
    token = signing.dumps({"c": str(company.pk), "k": key}, salt=DOWNLOAD_SALT)
    return {"url_token": token, "expires_at": expires_at}


# ---- download ----------------------------------------------------------------------------------


def download_open(*, token: str):
    """The page a download token names, open for reading, and its file name. DownloadRefused
    for a token that is altered, expired or names no page of its company; ExportFileNotFound
    when the page is no longer in storage."""
    try:
        claims = signing.loads(token, salt=DOWNLOAD_SALT, max_age=settings.MESSAGES_EXPORT_URL_SECONDS)
    except (signing.BadSignature, TypeError, ValueError) as exc:  # SignatureExpired is a BadSignature
        raise DownloadRefused() from exc
    key = claims.get("k") if isinstance(claims, dict) else None
    match = _PAGE_KEY.fullmatch(key) if isinstance(key, str) else None
    if match is None or match["company"] != claims.get("c"):
        raise DownloadRefused()
    try:
        handle = default_storage.open(key, "rb")
    except (OSError, BotoCoreError, ClientError) as exc:
        raise ExportFileNotFound() from exc
    number = int(match["page"][5:10])
    return handle, f"messages-{match['campaign']}-page-{number:05d}.csv"
