"""A checked SegmentationQuery as one Q over recipients.Recipient, and the members of a company's
groups it targets, in one SQL statement that reads alike on SQLite and PostgreSQL."""

import calendar
import re
import uuid
from datetime import date, timedelta

from django.db.models import Case, F, FloatField, Q, QuerySet, TextField, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, Lower, Substr
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    IContains,
    IEndsWith,
    IExact,
    In,
    IStartsWith,
    LessThan,
    LessThanOrEqual,
    Regex,
)
from django.utils import timezone

from messaging.segmentation.parsing import (
    FIELD_COLUMNS,
    LIST_CONDITIONS,
    SegmentationGroup,
    SegmentationQuery,
    SegmentationRule,
    parse_query,
)
from recipients.models import GroupMembership, Recipient, RecipientGroup

# Shapes of stored text, checked in SQL before a value is read as a date or cast to a number (a
# cast of other text fails on PostgreSQL). Both databases read them alike (POSIX ERE / Python re).
ISO_DATE = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
NUMBER = r"^-?[0-9]{1,15}(\.[0-9]{1,15})?$"


def recipient_filter(query: SegmentationQuery | None, *, today: date | None = None) -> Q:
    """The Q that keeps the Recipient rows `query` selects (Q() for no query: every row).
    `today` anchors ann_in_days (default: today in settings.TIME_ZONE)."""
    if query is None:
        return Q()
    today = today or timezone.localdate()
    selected = _group_filter(query.groups[0], today)
    for group in query.groups[1:]:
        condition = _group_filter(group, today)
        if group.operator == "OR":
            selected = selected | condition
        elif group.operator == "AND":
            selected = selected & condition
        elif group.operator == "AND NOT":
            selected = selected & ~condition
        else:  # OR NOT
            selected = selected | ~condition
    return selected


def _group_filter(group: SegmentationGroup, today: date) -> Q:
    conditions = [_rule_filter(rule, today) for rule in group.rules]
    return Q(*conditions, _connector=Q.OR if group.rules[0].operator == "OR" else Q.AND)


def _text_of(field: str):
    """The field's stored text: never NULL, so negations keep rows without a value."""
    column = FIELD_COLUMNS.get(field)
    if column:
        return F(column)  # blank, never NULL
    return Coalesce(KeyTextTransform(field, "custom_fields"), Value(""), output_field=TextField())


def _rule_filter(rule: SegmentationRule, today: date) -> Q:
    text = _text_of(rule.field)
    condition, value = rule.condition, rule.value
    if condition in ("eq", "neq"):
        matched = Q(IExact(text, value))
        return ~matched if condition == "neq" else matched
    if condition in ("isnull", "isnotnull"):
        empty = Q(Exact(text, ""))
        return ~empty if condition == "isnotnull" else empty
    if condition in LIST_CONDITIONS:
        matched = Q(In(Lower(text), [Lower(Value(item)) for item in value]))
        return ~matched if condition == "notin" else matched
    if condition == "startswith":
        return Q(IStartsWith(text, value))
    if condition == "endswith":
        return Q(IEndsWith(text, value))
    if condition == "contains":
        return Q(IContains(text, value))
    if condition == "ann_in_days":
        return _anniversary_filter(text, int(value), today)
    return _comparison_filter(text, condition, value)


COMPARISONS = {"lt": LessThan, "lte": LessThanOrEqual, "gt": GreaterThan, "gte": GreaterThanOrEqual}


def _comparison_filter(text, condition: str, value: str) -> Q:
    compare = COMPARISONS[condition]
    if _is_iso_date(value):  # ISO dates order as their text does
        return Q(Regex(text, ISO_DATE)) & Q(compare(text, value))
    if re.fullmatch(NUMBER, value):
        # The CASE keeps PostgreSQL from casting text that is not a number.
        number = Case(When(Regex(text, NUMBER), then=Cast(text, FloatField())))
        return Q(Regex(text, NUMBER)) & Q(compare(number, float(value)))
    return ~Q(Exact(text, "")) & Q(compare(Lower(text), Lower(Value(value))))


def _is_iso_date(value: str) -> bool:
    if not re.fullmatch(ISO_DATE, value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:  # e.g. 2023-02-30
        return False
    return True


def _anniversary_filter(text, days: int, today: date) -> Q:
    """The stored ISO date's month-day ('MM-DD', compared as text) is within today .. today+days."""
    is_date = Q(Regex(text, ISO_DATE))
    # A window of 366 days or more holds every anniversary (and may cross two years' ends, which
    # _anniversary_ranges does not split).
    if days >= 365:
        return is_date
    month_day = Substr(text, 6, 5)
    within = Q()
    for first, last in _anniversary_ranges(today, days):
        within |= Q(GreaterThanOrEqual(month_day, first)) & Q(LessThanOrEqual(month_day, last))
    last_day = today + timedelta(days=days)
    if (last_day.month, last_day.day) == (2, 28) and not calendar.isleap(last_day.year):
        within |= Q(Exact(month_day, "02-29"))  # its anniversary is Feb 28 this year
    return is_date & within


def _anniversary_ranges(today: date, days: int) -> list[tuple[str, str]]:
    """The window today .. today+days (days < 365) as 'MM-DD' ranges: two when it crosses
    the year's end."""
    last_day = today + timedelta(days=days)
    first, last = today.strftime("%m-%d"), last_day.strftime("%m-%d")
    if last_day.year == today.year:
        return [(first, last)]
    return [(first, "12-31"), ("01-01", last)]


# ---- the targeted recipients ------------------------------------------------------------------


def targeted_recipients(
    *, company, group_ids: list, query=None, today: date | None = None
) -> QuerySet[Recipient]:
    """The company's recipients in any of the company's groups `group_ids` (each once), kept by
    `query` (a SegmentationQuery, or raw input for parse_query; None for all), ordered by id.
    One query; ids that are malformed or not the company's groups select nothing. `today`: see
    recipient_filter (a firing passes its own date, so a retry after midnight targets alike)."""
    if not isinstance(query, SegmentationQuery):
        query = parse_query(query)
    keys = [key for key in map(_as_uuid, group_ids) if key is not None]
    groups = RecipientGroup.objects.for_company(company).filter(pk__in=keys).values("pk")
    members = GroupMembership.objects.filter(group__in=groups).values("recipient_id")
    return (
        Recipient.objects.for_company(company)
        .filter(pk__in=members)
        .filter(recipient_filter(query, today=today))
        .order_by("id")
    )


def _as_uuid(value) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None
