"""Every write about campaigns: create, approve (with the recipient snapshot), delete, the
preview, and billing (voucher, cost, schedule paid by balance or booked by invoice, staff
decisions on bookings, dispatch on the day). Status moves go through
campaigns.status.transition only."""

import base64
import binascii
import contextlib
import logging
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from billing import dates as dispatch_dates
from billing import selectors as catalogue
from billing import services as billing
from billing.errors import VoucherInvalid
from billing.models import Order, Product
from billing.pricing import Cost, cost_breakdown, estimated_delivery
from campaigns import printing
from campaigns import status as machine
from campaigns.errors import (
    CampaignHasNoRecipients,
    CampaignNameRequired,
    CampaignNotApproved,
    CampaignReadOnly,
    InvalidPdf,
    InvalidStatusTransition,
    PdfTooLarge,
    TemplateAndPdfGiven,
    TemplateOrPdfRequired,
)
from campaigns.models import SNAPSHOT_FIELDS, Campaign, CampaignRecipient, PrintOptions, PrintRun, Status
from campaigns.pdf import address_lines, check_pdf, render_preview
from campaigns.selectors import (
    as_uuid,
    first_recipient_fields,
    get_campaign_for_company,
    get_campaign_for_cost,
    recipient_count,
)
from config.outbound import OutboundFileTooLarge, fetch_to_file
from recipients import selectors as recipient_selectors
from recipients.models import GroupMembership, Recipient
from templates import selectors as template_selectors
from templates import services as template_services
from templates.errors import TemplateSettingsMismatch
from templates.formats import Format, find_format

logger = logging.getLogger(__name__)

NO_RECIPIENTS_WARNING = "Campaign has no recipients yet; staying in Draft."
CREATED_MESSAGE = "Campaign successfully created."


@dataclass(frozen=True)
class PdfSource:
    """Mode B (`url`) or C (`base64`) of campaign creation."""

    url: str | None = None
    base64: str | None = None
    original_name: str = ""
    file_name: str = ""


@dataclass(frozen=True)
class PrintCampaignInput:
    name: str
    page_size: str | None
    orientation: str | None
    envelope: str | None
    stock_weight: str | None
    mail_class: str | None
    is_duplex: bool = False
    is_admail: bool = False
    is_confidential: bool = False
    default_recipient_name: str = ""
    recipients_type: str | None = None  # "group" | "single" | None
    recipients_id: str | None = None


@dataclass
class CreatedCampaign:
    campaign: Campaign
    template_id: int
    warnings: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


# ---- create ------------------------------------------------------------------------------------


def campaign_create(
    *,
    company,
    by=None,
    spec: PrintCampaignInput,
    template_id=None,
    pdf: PdfSource | None = None,
    template_name: str | None = None,
) -> CreatedCampaign:
    """A print campaign from an existing template (mode A) or a PDF (modes B and C: the PDF is
    checked and kept as a reusable template). Draft when no recipients are linked, else Preview.
    Every check runs before anything is written; the slow part (fetching, checking the PDF) runs
    outside the database transaction."""
    if not (spec.name or "").strip():
        raise CampaignNameRequired()
    if template_id is not None and pdf is not None:
        raise TemplateAndPdfGiven()
    if template_id is None and pdf is None:
        raise TemplateOrPdfRequired()
    fmt = find_format(orientation=spec.orientation, page_size=spec.page_size, envelope=spec.envelope)
    product = catalogue.product_for(
        format_code=fmt.code,
        stock_weight=spec.stock_weight,
        mail_class=spec.mail_class,
        is_duplex=spec.is_duplex,
        is_admail=spec.is_admail,
        is_confidential=spec.is_confidential,
    )
    group, single = _selection(company, spec)

    if template_id is not None:
        template = template_selectors.get_template_for_company(company=company, template_id=template_id)
        if template.format_code != fmt.code:
            raise TemplateSettingsMismatch()
        with transaction.atomic():
            return _create_rows(company, by, spec, fmt, product, template, group, single)

    with _pdf_on_disk(pdf) as path:
        info = check_pdf(path, fmt, max_letter_pages=settings.CAMPAIGN_MAX_LETTER_PAGES)
        with transaction.atomic():
            template = template_services.template_create(
                company=company,
                name=_template_name(template_name, pdf, spec),
                fmt=fmt,
                source=path,
                file_name=_safe_file_name(pdf.file_name or pdf.original_name),
                by=by,
                checked=info,
            )
            return _create_rows(company, by, spec, fmt, product, template, group, single)


def _selection(company, spec: PrintCampaignInput):
    if spec.recipients_type == "group":
        return recipient_selectors.get_group_for_company(company=company, group_id=spec.recipients_id), None
    if spec.recipients_type == "single":
        return None, recipient_selectors.get_recipient_for_company(
            company=company, recipient_id=spec.recipients_id
        )
    return None, None


def _create_rows(company, by, spec, fmt: Format, product, template, group, single) -> CreatedCampaign:
    campaign = Campaign.objects.for_company(company).create(
        company=company,
        name=spec.name.strip()[:200],
        status=Status.DRAFT,
        selection=(
            Campaign.Selection.GROUP
            if group
            else Campaign.Selection.SINGLE
            if single
            else Campaign.Selection.NONE
        ),
        recipient_group=group,
        recipient=single,
        created_by=by,
    )
    PrintOptions.objects.create(
        campaign=campaign,
        template=template,
        format_code=fmt.code,
        product=product,
        stock_weight=product.stock_weight,
        mail_class=product.mail_class,
        is_duplex=product.is_duplex,
        is_admail=product.is_admail,
        is_confidential=product.is_confidential,
        default_recipient_name=(spec.default_recipient_name or "").strip()[:200],
    )
    machine.start(campaign, by=by)
    count = recipient_count(campaign)
    campaign.recipient_count = count
    campaign.save(update_fields=["recipient_count", "updated_at"])
    warnings = []
    if count:
        machine.transition(campaign, Status.PREVIEW, by=by)
    else:
        warnings.append(NO_RECIPIENTS_WARNING)
    request_preview(campaign)
    return CreatedCampaign(campaign, template.pk, warnings, [CREATED_MESSAGE])


def _template_name(template_name: str | None, pdf: PdfSource, spec: PrintCampaignInput) -> str:
    if (template_name or "").strip():
        return template_name.strip()
    for candidate in (pdf.file_name, pdf.original_name):
        if (candidate or "").strip():
            return Path(candidate.strip()).stem or candidate.strip()
    return f"{spec.name.strip()} template"


def _safe_file_name(name: str) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(name or "").name).strip(".-")
    return (base or "design")[:80].removesuffix(".pdf") + ".pdf"


@contextlib.contextmanager
def _pdf_on_disk(pdf: PdfSource) -> Iterator[Path]:
    """The PDF of mode B (fetched through the outbound guard) or C (decoded) in a temporary file."""
    limit = settings.CAMPAIGN_PDF_MAX_BYTES
    with tempfile.TemporaryDirectory(prefix="campaign-pdf-") as workdir:
        path = Path(workdir) / "source.pdf"
        if pdf.base64 is not None:
            _decode_base64_to(path, pdf.base64, limit)
        elif (pdf.url or "").strip():
            with open(path, "wb") as out:
                try:
                    fetch_to_file(
                        pdf.url.strip(), out, max_bytes=limit, timeout=settings.CAMPAIGN_PDF_FETCH_TIMEOUT
                    )
                except OutboundFileTooLarge as exc:
                    raise PdfTooLarge() from exc
        else:
            raise InvalidPdf("The pdf object has neither fileUrl nor fileBase64.")
        yield path


_DATA_URL_PREFIX = re.compile(r"^data:[^,]*;base64,", re.IGNORECASE)


def _decode_base64_to(path: Path, text: str, limit: int) -> None:
    text = _DATA_URL_PREFIX.sub("", text.strip(), count=1)
    if "\n" in text or "\r" in text or " " in text:
        text = "".join(text.split())
    if len(text) // 4 * 3 - text[-2:].count("=") > limit:
        raise PdfTooLarge()
    if not text:
        raise InvalidPdf("pdf.fileBase64 is empty.")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidPdf("pdf.fileBase64 is not valid Base64.") from exc
    path.write_bytes(data)


# ---- approve, delete ---------------------------------------------------------------------------


@transaction.atomic
def campaign_approve(*, company, campaign_id, by=None) -> Campaign:
    """Approve the campaign and freeze its recipient list: one INSERT ... SELECT copies each
    recipient's address into CampaignRecipient, in the selection's order."""
    campaign = get_campaign_for_company(company=company, campaign_id=campaign_id, for_update=True)
    machine.require_writable(campaign)
    if recipient_count(campaign) == 0:
        raise CampaignHasNoRecipients()
    if not machine.can_move(campaign.status, Status.APPROVED):
        raise InvalidStatusTransition()
    frozen = _snapshot_recipients(campaign)
    if frozen == 0:  # the group emptied between the count and the copy
        raise CampaignHasNoRecipients()
    campaign.recipient_count = frozen
    campaign.approved_at = timezone.now()
    campaign.save(update_fields=["recipient_count", "approved_at", "updated_at"])
    machine.transition(campaign, Status.APPROVED, by=by)
    return campaign


def _snapshot_recipients(campaign: Campaign) -> int:
    """Copy the selection's recipients into the snapshot table, set-based; the rows copied."""
    snapshot = CampaignRecipient._meta.db_table
    recipients = Recipient._meta.db_table
    memberships = GroupMembership._meta.db_table
    columns = ", ".join(SNAPSHOT_FIELDS)
    selected = ", ".join(f"r.{name}" for name in SNAPSHOT_FIELDS)
    campaign_key = Campaign._meta.pk.get_db_prep_value(campaign.pk, connection)
    company_key = Campaign._meta.pk.get_db_prep_value(campaign.company_id, connection)
    CampaignRecipient.objects.filter(campaign=campaign).delete()  # a retried approval starts clean
    with connection.cursor() as cursor:
        if campaign.selection == Campaign.Selection.GROUP:
            group_key = Campaign._meta.pk.get_db_prep_value(campaign.recipient_group_id, connection)
            cursor.execute(
                f"INSERT INTO {snapshot} (campaign_id, sequence, recipient_id, {columns}) "  # noqa: S608 (names from _meta)
                f"SELECT %s, ROW_NUMBER() OVER (ORDER BY m.id), r.id, {selected} "
                f"FROM {memberships} m JOIN {recipients} r ON r.id = m.recipient_id "
                "WHERE m.group_id = %s AND r.company_id = %s",
                [campaign_key, group_key, company_key],
            )
        else:
            recipient_key = Campaign._meta.pk.get_db_prep_value(campaign.recipient_id, connection)
            cursor.execute(
                f"INSERT INTO {snapshot} (campaign_id, sequence, recipient_id, {columns}) "  # noqa: S608
                f"SELECT %s, 1, r.id, {selected} FROM {recipients} r WHERE r.id = %s AND r.company_id = %s",
                [campaign_key, recipient_key, company_key],
            )
        return cursor.rowcount


@transaction.atomic
def campaign_delete(*, company, campaign_id) -> None:
    """Delete a campaign that is not read-only (its snapshot, history and print run go with it;
    its template stays, reusable). The preview and print files are removed once the delete is
    committed."""
    campaign = get_campaign_for_company(company=company, campaign_id=campaign_id, for_update=True)
    machine.require_writable(campaign)
    preview = campaign.preview_file
    print_root = (
        printing.print_root(campaign) if PrintRun.unscoped.filter(campaign=campaign).exists() else None
    )
    campaign.delete()
    if preview:
        transaction.on_commit(lambda: default_storage.delete(preview))
    if print_root:
        transaction.on_commit(lambda: printing.print_files_remove(print_root))


# ---- preview -----------------------------------------------------------------------------------


def request_preview(campaign: Campaign) -> None:
    """Render the preview in the background once the surrounding transaction commits."""
    from campaigns.tasks import render_campaign_preview

    campaign_id = str(campaign.pk)
    transaction.on_commit(lambda: render_campaign_preview.delay(campaign_id))


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
            Campaign.unscoped.filter(pk=campaign.pk).update(preview_error=exc.reason[:500])
            return None
        if default_storage.exists(key):
            default_storage.delete(key)
        with open(out_path, "rb") as rendered:
            stored = default_storage.save(key, File(rendered))
    updated = Campaign.unscoped.filter(pk=campaign.pk).update(
        preview_file=stored, preview_generated_at=timezone.now(), preview_error=""
    )
    if not updated:  # deleted while rendering
        default_storage.delete(stored)
        return None
    return stored


# ---- billing: voucher, cost, schedule -----------------------------------------------------------
# Lock order (with billing's own): the campaign row, then the balance row, then a voucher row, then
# an order row / the day's order counter. Nothing locks a balance and then a campaign.


@dataclass(frozen=True)
class CostOptions:
    """Overrides of a campaign's print options for a cost query (None: the campaign's own)."""

    stock_weight: str | None = None
    mail_class: str | None = None
    is_duplex: bool | None = None
    is_admail: bool | None = None
    is_confidential: bool | None = None


@dataclass(frozen=True)
class CampaignCost:
    campaign: Campaign
    product: Product
    cost: Cost
    scheduled_date: date
    estimated_delivery: date


@dataclass(frozen=True)
class ScheduleResult:
    campaign: Campaign
    payment_status: str  # "ACCEPTED" (paid by balance) or "PENDING" (provisional booking)
    order_number: str | None = None


ACCEPTED, PENDING = "ACCEPTED", "PENDING"


def _require_priced(campaign: Campaign, *, awaiting_payment_ok: bool) -> None:
    """Cost, voucher and schedule work on an approved campaign with recipients. Order of the
    answers: read-only, no recipients (a draft without any is told to add them), not approved."""
    if machine.is_read_only(campaign) or (
        campaign.status == Status.AWAITING_PAYMENT and not awaiting_payment_ok
    ):
        raise CampaignReadOnly()
    if recipient_count(campaign) == 0:
        raise CampaignHasNoRecipients()
    if campaign.status not in (Status.APPROVED, Status.AWAITING_PAYMENT):
        raise CampaignNotApproved()


def _product(campaign: Campaign, options: CostOptions | None) -> Product:
    """The catalogue product for the campaign's options with the overrides; its own product when
    the overrides change nothing (the common query repeats the campaign's own flags)."""
    current = campaign.print_options
    wanted = {
        name: getattr(current, name) if getattr(options, name, None) is None else getattr(options, name)
        for name in ("stock_weight", "mail_class", "is_duplex", "is_admail", "is_confidential")
    }
    same = all(
        (str(value).casefold() == str(getattr(current, name)).casefold()) for name, value in wanted.items()
    )
    if same:
        return current.product
    return catalogue.product_for(format_code=current.format_code, **wanted)


def _default_send_date(now: datetime | None = None) -> date:
    """Tomorrow where the post goes out (the spec's default send_date)."""
    return dispatch_dates.dispatch_today(now) + timedelta(days=1)


def _price(campaign: Campaign, product: Product, *, send_date: date | None = None, now=None) -> CampaignCost:
    """The breakdown for `send_date`, else the campaign's own, else the first dispatch day from
    tomorrow (shown only: from the process's copy of the blocked dates)."""
    day = send_date or campaign.dispatch_date
    if day is None:
        tomorrow = _default_send_date(now)
        day = dispatch_dates.next_available_date_shown(after=tomorrow, now=now) or tomorrow
    cost = cost_breakdown(
        unit_price=product.unit_price, recipients=recipient_count(campaign), voucher=campaign.voucher
    )
    delivery = estimated_delivery(send_date=day, mail_class=product.mail_class)
    return CampaignCost(campaign, product, cost, day, delivery)


def campaign_cost(
    *, company, campaign_id, options: CostOptions | None = None, now: datetime | None = None
) -> CampaignCost:
    """The cost breakdown of an approved campaign, for its own print options or the overrides
    (checked against the catalogue for its format: UnsupportedOption lists what is offered).
    Reads the recipient count frozen at approval: nothing scans recipients."""
    campaign = get_campaign_for_cost(company=company, campaign_id=campaign_id)
    _require_priced(campaign, awaiting_payment_ok=True)
    return _price(campaign, _product(campaign, options), now=now)


@transaction.atomic
def campaign_voucher_apply(*, company, campaign_id, code: str, by=None) -> CampaignCost:
    """Apply a voucher (any case) to an approved campaign; VoucherInvalid if this company may not
    use it now. It counts as redeemed only when the campaign is paid."""
    campaign = get_campaign_for_company(company=company, campaign_id=campaign_id, for_update=True)
    _require_priced(campaign, awaiting_payment_ok=False)
    campaign.voucher = billing.voucher_check(company=company, code=code)
    campaign.save(update_fields=["voucher", "updated_at"])
    return _price(campaign, campaign.print_options.product)


@transaction.atomic
def campaign_voucher_remove(*, company, campaign_id, by=None) -> CampaignCost:
    campaign = get_campaign_for_company(company=company, campaign_id=campaign_id, for_update=True)
    _require_priced(campaign, awaiting_payment_ok=False)
    if campaign.voucher_id is not None:
        campaign.voucher = None
        campaign.save(update_fields=["voucher", "updated_at"])
    return _price(campaign, campaign.print_options.product)


def campaign_schedule(
    *,
    company,
    campaign_id,
    send_date: date | None = None,
    next_available: bool = False,
    use_balance: bool = True,
    by=None,
    now: datetime | None = None,
) -> ScheduleResult:
    """Schedule an approved campaign for `send_date` (default tomorrow; with `next_available`, the
    first dispatch day at or after it). Paid by balance: the total is debited once (under the
    campaign and balance row locks, a unique payment per campaign), the voucher redeemed, and
    the campaign is Scheduled. Else a provisional booking: an order ORD-YYYYMMDD-NNN is made and
    its invoice emailed, and the campaign awaits payment. One transaction: a refusal writes
    nothing. A concurrent second call waits for the campaign lock and then finds it read-only."""
    with transaction.atomic():
        campaign = get_campaign_for_company(company=company, campaign_id=campaign_id, for_update=True)
        _require_priced(campaign, awaiting_payment_ok=False)
        wanted = send_date or _default_send_date(now)
        if next_available:
            day = dispatch_dates.next_available_date(after=wanted, now=now)
        else:
            day = dispatch_dates.dispatch_date_check(day=wanted, now=now)
        priced = _price(campaign, campaign.print_options.product, send_date=day)
        cost, reference = priced.cost, str(campaign.pk)
        if use_balance:
            if cost.total > 0:
                billing.payment_take(
                    company=company,
                    reference=reference,
                    amount=cost.total,
                    by=by,
                    voucher=campaign.voucher,
                    discount=cost.discount,
                )
            elif campaign.voucher is not None:  # wholly discounted: nothing to debit
                billing.voucher_redeem(
                    company=company, voucher=campaign.voucher, reference=reference, discount=cost.discount
                )
            to_status, order_number = Status.SCHEDULED, None
            note = f"Paid {cost.total} {cost.currency} from the balance; send date {day:%Y-%m-%d}."
        else:
            order = billing.order_create(
                company=company,
                reference=reference,
                cost=cost,
                voucher=campaign.voucher,
                send_date=day,
                by=by,
                now=now,
            )
            to_status, order_number = Status.AWAITING_PAYMENT, order.number
            note = (
                f"Provisional booking: order {order.number}, {cost.total} {cost.currency} due by invoice; "
                f"send date {day:%Y-%m-%d}."
            )
        campaign.total_cost, campaign.dispatch_date, campaign.held_at = cost.total, day, None
        campaign.save(update_fields=["total_cost", "dispatch_date", "held_at", "updated_at"])
        machine.transition(campaign, to_status, by=by, note=note)
    return ScheduleResult(campaign, ACCEPTED if use_balance else PENDING, order_number)


# ---- staff decisions on provisional bookings (from the admin) ------------------------------------


def _campaign_of_order(order: Order) -> Campaign | None:
    key = as_uuid(order.reference)
    if key is None:
        return None
    return (
        Campaign.unscoped.select_for_update(of=("self",))
        .select_related("print_options")
        .filter(pk=key, company_id=order.company_id)
        .first()
    )


@transaction.atomic
def campaign_order_approve(*, order: Order, by, now: datetime | None = None) -> Order:
    """Staff confirm an order's invoice is paid: the order is approved, the voucher counted as
    redeemed and the campaign moves from awaiting payment to Scheduled, in one transaction. A
    campaign whose send date has passed meanwhile (held) gets the next dispatch day."""
    campaign = _campaign_of_order(order)
    decided = billing.order_approve(order=order, by=by)
    if campaign is None or campaign.status != Status.AWAITING_PAYMENT:
        return decided
    note = f"Order {decided.number} paid (approved by staff)"
    if decided.voucher_id is not None:
        try:
            billing.voucher_redeem(
                company=campaign.company,
                voucher=decided.voucher,
                reference=str(campaign.pk),
                discount=decided.discount,
            )
        except VoucherInvalid as exc:  # the invoice was issued (and paid) with the discount
            note += f"; voucher not counted ({exc.reason})"
    day = campaign.dispatch_date
    if day is None or day < dispatch_dates.first_possible_day(now):
        day = dispatch_dates.next_available_date(after=dispatch_dates.first_possible_day(now), now=now)
        note += f"; the send date had passed, now {day:%Y-%m-%d}"
    else:
        note += f"; send date {day:%Y-%m-%d}"
    campaign.dispatch_date, campaign.held_at = day, None
    campaign.save(update_fields=["dispatch_date", "held_at", "updated_at"])
    machine.transition(campaign, Status.SCHEDULED, by=by, note=note + ".")
    return decided


@transaction.atomic
def campaign_order_reject(*, order: Order, by, reason: str) -> Order:
    """Staff turn a booking down (with a reason): the order is rejected and the campaign goes back
    to Approved with the reason in its history, in one transaction."""
    campaign = _campaign_of_order(order)
    decided = billing.order_reject(order=order, by=by, reason=reason)
    if campaign is not None and campaign.status == Status.AWAITING_PAYMENT:
        campaign.dispatch_date, campaign.held_at = None, None
        campaign.save(update_fields=["dispatch_date", "held_at", "updated_at"])
        machine.transition(
            campaign, Status.APPROVED, by=by, note=f"Order {decided.number} rejected: {decided.reason}"
        )
    return decided


# ---- dispatch (the beat task) --------------------------------------------------------------------


@dataclass
class DispatchDue:
    held: list = field(default_factory=list)
    printing: list = field(default_factory=list)  # ids to print and dispatch (campaign_dispatch)


def campaigns_dispatch_due(*, now: datetime | None = None) -> DispatchDue:
    """What the dispatch beat does first, across companies: campaigns still awaiting payment on
    their send date are held (once, with the reason in their history, never printed); Scheduled
    campaigns due today move to Printing. Returns the Printing campaigns due (those just moved and
    any a stopped run left behind) for campaign_dispatch. Each row is locked with SKIP LOCKED and
    its status checked again, so two beats at once move each campaign once."""
    today = dispatch_dates.dispatch_today(now)
    due = DispatchDue()
    unpaid = Campaign.unscoped.filter(
        status=Status.AWAITING_PAYMENT, dispatch_date__lte=today, held_at__isnull=True
    )
    for campaign_id in unpaid.values_list("pk", flat=True):
        with transaction.atomic():
            campaign = _lock_skipping(campaign_id, Status.AWAITING_PAYMENT, held_at__isnull=True)
            if campaign is None:
                continue
            order = catalogue.order_for_reference(company=campaign.company_id, reference=str(campaign.pk))
            campaign.held_at = timezone.now()
            campaign.save(update_fields=["held_at", "updated_at"])
            machine.note(
                campaign,
                f"Held: the send date {campaign.dispatch_date:%Y-%m-%d} came while still awaiting payment"
                + (f" of order {order.number}" if order else "")
                + "; not printed.",
            )
            due.held.append(campaign.pk)
    scheduled = Campaign.unscoped.filter(status=Status.SCHEDULED, dispatch_date__lte=today)
    for campaign_id in scheduled.values_list("pk", flat=True):
        with transaction.atomic():
            campaign = _lock_skipping(campaign_id, Status.SCHEDULED)
            if campaign is not None:
                machine.transition(campaign, Status.PRINTING, note="Printing the print-ready files.")
    in_print = Campaign.unscoped.filter(status=Status.PRINTING, dispatch_date__lte=today)
    due.printing = list(in_print.order_by("dispatch_date", "pk").values_list("pk", flat=True))
    return due


def campaign_dispatch(*, campaign_id, now: datetime | None = None) -> bool:
    """Print a Printing campaign (campaigns.printing.print_files_write: idempotent, and it guards
    its own run, so a concurrent call gets PrintRunBusy and a finished run is returned as it is)
    and record it Dispatched with the estimated delivery date, under the campaign row lock and only
    if it is still Printing. False when there was nothing to do. Printing runs outside any
    transaction: no lock is held while a million letters are written."""
    if not Campaign.unscoped.filter(pk=campaign_id, status=Status.PRINTING).exists():
        return False
    run = printing.print_files_write(campaign_id=campaign_id)
    with transaction.atomic():
        campaign = (
            Campaign.unscoped.select_for_update(of=("self",))
            .select_related("print_options")
            .filter(pk=campaign_id, status=Status.PRINTING)
            .first()
        )
        if campaign is None:  # another run recorded it meanwhile
            return False
        posted = dispatch_dates.dispatch_today(now)
        delivery = estimated_delivery(send_date=posted, mail_class=campaign.print_options.mail_class)
        machine.transition(
            campaign,
            Status.DISPATCHED,
            note=f"Dispatched {posted:%Y-%m-%d}; estimated delivery {delivery:%Y-%m-%d} "
            f"({run.letters} letters, print run attempt {run.attempt}).",
        )
    return True


def _lock_skipping(campaign_id, status: str, **more) -> Campaign | None:
    return (
        Campaign.unscoped.select_for_update(skip_locked=True, of=("self",))
        .select_related("print_options")
        .filter(pk=campaign_id, status=status, **more)
        .first()
    )
