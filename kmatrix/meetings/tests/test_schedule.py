"""Meeting dates from a cadence, at the same UK wall-clock time whatever the clocks do."""

from __future__ import annotations

from datetime import UTC, date, time

import pytest

from kmatrix.meetings import schedule


def test_a_fortnightly_ten_oclock_meeting_stays_at_ten_across_the_spring_change():
    slots = schedule.meetings(
        "fortnightly", date(2023, 3, 16), date(2023, 4, 13), time(10), time(11)
    )
    local = [(s.date(), s.strftime("%H:%M")) for s, _ in slots]
    assert local == [
        (date(2023, 3, 16), "10:00"),
        (date(2023, 3, 30), "10:00"),
        (date(2023, 4, 13), "10:00"),
    ]
    # Clocks went forward on 26 March: the same local time is an hour earlier in UTC.
    assert [s.astimezone(UTC).hour for s, _ in slots] == [10, 9, 9]


def test_and_across_the_autumn_change():
    slots = schedule.meetings(
        "fortnightly", date(2023, 10, 19), date(2023, 11, 2), time(10), time(11)
    )
    assert [s.astimezone(UTC).hour for s, _ in slots] == [9, 10]
    assert {s.strftime("%H:%M") for s, _ in slots} == {"10:00"}


def test_weekly_meetings_are_seven_days_apart():
    assert schedule.dates("weekly", date(2023, 1, 2), date(2023, 1, 23)) == [
        date(2023, 1, 2),
        date(2023, 1, 9),
        date(2023, 1, 16),
        date(2023, 1, 23),
    ]


def test_a_monthly_meeting_keeps_its_weekday_in_the_month():
    # 10 January 2023 is the second Tuesday; so are 14 February and 14 March.
    assert schedule.dates("monthly", date(2023, 1, 10), date(2023, 3, 31)) == [
        date(2023, 1, 10),
        date(2023, 2, 14),
        date(2023, 3, 14),
    ]


def test_a_fifth_weekday_becomes_the_last_one():
    # 31 January 2023 is the fifth Tuesday; February has four, so its last is the 28th.
    assert schedule.dates("monthly", date(2023, 1, 31), date(2023, 3, 31)) == [
        date(2023, 1, 31),
        date(2023, 2, 28),
        date(2023, 3, 28),
    ]


@pytest.mark.parametrize(
    ("cadence", "expected"),
    [
        ("bimonthly", [date(2023, 1, 2), date(2023, 3, 6), date(2023, 5, 1)]),
        ("quarterly", [date(2023, 1, 2), date(2023, 4, 3)]),
        ("twice_yearly", [date(2023, 1, 2)]),
    ],
)
def test_longer_cadences_step_by_months(cadence, expected):
    assert schedule.dates(cadence, date(2023, 1, 2), date(2023, 6, 30)) == expected


def test_the_year_turns_over():
    assert schedule.dates("annual", date(2023, 12, 5), date(2025, 12, 31)) == [
        date(2023, 12, 5),
        date(2024, 12, 3),
        date(2025, 12, 2),
    ]


@pytest.mark.parametrize(
    ("day", "at", "message"),
    [
        (date(2023, 3, 26), time(1, 30), "does not happen on 26 March 2023"),
        (date(2023, 10, 29), time(1, 30), "happens twice on 29 October 2023"),
    ],
)
def test_a_time_the_clocks_skip_or_repeat_is_refused(day, at, message):
    with pytest.raises(schedule.ScheduleError, match=message):
        schedule.local(day, at)


def test_a_schedule_crossing_a_skipped_time_is_refused_naming_the_day():
    with pytest.raises(schedule.ScheduleError, match="26 March 2023"):
        schedule.meetings("weekly", date(2023, 3, 19), date(2023, 4, 2), time(1, 30), time(2, 30))


@pytest.mark.parametrize(
    ("cadence", "first", "until", "starts", "ends", "message"),
    [
        ("as_needed", date(2023, 1, 1), date(2023, 2, 1), time(10), time(11), "no regular cadence"),
        ("", date(2023, 1, 1), date(2023, 2, 1), time(10), time(11), "no regular cadence"),
        ("weekly", date(2023, 2, 1), date(2023, 1, 1), time(10), time(11), "on or after the first"),
        ("weekly", date(2023, 1, 1), date(2023, 2, 1), time(11), time(10), "end after it starts"),
        ("weekly", date(2023, 1, 1), date(2030, 1, 1), time(10), time(11), "at most 100"),
    ],
)
def test_a_schedule_that_cannot_be_made_says_why(cadence, first, until, starts, ends, message):
    with pytest.raises(schedule.ScheduleError, match=message):
        schedule.meetings(cadence, first, until, starts, ends)
