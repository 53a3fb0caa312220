"""Business time: deadlines that run only inside a calendar's working hours (docs/leads.md,
"Business calendars").

Pure computation, no queries: a calendar is loaded once (`leads.selectors.calendars.calendar_for`)
into a `WorkCalendar`, a small immutable value, and every function here works on that.

How time is counted:
- Working hours are read on the **wall clock of the calendar's time zone**: "Mon-Fri 09:00-17:00
  Europe/Berlin" opens at nine in Berlin in winter and in summer alike. Business time itself is
  real elapsed time inside those intervals, so an SLA of 24 business hours is 24 real hours of
  working time, whatever the clocks did in between.
- A **holiday** is a whole local day off, whatever the hours of its weekday.
- An interval lies inside one day (start before end, end at most 24:00); a shift across midnight is
  two intervals that meet at midnight (Mon 22:00-24:00 and Tue 00:00-06:00), which count as one
  stretch of work.
- **DST**: each boundary of an interval is the first instant the wall clock reads that time or
  later. A boundary inside a spring-forward gap (02:30 when the clock jumps from 02:00 to 03:00)
  is therefore the instant of the jump: the interval 01:00-04:00 on that day is two real hours.
  A boundary inside a fall-back overlap (02:30 when 02:00-03:00 happens twice) is its first
  occurrence: the interval 00:00-06:00 on that day is seven real hours, and an interval lying
  wholly inside the repeated hour is worked once.
- A start outside working hours counts from the next opening; a start inside an interval counts
  from the start itself.
"""

from __future__ import annotations

import datetime
import itertools
import re
import zoneinfo
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # Python's weekday() order
DAY_MINUTES = 24 * 60
# No deadline lies further away than this many days from its start: a calendar whose working time
# is that scarce (every day a holiday, say) is refused rather than looped over for ever.
MAX_DAYS = 3 * 366
# The built-in week when neither the partner nor the tenant has a calendar.
DEFAULT_WEEK = {day: [["09:00", "17:00"]] for day in WEEKDAYS[:5]}

NO_WORKING_HOURS = "This calendar has no working hours: give at least one weekday an interval."

_CLOCK = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
_UTC = datetime.UTC
_ZERO = datetime.timedelta(0)

Interval = tuple[int, int]  # minutes after local midnight: start < end <= 1440


class CalendarError(ValueError):
    """A calendar that cannot give an answer: no working hours at all, or none within MAX_DAYS."""


def parse_clock(value: str, *, end: bool) -> int:
    """'HH:MM' as minutes after midnight; '24:00' only as the end of an interval."""
    match = _CLOCK.match(value) if isinstance(value, str) else None
    minutes = int(match.group(1)) * 60 + int(match.group(2)) if match else -1
    if not 0 <= minutes <= DAY_MINUTES or (minutes == DAY_MINUTES and not end):
        raise ValueError(f"“{value}” is not a time of day (write it as HH:MM, e.g. 09:00 or 17:30).")
    return minutes


def format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_week(weekly_hours: Mapping[str, Sequence[Sequence[str]]]) -> tuple[tuple[Interval, ...], ...]:
    """Working hours per weekday ({"mon": [["09:00", "17:00"]], ...}; a day left out is closed) as
    seven sorted tuples of intervals in minutes. Refuses unknown days, malformed times, an interval
    whose start is not before its end, intervals of one day that overlap (touching is fine), and a
    week with no working hours at all (CalendarError)."""
    if not isinstance(weekly_hours, Mapping):
        raise ValueError("Working hours are given per weekday: mon, tue, wed, thu, fri, sat, sun.")
    unknown = sorted(str(day) for day in set(weekly_hours) - set(WEEKDAYS))
    if unknown:
        raise ValueError(f"Unknown weekday {unknown[0]!r}: use mon, tue, wed, thu, fri, sat, sun.")
    week = []
    for day in WEEKDAYS:
        given = weekly_hours.get(day) or ()
        if isinstance(given, str) or not isinstance(given, Sequence):
            raise ValueError(f'{day}: give a list of intervals, e.g. [["09:00", "17:00"]].')
        intervals = []
        for pair in given:
            if isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2:
                raise ValueError(f'{day}: each interval is a start and an end, e.g. ["09:00", "17:00"].')
            start, end = parse_clock(pair[0], end=False), parse_clock(pair[1], end=True)
            if start >= end:
                raise ValueError(
                    f"{day}: {pair[0]}-{pair[1]} ends before it starts (a night shift is two "
                    "intervals, one ending at 24:00 and one starting at 00:00 the next day)."
                )
            intervals.append((start, end))
        intervals.sort()
        for (_, previous_end), (start, _) in itertools.pairwise(intervals):
            if start < previous_end:
                raise ValueError(f"{day}: the intervals overlap at {format_clock(start)}.")
        week.append(tuple(intervals))
    if not any(week):
        raise CalendarError(NO_WORKING_HOURS)
    return tuple(week)


def format_week(week: Sequence[Sequence[Interval]]) -> dict[str, list[list[str]]]:
    """The stored shape of parsed working hours: every weekday present, intervals sorted."""
    return {
        day: [[format_clock(start), format_clock(end)] for start, end in intervals]
        for day, intervals in zip(WEEKDAYS, week, strict=True)
    }


DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EN_DASH = "\N{EN DASH}"


def describe_week(weekly_hours: Mapping[str, Sequence[Sequence[str]]]) -> str:
    """The week in words, runs of weekdays with the same hours together: "Mon-Fri 09:00-17:00;
    Sat 10:00-14:00" (with en dashes). Closed days are left out; a week that does not parse says so."""
    try:
        week = parse_week(weekly_hours)
    except ValueError as exc:
        return str(exc)
    runs: list[tuple[int, int, tuple[Interval, ...]]] = []
    for index, intervals in enumerate(week):
        if runs and runs[-1][2] == intervals and runs[-1][1] == index - 1:
            runs[-1] = (runs[-1][0], index, intervals)
        else:
            runs.append((index, index, intervals))
    parts = []
    for first, last, intervals in runs:
        if not intervals:
            continue
        days = DAY_NAMES[first] if first == last else f"{DAY_NAMES[first]}{EN_DASH}{DAY_NAMES[last]}"
        hours = ", ".join(f"{format_clock(start)}{EN_DASH}{format_clock(end)}" for start, end in intervals)
        parts.append(f"{days} {hours}")
    return "; ".join(parts)


@dataclass(frozen=True)
class WorkCalendar:
    """A business calendar as the computation needs it: a zone, seven days of intervals (minutes
    after local midnight, Monday first) and the holiday dates."""

    zone: zoneinfo.ZoneInfo
    week: tuple[tuple[Interval, ...], ...]
    holidays: frozenset[datetime.date] = frozenset()

    @classmethod
    def build(
        cls,
        *,
        timezone: str,
        weekly_hours: Mapping[str, Sequence[Sequence[str]]],
        holidays: Iterable[datetime.date] = (),
    ) -> WorkCalendar:
        return cls(zoneinfo.ZoneInfo(timezone), parse_week(weekly_hours), frozenset(holidays))

    def __post_init__(self) -> None:
        if len(self.week) != 7 or not any(self.week):
            raise CalendarError(NO_WORKING_HOURS)

    def day_intervals(self, day: datetime.date) -> Iterator[tuple[datetime.datetime, datetime.datetime]]:
        """The working intervals of a local date as UTC instants (none on a holiday)."""
        if day in self.holidays:
            return
        for start, end in self.week[day.weekday()]:
            opens, closes = _instant(self.zone, day, start), _instant(self.zone, day, end)
            if opens < closes:  # an interval wholly inside a DST gap has no length
                yield opens, closes

    def days_from(self, moment: datetime.datetime) -> Iterator[datetime.date]:
        """Local dates from the one before `moment`'s (a fall-back at midnight can put `moment` on
        the previous date's clock) for at most MAX_DAYS."""
        first = moment.astimezone(self.zone).date() - datetime.timedelta(days=1)
        for offset in range(MAX_DAYS + 1):
            yield first + datetime.timedelta(days=offset)


def _instant(zone: zoneinfo.ZoneInfo, day: datetime.date, minutes: int) -> datetime.datetime:
    """The first instant at which the wall clock in `zone` reads `minutes` after midnight of `day`,
    or later (see the module docstring on DST), in UTC."""
    wall = datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(minutes=minutes)
    earlier = wall.replace(tzinfo=zone, fold=0).astimezone(_UTC)
    if earlier.astimezone(zone).replace(tzinfo=None) == wall:
        return earlier  # the time exists (in an overlap, fold=0 is its first occurrence)
    # In a gap: fold=0 reads the wall time with the offset before the jump, fold=1 with the one
    # after; the jump lies between them. Find it to the second.
    low, high = wall.replace(tzinfo=zone, fold=1).astimezone(_UTC), earlier
    while high - low > datetime.timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def _require_aware(*moments: datetime.datetime) -> None:
    for moment in moments:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("Business time needs time-zone-aware datetimes.")


def _too_far() -> CalendarError:
    return CalendarError(f"This calendar has no such working time within {MAX_DAYS} days of the start.")


def add_business_time(
    start: datetime.datetime, duration: datetime.timedelta, calendar: WorkCalendar
) -> datetime.datetime:
    """The deadline: the instant at which `duration` of working time has passed since `start`.
    A start outside working hours counts from the next opening (so a zero duration gives that
    opening); a deadline that falls on a closing time is that closing time, not the next opening,
    and so is a zero duration from that closing time (what is left of a wait that ended there runs
    out where it ended, so deadlines add up)."""
    _require_aware(start)
    if duration < _ZERO:
        raise ValueError("A duration of business time cannot be negative.")
    start = start.astimezone(_UTC)
    remaining = duration
    for day in calendar.days_from(start):
        for opens, closes in calendar.day_intervals(day):
            if closes < start:
                continue
            begin = max(opens, start)
            if remaining <= closes - begin:
                return begin + remaining
            remaining -= closes - begin
    raise _too_far()


def business_time_between(
    start: datetime.datetime, end: datetime.datetime, calendar: WorkCalendar
) -> datetime.timedelta:
    """The working time from `start` to `end` (zero when `end` is not after `start`)."""
    _require_aware(start, end)
    start, end = start.astimezone(_UTC), end.astimezone(_UTC)
    total = _ZERO
    if end <= start:
        return total
    last_day = end.astimezone(calendar.zone).date() + datetime.timedelta(days=1)
    for day in calendar.days_from(start):
        if day > last_day:
            return total
        for opens, closes in calendar.day_intervals(day):
            if opens < end and closes > start:
                total += min(closes, end) - max(opens, start)
    raise CalendarError(f"Business time is counted over at most {MAX_DAYS} days.")


def add_business_days(start: datetime.datetime, days: int, calendar: WorkCalendar) -> datetime.datetime:
    """ "Within N business days": the close of the N-th working day after the start's local date.
    A working day is a local date with working hours that is not a holiday; the start's own date
    never counts, whatever the time of the start. The close is the end of the day's last interval."""
    _require_aware(start)
    if days < 1:
        raise ValueError("A number of business days is at least 1.")
    start_day = start.astimezone(calendar.zone).date()
    counted = 0
    for day in calendar.days_from(start):
        if day <= start_day:
            continue
        intervals = list(calendar.day_intervals(day))
        if intervals:
            counted += 1
            if counted == days:
                return intervals[-1][1]
    raise _too_far()


def remaining_after_change(
    deadline: datetime.datetime,
    now: datetime.datetime,
    old_calendar: WorkCalendar,
    new_calendar: WorkCalendar,
) -> datetime.datetime:
    """The deadline once the calendar changes at `now`: the working time still left under the old
    calendar, added from `now` under the new one. Time already used stays used, and a deadline
    already passed stays where it was (a calendar change never reopens a breached clock)."""
    _require_aware(deadline, now)
    if deadline <= now:
        return deadline
    left = business_time_between(now, deadline, old_calendar)
    return add_business_time(now, left, new_calendar)
