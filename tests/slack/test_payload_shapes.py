"""Signed payloads whose fields are missing or of the wrong JSON type: a 400, no traceback.

Slack documents `user`, `channel`, `ts`, `subtype`, ... as strings and `item`,
`assistant_thread`, `inputs` as objects; a signed event breaking that is Slack's bug or a
leaked secret, and must neither crash a listener (a 500 or a logged traceback) nor post.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest

from bot.fakeslack.web_api import BOT

ITEM = {"type": "message", "channel": "C1", "ts": "1.1"}
HOSTILE_EVENTS = {
    "reaction-item-is-a-string": {
        "type": "reaction_added",
        "user": "U1",
        "reaction": "+1",
        "item": "x",
    },
    "reaction-item-is-a-list": {
        "type": "reaction_removed",
        "user": "U1",
        "reaction": "+1",
        "item": ["a"],
    },
    "reaction-item-channel-is-a-list": {
        "type": "reaction_added",
        "user": "U1",
        "reaction": "+1",
        "item": {**ITEM, "channel": ["C1"]},
    },
    "mention-subtype-is-a-list": {
        "type": "app_mention",
        "user": "U1",
        "channel": "C1",
        "ts": "1.2",
        "subtype": ["x"],
        "text": f"<@{BOT['id']}> what is the ikea effect",
    },
    "dm-user-is-a-list": {
        "type": "message",
        "user": ["U1"],
        "channel": "D1",
        "channel_type": "im",
        "ts": "1.3",
        "text": "tip",
    },
    "dm-thread-ts-is-an-object": {
        "type": "message",
        "user": "U1",
        "channel": "D1",
        "channel_type": "im",
        "ts": "1.4",
        "thread_ts": {"a": 1},
        "text": "what is the ikea effect",
    },
    "home-user-is-a-list": {"type": "app_home_opened", "user": ["U1"], "tab": "home"},
    "assistant-thread-is-a-string": {"type": "assistant_thread_started", "assistant_thread": "x"},
    "assistant-channel-is-a-list": {
        "type": "assistant_thread_started",
        "assistant_thread": {"channel_id": ["D1"], "thread_ts": "1.5", "user_id": "U1"},
    },
}


@pytest.mark.parametrize("event", HOSTILE_EVENTS.values(), ids=HOSTILE_EVENTS.keys())
def test_wrong_typed_event_fields_get_400_post_nothing_and_log_no_error(running_bot, caplog, event):
    caplog.set_level(logging.INFO)
    reply = running_bot.slack.event(event)
    running_bot.executor.submit(lambda: None).result(timeout=5)  # lazy listeners have run
    assert reply.status == 400, reply.status
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert errors == [], [r.getMessage() for r in errors]
    assert running_bot.fake.calls("chat.postMessage") == []
    assert running_bot.fake.calls("views.publish") == []
    assert running_bot.store.tip_tallies() == {}


def test_well_typed_events_still_pass_the_shape_check(running_bot):
    reply = running_bot.slack.mention("what is the ikea effect", channel="C1")
    assert reply.status == 200
    assert running_bot.calls("chat.postMessage", at_least=1)
    assert (
        running_bot.slack.event({"type": "app_home_opened", "user": "U1", "tab": "home"}).status
        == 200
    )


COMMAND = {"command": "/aipm", "text": "subscribe 9am", "user_id": "U1", "channel_id": "C1"}
HOSTILE_COMMANDS = {
    "no-user-id": {k: v for k, v in COMMAND.items() if k != "user_id"},
    "no-channel-id": {k: v for k, v in COMMAND.items() if k != "channel_id"},
    "tip-without-user": {**{k: v for k, v in COMMAND.items() if k != "user_id"}, "text": "tip"},
    "empty-channel-id": {**COMMAND, "channel_id": ""},
}


@pytest.mark.parametrize("fields", HOSTILE_COMMANDS.values(), ids=HOSTILE_COMMANDS.keys())
def test_a_slash_command_without_its_user_or_channel_gets_400_and_no_traceback(
    running_bot, caplog, fields
):
    caplog.set_level(logging.INFO)
    fields = {**fields, "response_url": running_bot.fake.response_url, "team_id": "T1"}
    reply = running_bot.slack.signed(urlencode(fields), "application/x-www-form-urlencoded")
    assert reply.status == 400, (reply.status, reply.body)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert running_bot.store.subscriptions() == []


def click(user: object, channel: object, value: object, action_id: str = "rate_useful") -> dict:
    return {
        "type": "block_actions",
        "user": {"id": user},
        "channel": {"id": channel},
        "container": {"type": "message", "channel_id": "C1", "message_ts": "1.1"},
        "actions": [{"action_id": action_id, "value": value}],
    }


HOSTILE_CLICKS = {
    "user-id-is-an-object": click({"a": 1}, "C1", "the-ikea-effect"),
    "no-user-id": click(None, "C1", "the-ikea-effect"),
    "channel-id-is-a-list": click("U1", ["C1"], "the-ikea-effect"),
    "share-channel-id-is-a-list": click("U1", ["C1"], "the-ikea-effect", "share_tip"),
    "value-is-an-object": click("U1", "C1", {"t": "the-ikea-effect"}, "share_tip"),
    "shortcut-user-id-is-a-list": {
        "type": "message_action",
        "callback_id": "ask_coach_about_message",
        "user": {"id": ["U1"]},
        "channel": {"id": "C1"},
        "message": {"text": "what is the ikea effect", "ts": "1.1"},
    },
    "shortcut-text-is-a-list": {
        "type": "message_action",
        "callback_id": "ask_coach_about_message",
        "user": {"id": "U1"},
        "channel": {"id": "C1"},
        "message": {"text": ["what"], "ts": "1.1"},
    },
}


@pytest.mark.parametrize("payload", HOSTILE_CLICKS.values(), ids=HOSTILE_CLICKS.keys())
def test_a_click_or_shortcut_with_wrong_typed_ids_gets_400_and_nothing_happens(
    running_bot, caplog, payload
):
    caplog.set_level(logging.INFO)
    payload = {**payload, "response_url": running_bot.fake.response_url}
    body = urlencode({"payload": json.dumps(payload)})
    reply = running_bot.slack.signed(body, "application/x-www-form-urlencoded")
    running_bot.executor.submit(lambda: None).result(timeout=5)
    assert reply.status == 400, (reply.status, reply.body)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert running_bot.store.tip_tallies() == {}
    assert running_bot.fake.calls("chat.postMessage") == []
    assert running_bot.fake.calls("chat.postEphemeral") == []
