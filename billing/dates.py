"""Dispatch dates: the days a campaign can be sent.

A dispatch day is a working day (Monday to Friday) that is not a bank holiday in England and
Wales (the `holidays` package) and not blocked by staff (BlockedDate). Today stops being one at
the cut-off (settings.DISPATCH_CUTOFF, local time in settings.DISPATCH_TIME_ZONE); days before
today never are, and neither are days past the booking horizon, settings.DISPATCH_MAX_RANGE_DAYS
after today: availableDates lists no day beyond it and scheduling takes none.
"""

import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.db import connection
from django.utils import timezone

from billing.errors import (
    DateNotAvailable,
    DateRangeBeyondHorizon,
    DateRangeInPast,
    DateRangeTooLong,
    InvalidDateRange,
    NoAvailableDates,
)
from billing.models import BlockedDate

DEFAULT_RANGE_DAYS = 30  # the spec: end defaults to today + 30 days


@lru_cache(maxsize=64)
def _bank_holidays_of(year: int) -> frozenset[date]:
    return frozenset(holidays.UnitedKingdom(subdiv="ENG", years=year))


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays_of(day.year)


def is_working_day(day: date) -> bool:
    """Monday to Friday, and not a bank holiday in England and Wales."""
    return day.weekday() < 5 and not is_bank_holiday(day)


@lru_cache(maxsize=4096)
def add_working_days(day: date, count: int) -> date:
    """The working day `count` working days after `day` (remembered: every cost call asks)."""
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def dispatch_today(now: datetime | None = None) -> date:
    """Today where the post goes out."""
    return timezone.localtime(now or timezone.now(), ZoneInfo(settings.DISPATCH_TIME_ZONE)).date()


def first_possible_day(now: datetime | None = None) -> date:
    """Today, or tomorrow once today's cut-off has passed (not yet checked for working days)."""
    local = timezone.localtime(now or timezone.now(), ZoneInfo(settings.DISPATCH_TIME_ZONE))
    return local.date() + timedelta(days=1) if local.time() >= settings.DISPATCH_CUTOFF else local.date()


def booking_horizon(now: datetime | None = None) -> date:
    """The last day a campaign can be booked for: settings.DISPATCH_MAX_RANGE_DAYS after today."""
    return dispatch_today(now) + timedelta(days=settings.DISPATCH_MAX_RANGE_DAYS)


def available_dates(
    *, start: date | None = None, end: date | None = None, now: datetime | None = None
) -> list[date]:
    """The dispatch days in [start, end], in order. Defaults: today .. today + 30 days.
    A start before today is read as today and an end past the booking horizon as the horizon; a
    range wholly in the past or wholly past the horizon, backwards, or longer than
    settings.DISPATCH_MAX_RANGE_DAYS is refused."""
    today = dispatch_today(now)
    start = today if start is None else start
    end = today + timedelta(days=DEFAULT_RANGE_DAYS) if end is None else end
    if end < start:
        raise InvalidDateRange()
    if (end - start).days + 1 > settings.DISPATCH_MAX_RANGE_DAYS:
        raise DateRangeTooLong(settings.DISPATCH_MAX_RANGE_DAYS)
    if end < today:
        raise DateRangeInPast()
    horizon = booking_horizon(now)
    if start > horizon:
        raise DateRangeBeyondHorizon(settings.DISPATCH_MAX_RANGE_DAYS)
    return _dispatch_days(max(start, first_possible_day(now)), min(end, horizon))


def date_is_available(*, day: date, now: datetime | None = None) -> bool:
    """A dispatch day between the first possible day and the booking horizon."""
    if not first_possible_day(now) <= day <= booking_horizon(now):
        return False
    return bool(_dispatch_days(day, day))


def dispatch_date_check(*, day: date, now: datetime | None = None) -> date:
    """`day` if it is a dispatch day, else DateNotAvailable (the spec's message)."""
    if not date_is_available(day=day, now=now):
        raise DateNotAvailable(day)
    return day


def next_available_date(*, after: date, now: datetime | None = None) -> date:
    """The first dispatch day on or after `after` (the spec: "the next available date at or
    after send_date"), looking settings.DISPATCH_SEARCH_DAYS ahead but not past the booking
    horizon; NoAvailableDates beyond."""
    window = _search_window(after, now)
    day = next(_dispatch_days_from(*window, _blocked_between(*window)), None) if window else None
    if day is None:
        raise NoAvailableDates(after)
    return day


def next_available_date_shown(*, after: date, now: datetime | None = None) -> date | None:
    """next_available_date for display (the cost breakdown's scheduledDate): the answer is
    remembered by the process for settings.DISPATCH_BLOCKED_CACHE_SECONDS, so a cost call makes
    no query for the blocked dates; None when there is no dispatch day in reach. Scheduling
    always checks with a fresh read."""
    key = _search_window(after, now)
    if key is None:
        return None
    start, end = key
    moment = time.monotonic_ns()
    cached = _shown_blocked.get(key)
    if cached is None or moment - cached[0] > settings.DISPATCH_BLOCKED_CACHE_SECONDS * 1_000_000_000:
        if len(_shown_blocked) > 16:
            _shown_blocked.clear()
        first = next(_dispatch_days_from(start, end, _blocked_between(start, end)), None)
        cached = _shown_blocked[key] = (moment, first)
    return cached[1]


# (start, end) -> (monotonic ns when read, the first dispatch day in it or None)
_shown_blocked: dict[tuple[date, date], tuple[int, date | None]] = {}


def _search_window(after: date, now: datetime | None) -> tuple[date, date] | None:
    """[start, end] where a next available date is looked for; None when it starts past the
    booking horizon (so no date arithmetic runs near date.max)."""
    start, horizon = max(after, first_possible_day(now)), booking_horizon(now)
    if start > horizon:
        return None
    return start, min(start + timedelta(days=settings.DISPATCH_SEARCH_DAYS), horizon)


def forget_blocked_dates() -> None:
    """Drop the process-local copy (tests; a staff change in this process)."""
    _shown_blocked.clear()


def _blocked_between(start: date, end: date) -> set[date]:
    """Staff-blocked dates in [start, end]. Written out: cost asks on every call, and building
    the query with the ORM costs more than running it."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT date FROM {BlockedDate._meta.db_table} WHERE date BETWEEN %s AND %s",  # noqa: S608
            [start, end],
        )
        return {d if isinstance(d, date) else date.fromisoformat(str(d)) for (d,) in cursor.fetchall()}


def _dispatch_days(start: date, end: date) -> list[date]:
    if end < start:
        return []
    return list(_dispatch_days_from(start, end, _blocked_between(start, end)))


def _dispatch_days_from(start: date, end: date, blocked: set[date]) -> Iterator[date]:
    """The dispatch days in [start, end], lazily: asking for the first one looks at a few days,
    not at the whole range."""
    day = start
    while day <= end:
        if is_working_day(day) and day not in blocked:
            yield day
        day += timedelta(days=1)
