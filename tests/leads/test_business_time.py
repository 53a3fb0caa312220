"""Deadlines in business time, to the minute: across weekends, holidays, night shifts and the DST
switches of Europe/Berlin and America/New_York (all four fall on Sundays in 2027), the time left
when a calendar changes, and "within N business days"."""

import datetime
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leads.business_time import (
    DEFAULT_WEEK,
    MAX_DAYS,
    CalendarError,
    WorkCalendar,
    add_business_days,
    add_business_time,
    business_time_between,
    parse_week,
    remaining_after_change,
)

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
UTC = datetime.UTC
HOURS = datetime.timedelta(hours=1)
MINUTES = datetime.timedelta(minutes=1)
EVERY_DAY = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
WHIT_MONDAY = datetime.date(2027, 5, 17)


def at(zone, *parts):
    return datetime.datetime(*parts, tzinfo=zone)


def office(zone="Europe/Berlin", holidays=(), week=DEFAULT_WEEK):
    return WorkCalendar.build(timezone=zone, weekly_hours=week, holidays=holidays)


def test_a_deadline_runs_over_the_weekend_to_monday():
    # Friday 16:00 + 4 business hours: one hour on Friday, three on Monday morning.
    deadline = add_business_time(at(BERLIN, 2027, 1, 15, 16, 0), 4 * HOURS, office())
    assert deadline == at(BERLIN, 2027, 1, 18, 12, 0)


def test_a_deadline_that_falls_on_closing_time_is_closing_time():
    deadline = add_business_time(at(BERLIN, 2027, 1, 18, 9, 0), 8 * HOURS, office())
    assert deadline == at(BERLIN, 2027, 1, 18, 17, 0)


def test_a_start_before_opening_counts_from_the_opening():
    assert add_business_time(at(BERLIN, 2027, 1, 18, 7, 12), HOURS, office()) == at(
        BERLIN, 2027, 1, 18, 10, 0
    )
    assert add_business_time(at(BERLIN, 2027, 1, 18, 18, 5), HOURS, office()) == at(
        BERLIN, 2027, 1, 19, 10, 0
    )


def test_a_holiday_is_a_whole_day_off():
    # Friday 16:00 + 8 business hours: one on Friday, none on Whit Monday, seven on Tuesday.
    calendar = office(holidays=[WHIT_MONDAY])
    assert add_business_time(at(BERLIN, 2027, 5, 14, 16, 0), 8 * HOURS, calendar) == at(
        BERLIN, 2027, 5, 18, 16, 0
    )
    assert add_business_time(at(BERLIN, 2027, 5, 14, 16, 0), 8 * HOURS, office()) == at(
        BERLIN, 2027, 5, 17, 16, 0
    )


def test_a_start_on_a_holiday_counts_from_the_next_working_morning():
    calendar = office(holidays=[WHIT_MONDAY])
    assert add_business_time(at(BERLIN, 2027, 5, 17, 10, 30), 90 * MINUTES, calendar) == at(
        BERLIN, 2027, 5, 18, 10, 30
    )


def test_spring_forward_in_berlin_keeps_monday_opening_at_nine_local():
    # Friday 15:00 CET + 24 business hours, over the night of 28 March 2027 (02:00 -> 03:00):
    # 2 h Friday, 8 h Monday, 8 h Tuesday, 6 h Wednesday, all Wednesday times in CEST.
    deadline = add_business_time(at(BERLIN, 2027, 3, 26, 15, 0), 24 * HOURS, office())
    assert deadline == at(BERLIN, 2027, 3, 31, 15, 0)
    assert deadline == datetime.datetime(2027, 3, 31, 13, 0, tzinfo=UTC)


def test_fall_back_in_berlin_keeps_monday_opening_at_nine_local():
    # 31 October 2027, 03:00 -> 02:00: Friday 16:30 CEST + 1 h is Monday 09:30 CET, 08:30 UTC.
    deadline = add_business_time(at(BERLIN, 2027, 10, 29, 16, 30), HOURS, office())
    assert deadline == datetime.datetime(2027, 11, 1, 8, 30, tzinfo=UTC)


def test_new_york_switches_on_its_own_dates():
    calendar = office("America/New_York")
    # 14 March 2027 (spring forward) and 7 November 2027 (fall back): Monday 10:00 local each time.
    spring = add_business_time(at(NEW_YORK, 2027, 3, 12, 16, 0), 2 * HOURS, calendar)
    autumn = add_business_time(at(NEW_YORK, 2027, 11, 5, 16, 0), 2 * HOURS, calendar)
    assert spring == datetime.datetime(2027, 3, 15, 14, 0, tzinfo=UTC)
    assert autumn == datetime.datetime(2027, 11, 8, 15, 0, tzinfo=UTC)


def test_the_short_and_the_long_day_count_their_real_hours():
    calendar = office(week=EVERY_DAY)
    spring_day = business_time_between(at(BERLIN, 2027, 3, 28, 0, 0), at(BERLIN, 2027, 3, 29, 0, 0), calendar)
    autumn_day = business_time_between(
        at(BERLIN, 2027, 10, 31, 0, 0), at(BERLIN, 2027, 11, 1, 0, 0), calendar
    )
    assert (spring_day, autumn_day) == (23 * HOURS, 25 * HOURS)
    # Round the clock, business time is real time, whatever the clocks do (in UTC: Python adds a
    # timedelta to a zoned datetime on the wall clock).
    start = datetime.datetime(2027, 3, 13, 17, 0, tzinfo=UTC)
    assert (
        add_business_time(start, 48 * HOURS, office("America/New_York", week=EVERY_DAY)) == start + 48 * HOURS
    )


def test_an_opening_inside_the_spring_forward_gap_is_the_jump():
    # Sundays 02:30-05:00: on 28 March the clock never reads 02:30; work starts when it jumps to 03:00.
    calendar = office(week={"sun": [["02:30", "05:00"]]})
    start = add_business_time(at(BERLIN, 2027, 3, 27, 12, 0), datetime.timedelta(0), calendar)
    assert start == at(BERLIN, 2027, 3, 28, 3, 0) == datetime.datetime(2027, 3, 28, 1, 0, tzinfo=UTC)
    assert business_time_between(at(BERLIN, 2027, 3, 28), at(BERLIN, 2027, 3, 29), calendar) == 2 * HOURS
    nights = office(week={"sun": [["01:00", "04:00"]]})
    assert business_time_between(at(BERLIN, 2027, 3, 28), at(BERLIN, 2027, 3, 29), nights) == 2 * HOURS


def test_a_boundary_inside_the_fall_back_overlap_is_its_first_occurrence():
    early = office(week={"sun": [["00:00", "06:00"]]})
    assert business_time_between(at(BERLIN, 2027, 10, 31), at(BERLIN, 2027, 11, 1), early) == 7 * HOURS
    repeated = office(week={"sun": [["02:00", "02:30"]]})
    assert business_time_between(at(BERLIN, 2027, 10, 31), at(BERLIN, 2027, 11, 1), repeated) == 30 * MINUTES
    # 02:15 the second time round (CET, 01:15 UTC) is after the interval: the clock waits a week.
    second_time = datetime.datetime(2027, 10, 31, 1, 15, tzinfo=UTC)
    assert add_business_time(second_time, 10 * MINUTES, repeated) == at(BERLIN, 2027, 11, 7, 2, 10)


def test_a_night_shift_across_midnight_counts_as_one_stretch():
    nights = office(week={"mon": [["22:00", "24:00"]], "tue": [["00:00", "06:00"]]})
    assert add_business_time(at(BERLIN, 2027, 1, 11, 23, 0), 2 * HOURS, nights) == at(
        BERLIN, 2027, 1, 12, 1, 0
    )
    assert business_time_between(at(BERLIN, 2027, 1, 11, 21), at(BERLIN, 2027, 1, 12, 7), nights) == 8 * HOURS


def test_business_time_between_counts_only_working_hours():
    calendar = office(holidays=[WHIT_MONDAY])
    assert business_time_between(at(BERLIN, 2027, 5, 14, 16), at(BERLIN, 2027, 5, 18, 10, 15), calendar) == (
        HOURS + 75 * MINUTES
    )
    assert (
        business_time_between(at(BERLIN, 2027, 5, 18, 12), at(BERLIN, 2027, 5, 18, 11), calendar) == 0 * HOURS
    )


def test_a_calendar_change_recomputes_only_the_time_left():
    berlin, new_york = office(), office("America/New_York")
    opened = at(BERLIN, 2027, 1, 11, 9, 0)
    deadline = add_business_time(opened, 16 * HOURS, berlin)
    assert deadline == at(BERLIN, 2027, 1, 12, 17, 0)
    # At 13:00 Berlin (07:00 in New York) 4 hours are used and 12 left; New York gives 8 on Monday
    # (09:00-17:00 there) and the last 4 on Tuesday, up to 13:00 New York time.
    moved = remaining_after_change(deadline, at(BERLIN, 2027, 1, 11, 13, 0), berlin, new_york)
    assert moved == at(NEW_YORK, 2027, 1, 12, 13, 0)


def test_a_calendar_change_after_the_deadline_leaves_it_where_it_was():
    deadline = at(BERLIN, 2027, 1, 12, 17, 0)
    late = at(BERLIN, 2027, 1, 13, 9, 30)
    assert remaining_after_change(deadline, late, office(), office("America/New_York")) == deadline


def test_within_n_business_days_is_the_close_of_the_nth_working_day_after_the_start_day():
    friday = at(BERLIN, 2027, 1, 15, 10, 0)
    assert add_business_days(friday, 5, office()) == at(BERLIN, 2027, 1, 22, 17, 0)
    with_holiday = office(holidays=[datetime.date(2027, 1, 20)])
    assert add_business_days(friday, 5, with_holiday) == at(BERLIN, 2027, 1, 25, 17, 0)
    # The start day never counts, even before opening; a Saturday start counts Monday as day one.
    assert add_business_days(at(BERLIN, 2027, 1, 18, 6, 0), 1, office()) == at(BERLIN, 2027, 1, 19, 17, 0)
    assert add_business_days(at(BERLIN, 2027, 1, 16, 12, 0), 1, office()) == at(BERLIN, 2027, 1, 18, 17, 0)


def test_a_calendar_without_working_hours_is_refused_with_a_reason():
    with pytest.raises(CalendarError, match="no working hours"):
        WorkCalendar.build(timezone="Europe/Berlin", weekly_hours={"mon": []})


def test_working_time_out_of_reach_is_refused_rather_than_looped_for():
    # Mondays only, and every Monday for four years a holiday.
    mondays = [datetime.date(2027, 1, 4) + datetime.timedelta(weeks=n) for n in range(4 * 53)]
    calendar = office(week={"mon": [["09:00", "17:00"]]}, holidays=mondays)
    with pytest.raises(CalendarError, match=f"within {MAX_DAYS} days"):
        add_business_time(at(BERLIN, 2027, 1, 1, 9), HOURS, calendar)
    with pytest.raises(CalendarError, match=f"within {MAX_DAYS} days"):
        add_business_days(at(BERLIN, 2027, 1, 1, 9), 1, calendar)


def test_naive_datetimes_and_negative_durations_are_refused():
    with pytest.raises(ValueError, match="time-zone-aware"):
        add_business_time(datetime.datetime(2027, 1, 11, 9), HOURS, office())
    with pytest.raises(ValueError, match="cannot be negative"):
        add_business_time(at(BERLIN, 2027, 1, 11, 9), -HOURS, office())


@pytest.mark.parametrize(
    ("week", "reason"),
    [
        ({"mon": [["09:00", "13:00"], ["12:00", "17:00"]]}, "overlap at 12:00"),
        ({"mon": [["17:00", "09:00"]]}, "ends before it starts"),
        ({"mon": [["09:00", "09:00"]]}, "ends before it starts"),
        ({"mon": [["24:00", "24:00"]]}, "not a time of day"),
        ({"mon": [["9am", "5pm"]]}, "not a time of day"),
        ({"mon": [["09:00", "25:00"]]}, "not a time of day"),
        ({"monday": [["09:00", "17:00"]]}, "Unknown weekday"),
        ({"mon": ["09:00-17:00"]}, "a start and an end"),
        ({"mon": "09:00-17:00"}, "a list of intervals"),
        ({1: [["09:00", "17:00"]], "mon": []}, "Unknown weekday '1'"),
        ([["09:00", "17:00"]], "per weekday"),
        ({}, "no working hours"),
    ],
)
def test_the_week_is_refused_with_its_reason(week, reason):
    with pytest.raises(ValueError, match=reason):
        parse_week(week)


def test_touching_intervals_are_one_stretch_not_an_overlap():
    calendar = office(week={"mon": [["12:00", "17:00"], ["09:00", "12:00"]]})
    assert add_business_time(at(BERLIN, 2027, 1, 11, 11), 2 * HOURS, calendar) == at(BERLIN, 2027, 1, 11, 13)


CALENDARS = [
    office(holidays=[WHIT_MONDAY, datetime.date(2027, 12, 24)]),
    office(
        "America/New_York",
        week={"sun": [["01:00", "04:00"]], "wed": [["08:00", "12:00"], ["13:00", "17:30"]]},
    ),
    office(week={"mon": [["22:00", "24:00"]], "tue": [["00:00", "06:00"]], "sun": [["00:00", "06:00"]]}),
]
STARTS = st.datetimes(
    min_value=datetime.datetime(2027, 1, 1), max_value=datetime.datetime(2027, 12, 31), timezones=st.just(UTC)
).map(lambda moment: moment.replace(second=0, microsecond=0))
DURATIONS = st.integers(min_value=0, max_value=300 * 60).map(lambda minutes: minutes * MINUTES)


@settings(max_examples=150, deadline=None)
@given(start=STARTS, duration=DURATIONS, calendar=st.sampled_from(CALENDARS))
def test_the_time_between_a_start_and_its_deadline_is_the_duration(start, duration, calendar):
    deadline = add_business_time(start, duration, calendar)
    assert business_time_between(start, deadline, calendar) == duration
    assert remaining_after_change(deadline, start, calendar, calendar) == deadline


@settings(max_examples=100, deadline=None)
@given(start=STARTS, first=DURATIONS, second=DURATIONS, calendar=st.sampled_from(CALENDARS))
def test_deadlines_add_up(start, first, second, calendar):
    # The time left after a partial wait runs on from where the wait ended.
    midway = add_business_time(start, first, calendar)
    assert add_business_time(midway, second, calendar) == add_business_time(start, first + second, calendar)
