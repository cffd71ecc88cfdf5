from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from billing import dates
from billing.errors import (
    BillingErrorCode,
    DateNotAvailable,
    DateRangeInPast,
    DateRangeTooLong,
    InvalidDateRange,
    NoAvailableDates,
)
from tests.billing.factories import BlockedDateFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def _at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


MORNING_1_APRIL = _at(2026, 4, 1, 9, 0)  # a Wednesday


def test_weekends_and_easter_bank_holidays_are_not_dispatch_days():
    days = dates.available_dates(start=date(2026, 4, 1), end=date(2026, 4, 15), now=MORNING_1_APRIL)

    assert days == [
        date(2026, 4, 1),
        date(2026, 4, 2),
        # 3 April Good Friday; 4-5 weekend; 6 April Easter Monday
        date(2026, 4, 7),
        date(2026, 4, 8),
        date(2026, 4, 9),
        date(2026, 4, 10),
        date(2026, 4, 13),
        date(2026, 4, 14),
        date(2026, 4, 15),
    ]


def test_christmas_boxing_day_and_its_substitute_day():
    days = dates.available_dates(start=date(2026, 12, 23), end=date(2026, 12, 31), now=_at(2026, 12, 1, 9))
    # 25 Fri Christmas, 26-27 weekend, 28 Mon Boxing Day (substitute)
    assert days == [
        date(2026, 12, 23),
        date(2026, 12, 24),
        date(2026, 12, 29),
        date(2026, 12, 30),
        date(2026, 12, 31),
    ]


def test_staff_blocked_dates_are_left_out():
    BlockedDateFactory(date=date(2026, 4, 8))
    BlockedDateFactory(date=date(2026, 4, 9), reason="Printer maintenance")

    days = dates.available_dates(start=date(2026, 4, 7), end=date(2026, 4, 10), now=MORNING_1_APRIL)

    assert days == [date(2026, 4, 7), date(2026, 4, 10)]


@pytest.mark.parametrize(
    ("now", "first"),
    [
        (_at(2026, 4, 1, 14, 59, 59), date(2026, 4, 1)),
        (_at(2026, 4, 1, 15, 0), date(2026, 4, 2)),
        (_at(2026, 4, 2, 16, 30), date(2026, 4, 7)),  # after the cut-off before Easter
    ],
)
def test_today_ends_at_the_cut_off(now, first):
    assert dates.available_dates(start=date(2026, 4, 1), end=date(2026, 4, 30), now=now)[0] == first


def test_the_cut_off_is_a_setting(settings):
    settings.DISPATCH_CUTOFF = time(11, 0)
    assert dates.available_dates(end=date(2026, 4, 2), now=_at(2026, 4, 1, 11, 0)) == [date(2026, 4, 2)]


def test_the_cut_off_is_london_time_whatever_the_clock_says():
    # 14:30 UTC in summer time is 15:30 in London: past the cut-off
    now = datetime(2026, 4, 1, 14, 30, tzinfo=ZoneInfo("UTC"))
    assert dates.available_dates(end=date(2026, 4, 2), now=now) == [date(2026, 4, 2)]


def test_defaults_are_today_to_today_plus_30_days_with_the_real_clock():
    with time_machine.travel(_at(2026, 4, 1, 9, 0), tick=False):
        days = dates.available_dates()
    assert days[0] == date(2026, 4, 1)
    assert days[-1] == date(2026, 5, 1)  # 1 May 2026 is a Friday; +30 days
    assert date(2026, 5, 4) not in days  # early May bank holiday is beyond the range anyway


def test_a_start_in_the_past_is_read_as_today():
    days = dates.available_dates(start=date(2026, 3, 1), end=date(2026, 4, 2), now=MORNING_1_APRIL)
    assert days == [date(2026, 4, 1), date(2026, 4, 2)]


def test_an_empty_answer_when_the_range_has_no_dispatch_day():
    assert dates.available_dates(start=date(2026, 4, 4), end=date(2026, 4, 6), now=MORNING_1_APRIL) == []


def test_the_end_before_the_start_is_refused():
    with pytest.raises(InvalidDateRange):
        dates.available_dates(start=date(2026, 4, 10), end=date(2026, 4, 9), now=MORNING_1_APRIL)


def test_a_range_in_the_past_is_refused():
    with pytest.raises(DateRangeInPast):
        dates.available_dates(start=date(2026, 3, 1), end=date(2026, 3, 31), now=MORNING_1_APRIL)


def test_a_range_too_long_is_refused(settings):
    settings.DISPATCH_MAX_RANGE_DAYS = 31
    dates.available_dates(start=date(2026, 4, 1), end=date(2026, 5, 1), now=MORNING_1_APRIL)
    with pytest.raises(DateRangeTooLong) as caught:
        dates.available_dates(start=date(2026, 4, 1), end=date(2026, 5, 2), now=MORNING_1_APRIL)
    assert (caught.value.code, caught.value.params) == (
        BillingErrorCode.DATE_RANGE_TOO_LONG,
        {"max_days": 31},
    )


def test_next_available_date_is_on_or_after_the_given_day():
    assert dates.next_available_date(after=date(2026, 4, 2), now=MORNING_1_APRIL) == date(2026, 4, 2)
    assert dates.next_available_date(after=date(2026, 4, 3), now=MORNING_1_APRIL) == date(2026, 4, 7)
    # a day in the past means the first day that is still possible
    assert dates.next_available_date(after=date(2026, 3, 2), now=_at(2026, 4, 1, 15, 1)) == date(2026, 4, 2)


def test_no_available_dates_in_the_search_window(settings):
    settings.DISPATCH_SEARCH_DAYS = 3
    for day in (date(2026, 4, 7), date(2026, 4, 8), date(2026, 4, 9), date(2026, 4, 10)):
        BlockedDateFactory(date=day)

    with pytest.raises(NoAvailableDates) as caught:
        dates.next_available_date(after=date(2026, 4, 3), now=MORNING_1_APRIL)

    assert (caught.value.code, caught.value.params) == (
        BillingErrorCode.NO_AVAILABLE_DATES,
        {"day": date(2026, 4, 3)},
    )


@pytest.mark.parametrize(
    ("day", "ok"),
    [
        (date(2026, 4, 15), True),
        (date(2026, 4, 3), False),  # Good Friday
        (date(2026, 4, 11), False),  # Saturday
        (date(2026, 3, 31), False),  # yesterday
    ],
)
def test_dispatch_date_check(day, ok):
    if ok:
        assert dates.dispatch_date_check(day=day, now=MORNING_1_APRIL) == day
    else:
        with pytest.raises(DateNotAvailable) as caught:
            dates.dispatch_date_check(day=day, now=MORNING_1_APRIL)
        assert (caught.value.code, caught.value.params) == (BillingErrorCode.DATE_NOT_AVAILABLE, {"day": day})


def test_a_blocked_date_is_not_available():
    BlockedDateFactory(date=date(2026, 4, 15))
    assert not dates.date_is_available(day=date(2026, 4, 15), now=MORNING_1_APRIL)


def test_one_query_for_a_whole_range(django_assert_num_queries):
    with django_assert_num_queries(1):
        dates.available_dates(
            start=date(2026, 1, 1), end=date(2026, 1, 1) + timedelta(days=365), now=_at(2026, 1, 1, 9)
        )
