"""The message shortcut over signed HTTP: a private answer, in the channel or else in a DM."""

from __future__ import annotations

import json

from bot.slack.listeners.shortcuts import ASK_ABOUT_MESSAGE

MESSAGE = {
    "ts": "1700000500.000500",
    "user": "U2",
    "text": "should we copy what the IKEA effect does?",
}


def test_the_shortcut_answers_privately_in_the_channel(running_bot):
    reply = running_bot.slack.shortcut(ASK_ABOUT_MESSAGE, MESSAGE, user="U1", channel="C1")
    assert reply.status == 200
    (call,) = running_bot.calls("chat.postEphemeral", at_least=1)
    assert call.params["channel"] == "C1" and call.params["user"] == "U1"
    assert "IKEA" in json.dumps(call.params["blocks"]).upper()
    assert running_bot.fake.calls("chat.postMessage") == []


def test_where_ephemeral_is_impossible_the_answer_comes_as_a_dm(running_bot):
    running_bot.fake.add_channel("C2", is_member=False)
    running_bot.slack.shortcut(ASK_ABOUT_MESSAGE, MESSAGE, user="U1", channel="C2")
    (call,) = running_bot.calls("chat.postMessage", at_least=1)
    assert call.params["channel"] == "U1"
    assert running_bot.fake.messages("DU1"), "delivered in the DM"
    assert [c.response["error"] for c in running_bot.fake.calls("chat.postEphemeral")] == [
        "not_in_channel"
    ]


def test_a_message_without_text_gets_a_short_helpful_reply(running_bot):
    files_only = {"ts": "1700000600.0", "user": "U2", "text": "", "files": [{"id": "F1"}]}
    running_bot.slack.shortcut(ASK_ABOUT_MESSAGE, files_only, user="U1", channel="C1")
    (call,) = running_bot.calls("chat.postEphemeral", at_least=1)
    assert "no text I can read" in call.params["text"]
    assert running_bot.store.gaps() == []


def test_here_in_the_message_is_not_echoed_as_a_ping(running_bot):
    loud = {"ts": "1700000700.0", "user": "U2", "text": "<!here> what is the ikea effect"}
    running_bot.slack.shortcut(ASK_ABOUT_MESSAGE, loud, user="U1", channel="C1")
    (call,) = running_bot.calls("chat.postEphemeral", at_least=1)
    assert "<!here>" not in json.dumps(call.params)
