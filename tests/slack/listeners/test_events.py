"""Event callbacks called alone: a reaction becomes a vote; App Home is published."""

from __future__ import annotations

from bot.slack.listeners import events
from tests.slack.listeners.conftest import BOT_USER


def reaction(name: str, *, ts: str, user: str = "U1") -> dict:
    return {
        "type": "reaction_added",
        "user": user,
        "reaction": name,
        "item_user": BOT_USER,
        "item": {"type": "message", "channel": "C1", "ts": ts},
    }


def test_a_reaction_on_a_tip_message_is_stored_and_withdrawn(context, slack_ctx):
    store = slack_ctx.coach.store
    store.add_post("C1", "100.1", "hackathons", kind="shared")
    events.reaction_added(
        event=reaction("+1", ts="100.1"), body={"event_id": "E1"}, context=context
    )
    assert store.tip_tallies()["hackathons"][:2] == (1, 0)
    events.reaction_removed(
        event=reaction("+1", ts="100.1"), body={"event_id": "E2"}, context=context
    )
    assert store.tip_tallies().get("hackathons", (0, 0))[:2] == (0, 0)


def test_the_bots_own_reaction_is_not_a_vote(context, slack_ctx):
    store = slack_ctx.coach.store
    store.add_post("C1", "100.1", "hackathons", kind="shared")
    event = reaction("+1", ts="100.1", user=BOT_USER)
    events.reaction_added(event=event, body={"event_id": "E1"}, context=context)
    assert store.tip_tallies() == {}


def test_app_home_is_published_for_the_user(context, slack_ctx, fake_slack, ack):
    from slack_sdk import WebClient

    from tests.conftest import BOT_TOKEN

    events.acknowledge(ack=ack)
    assert len(ack.calls) == 1
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.url)
    events.publish(event={"user": "U7", "tab": "home"}, client=client, context=context)
    [call] = fake_slack.calls("views.publish")
    assert call.params["user_id"] == "U7"
    assert "AI PM Coach" in str(call.params["view"])
