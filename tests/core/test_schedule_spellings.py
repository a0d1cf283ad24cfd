"""Schedules as people type them: `9am`, `0900`, and abbreviations like EST that mean no DST."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.schedule import ScheduleError, next_post, parse_args, parse_time, parse_tz


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("9am", "09:00"),
        ("9AM", "09:00"),
        ("9 am", "09:00"),
        ("9a.m.", "09:00"),
        ("9:30pm", "21:30"),
        ("9:30 PM", "21:30"),
        ("12am", "00:00"),
        ("12pm", "12:00"),
        ("12:15am", "00:15"),
        ("0900", "09:00"),
        ("1730", "17:30"),
        ("930", "09:30"),
        ("9.30", "09:30"),
        ("9h30", "09:30"),
        ("9h", "09:00"),
    ],
)
def test_common_time_spellings_are_accepted(raw, expected):
    assert parse_time(raw) == expected


@pytest.mark.parametrize("raw", ["13pm", "0am", "9:75am", "2400", "960", "12345", "9xm", "pm"])
def test_impossible_spellings_are_refused_with_the_accepted_forms(raw):
    with pytest.raises(ScheduleError, match="HH:MM") as err:
        parse_time(raw)
    assert "9am" in str(err.value)


def test_parse_args_reads_a_spaced_am_pm():
    sched = parse_args("9:30 pm Europe/Berlin mon-fri")
    assert (sched.at, sched.tz, sched.days) == ("21:30", "Europe/Berlin", "weekdays")


@pytest.mark.parametrize(
    ("abbreviation", "city"),
    [
        ("EST", "America/New_York"),
        ("est", "America/New_York"),
        ("EDT", "America/New_York"),
        ("EST5EDT", "America/New_York"),
        ("CST", "America/Chicago"),
        ("MST", "America/Denver"),
        ("MST7MDT", "America/Denver"),
        ("PST", "America/Los_Angeles"),
        ("PST8PDT", "America/Los_Angeles"),
        ("HST", "Pacific/Honolulu"),
        ("CET", "Europe/Berlin"),
        ("EET", "Europe/Athens"),
        ("WET", "Europe/Lisbon"),
        ("MET", "Europe/Berlin"),
        ("BST", "Europe/London"),
        ("AEST", "Australia/Sydney"),
        ("Etc/GMT+5", "America/New_York"),
        ("UTC-5", "America/New_York"),
        ("GMT+1", "Europe/Berlin"),
    ],
)
def test_fixed_offset_abbreviations_are_refused_with_a_city_zone(abbreviation, city):
    for parse in (parse_tz, lambda text: parse_args(f"09:00 {text}")):
        with pytest.raises(ScheduleError) as err:
            parse(abbreviation)
        message = str(err.value)
        assert city in message, message
        assert abbreviation in message and "daylight saving" in message


@pytest.mark.parametrize("name", ["UTC", "Etc/UTC", "GMT", "America/New_York", "Asia/Kolkata"])
def test_real_zones_and_utc_are_still_accepted(name):
    assert parse_tz(name)


def test_a_new_york_team_keeps_9am_in_summer():
    sched = parse_args("9am America/New_York daily")
    summer = next_post(sched, dt.datetime(2026, 7, 1, tzinfo=dt.UTC))
    winter = next_post(sched, dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    assert (summer.hour, winter.hour) == (13, 14)  # 09:00 local both times
