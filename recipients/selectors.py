"""Reads about recipients and groups, always scoped to a company."""

import json
import uuid
from dataclasses import dataclass
from functools import lru_cache

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from config.db import fetch_one
from recipients.errors import GroupNotFound, ImportJobNotFound, RecipientNotFound
from recipients.models import ImportJob, ImportRowError, Recipient, RecipientCounter, RecipientGroup


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


def _one_of_company(
    model, *, company, object_id, missing: type[Exception], for_update: bool, related: tuple[str, ...] = ()
):
    """The company's object by id; `missing` for an absent one and for another company's alike."""
    key = _as_uuid(object_id)
    queryset = model.objects.for_company(company)
    if related:  # (select_related() with no names would follow every foreign key)
        queryset = queryset.select_related(*related)
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


def get_import_job_for_company(*, company, job_id) -> ImportJob:
    """The company's import job, with its group; ImportJobNotFound for an absent or malformed id
    and for another company's job alike."""
    return _one_of_company(
        ImportJob, company=company, object_id=job_id, missing=ImportJobNotFound, for_update=False,
        related=("group",),
    )  # fmt: skip


def group_by_name(*, company, name: str) -> RecipientGroup:
    group = RecipientGroup.objects.for_company(company).filter(name=name).first()
    if group is None:
        raise GroupNotFound()
    return group


def group_page(*, company, offset: int, limit: int) -> Page:
    groups = RecipientGroup.objects.for_company(company)
    total = groups.count()
    return Page(total, offset, limit, list(groups.order_by("created_at", "id")[offset : offset + limit]))


# What a recipient list can show: the columns a list shape may name.
LIST_FIELDS = (
    "id", "title", "first_name", "last_name", "company_name", "address1", "address2", "address3",
    "address4", "address5", "postcode", "city", "county", "country", "email", "mobile", "custom_fields",
)  # fmt: skip


@dataclass(frozen=True)
class JsonPage:
    """A page whose items are already one JSON array (UTF-8 bytes, ready for the response body),
    in the shape the caller asked for."""

    total: int
    offset: int
    limit: int
    count: int
    items_json: bytes


@dataclass(frozen=True)
class ListKey:
    """One key of a list item: its name, the column it shows, and whether '' shows as null."""

    name: str
    column: str
    empty_is_null: bool = False


def recipient_page_json(
    *, company, group: RecipientGroup | None, offset: int, limit: int, shape: tuple[ListKey, ...]
) -> JsonPage:
    """A page of recipients encoded as a JSON array of `shape` objects, in list order.

    The list is the API's hottest read, so on PostgreSQL the database builds the JSON itself
    (one round trip, no per-row Python) and the total comes from the maintained counters in the
    same statement; elsewhere the same text is built in Python."""
    if connection.vendor == "postgresql":
        return _page_json_postgresql(company, group, offset, limit, shape)
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
    items = [_list_item(row, shape) for row in rows.values(*LIST_FIELDS)[offset : offset + limit]]
    text = json.dumps(items, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder)
    return JsonPage(total, offset, limit, len(items), text.encode())


def _list_item(row: dict, shape: tuple[ListKey, ...]) -> dict:
    item = {}
    for key in shape:
        value = row[key.column]
        item[key.name] = None if key.empty_is_null and value == "" else value
    return item


# The page's rows (one index range scan of at most `limit` rows), their JSON built in the same
# statement; `position` orders them. The company and the group go in as scalar subqueries, out of
# the planner's sight: one plan (that range scan) suits them all, but with the value in sight
# PostgreSQL costs a company or group much bigger than the average apart from its generic plan and
# plans the statement afresh on every execution (~80 us of a 100-row page's ~500).
_ALL_ROWS = """
    SELECT r.*, r.created_at AS position_at, r.id AS position_id FROM recipients_recipient r
    WHERE r.company_id = (SELECT %(company)s::uuid) ORDER BY r.created_at, r.id {bounds}
"""
_GROUP_ROWS = """
    SELECT r.*, NULL::timestamptz AS position_at, m.id AS position_id
    FROM recipients_groupmembership m JOIN recipients_recipient r ON r.id = m.recipient_id
    WHERE m.group_id = (SELECT %(group)s::uuid) AND r.company_id = (SELECT %(company)s::uuid)
    ORDER BY m.id {bounds}
"""
_COUNTER = "(SELECT count FROM recipients_recipientcounter WHERE company_id = %(company)s)"


def _page_sql(shape: tuple[ListKey, ...], of_group: bool, offset: int, limit: int) -> str:
    """The page query. Offset and limit are written into it rather than sent as parameters: for a
    parameter LIMIT, PostgreSQL's generic plan assumes a tenth of the company's rows, so it would
    plan the statement again on every execution instead; written in, a page size that is asked
    for again is planned once per connection."""
    before, after = _page_sql_around_bounds(shape, of_group)
    return f"{before}OFFSET {offset:d} LIMIT {limit:d}{after}"


@lru_cache(maxsize=16)
def _page_sql_around_bounds(shape: tuple[ListKey, ...], of_group: bool) -> tuple[str, str]:
    """The page query for a list shape, built once per shape, in two parts around its OFFSET and
    LIMIT. One row: the total, how many items, and the items as one JSON array, each made by
    row_to_json from columns named as the keys (half of what json_build_object costs) and joined
    by string_agg (one value to hand over, not a row per item: half this process's work). The
    array comes as UTF-8 bytes (bytea, fetched in binary), so it goes into the response body
    without being decoded and encoded again. Safe to format: key names are alphanumeric and
    columns come from LIST_FIELDS (asserted here, once per shape)."""
    assert all(key.column in LIST_FIELDS and key.name.isalnum() for key in shape), shape
    fields = ", ".join(
        (f"NULLIF(page.{key.column}, '')" if key.empty_is_null else f"page.{key.column}")
        + f' AS "{key.name}"'
        for key in shape
    )
    sql = f"""
        SELECT {"%(total)s::bigint" if of_group else _COUNTER}, count(*), convert_to('[' || coalesce(
            string_agg(row_to_json(item)::text, ',' ORDER BY page.position_at, page.position_id), ''
        ) || ']', 'UTF8')
        FROM ({_GROUP_ROWS if of_group else _ALL_ROWS}) page
        CROSS JOIN LATERAL (SELECT {fields}) item
    """  # noqa: S608
    before, _, after = sql.partition("{bounds}")
    return before, after


def _page_json_postgresql(company, group, offset, limit, shape) -> JsonPage:
    sql = _page_sql(shape, group is not None, offset, limit)
    params = {"company": company.pk}
    if group is not None:
        params |= {"group": group.pk, "total": group.recipient_count}
    total, count, items_json = fetch_one(sql, params, binary=True)
    return JsonPage(total or 0, offset, limit, count, items_json)


def import_errors(*, company, group: RecipientGroup):
    """(row number, reason) of the rows an import left out, in file order."""
    return ImportRowError.objects.filter(job__group=group, job__company=company).values_list(
        "row_number", "reason"
    )
