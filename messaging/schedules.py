"""Campaign schedules of the services API: when a message campaign fires.

Pure functions over a campaign's `schedule_type` and `schedule_rrule` (the spec's Campaign data
model); no models, no database, no clock: every function is told the time it needs.

- `now`: one firing, at activation. `schedule_rrule` is ignored.
- `once`: one firing at `schedule_rrule`, "Y-m-d H:i:s" in UTC, or ISO 8601 (a "T", a "Z" or an
  offset; a time without either is UTC). A time already past fires at once.
- `scheduled`: an iCalendar RRULE, with or without its "RRULE:" name, read by dateutil. It may come
  with a DTSTART line ("DTSTART:20240501T170500Z" or "DTSTART;TZID=Europe/Zurich:20240501T090000";
  the rule then keeps that zone's wall-clock time across daylight saving changes) and RDATE and
  EXDATE lines. Without DTSTART it starts at activation. Refused: rules that fire more often than
  every five minutes, that have no firing within ten years of activation, and hostile text.

How a beat task uses them:

1. On create or update, `parse_schedule(...)` validates the input (raising InvalidInput with field
   "schedule_type" or "schedule_rrule") and returns a Schedule; store its `kind`, `rrule_text`
   (normalised: it names its DTSTART, so it no longer depends on the activation time) and
   `dtstart`. Later, rebuild it with `Schedule(kind=..., rrule_text=..., dtstart=...)` rather than
   parsing again: parsing checks against the time it is given, evaluating does not.
2. On activation, store `next_dt = first_firing(schedule, activated_at=...)`: the activation for
   `now`, the given time for `once` (even when past, so the beat fires it at once), the first rule
   firing at or after activation for `scheduled`.
3. The beat claims due campaigns (`next_dt <= now`), creates the occurrence at `next_dt`, then sets
   `next_dt = next_firing(schedule, after=<that next_dt>, activated_at=...)`; None means finished.
4. After a stop, `resume_firing(schedule, now=..., already_fired=...)` gives the next firing from
   `now` on (missed firings are not replayed); for `now` and `once`, None once it has fired.

Every firing is an aware UTC datetime, to the second (for `now`, the activation time as given).

Bounded evaluation: dateutil walks a rule period by period from its DTSTART and stops only at a
firing, at COUNT or UNTIL, or at year 9999, so a rule that never fires (February 31) walks days
until year 9999, and a years-old rule walks all its years. Here a search looks ten years ahead at
most; "nothing within ten years" counts as "nothing left". Each search moves DTSTART forward along
the rule's own grid to just before where it looks (`_rebased_start`), and runs in a calendar moved
forward by whole 400-year cycles, which repeat the Gregorian calendar to the weekday, so that year
9999 comes at most four centuries after the search's end (`_occurrences`). COUNT rules keep their
DTSTART (their count starts there): COUNT is capped and DTSTART cannot be before 1970.
"""

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from itertools import pairwise
from math import gcd
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rruleset, rrulestr

from messaging.errors import InvalidInput, MessagingErrorCode

SCHEDULE_TYPES = ("now", "once", "scheduled")
MAX_RRULE_LENGTH = 2_000
MIN_GAP = timedelta(minutes=5)
HORIZON_YEARS = 10
HORIZON = timedelta(days=365 * HORIZON_YEARS + 3)
MAX_COUNT = 100_000
EARLIEST_DTSTART = datetime(1970, 1, 1, tzinfo=UTC)
# The firings checked for spacing when a rule is parsed; BYSECOND and BYMINUTE are checked whole.
SPACING_CHECKED_FIRINGS = 300

_TYPE_FIELD = "schedule_type"
_FIELD = "schedule_rrule"
# The largest change of a zone's UTC offset at once (crossing the date line): how far around a
# time the firings are compared as instants, where wall-clock order and UTC order can differ.
_OFFSET_CHANGE = timedelta(days=1)
# Searches end before year 9999, where dateutil stops, so that a moved calendar still fits.
_LATEST_WALL = datetime(9998, 12, 31)
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE = re.compile(r"(?P<name>[A-Za-z-]+)(?P<params>(;[^:;]+)*):(?P<value>.*)")
_DATE_TIME = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)")
_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_BYDAY_ITEM = re.compile(rf"([+-]?\d{{1,2}})?({'|'.join(_WEEKDAYS)})")
_FREQUENCIES = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY")
# Number lists of an RRULE: the smallest and largest value, and whether it may count from the end.
_NUMBER_LISTS = {
    "BYSECOND": (0, 59, False),
    "BYMINUTE": (0, 59, False),
    "BYHOUR": (0, 23, False),
    "BYMONTH": (1, 12, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYSETPOS": (1, 366, True),
}
_RULE_PARTS = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "WKST", *_NUMBER_LISTS)


@dataclass(frozen=True)
class Schedule:
    kind: str  # "now", "once" or "scheduled"
    rrule_text: str  # normalised, to store: "" for now, "Y-m-d H:i:s" (UTC) for once
    dtstart: datetime | None  # aware UTC: the once time, the rule's DTSTART; None for now


def parse_schedule(*, schedule_type: str, schedule_rrule: str | None, activated_at: datetime) -> Schedule:
    _require_aware(activated_at)
    if schedule_type not in SCHEDULE_TYPES:
        raise _invalid(
            MessagingErrorCode.SCHEDULE_TYPE_INVALID, field=_TYPE_FIELD, allowed=list(SCHEDULE_TYPES)
        )
    if schedule_type == "now":
        return Schedule(kind="now", rrule_text="", dtstart=None)
    if schedule_type == "once":
        at = _parse_once(_checked_text(schedule_rrule, MessagingErrorCode.SCHEDULE_TIME_INVALID))
        return Schedule(kind="once", rrule_text=at.replace(tzinfo=None).isoformat(sep=" "), dtstart=at)
    text = _checked_text(schedule_rrule, MessagingErrorCode.SCHEDULE_RRULE_INVALID)
    start = _whole_second(activated_at)
    recurrence = _compile(text, start)
    if _first_after(recurrence, start, inclusive=True) is None:
        raise _invalid(MessagingErrorCode.SCHEDULE_RRULE_NO_FUTURE_FIRING, horizon_years=HORIZON_YEARS)
    _check_spacing(recurrence, start)
    return Schedule(
        kind="scheduled", rrule_text=recurrence.text, dtstart=_instant(recurrence.dtstart, recurrence.zone)
    )


def first_firing(schedule: Schedule, *, activated_at: datetime) -> datetime | None:
    _require_aware(activated_at)
    if schedule.kind == "now":
        return activated_at.astimezone(UTC)
    if schedule.kind == "once":
        return schedule.dtstart
    return _first_after(_recurrence_of(schedule), _whole_second(activated_at), inclusive=True)


def next_firing(
    schedule: Schedule, *, after: datetime, inclusive: bool = False, activated_at: datetime
) -> datetime | None:
    """The first firing after `after` (or at it, when inclusive); None when nothing is left."""
    _require_aware(after)
    if schedule.kind == "scheduled":
        if after.microsecond:  # firings fall on whole seconds
            after, inclusive = _whole_second(after), False
        return _first_after(_recurrence_of(schedule), after, inclusive=inclusive)
    if schedule.kind == "now":
        _require_aware(activated_at)
        at = activated_at.astimezone(UTC)
    else:
        at = schedule.dtstart
    return at if at > after or (inclusive and at == after) else None


def resume_firing(schedule: Schedule, *, now: datetime, already_fired: bool) -> datetime | None:
    """The next firing after a stop, from `now` on. `now` and `once` fire once: None when they
    already have; otherwise `now` fires at resumption and `once` at its time (at once if past)."""
    _require_aware(now)
    if schedule.kind == "scheduled":
        return next_firing(schedule, after=now, inclusive=True, activated_at=now)
    if already_fired:
        return None
    return now.astimezone(UTC) if schedule.kind == "now" else schedule.dtstart


def last_firing(schedule: Schedule, *, activated_at: datetime | None) -> datetime | None:
    """The schedule's final firing: the one firing of `now` (at activation; None before it) and
    `once`; for `scheduled`, the last firing of a rule that ends (COUNT or UNTIL), else None
    (open-ended)."""
    if schedule.kind == "now":
        return activated_at.astimezone(UTC) if activated_at is not None else None
    if schedule.kind == "once":
        return schedule.dtstart
    return _last_of_rule(schedule.rrule_text)


@lru_cache(maxsize=512)
def _last_of_rule(text: str) -> datetime | None:
    recurrence = _compile(text, None)
    zone = recurrence.zone
    if recurrence.count is not None:
        # A COUNT rule counts from its DTSTART: walked whole (COUNT is capped).
        last = None
        for last in _occurrences(recurrence, recurrence.dtstart, _LATEST_WALL):  # noqa: B007
            pass
        return _instant(last, zone) if last is not None else None
    if recurrence.until is None:
        return None
    # Backwards from UNTIL in doubling windows: the last firing usually lies just before it.
    until, width = recurrence.until, timedelta(days=1)
    while True:
        start = max(until - width, recurrence.dtstart)
        walls = list(_occurrences(recurrence, start, until))
        if walls:
            return _instant(walls[-1], zone)
        if start <= recurrence.dtstart:
            return None
        width *= 2


# Reading the input


def _invalid(code: MessagingErrorCode, *, field: str = _FIELD, **params) -> InvalidInput:
    return InvalidInput(code, field=field, **params)


def _too_frequent() -> InvalidInput:
    return _invalid(
        MessagingErrorCode.SCHEDULE_RRULE_TOO_FREQUENT, minimum_minutes=MIN_GAP // timedelta(minutes=1)
    )


def _require_aware(value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("schedules compute with aware datetimes")


def _whole_second(value: datetime) -> datetime:
    return value.replace(microsecond=0)


def _checked_text(value, invalid_code: MessagingErrorCode) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _invalid(MessagingErrorCode.SCHEDULE_RRULE_REQUIRED)
    if not isinstance(value, str):
        raise _invalid(invalid_code)
    if len(value) > MAX_RRULE_LENGTH:
        raise _invalid(MessagingErrorCode.SCHEDULE_RRULE_TOO_LONG, maximum=MAX_RRULE_LENGTH)
    if _CONTROL_CHARACTERS.search(value):
        raise _invalid(MessagingErrorCode.SCHEDULE_RRULE_BAD_CHARACTER)
    return value.strip()


def _parse_once(text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text)  # also reads the spec's "Y-m-d H:i:s"
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        return _whole_second(at.astimezone(UTC))
    except (ValueError, OverflowError):
        raise _invalid(MessagingErrorCode.SCHEDULE_TIME_INVALID) from None


@dataclass(frozen=True)
class _Recurrence:
    """A parsed `scheduled` rule. Its times are naive wall-clock times in `zone`, the way dateutil
    walks a rule; they become instants (fold 0, as RFC 5545 reads a repeated or skipped local
    time) only when compared with the outside world."""

    text: str  # normalised
    zone: tzinfo
    dtstart: datetime
    rule: str  # the RRULE parts dateutil reads, without UNTIL
    freq: str
    interval: int
    count: int | None
    until: datetime | None
    rdates: tuple[datetime, ...]
    exdates: tuple[datetime, ...]


def _recurrence_of(schedule: Schedule) -> _Recurrence:
    return _compile(schedule.rrule_text, None)


@lru_cache(maxsize=512)
def _compile(text: str, default_dtstart: datetime | None) -> _Recurrence:
    """Reads the rule; `default_dtstart` (aware) stands for a missing DTSTART. Checks what does not
    depend on the time: syntax, ranges, the parts we take, the spacing BYSECOND/BYMINUTE allow."""
    lines = _lines(text)
    dtstarts = [line for line in lines if line[0] == "DTSTART"]
    rrules = [line for line in lines if line[0] == "RRULE"]
    if len(rrules) != 1 or len(dtstarts) > 1:
        raise _invalid(MessagingErrorCode.SCHEDULE_RRULE_INVALID)
    if dtstarts:
        zone, dtstart = _parse_dtstart(*dtstarts[0][1:])
    elif default_dtstart is not None:
        zone, dtstart = UTC, _whole_second(default_dtstart).astimezone(UTC).replace(tzinfo=None)
    else:
        raise _invalid(MessagingErrorCode.SCHEDULE_RRULE_INVALID)
    if _instant(dtstart, zone) < EARLIEST_DTSTART:
        raise _invalid(
            MessagingErrorCode.SCHEDULE_RRULE_DTSTART_TOO_EARLY, minimum=EARLIEST_DTSTART.isoformat()
        )
    _, rrule_params, rrule_value = rrules[0]
    if rrule_params:
        raise _invalid(MessagingErrorCode.SCHEDULE_RRULE_INVALID)
    parts = _rule_parts(rrule_value)
    until = _parse_until(parts["UNTIL"], zone) if "UNTIL" in parts else None
    rdates, exdates = _dates(lines, "RDATE", zone), _dates(lines, "EXDATE", zone)
    if any(later - earlier < MIN_GAP for earlier, later in pairwise(rdates)):
        raise _too_frequent()
    recurrence = _Recurrence(
        text=_normalised(zone, dtstart, parts, until, rdates, exdates),
        zone=zone,
        dtstart=dtstart,
        rule=";".join(f"{key}={value}" for key, value in parts.items() if key != "UNTIL"),
        freq=parts["FREQ"],
        interval=int(parts.get("INTERVAL", "1")),
        count=int(parts["COUNT"]) if "COUNT" in parts else None,
        until=until,
        rdates=rdates,
        exdates=exdates,
    )
    try:  # dateutil's own checks, e.g. an hourly INTERVAL that never meets BYHOUR
        _dateutil_rule(recurrence, dtstart)
    except (ValueError, TypeError):
        raise _invalid(MessagingErrorCode.SCHEDULE_RRULE_INVALID) from None
    return recurrence


def _lines(text: str) -> list[tuple[str, str, str]]:
    """(name, params, value) per line; a line without a name is the RRULE."""
    lines = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        match = _LINE.fullmatch(line)
        if match is None:
            lines.append(("RRULE", "", line))
            continue
        name = match["name"].upper()
        if name not in ("DTSTART", "RRULE", "RDATE", "EXDATE"):
            raise _invalid(MessagingErrorCode.SCHEDULE_RRULE_UNSUPPORTED, part=name)
        lines.append((name, match["params"], match["value"].strip()))
    return lines


def _params(params: str) -> dict[str, str]:
    found = {}
    for param in params.split(";")[1:]:
        key, sep, value = param.partition("=")
        if not sep or key.upper() not in ("TZID", "VALUE") or key.upper() in found:
            raise _invalid(MessagingErrorCode.SCHEDULE_RRULE_INVALID)
        found[key.upper()] = value.strip().strip('"')
    if found.get("VALUE", "DATE-TIME").upper() != "DATE-TIME":
        raise _invalid(MessagingErrorCode.SCHEDULE_RRULE_UNSUPPORTED, part=f"VALUE={found['VALUE']}")
    return found


def _zone(key: str) -> ZoneInfo:
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise _invalid(MessagingErrorCode.SCHEDULE_RRULE_INVALID) from None


def _date_time(value: str) -> tuple[datetime, bool]:
    """A DATE-TIME value as a naive datetime, and whether it is UTC ("Z")."""
    match = _DATE_TIME.fullmatch(value.upper())
    # Years from 1000 to 9000: any schedule's, and a day's offset either way stays a datetime.
    if match is None or not 1000 <= int(match[1]) <= 9000:
        raise _invalid(MessagingErrorCode.SCHEDULE_RRULE_INVALID)
    try:
        return datetime(*(int(group) for group in match.groups()[:6])), match[7] == "Z"
    except ValueError:
        raise _invalid(MessagingErrorCode.SCHEDULE_RRULE_INVALID) from None


def _parse_dtstart(params: str, value: str) -> tuple[tzinfo, datetime]:
    """The rule's zone and its start: TZID's zone, else UTC (for "Z" and for a floating time)."""
    tzid = _params(params).get("TZID")
    start, is_utc = _date_time(value)
    if tzid is None:
        return UTC, start
    if is_utc:
        raise _invalid(MessagingErrorCode.SCHEDULE_RRULE_INVALID)
    return _zone(tzid), start


def _dates(lines: list[tuple[str, str, str]], name: str, zone: tzinfo) -> tuple[datetime, ...]:
    """The RDATE or EXDATE values, sorted, as wall-clock times in the rule's zone (a floating one
    is in it already)."""
    dates = []
    for line_name, params, value in lines:
        if line_name != name:
            continue
        tzid = _params(params).get("TZID")
        own_zone = _zone(tzid) if tzid else zone
        for item in value.split(","):
            at, is_utc = _date_time(item.strip())
            dates.append(_wall(at.replace(tzinfo=UTC if is_utc else own_zone), zone))
    return tuple(sorted(dates))


def _parse_until(value: str, zone: tzinfo) -> datetime:
    """UNTIL as a wall-clock time in the rule's zone: "Z" is UTC, a floating time is in the zone,
    a date alone runs to the end of that day."""
    if _DATE.fullmatch(value):
        day, _ = _date_time(value + "T235959")
        return day
    until, is_utc = _date_time(value)
    return _wall(until.replace(tzinfo=UTC), zone) if is_utc else until


def _rule_parts(value: str) -> dict[str, str]:
    parts = {}
    for part in value.upper().split(";"):
        key, sep, item = (piece.strip() for piece in part.partition("="))
        if not sep or not item or key in parts:
            raise _invalid(MessagingErrorCode.SCHEDULE_RRULE_INVALID)
        if key not in _RULE_PARTS:
            raise _invalid(MessagingErrorCode.SCHEDULE_RRULE_UNSUPPORTED, part=key)
        parts[key] = item
    _check_rule_parts(parts)
    return parts


def _check_rule_parts(parts: dict[str, str]) -> None:
    invalid = _invalid(MessagingErrorCode.SCHEDULE_RRULE_INVALID)
    if parts.get("FREQ") not in _FREQUENCIES:
        raise invalid
    if "COUNT" in parts and "UNTIL" in parts:  # RFC 5545: one or the other
        raise invalid
    for key in ("INTERVAL", "COUNT"):
        if key in parts and not (parts[key].isdigit() and len(parts[key]) <= 7 and int(parts[key]) >= 1):
            raise invalid
    if int(parts.get("COUNT", "1")) > MAX_COUNT:
        raise _invalid(MessagingErrorCode.SCHEDULE_RRULE_COUNT_TOO_LARGE, maximum=MAX_COUNT)
    if "UNTIL" in parts and not (_DATE.fullmatch(parts["UNTIL"]) or _DATE_TIME.fullmatch(parts["UNTIL"])):
        raise invalid
    if parts.get("WKST", "MO") not in _WEEKDAYS:
        raise invalid
    if "BYDAY" in parts:
        for item in parts["BYDAY"].split(","):
            match = _BYDAY_ITEM.fullmatch(item.strip())
            if match is None or (match[1] is not None and not 1 <= abs(int(match[1])) <= 53):
                raise invalid
    numbers = {key: _numbers(parts[key], *limits) for key, limits in _NUMBER_LISTS.items() if key in parts}
    if parts["FREQ"] == "SECONDLY" or len(numbers.get("BYSECOND", ())) > 1:
        raise _too_frequent()
    if parts["FREQ"] == "MINUTELY" and int(parts.get("INTERVAL", "1")) * timedelta(minutes=1) < MIN_GAP:
        raise _too_frequent()
    if _minute_gaps_too_small(parts["FREQ"], numbers.get("BYMINUTE", ()), numbers.get("BYHOUR")):
        raise _too_frequent()


def _numbers(value: str, smallest: int, largest: int, from_end: bool) -> tuple[int, ...]:
    numbers = []
    for item in value.split(","):
        item = item.strip()
        digits = item[1:] if item[:1] in "+-" else item
        if not (digits.isdigit() and len(digits) <= 3) or (item.startswith("-") and not from_end):
            raise _invalid(MessagingErrorCode.SCHEDULE_RRULE_INVALID)
        if not smallest <= int(digits) <= largest:
            raise _invalid(MessagingErrorCode.SCHEDULE_RRULE_INVALID)
        numbers.append(int(item))
    return tuple(sorted(set(numbers)))


def _minute_gaps_too_small(freq: str, minutes: tuple[int, ...], hours: tuple[int, ...] | None) -> bool:
    """Whether two BYMINUTE values fall closer than MIN_GAP, counting the step from one hour's
    last minute to the next hour's first when two consecutive hours can both fire."""
    gaps = [later - earlier for earlier, later in pairwise(minutes)]
    if hours is None:
        consecutive_hours = freq in ("HOURLY", "MINUTELY")
    else:
        consecutive_hours = any((hour + 1) % 24 in hours for hour in hours)
    if minutes and consecutive_hours:
        gaps.append(minutes[0] + 60 - minutes[-1])
    return any(gap * timedelta(minutes=1) < MIN_GAP for gap in gaps)


def _normalised(zone, dtstart, parts, until, rdates, exdates) -> str:
    def times(name: str, values) -> str:
        stamps = ",".join(f"{value:%Y%m%dT%H%M%S}" for value in values)
        return f"{name}:{stamps.replace(',', 'Z,')}Z" if zone is UTC else f"{name};TZID={zone.key}:{stamps}"

    if until is not None:
        parts = {**parts, "UNTIL": f"{_instant(until, zone):%Y%m%dT%H%M%SZ}"}
    lines = [
        times("DTSTART", [dtstart]),
        "RRULE:" + ";".join(f"{key}={value}" for key, value in parts.items()),
    ]
    lines += [times("RDATE", rdates)] if rdates else []
    lines += [times("EXDATE", exdates)] if exdates else []
    return "\n".join(lines)


def _check_spacing(recurrence: _Recurrence, start: datetime) -> None:
    """The first firings from `start` on, in the rule's own wall-clock time, MIN_GAP apart."""
    previous = None
    wall_start = _wall(start, recurrence.zone)
    for count, wall in enumerate(_occurrences(recurrence, wall_start, wall_start + HORIZON)):
        if previous is not None and wall - previous < MIN_GAP:
            raise _too_frequent()
        if count >= SPACING_CHECKED_FIRINGS:
            return
        previous = wall


# Evaluating a rule


def _wall(at: datetime, zone: tzinfo) -> datetime:
    return at.astimezone(zone).replace(tzinfo=None)


def _instant(wall: datetime, zone: tzinfo) -> datetime:
    return wall.replace(tzinfo=zone).astimezone(UTC)


def _first_after(recurrence: _Recurrence, after: datetime, *, inclusive: bool) -> datetime | None:
    """The earliest firing after `after` (at it, when inclusive), within HORIZON of it. Around a
    daylight saving change wall-clock order is not UTC order (the skipped hour's times and the
    hour after it fall on the same instants), so nearby firings are compared as instants."""
    zone = recurrence.zone
    wall_after = _wall(after, zone)
    best = best_wall = None
    for wall in _occurrences(recurrence, wall_after - _OFFSET_CHANGE, wall_after + HORIZON):
        if best_wall is not None and wall > best_wall + _OFFSET_CHANGE:
            break
        at = _instant(wall, zone)
        if (at > after or (inclusive and at == after)) and (best is None or at < best):
            best, best_wall = at, wall
    return best


def _dateutil_rule(recurrence: _Recurrence, dtstart: datetime, until: datetime | None = None):
    rule = rrulestr("RRULE:" + recurrence.rule, dtstart=dtstart)
    return rule.replace(until=until) if until is not None else rule


def _moved(wall: datetime, years: int) -> datetime:
    return wall.replace(year=wall.year + years)


def _occurrences(recurrence: _Recurrence, start: datetime, end: datetime) -> Iterator[datetime]:
    """The firings from `start` (inclusive) to `end`, as wall-clock times, in order. dateutil
    walks the rule in a calendar moved by whole 400-year cycles, placing `end` within four
    centuries of year 9999, where dateutil gives up on a rule that fires no more."""
    end = min(end, _LATEST_WALL)
    if start > end:
        return
    years = 400 * ((_LATEST_WALL.year - end.year) // 400)
    walk = rruleset()
    dtstart = _rebased_start(recurrence, start)
    if dtstart <= end:
        until = recurrence.until if recurrence.until is not None and recurrence.until <= end else None
        walk.rrule(_dateutil_rule(recurrence, _moved(dtstart, years), until and _moved(until, years)))
    for rdate in recurrence.rdates:
        if rdate <= end:
            walk.rdate(_moved(rdate, years))
    for exdate in recurrence.exdates:
        if exdate <= end:
            walk.exdate(_moved(exdate, years))
    for moved in walk.xafter(_moved(start, years), inc=True):
        wall = _moved(moved, -years)
        if wall > end:
            return
        yield wall


def _rebased_start(recurrence: _Recurrence, target: datetime) -> datetime:
    """A later DTSTART with the same firings from `target` on, so that dateutil need not walk the
    rule's past. It moves by whole INTERVAL periods (the rule's grid) and keeps what dateutil takes
    from DTSTART: the time of day, and the weekday, day of month or date. Yearly and monthly rules
    land in a month before `target`'s (dateutil reads a year or a month whole); the others a week
    before `target` (dateutil cuts its first week short at DTSTART, and that week is over by then).
    A COUNT rule counts from its own DTSTART and keeps it."""
    start = recurrence.dtstart
    if recurrence.count is not None or target <= start:
        return start
    interval = recurrence.interval
    if recurrence.freq in ("YEARLY", "MONTHLY"):
        step = 12 * interval if recurrence.freq == "YEARLY" else interval
        steps = ((target.year - start.year) * 12 + target.month - start.month - 1) // step
        # DTSTART on the 31st or on 29 February: a few steps back the month has that day; if
        # not, the rule keeps its DTSTART.
        for earlier_steps in range(steps, max(steps - 50, 0), -1):
            moved = _months_later(start, earlier_steps * step)
            if moved is not None:
                return moved
        return start
    step_days = {
        "WEEKLY": 7 * interval,
        "DAILY": interval,
        "HOURLY": interval // gcd(interval, 24),
        "MINUTELY": interval // gcd(interval, 24 * 60),
    }[recurrence.freq]
    steps = ((target - start).days - 7) // step_days
    return start + timedelta(days=steps * step_days) if steps > 0 else start


def _months_later(wall: datetime, months: int) -> datetime | None:
    year, month = divmod(wall.month - 1 + months, 12)
    year, month = wall.year + year, month + 1
    if wall.day > calendar.monthrange(year, month)[1]:
        return None
    return wall.replace(year=year, month=month)
