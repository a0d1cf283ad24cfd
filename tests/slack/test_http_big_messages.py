"""Slack's largest messages (40,000 characters, sent as text and again as rich_text blocks).

Slack allows 40,000 characters in a message and its events carry the text twice (`text`
and `blocks`); as JSON with \\u escapes an emoji takes 12 bytes. Such a mention is Slack's,
signed, and must be answered, not refused as too large.
"""

from __future__ import annotations

import json

import pytest

from bot.fakeslack import payloads
from bot.fakeslack.web_api import BOT
from bot.slack.http import MAX_BODY

BIG = {
    "emoji": "😀" * 40_000,
    "cjk": "语" * 40_000,
    "ascii": "what is the ikea effect " * 1_666,
}


def rich_text(text: str) -> list[dict]:
    return [
        {
            "type": "rich_text",
            "block_id": "b1",
            "elements": [
                {
                    "type": "rich_text_section",
                    "elements": [
                        {"type": "user", "user_id": BOT["id"]},
                        {"type": "text", "text": " " + text},
                    ],
                }
            ],
        }
    ]


@pytest.mark.parametrize("text", BIG.values(), ids=BIG.keys())
def test_a_40000_character_mention_is_answered_in_its_thread(running_bot, text):
    event = payloads.app_mention_event(
        user="U1", channel="C1", text=f"<@{BOT['id']}> {text}", ts="1700000500.000100"
    )
    event["blocks"] = rich_text(text)
    body, kind = payloads.event_callback(
        event, team=running_bot.slack.team, api_app_id=BOT["app_id"], bot_user=BOT["id"]
    )
    assert len(body.encode()) <= MAX_BODY, "the largest Slack message must fit"
    reply = running_bot.slack.signed(body, kind)
    assert reply.status == 200
    (call,) = running_bot.calls("chat.postMessage", at_least=1)
    assert call.params["thread_ts"] == "1700000500.000100"
    assert len(json.dumps(call.params["blocks"])) < 20_000, "the question is cut once, in the core"
