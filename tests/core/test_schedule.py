import datetime as dt

import pytest

from bot.core.schedule import (
    Schedule,
    ScheduleError,
    due_date,
    parse_args,
    parse_days,
    parse_time,
    parse_tz,
    post_moment,
)

UTC = dt.UTC


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("9:00", "09:00"), ("09:00", "09:00"), ("0:05", "00:05"), ("23:59", "23:59")],
)
def test_parse_time_accepts_24_hour_times(raw, expected):
    assert parse_time(raw) == expected


@pytest.mark.parametrize("raw", ["25:00", "24:00", "9:60", "9", "09:00:00", ""])
def test_parse_time_rejects_with_what_is_accepted(raw):
    with pytest.raises(ScheduleError, match="24-hour HH:MM"):
        parse_time(raw)


def test_unknown_time_zone_names_the_accepted_form():
    with pytest.raises(ScheduleError) as err:
        parse_tz("Mars/Base")
    assert str(err.value) == (
        "Unknown time zone 'Mars/Base': use an IANA name like Europe/Berlin or America/New_York."
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("europe/berlin", "Europe/Berlin"), ("UTC", "UTC"), ("Asia/Kolkata", "Asia/Kolkata")],
)
def test_parse_tz_returns_the_canonical_name(raw, expected):
    assert parse_tz(raw) == expected


def test_a_bare_city_gets_a_suggestion():
    with pytest.raises(ScheduleError, match="did you mean Europe/Berlin"):
        parse_tz("Berlin")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("weekdays", "weekdays"),
        ("daily", "daily"),
        ("mon,tue,wed,thu,fri", "weekdays"),
        ("sun,mon,tue,wed,thu,fri,sat", "daily"),
        ("fri,mon,wed", "mon,wed,fri"),
        ("Monday,Thursday", "mon,thu"),
        ("mon-wed", "mon,tue,wed"),
        ("sat,sun", "sat,sun"),
    ],
)
def test_parse_days_canonical_form(raw, expected):
    assert parse_days(raw) == expected


@pytest.mark.parametrize("raw", ["funday", "mon,xyz", ""])
def test_parse_days_rejects_unknown_days(raw):
    with pytest.raises(ScheduleError, match="weekdays"):
        parse_days(raw)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Schedule("09:00", "America/New_York", "weekdays")),
        ("9:30 Europe/Berlin daily", Schedule("09:30", "Europe/Berlin", "daily")),
        ("daily Europe/Berlin 9:30", Schedule("09:30", "Europe/Berlin", "daily")),
        ("mon, wed,fri 17:00", Schedule("17:00", "America/New_York", "mon,wed,fri")),
        ("Asia/Kolkata sat sun", Schedule("09:00", "Asia/Kolkata", "sat,sun")),
    ],
)
def test_parse_args_any_order_with_defaults(text, expected):
    assert parse_args(text, default_tz="America/New_York") == expected


def test_parse_args_accepts_a_list_of_parts():
    assert parse_args(["10:00", "UTC"]) == Schedule("10:00", "UTC", "weekdays")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("13pm", "not a valid time"),
        ("25:00 UTC", "not a valid time"),
        ("Mars/Base", "Unknown time zone 'Mars/Base'"),
        ("tomorrow", "I could not read 'tomorrow'"),
        ("9:00 10:00", "Two times given"),
        ("UTC Europe/Berlin", "Two time zones given"),
    ],
)
def test_parse_args_errors_say_what_is_wrong(text, fragment):
    with pytest.raises(ScheduleError, match=fragment):
        parse_args(text)


BERLIN_DAILY = Schedule("09:00", "Europe/Berlin", "daily")
BERLIN_WEEKDAYS = Schedule("09:00", "Europe/Berlin", "weekdays")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(2024, 1, 8, 7, 59), None),  # Monday 08:59 Berlin (CET)
        (at(2024, 1, 8, 8, 0), "2024-01-08"),
        (at(2024, 1, 8, 22, 59), "2024-01-08"),  # still the same local day: catch-up
        (at(2024, 1, 8, 23, 0), None),  # Tuesday 00:00 Berlin, before 09:00
        (at(2024, 1, 13, 12, 0), None),  # Saturday
        (at(2024, 1, 14, 12, 0), None),  # Sunday
    ],
)
def test_due_date_weekdays(now, expected):
    assert due_date(BERLIN_WEEKDAYS, now) == expected


@pytest.mark.parametrize(
    ("sub", "day", "utc"),
    [
        (BERLIN_DAILY, dt.date(2024, 3, 30), at(2024, 3, 30, 8, 0)),  # CET
        (BERLIN_DAILY, dt.date(2024, 3, 31), at(2024, 3, 31, 7, 0)),  # CEST from today
        (BERLIN_DAILY, dt.date(2024, 10, 27), at(2024, 10, 27, 8, 0)),  # back to CET
        (
            Schedule("09:00", "America/New_York", "daily"),
            dt.date(2024, 3, 10),
            at(2024, 3, 10, 13, 0),
        ),
        (
            Schedule("09:00", "America/New_York", "daily"),
            dt.date(2024, 11, 3),
            at(2024, 11, 3, 14, 0),
        ),
        # 02:30 does not exist on spring-forward day: the first valid moment is 03:00 CEST.
        (Schedule("02:30", "Europe/Berlin", "daily"), dt.date(2024, 3, 31), at(2024, 3, 31, 1, 0)),
        # 02:30 happens twice on fall-back day: the first one (CEST) counts.
        (
            Schedule("02:30", "Europe/Berlin", "daily"),
            dt.date(2024, 10, 27),
            at(2024, 10, 27, 0, 30),
        ),
        (
            Schedule("02:30", "America/New_York", "daily"),
            dt.date(2024, 3, 10),
            at(2024, 3, 10, 7, 0),
        ),
        (Schedule("09:00", "Asia/Kolkata", "daily"), dt.date(2024, 3, 31), at(2024, 3, 31, 3, 30)),
    ],
)
def test_post_moment_keeps_wall_clock_time_across_dst(sub, day, utc):
    assert post_moment(sub, day) == utc


def test_due_on_the_fall_back_day_once_the_first_occurrence_passed():
    sub = Schedule("02:30", "Europe/Berlin", "daily")
    assert due_date(sub, at(2024, 10, 27, 0, 29)) is None
    assert due_date(sub, at(2024, 10, 27, 0, 30)) == "2024-10-27"
    assert due_date(sub, at(2024, 10, 27, 1, 30)) == "2024-10-27"  # the second 02:30: same day


def test_due_date_accepts_a_subscription_row():
    row = {"channel": "C1", "at": "09:00", "tz": "UTC", "days": "daily", "paused": 0}
    assert due_date(row, at(2024, 1, 1, 9, 0)) == "2024-01-01"


def test_due_date_needs_an_aware_time():
    with pytest.raises(ValueError, match="aware"):
        due_date(BERLIN_DAILY, dt.datetime(2024, 1, 1, 9, 0))
