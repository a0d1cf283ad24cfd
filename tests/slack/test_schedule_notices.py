"""Moving or stopping a channel's daily tip is announced there; App Home shows both zones."""

from __future__ import annotations

import json

import pytest

from tests.conftest import wait_until


def notices(bot, channel: str, *, at_least: int = 0) -> list[str]:
    """The texts the bot posted in `channel` (the notices; no tip is posted in these tests)."""
    return [
        json.dumps(m.get("blocks") or []) + m.get("text", "")
        for m in wait_until(lambda: bot.fake.messages(channel), at_least, 5.0)
    ]


def test_a_new_subscription_posts_no_notice(running_bot):
    running_bot.slack.command("subscribe 09:00 Europe/Berlin", user="U1", channel="C50")
    running_bot.slack.command("unsubscribe", user="U1", channel="C50")
    [only] = notices(running_bot, "C50", at_least=1)  # the stop's notice, nothing before it
    assert "stopped" in only


def test_moving_the_time_tells_the_channel_who_changed_what(running_bot):
    running_bot.slack.command("subscribe 09:00 Europe/Berlin", user="U1", channel="C51")
    reply = running_bot.slack.command("subscribe 10:30", user="U2", channel="C51")
    assert reply.status == 200
    [text] = notices(running_bot, "C51", at_least=1)
    assert "<@U2>" in text and "09:00" in text and "10:30" in text and "Europe/Berlin" in text


def test_the_same_settings_again_post_nothing(running_bot):
    running_bot.slack.command("subscribe 09:00 Europe/Berlin", user="U1", channel="C52")
    running_bot.slack.command("subscribe 09:00 Europe/Berlin", user="U2", channel="C52")
    running_bot.slack.command("unsubscribe", user="U2", channel="C52")
    [only] = notices(running_bot, "C52", at_least=1)  # the stop's notice, nothing before it
    assert "stopped" in only


def test_stopping_tells_the_channel_who_stopped_it(running_bot):
    running_bot.slack.command("subscribe 09:00 Europe/Berlin daily", user="U1", channel="C53")
    running_bot.slack.command("unsubscribe", user="U3", channel="C53")
    [text] = notices(running_bot, "C53", at_least=1)
    assert "<@U3>" in text and "stopped" in text and "09:00" in text
    assert running_bot.store.subscription("C53") is None


def test_a_failed_notice_does_not_undo_the_change(running_bot):
    running_bot.slack.command("subscribe 09:00 Europe/Berlin", user="U1", channel="C54")
    running_bot.fake.fail_next("chat.postMessage", error="not_in_channel", times=5)
    reply = running_bot.slack.command("unsubscribe", user="U3", channel="C54")
    assert reply.status == 200 and "Stopped" in reply.json()["text"]
    assert running_bot.store.subscription("C54") is None


@pytest.mark.parametrize(
    ("viewer_tz", "expected"),
    [("Asia/Tokyo", "12:30 your time"), ("Asia/Kolkata", None)],
)
def test_app_home_shows_each_subscription_in_its_zone_and_the_viewers(
    running_bot, viewer_tz, expected
):
    running_bot.fake.add_user("U7", tz=viewer_tz)
    running_bot.slack.command("subscribe 09:00 Asia/Kolkata daily", user="U1", channel="C55")
    event = {"type": "app_home_opened", "user": "U7", "channel": "D7", "tab": "home"}
    assert running_bot.slack.event(event).status == 200
    view = json.dumps(running_bot.calls("views.publish", at_least=1)[-1].params["view"])
    assert "at 09:00 Asia/Kolkata" in view
    if expected:
        assert expected in view
    else:
        assert "your time" not in view


def test_a_notice_never_pings_through_a_forged_user_id():
    from bot.core.schedule_changes import schedule_change
    from bot.slack.blocks import schedule_notice

    change = schedule_change(
        "C1", {"at": "09:00", "tz": "UTC", "days": "daily"}, None, user="<!here>"
    )
    text = schedule_notice(change, command="/aipm")["text"]
    assert text.startswith(":calendar: Someone stopped") and "<!here>" not in text
