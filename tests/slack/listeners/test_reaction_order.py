"""Reactions delivered out of order (Slack does not promise order; retries reorder them).

A person adds 👍 then takes it back; if Slack delivers the removal first (or retries the
addition after the removal), the rating must end as they left it: withdrawn.
"""

from __future__ import annotations

from bot.fakeslack import payloads
from bot.fakeslack.web_api import BOT
from tests.helpers.events import IKEA, share

T0 = 1_700_000_000.0  # in the past: event times are capped at now


def reaction(bot, *, added: bool, at: float, user: str = "U1", ts: str, name: str = "+1"):
    event = payloads.reaction_event(
        added=added, user=user, reaction=name, channel="C1", ts=ts, item_user=BOT["id"]
    )
    event["event_ts"] = f"{at:.6f}"
    reply = bot.slack.event(event)
    assert reply.status == 200
    return reply


def test_a_removal_delivered_before_its_addition_leaves_no_rating(running_bot):
    ts = share(running_bot)
    reaction(running_bot, added=False, at=T0 + 2, ts=ts)
    reaction(running_bot, added=True, at=T0 + 1, ts=ts)
    assert running_bot.store.tip_tallies() == {}
    assert running_bot.store.user_ratings("U1") == []


def test_a_later_addition_after_a_removal_still_counts(running_bot):
    ts = share(running_bot)
    reaction(running_bot, added=True, at=T0 + 1, ts=ts)
    reaction(running_bot, added=False, at=T0 + 2, ts=ts)
    reaction(running_bot, added=True, at=T0 + 3, ts=ts)
    assert running_bot.store.tip_tallies() == {IKEA: (1, 0)}


def test_an_older_opinion_delivered_late_does_not_replace_a_newer_one(running_bot):
    ts = share(running_bot)
    reaction(running_bot, added=True, at=T0 + 5, ts=ts, name="-1")
    reaction(running_bot, added=True, at=T0 + 1, ts=ts, name="+1")
    assert running_bot.store.tip_tallies() == {IKEA: (0, 1)}


def test_export_lists_standing_votes_only(running_bot):
    ts = share(running_bot)
    reaction(running_bot, added=True, at=T0 + 1, ts=ts)
    reaction(running_bot, added=False, at=T0 + 2, ts=ts)
    assert running_bot.store.export()["votes"] == []


def test_an_event_time_from_the_future_cannot_outrank_the_next_real_vote(running_bot):
    ts = share(running_bot)
    reaction(running_bot, added=True, at=T0 + 10**9, ts=ts, name="-1")  # a skewed stamp
    reaction(running_bot, added=False, at=T0 + 10**9, ts=ts, name="-1")
    reaction(running_bot, added=True, at=T0 + 10**9, ts=ts, name="+1")
    assert running_bot.store.tip_tallies() == {IKEA: (1, 0)}
