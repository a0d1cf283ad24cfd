"""What changed in a channel's daily tip, and its time as another zone sees it."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.schedule import Schedule, ScheduleError, time_in_zone
from bot.core.schedule_changes import schedule_change

BERLIN = {"at": "09:00", "tz": "Europe/Berlin", "days": "weekdays", "paused": 0}


def test_a_new_subscription_is_no_change_to_announce():
    assert schedule_change("C1", None, BERLIN, user="U1") is None


def test_the_same_settings_again_are_no_change():
    assert schedule_change("C1", BERLIN, dict(BERLIN), user="U1") is None


def test_a_moved_time_names_before_and_after():
    after = {**BERLIN, "at": "10:30"}
    change = schedule_change("C1", BERLIN, after, user="U2")
    assert change.action == "changed" and change.user == "U2"
    assert change.before == Schedule("09:00", "Europe/Berlin", "weekdays")
    assert change.after == Schedule("10:30", "Europe/Berlin", "weekdays")


def test_resuming_a_paused_subscription_is_a_change():
    change = schedule_change("C1", {**BERLIN, "paused": 1}, BERLIN, user="U2")
    assert change.action == "changed" and change.resumed


def test_stopping_names_what_was_stopped():
    change = schedule_change("C1", BERLIN, None, user="U3")
    assert change.action == "stopped" and change.before.at == "09:00" and change.after is None


@pytest.mark.parametrize(
    ("now", "viewer", "expected"),
    [
        (dt.datetime(2026, 1, 5, 6, tzinfo=dt.UTC), "America/New_York", "03:00"),
        (dt.datetime(2026, 7, 6, 6, tzinfo=dt.UTC), "America/New_York", "03:00"),
        (dt.datetime(2026, 3, 16, 6, tzinfo=dt.UTC), "America/New_York", "04:00"),  # US DST first
        (dt.datetime(2026, 1, 5, 6, tzinfo=dt.UTC), "Europe/Berlin", "09:00"),
        (dt.datetime(2026, 1, 5, 6, tzinfo=dt.UTC), "Pacific/Honolulu", "22:00 (day before)"),
        (dt.datetime(2026, 1, 5, 6, tzinfo=dt.UTC), "Pacific/Kiritimati", "22:00"),
    ],
)
def test_time_in_zone_follows_each_zones_daylight_saving(now, viewer, expected):
    assert time_in_zone(BERLIN, viewer, now) == expected


def test_late_evening_shows_the_next_day_further_east():
    late = {"at": "22:00", "tz": "Europe/Berlin", "days": "daily"}
    now = dt.datetime(2026, 1, 5, 6, tzinfo=dt.UTC)
    assert time_in_zone(late, "Asia/Tokyo", now) == "06:00 (next day)"


def test_time_in_zone_refuses_an_unknown_zone():
    with pytest.raises(ScheduleError):
        time_in_zone(BERLIN, "Mars/Base", dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
