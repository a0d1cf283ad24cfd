"""Helpers shared by test_events.py and the tests beside it (moved out of the test module)."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.daily.posting import Poster
from bot.slack.delivery import SlackDeliverer
from tests.conftest import BOT_TOKEN

IKEA = "the-ikea-effect"


def share(bot, tip_id=IKEA, channel="C1") -> str:
    """Post a tip to the fake channel through the bot's real poster; returns its ts."""
    tip = bot.coach.library.base.get(tip_id)
    poster = Poster(SlackDeliverer(WebClient(token=BOT_TOKEN, base_url=bot.fake.url)), bot.store)
    outcome = poster.post_tip(channel, tip, kind="shared")
    assert outcome.ok
    return outcome.ts
