"""The terminal gets plain text: no Slack emoji codes, mrkdwn, mentions or 'this channel'."""

from __future__ import annotations

import re

import pytest

from bot.store import Store
from tests.helpers.processes import bot_env, run_cli

SLACK_MARKUP = [
    (re.compile(r":(?:[a-z][a-z0-9_-]*|\+1|-1):"), "an emoji code"),
    (re.compile(r"(^|\s)\*[^*\n]+\*"), "mrkdwn bold"),
    (re.compile(r"(^|\s)_[^_\n]+_(\s|$)"), "mrkdwn italics"),
    (re.compile(r"<[@#!][^>]*>"), "a Slack mention or link"),
    (re.compile(r"&(amp|lt|gt);"), "an mrkdwn escape"),
    (re.compile(r"this channel", re.I), "'this channel'"),
]


def slack_markup_in(text: str) -> list[str]:
    """What kind of Slack markup `text` holds (empty when it is plain)."""
    return [what for pattern, what in SLACK_MARKUP if pattern.search(text)]


@pytest.mark.parametrize(
    "text",
    [
        ":white_check_mark: Subscribed.",
        "Useful :+1: 3",
        "*Last 30 days*: 2 posts",
        "Daily tip in <#C1> at 09:00",
        "paused: a &lt;b&gt;",
        "Stopped the daily tip in this channel.",
        "e.g. _how do I_ ship",
    ],
)
def test_the_markup_check_catches_slack_text(text):
    assert slack_markup_in(text)


def run_ok(args: list[str], env: dict) -> str:
    result = run_cli(args, env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_subscription_commands_print_plain_text(tmp_path):
    env = bot_env(tmp_path)
    first = run_ok(
        ["subscribe", "--channel", "C123", "--at", "09:30", "--tz", "Europe/Berlin"], env
    )
    assert first == "Subscribed C123: daily tip at 09:30 Europe/Berlin on weekdays.\n"
    again = run_ok(["subscribe", "--channel", "C123", "--days", "mon,wed"], env)
    assert again == "Updated C123: daily tip at 09:30 Europe/Berlin on Mon, Wed.\n"

    store = Store.open(tmp_path / "coach.db")
    store.pause_subscription("C123", "the <#C9> channel & co was archived")
    store.close()
    listed = run_ok(["subscriptions"], env)
    assert listed == (
        "C123: daily tip at 09:30 Europe/Berlin on Mon, Wed "
        "(paused: the <#C9> channel & co was archived)\n"
    )

    stopped = run_ok(["unsubscribe", "--channel", "C123"], env)
    assert stopped == "Stopped the daily tip in C123. Ratings and past posts are kept.\n"
    nothing = run_ok(["unsubscribe", "--channel", "C123"], env)
    assert nothing == "C123 has no daily tip, so there was nothing to stop.\n"
    for out in (first, again, stopped, nothing):
        assert slack_markup_in(out) == [], out


def test_stats_and_tip_print_plain_text(tmp_path):
    env = bot_env(tmp_path)
    store = Store.open(tmp_path / "coach.db")
    store.add_post("C1", "111.1", "the-ikea-effect", kind="shared")
    store.record_vote(
        user="U1",
        tip_id="the-ikea-effect",
        channel="C1",
        message_ts="111.1",
        reaction="+1",
        value=1,
    )
    store.close()
    stats = run_ok(["stats"], env)
    assert stats.startswith("0 questions, 1 tip posts, 1 ratings (all time)\n")
    assert "+1" in stats and "the-ikea-effect" in stats
    tip = run_ok(["tip"], env)
    assert "Source: " in tip
    for out in (stats, tip):
        assert slack_markup_in(out) == [], out
