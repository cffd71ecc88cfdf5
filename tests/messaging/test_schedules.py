"""Campaign schedules (messaging.schedules): pure functions, no database."""

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from dateutil.rrule import rrulestr

from messaging.errors import InvalidInput, MessagingErrorCode
from messaging.schedules import (
    Schedule,
    first_firing,
    next_firing,
    parse_schedule,
    resume_firing,
)

ZURICH = ZoneInfo("Europe/Zurich")
NEW_YORK = ZoneInfo("America/New_York")
ACTIVATED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _scheduled(rrule: str, activated_at: datetime = ACTIVATED) -> Schedule:
    return parse_schedule(schedule_type="scheduled", schedule_rrule=rrule, activated_at=activated_at)


def _firings(schedule: Schedule, how_many: int, activated_at: datetime = ACTIVATED) -> list[datetime]:
    """The first firings, the way the beat walks them: first_firing, then next_firing after each."""
    firings = [first_firing(schedule, activated_at=activated_at)]
    while len(firings) < how_many and firings[-1] is not None:
        firings.append(next_firing(schedule, after=firings[-1], activated_at=activated_at))
    return firings


def _refused(code: MessagingErrorCode, *, schedule_type: str = "scheduled", rrule, field="schedule_rrule"):
    with pytest.raises(InvalidInput) as caught:
        parse_schedule(schedule_type=schedule_type, schedule_rrule=rrule, activated_at=ACTIVATED)
    assert (caught.value.code, caught.value.field) == (code, field)
    return caught.value


# now


def test_now_fires_once_at_activation_and_ignores_the_rule():
    schedule = parse_schedule(schedule_type="now", schedule_rrule="FREQ=SECONDLY\x00", activated_at=ACTIVATED)

    assert schedule == Schedule(kind="now", rrule_text="", dtstart=None)
    assert first_firing(schedule, activated_at=ACTIVATED) == ACTIVATED
    assert next_firing(schedule, after=ACTIVATED - timedelta(seconds=1), activated_at=ACTIVATED) == ACTIVATED
    assert next_firing(schedule, after=ACTIVATED, inclusive=True, activated_at=ACTIVATED) == ACTIVATED
    assert next_firing(schedule, after=ACTIVATED, activated_at=ACTIVATED) is None


def test_now_answers_in_utc():
    activated = datetime(2024, 5, 1, 14, 0, 0, 250_000, tzinfo=ZURICH)
    schedule = parse_schedule(schedule_type="now", schedule_rrule=None, activated_at=activated)

    firing = first_firing(schedule, activated_at=activated)

    assert (firing, firing.tzinfo) == (_utc(2024, 5, 1, 12, 0, 0, 250_000), UTC)
    assert next_firing(schedule, after=firing, activated_at=activated) is None


def test_now_resumes_at_resumption_unless_it_fired():
    schedule = parse_schedule(schedule_type="now", schedule_rrule=None, activated_at=ACTIVATED)
    resumed = _utc(2024, 5, 3, 8, 0)

    assert resume_firing(schedule, now=resumed, already_fired=False) == resumed
    assert resume_firing(schedule, now=resumed, already_fired=True) is None


def test_an_unknown_schedule_type_is_refused():
    error = _refused(
        MessagingErrorCode.SCHEDULE_TYPE_INVALID, schedule_type="weekly", rrule=None, field="schedule_type"
    )

    assert error.params == {"allowed": ["now", "once", "scheduled"]}


# once


@pytest.mark.parametrize(
    "given",
    [
        "2024-05-01 17:05:00",  # the spec's format, UTC
        "2024-05-01T17:05:00",
        "2024-05-01T17:05:00Z",
        "2024-05-01T19:05:00+02:00",
        "2024-05-01T13:05:00-04:00",
        " 2024-05-01 17:05:00.750 ",
    ],
)
def test_once_reads_the_spec_format_and_iso_8601_as_utc(given):
    schedule = parse_schedule(schedule_type="once", schedule_rrule=given, activated_at=ACTIVATED)

    assert schedule == Schedule(
        kind="once", rrule_text="2024-05-01 17:05:00", dtstart=_utc(2024, 5, 1, 17, 5)
    )


def test_once_fires_once_at_its_time():
    schedule = parse_schedule(
        schedule_type="once", schedule_rrule="2024-05-01 17:05:00", activated_at=ACTIVATED
    )

    assert _firings(schedule, 3) == [_utc(2024, 5, 1, 17, 5), None]
    assert next_firing(schedule, after=_utc(2024, 5, 1, 17, 5), inclusive=True, activated_at=ACTIVATED) == (
        _utc(2024, 5, 1, 17, 5)
    )


def test_once_in_the_past_fires_at_once_on_activation():
    schedule = parse_schedule(
        schedule_type="once", schedule_rrule="2024-04-01 08:00:00", activated_at=ACTIVATED
    )

    first = first_firing(schedule, activated_at=ACTIVATED)

    assert first == _utc(2024, 4, 1, 8, 0)
    assert first <= ACTIVATED  # due: the beat picks it up on its next run
    assert next_firing(schedule, after=first, activated_at=ACTIVATED) is None


def test_once_resumes_at_its_time_unless_it_fired():
    schedule = parse_schedule(
        schedule_type="once", schedule_rrule="2024-05-01 17:05:00", activated_at=ACTIVATED
    )
    later = _utc(2024, 6, 1)

    assert resume_firing(schedule, now=later, already_fired=False) == _utc(2024, 5, 1, 17, 5)
    assert resume_firing(schedule, now=later, already_fired=True) is None


@pytest.mark.parametrize("given", ["tomorrow", "2024-13-01 00:00:00", "2024-05-01 25:00:00", "1714583100"])
def test_once_refuses_what_is_not_a_date_and_time(given):
    _refused(MessagingErrorCode.SCHEDULE_TIME_INVALID, schedule_type="once", rrule=given)


@pytest.mark.parametrize("schedule_type", ["once", "scheduled"])
@pytest.mark.parametrize("given", [None, "", "   "])
def test_once_and_scheduled_need_a_value(schedule_type, given):
    _refused(MessagingErrorCode.SCHEDULE_RRULE_REQUIRED, schedule_type=schedule_type, rrule=given)


# scheduled: reading the rule


def test_the_rrule_prefix_is_optional():
    assert _scheduled("FREQ=DAILY;BYHOUR=9;BYMINUTE=0;BYSECOND=0") == _scheduled(
        "rrule:FREQ=DAILY;BYHOUR=9;BYMINUTE=0;BYSECOND=0"
    )


def test_without_dtstart_the_rule_starts_at_activation():
    activated = _utc(2024, 5, 1, 10, 17, 43, 500_000)

    schedule = _scheduled("FREQ=DAILY", activated_at=activated)

    assert schedule.rrule_text == "DTSTART:20240501T101743Z\nRRULE:FREQ=DAILY"
    assert schedule.dtstart == _utc(2024, 5, 1, 10, 17, 43)
    assert _firings(schedule, 3, activated_at=activated) == [
        _utc(2024, 5, 1, 10, 17, 43),
        _utc(2024, 5, 2, 10, 17, 43),
        _utc(2024, 5, 3, 10, 17, 43),
    ]


def test_a_utc_dtstart_sets_the_time_of_day():
    schedule = _scheduled("DTSTART:20240501T170500Z\nRRULE:FREQ=DAILY")

    assert schedule.dtstart == _utc(2024, 5, 1, 17, 5)
    assert _firings(schedule, 2) == [_utc(2024, 5, 1, 17, 5), _utc(2024, 5, 2, 17, 5)]


def test_firings_before_activation_are_not_replayed():
    schedule = _scheduled("DTSTART:20240101T090000Z\nRRULE:FREQ=WEEKLY;BYDAY=MO")

    assert _firings(schedule, 2) == [_utc(2024, 5, 6, 9, 0), _utc(2024, 5, 13, 9, 0)]


def test_the_normalised_text_reads_back_to_the_same_schedule():
    given = (
        "dtstart;tzid=Europe/Zurich:20240501T090000\r\n"
        "FREQ=weekly;byday=MO,WE;UNTIL=20241231\r\n"
        "RDATE:20240601T090000Z\nEXDATE;TZID=Europe/Zurich:20240506T090000"
    )

    schedule = _scheduled(given)

    assert schedule.rrule_text == (
        "DTSTART;TZID=Europe/Zurich:20240501T090000\n"
        "RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20241231T225959Z\n"
        "RDATE;TZID=Europe/Zurich:20240601T110000\n"
        "EXDATE;TZID=Europe/Zurich:20240506T090000"
    )
    assert _scheduled(schedule.rrule_text) == schedule


def test_rdate_adds_and_exdate_removes_firings():
    schedule = _scheduled(
        "DTSTART:20240501T090000Z\nRRULE:FREQ=WEEKLY;BYDAY=MO\n"
        "RDATE:20240502T090000Z,20240503T100000Z\nEXDATE:20240506T090000Z"
    )

    assert _firings(schedule, 4) == [
        _utc(2024, 5, 2, 9, 0),
        _utc(2024, 5, 3, 10, 0),
        _utc(2024, 5, 13, 9, 0),  # 6 May excluded
        _utc(2024, 5, 20, 9, 0),
    ]


def test_until_ends_the_rule():
    schedule = _scheduled("DTSTART:20240501T170500Z\nRRULE:FREQ=DAILY;UNTIL=20240503T170500Z")

    assert _firings(schedule, 5) == [
        _utc(2024, 5, 1, 17, 5),
        _utc(2024, 5, 2, 17, 5),
        _utc(2024, 5, 3, 17, 5),
        None,
    ]


def test_count_ends_the_rule():
    schedule = _scheduled("DTSTART:20240501T170500Z\nRRULE:FREQ=DAILY;COUNT=2")

    assert _firings(schedule, 5) == [_utc(2024, 5, 1, 17, 5), _utc(2024, 5, 2, 17, 5), None]


def test_next_firing_is_strictly_after_unless_inclusive():
    schedule = _scheduled("DTSTART:20240501T170500Z\nRRULE:FREQ=DAILY")
    firing = _utc(2024, 5, 2, 17, 5)

    assert next_firing(schedule, after=firing, activated_at=ACTIVATED) == _utc(2024, 5, 3, 17, 5)
    assert next_firing(schedule, after=firing, inclusive=True, activated_at=ACTIVATED) == firing
    assert next_firing(schedule, after=firing - timedelta(microseconds=1), activated_at=ACTIVATED) == firing
    assert next_firing(
        schedule, after=firing + timedelta(microseconds=1), inclusive=True, activated_at=ACTIVATED
    ) == _utc(2024, 5, 3, 17, 5)


def test_resume_skips_the_firings_missed_while_stopped():
    schedule = _scheduled("DTSTART:20240501T090000Z\nRRULE:FREQ=DAILY")

    assert resume_firing(schedule, now=_utc(2024, 5, 10, 12, 0), already_fired=True) == _utc(
        2024, 5, 11, 9, 0
    )
    assert resume_firing(schedule, now=_utc(2024, 5, 10, 9, 0), already_fired=True) == _utc(2024, 5, 10, 9, 0)


def test_no_hidden_clock():
    # given: the machine's clock years away from the times the functions are told
    with time_machine.travel(datetime(2031, 1, 1, tzinfo=UTC), tick=False):
        schedule = _scheduled("FREQ=WEEKLY;BYDAY=FR")
        firings = _firings(schedule, 2)

    assert firings == [_utc(2024, 5, 3, 12, 0), _utc(2024, 5, 10, 12, 0)]


def test_naive_times_are_a_programming_error():
    with pytest.raises(ValueError):
        parse_schedule(schedule_type="now", schedule_rrule=None, activated_at=datetime(2024, 5, 1))


# scheduled: local time across daylight saving changes


@pytest.mark.parametrize(
    ("zone", "first_day", "expected_utc_hours"),
    [
        # Zurich: CET (+1) to CEST (+2) on 31 March 2024, back on 27 October 2024
        ("Europe/Zurich", "20240329", [8, 8, 7, 7, 7]),
        ("Europe/Zurich", "20241025", [7, 7, 8, 8, 8]),
        # New York: EST (-5) to EDT (-4) on 10 March 2024, back on 3 November 2024
        ("America/New_York", "20240308", [14, 14, 13, 13, 13]),
        ("America/New_York", "20241101", [13, 13, 14, 14, 14]),
    ],
)
def test_a_tzid_rule_keeps_its_local_time_across_daylight_saving(zone, first_day, expected_utc_hours):
    activated = datetime.strptime(first_day, "%Y%m%d").replace(tzinfo=UTC)
    schedule = _scheduled(f"DTSTART;TZID={zone}:{first_day}T090000\nRRULE:FREQ=DAILY", activated_at=activated)

    firings = _firings(schedule, 5, activated_at=activated)

    assert [firing.hour for firing in firings] == expected_utc_hours
    assert {firing.astimezone(ZoneInfo(zone)).hour for firing in firings} == {9}
    assert [firing.date() - activated.date() for firing in firings] == [timedelta(days=d) for d in range(5)]


def test_a_local_time_skipped_by_spring_forward_fires_an_hour_later():
    # 02:30 does not exist in New York on 10 March 2024: RFC 5545 reads it with the offset before
    activated = _utc(2024, 3, 9)
    schedule = _scheduled(
        "DTSTART;TZID=America/New_York:20240309T023000\nRRULE:FREQ=DAILY", activated_at=activated
    )

    assert _firings(schedule, 3, activated_at=activated) == [
        _utc(2024, 3, 9, 7, 30),  # 02:30 EST
        _utc(2024, 3, 10, 7, 30),  # 03:30 EDT
        _utc(2024, 3, 11, 6, 30),  # 02:30 EDT
    ]


def test_a_local_time_repeated_by_fall_back_fires_once():
    # 01:30 comes twice in New York on 3 November 2024: the first one fires
    activated = _utc(2024, 11, 2)
    schedule = _scheduled(
        "DTSTART;TZID=America/New_York:20241102T013000\nRRULE:FREQ=DAILY", activated_at=activated
    )

    assert _firings(schedule, 3, activated_at=activated) == [
        _utc(2024, 11, 2, 5, 30),
        _utc(2024, 11, 3, 5, 30),  # 01:30 EDT
        _utc(2024, 11, 4, 6, 30),  # 01:30 EST
    ]


def test_firings_come_in_utc_order_where_local_order_differs():
    # 31 March 2024 in Zurich: 02:50 does not exist and means 01:50 UTC; 03:10 CEST is 01:10 UTC
    activated = _utc(2024, 3, 30)
    schedule = _scheduled(
        "DTSTART;TZID=Europe/Zurich:20240330T025000\nRRULE:FREQ=DAILY\n"
        "RDATE;TZID=Europe/Zurich:20240331T031000",
        activated_at=activated,
    )

    assert _firings(schedule, 4, activated_at=activated) == [
        _utc(2024, 3, 30, 1, 50),
        _utc(2024, 3, 31, 1, 10),
        _utc(2024, 3, 31, 1, 50),
        _utc(2024, 4, 1, 0, 50),
    ]


@pytest.mark.parametrize(
    ("day", "gaps_in_minutes"),
    [
        # spring forward: the skipped hour's times and the hour after it fall on the same instants
        ("20240331", {20}),
        # fall back: each local time fires once, so the repeated hour passes without firings
        ("20241027", {20, 80}),
    ],
)
def test_frequent_local_firings_stay_in_order_across_daylight_saving(day, gaps_in_minutes):
    activated = datetime.strptime(day, "%Y%m%d").replace(tzinfo=UTC) - timedelta(hours=2)
    schedule = _scheduled(
        f"DTSTART;TZID=Europe/Zurich:{day}T000000\nRRULE:FREQ=MINUTELY;INTERVAL=20", activated_at=activated
    )

    firings = _firings(schedule, 20, activated_at=activated)

    gaps = {later - earlier for earlier, later in zip(firings, firings[1:], strict=False)}
    assert gaps == {timedelta(minutes=minutes) for minutes in gaps_in_minutes}


# scheduled: refused rules


@pytest.mark.parametrize(
    "rrule",
    [
        "FREQ=MINUTELY",
        "FREQ=MINUTELY;INTERVAL=4",
        "FREQ=SECONDLY;INTERVAL=600",
        "FREQ=HOURLY;BYMINUTE=0,1",
        "FREQ=DAILY;BYMINUTE=0,1",
        "FREQ=DAILY;BYHOUR=9;BYSECOND=0,30",
        "FREQ=DAILY;BYHOUR=9,10;BYMINUTE=0,58",  # 09:58 then 10:00
        "FREQ=DAILY;BYHOUR=23,0;BYMINUTE=1,58",  # 23:58 then 00:01
        "DTSTART:20240501T090000Z\nRRULE:FREQ=DAILY\nRDATE:20240502T090200Z",
        "DTSTART:20240501T090000Z\nRRULE:FREQ=YEARLY\nRDATE:20240601T090000Z,20240601T090400Z",
    ],
)
def test_rules_firing_more_often_than_every_five_minutes_are_refused(rrule):
    error = _refused(MessagingErrorCode.SCHEDULE_RRULE_TOO_FREQUENT, rrule=rrule)

    assert error.params == {"minimum_minutes": 5}


def test_every_five_minutes_is_allowed():
    schedule = _scheduled("FREQ=MINUTELY;INTERVAL=5")

    assert _firings(schedule, 3) == [
        ACTIVATED,
        ACTIVATED + timedelta(minutes=5),
        ACTIVATED + timedelta(minutes=10),
    ]


def test_minutes_apart_within_one_hour_only_are_allowed():
    schedule = _scheduled("DTSTART:20240501T000000Z\nRRULE:FREQ=DAILY;BYHOUR=9;BYMINUTE=0,55")

    assert _firings(schedule, 3) == [_utc(2024, 5, 2, 9, 0), _utc(2024, 5, 2, 9, 55), _utc(2024, 5, 3, 9, 0)]


@pytest.mark.parametrize(
    "rrule",
    [
        "DTSTART:20240101T090000Z\nRRULE:FREQ=DAILY;COUNT=10",  # its ten firings were in January
        "DTSTART:20240101T090000Z\nRRULE:FREQ=DAILY;UNTIL=20240401T000000Z",
        "DTSTART:20350101T090000Z\nRRULE:FREQ=DAILY",  # starts beyond ten years
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31",
        "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30,31",
        "FREQ=WEEKLY;BYMONTH=4;BYMONTHDAY=31",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31",
        "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=31",
        "FREQ=MINUTELY;INTERVAL=5;BYMONTH=2;BYMONTHDAY=31",
        "DTSTART:20240501T120000Z\nRRULE:FREQ=DAILY;INTERVAL=7;BYDAY=MO",  # a Wednesday, every 7 days
        "DTSTART:19700101T000000Z\nRRULE:FREQ=MINUTELY;INTERVAL=5;COUNT=100000",
    ],
)
def test_rules_with_no_firing_left_are_refused_quickly(rrule):
    started = time.perf_counter()

    error = _refused(MessagingErrorCode.SCHEDULE_RRULE_NO_FUTURE_FIRING, rrule=rrule)

    assert time.perf_counter() - started < 2  # dateutil alone walks on to year 9999
    assert error.params == {"horizon_years": 10}


def test_a_years_old_frequent_rule_is_evaluated_quickly():
    # dateutil alone walks 54 years of five-minute firings (seconds) to get here
    schedule = _scheduled("DTSTART:19700101T000000Z\nRRULE:FREQ=MINUTELY;INTERVAL=5")
    started = time.perf_counter()

    firings = _firings(schedule, 3)

    assert time.perf_counter() - started < 2
    assert firings == [ACTIVATED, ACTIVATED + timedelta(minutes=5), ACTIVATED + timedelta(minutes=10)]


@pytest.mark.parametrize(
    "rrule",
    [
        "garbage",
        "FREQ=",
        "FREQ=FORTNIGHTLY",
        "FREQ=DAILY;;",
        "FREQ=DAILY;BYHOUR",
        "BYHOUR=9",
        "FREQ=DAILY;FREQ=WEEKLY",
        "FREQ=DAILY;INTERVAL=0",
        "FREQ=DAILY;INTERVAL=-1",
        "FREQ=DAILY;COUNT=0",
        "FREQ=DAILY;COUNT=2;UNTIL=20250101T000000Z",
        "FREQ=DAILY;UNTIL=tomorrow",
        "FREQ=DAILY;BYHOUR=24",
        "FREQ=DAILY;BYMONTH=13",
        "FREQ=DAILY;BYMONTHDAY=0",
        "FREQ=DAILY;BYMINUTE=-5",
        "FREQ=DAILY;BYMONTHDAY=1" + "0" * 500,
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=MONTHLY;BYDAY=0MO",
        "FREQ=WEEKLY;WKST=XX",
        "FREQ=HOURLY;INTERVAL=2;BYHOUR=1",  # from 12:00 every two hours never meets 1:00
        "RRULE:FREQ=DAILY\nRRULE:FREQ=WEEKLY",
        "DTSTART:20240501T090000Z",
        "DTSTART:2024-05-01\nRRULE:FREQ=DAILY",
        "DTSTART:20240230T090000Z\nRRULE:FREQ=DAILY",
        "DTSTART:20240501T090000Z\nDTSTART:20240502T090000Z\nRRULE:FREQ=DAILY",
        "DTSTART;TZID=Nowhere/Atlantis:20240501T090000\nRRULE:FREQ=DAILY",
        "DTSTART;TZID=../../etc/passwd:20240501T090000\nRRULE:FREQ=DAILY",
        "DTSTART;TZID=/etc/localtime:20240501T090000\nRRULE:FREQ=DAILY",
        "DTSTART;TZID=Europe/Zurich:20240501T090000Z\nRRULE:FREQ=DAILY",
        "DTSTART;X-FOO=1:20240501T090000Z\nRRULE:FREQ=DAILY",
        "RRULE;X-FOO=1:FREQ=DAILY",
        "FREQ=DAILY\nRDATE:soon",
        "DTSTART;TZID=America/New_York:99991231T235959\nRRULE:FREQ=DAILY",  # past datetime's range in UTC
        "DTSTART;TZID=Asia/Tokyo:00010101T000000\nRRULE:FREQ=DAILY",
        "FREQ=DAILY\nRDATE;TZID=America/New_York:99991231T235959",
        "FREQ=DAILY;UNTIL=99991231T235959",
    ],
)
def test_unreadable_rules_are_refused(rrule):
    _refused(MessagingErrorCode.SCHEDULE_RRULE_INVALID, rrule=rrule)


@pytest.mark.parametrize(
    ("rrule", "part"),
    [
        ("EXRULE:FREQ=DAILY\nRRULE:FREQ=WEEKLY", "EXRULE"),
        ("FREQ=YEARLY;BYEASTER=0", "BYEASTER"),
        ("FREQ=DAILY;X-NAME=1", "X-NAME"),
        ("DTSTART;VALUE=DATE:20240501\nRRULE:FREQ=DAILY", "VALUE=DATE"),
        ("SUMMARY:Newsletter\nRRULE:FREQ=DAILY", "SUMMARY"),
    ],
)
def test_parts_we_do_not_take_are_named(rrule, part):
    error = _refused(MessagingErrorCode.SCHEDULE_RRULE_UNSUPPORTED, rrule=rrule)

    assert error.params == {"part": part}


def test_a_dtstart_before_1970_is_refused():
    _refused(
        MessagingErrorCode.SCHEDULE_RRULE_DTSTART_TOO_EARLY,
        rrule="DTSTART:19691231T235959Z\nRRULE:FREQ=YEARLY",
    )


def test_a_count_beyond_the_cap_is_refused():
    error = _refused(MessagingErrorCode.SCHEDULE_RRULE_COUNT_TOO_LARGE, rrule="FREQ=DAILY;COUNT=100001")

    assert error.params == {"maximum": 100_000}
    assert _scheduled("FREQ=DAILY;COUNT=100000").kind == "scheduled"


@pytest.mark.parametrize("schedule_type", ["once", "scheduled"])
def test_a_100_kb_value_is_refused_before_reading_it(schedule_type):
    started = time.perf_counter()

    error = _refused(
        MessagingErrorCode.SCHEDULE_RRULE_TOO_LONG, schedule_type=schedule_type, rrule="FREQ=DAILY;" * 9_000
    )

    assert time.perf_counter() - started < 0.1
    assert error.params == {"maximum": 2_000}


@pytest.mark.parametrize("schedule_type", ["once", "scheduled"])
@pytest.mark.parametrize("rrule", ["FREQ=DAILY\x00", "2024-05-01\x0017:05:00", "FREQ=DAILY;BYHOUR=9\x1b"])
def test_nul_and_control_characters_are_refused(schedule_type, rrule):
    _refused(MessagingErrorCode.SCHEDULE_RRULE_BAD_CHARACTER, schedule_type=schedule_type, rrule=rrule)


# scheduled: the grid of an old rule, against dateutil walking it from its DTSTART


@pytest.mark.parametrize(
    "rrule",
    [
        "DTSTART:20010305T081500Z\nRRULE:FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,TH,FR;BYSETPOS=-1",
        "DTSTART:20010131T060000Z\nRRULE:FREQ=MONTHLY;INTERVAL=5",  # the 31st, every fifth month
        "DTSTART:20000229T120000Z\nRRULE:FREQ=YEARLY",  # 29 February: leap years only
        "DTSTART:20020611T100000Z\nRRULE:FREQ=YEARLY;INTERVAL=2;BYWEEKNO=20;BYDAY=TU",
        "DTSTART:20030402T031100Z\nRRULE:FREQ=HOURLY;INTERVAL=7;BYDAY=TU",
        "DTSTART:20050707T090000Z\nRRULE:FREQ=MINUTELY;INTERVAL=17;BYHOUR=9,10;BYDAY=MO",
        "DTSTART:20060115T000000Z\nRRULE:FREQ=DAILY;INTERVAL=10;BYMONTHDAY=1,15,-1;BYHOUR=7,19",
        "DTSTART;TZID=Europe/Zurich:20040601T090000\nRRULE:FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR",
    ],
)
def test_an_old_rule_fires_as_dateutil_walks_it_from_its_start(rrule):
    schedule = _scheduled(rrule, activated_at=_utc(2006, 1, 1))
    oracle = rrulestr(schedule.rrule_text, tzids=ZoneInfo)

    for after in [_utc(2024, 5, 1, 12, 0), _utc(2024, 10, 27, 0, 30), _utc(2031, 2, 28, 23, 59)]:
        expected = oracle.after(after).astimezone(UTC)
        assert next_firing(schedule, after=after, activated_at=ACTIVATED) == expected
