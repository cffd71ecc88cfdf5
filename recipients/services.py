"""Every write about recipients and groups. Counts on groups and companies are kept here, in the
same transaction as the change, so no read ever has to count rows."""

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from config.leases import lease_left
from recipients import usage
from recipients.errors import (
    GroupNameRequired,
    GroupNameTaken,
    GroupNotDeletable,
    GroupNotInCompany,
    RecipientIdsRequired,
    RecipientInActiveCampaign,
)
from recipients.models import (
    GroupMembership,
    ImportJob,
    ImportRowError,
    Recipient,
    RecipientCounter,
    RecipientGroup,
)
from recipients.selectors import get_group_for_company, get_recipient_for_company

DEFAULT_GROUP_NAME = "Default"


def recipients_setup_company(*, company) -> RecipientGroup:
    """Every company has its default group and its recipient counter from the start."""
    RecipientCounter.objects.create(company=company)
    return RecipientGroup.objects.for_company(company).create(
        company=company, name=DEFAULT_GROUP_NAME, is_default=True
    )


def clean_recipient_values(values: dict) -> dict:
    """Trimmed strings; postcodes upper-case; None means empty."""
    cleaned = {}
    for field, value in values.items():
        if field == "custom_fields":
            cleaned[field] = {str(k): "" if v is None else str(v) for k, v in (value or {}).items()}
            continue
        text = "" if value is None else str(value).strip()
        cleaned[field] = text.upper() if field == "postcode" else text
    return cleaned


# ---- groups -------------------------------------------------------------------------------------


def group_create(
    *, company, name: str, status: str = RecipientGroup.Status.READY, file_name: str = ""
) -> RecipientGroup:
    name = (name or "").strip()
    if not name:
        raise GroupNameRequired()
    try:
        with transaction.atomic():
            return RecipientGroup.objects.for_company(company).create(
                company=company, name=name, status=status, file_name=file_name
            )
    except IntegrityError as exc:
        raise GroupNameTaken() from exc


def group_rename(*, company, group_id, name: str) -> RecipientGroup:
    """A new name for the group, unique in the company (GroupNameRequired, GroupNameTaken)."""
    name = (name or "").strip()
    if not name:
        raise GroupNameRequired()
    try:
        with transaction.atomic():
            group = get_group_for_company(company=company, group_id=group_id, for_update=True)
            group.name, group.updated_at = name, timezone.now()
            group.save(update_fields=["name", "updated_at"])
    except IntegrityError as exc:
        raise GroupNameTaken() from exc
    return group


@transaction.atomic
def group_delete(*, company, group_id) -> None:
    """A group may go unless it is the default, in use by an active campaign, or being imported
    right now. An import whose lease ran out (its worker is gone) is no longer "right now": its
    group goes with the rows the import had committed, as a failed import's would. The import's
    row is locked first (the order an import batch takes them), so a resume cannot start or
    commit meanwhile."""
    group = get_group_for_company(company=company, group_id=group_id)
    job = ImportJob.unscoped.select_for_update().select_related("company").filter(group_id=group.pk).first()
    group = get_group_for_company(company=company, group_id=group_id, for_update=True)
    importing = group.status == RecipientGroup.Status.IMPORTING
    import_live = importing and (
        job is None or lease_left(job.heartbeat_at, settings.IMPORT_LEASE_SECONDS) > 0
    )
    refusal = group_never_deletable(group)
    if refusal is not None:
        raise refusal
    if import_live:
        raise GroupNotDeletable(reason=GroupNotDeletable.IMPORTING)
    if usage.group_in_active_use(company, group.pk):
        raise GroupNotDeletable(reason=GroupNotDeletable.IN_ACTIVE_CAMPAIGN)
    if importing:
        import_rows_discard(job=job)
        transaction.on_commit(lambda: import_staged_file_drop(job=job))
    group.delete()


def group_never_deletable(group: RecipientGroup) -> GroupNotDeletable | None:
    """The refusal that holds whatever happens (the company's default group), or None."""
    return GroupNotDeletable(reason=GroupNotDeletable.DEFAULT) if group.is_default else None


# ---- imports (the rest is in recipients.importing) ----------------------------------------------


def import_rows_discard(*, job: ImportJob) -> None:
    """Removes what an import committed (its recipients, with their memberships, and its row
    errors) and takes its recipients off the company's count: nothing half-done is kept."""
    imported = ImportJob.unscoped.get(pk=job.pk).imported_rows
    Recipient.objects.for_company(job.company).filter(import_job=job).delete()
    ImportRowError.objects.filter(job=job).delete()
    _change_company_count(job.company, -imported)


def import_staged_file_drop(*, job: ImportJob) -> None:
    if job.staged_file:
        default_storage.delete(job.staged_file)


@transaction.atomic
def group_remove_recipients(*, company, group_id, recipient_ids: list) -> int:
    if not recipient_ids:
        raise RecipientIdsRequired()
    group = get_group_for_company(company=company, group_id=group_id, for_update=True)
    removed = _delete_memberships(group.pk, recipient_ids)
    if removed:
        _change_group_counts({group.pk: -removed})
    return removed


def _delete_memberships(group_id, recipient_ids: list) -> int:
    """Deletes the group's memberships of these recipients, however many: on PostgreSQL in one
    statement with the ids as one array parameter (a statement takes at most 65,535 parameters),
    elsewhere in batches of as many ids as the database takes in one statement."""
    if connection.vendor == "postgresql":
        key = GroupMembership._meta.get_field("recipient").target_field
        ids = [key.get_db_prep_value(recipient_id, connection) for recipient_id in recipient_ids]
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {GroupMembership._meta.db_table} WHERE group_id = %s AND recipient_id = ANY(%s)",  # noqa: S608
                [group_id, ids],
            )
            return cursor.rowcount
    batch = (connection.features.max_query_params or 1000) - 1  # one parameter is the group
    removed = 0
    for start in range(0, len(recipient_ids), batch):
        chunk = recipient_ids[start : start + batch]
        removed += GroupMembership.objects.filter(group_id=group_id, recipient_id__in=chunk).delete()[0]
    return removed


# ---- recipients -----------------------------------------------------------------------------


@transaction.atomic
def recipient_create(*, company, values: dict, group_id=None) -> Recipient:
    if group_id is None:
        group = RecipientGroup.objects.for_company(company).get(is_default=True)
    else:
        group = RecipientGroup.objects.for_company(company).filter(pk=group_id).first()
        if group is None:
            raise GroupNotInCompany()
    recipient = Recipient.objects.for_company(company).create(
        company=company, **clean_recipient_values(values)
    )
    GroupMembership.objects.create(group=group, recipient=recipient)
    _change_group_counts({group.pk: 1})
    _change_company_count(company, 1)
    return recipient


@transaction.atomic
def recipient_update(*, company, recipient_id, values: dict) -> Recipient:
    """Partial update: only the fields given change."""
    recipient = get_recipient_for_company(company=company, recipient_id=recipient_id, for_update=True)
    for field, value in clean_recipient_values(values).items():
        setattr(recipient, field, value)
    recipient.save()
    return recipient


@transaction.atomic
def recipient_delete(*, company, recipient_id) -> None:
    recipient = get_recipient_for_company(company=company, recipient_id=recipient_id, for_update=True)
    if usage.recipients_in_active_use(company, [recipient.pk]):
        raise RecipientInActiveCampaign()
    group_ids = list(GroupMembership.objects.filter(recipient=recipient).values_list("group_id", flat=True))
    recipient.delete()
    _change_group_counts(dict.fromkeys(group_ids, -1))
    _change_company_count(company, -1)


# ---- counters -------------------------------------------------------------------------------


def _change_group_counts(deltas: dict) -> None:
    now = timezone.now()
    for group_id, delta in deltas.items():
        RecipientGroup.unscoped.filter(pk=group_id).update(
            recipient_count=F("recipient_count") + delta, updated_at=now
        )


def _change_company_count(company, delta: int) -> None:
    RecipientCounter.objects.filter(company=company).update(count=F("count") + delta)
