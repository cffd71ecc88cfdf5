"""Reads about recipients and groups, always scoped to a company."""

import uuid
from dataclasses import dataclass

from recipients.errors import GroupNotFound, RecipientNotFound
from recipients.models import ImportRowError, Recipient, RecipientCounter, RecipientGroup


@dataclass(frozen=True)
class Page:
    total: int
    offset: int
    limit: int
    items: list


def _as_uuid(value) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def _one_of_company(model, *, company, object_id, missing: type[Exception], for_update: bool):
    """The company's object by id; `missing` for an absent one and for another company's alike."""
    key = _as_uuid(object_id)
    queryset = model.objects.for_company(company)
    if for_update:
        queryset = queryset.select_for_update()
    found = queryset.filter(pk=key).first() if key else None
    if found is None:
        raise missing()
    return found


def get_recipient_for_company(*, company, recipient_id, for_update: bool = False) -> Recipient:
    return _one_of_company(
        Recipient, company=company, object_id=recipient_id, missing=RecipientNotFound, for_update=for_update
    )


def get_group_for_company(*, company, group_id, for_update: bool = False) -> RecipientGroup:
    return _one_of_company(
        RecipientGroup, company=company, object_id=group_id, missing=GroupNotFound, for_update=for_update
    )


def group_by_name(*, company, name: str) -> RecipientGroup:
    group = RecipientGroup.objects.for_company(company).filter(name=name).first()
    if group is None:
        raise GroupNotFound()
    return group


def group_page(*, company, offset: int, limit: int) -> Page:
    groups = RecipientGroup.objects.for_company(company)
    total = groups.count()
    return Page(total, offset, limit, list(groups.order_by("created_at", "id")[offset : offset + limit]))


# What a recipient list shows: plain rows (dicts) are several times cheaper than model objects.
LIST_FIELDS = (
    "id", "title", "first_name", "last_name", "company_name", "address1", "address2", "address3",
    "address4", "address5", "postcode", "city", "county", "country", "email", "mobile", "custom_fields",
)  # fmt: skip


def recipient_page(*, company, group: RecipientGroup | None, offset: int, limit: int) -> Page:
    """A page of recipients (as dicts of LIST_FIELDS); totals come from the maintained counters,
    never from counting."""
    if group is None:
        total = RecipientCounter.objects.filter(company=company).values_list("count", flat=True).first() or 0
        rows = Recipient.objects.for_company(company).order_by("created_at", "id")
    else:
        total = group.recipient_count
        rows = (
            Recipient.objects.for_company(company)
            .filter(memberships__group=group)
            .order_by("memberships__id")
        )
    return Page(total, offset, limit, list(rows.values(*LIST_FIELDS)[offset : offset + limit]))


def import_errors(*, company, group: RecipientGroup):
    """(row number, reason) of the rows an import left out, in file order."""
    return ImportRowError.objects.filter(job__group=group, job__company=company).values_list(
        "row_number", "reason"
    )
