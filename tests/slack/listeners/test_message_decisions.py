"""The message callbacks' decisions called alone: what gets an answer, what a DM does."""

from __future__ import annotations

import pytest

from bot.fakeslack import payloads
from bot.slack.listeners.messages import dm_reply, ignore_reason

BOT = "UBOT"


@pytest.mark.parametrize(
    ("event", "mentioned", "reason"),
    [
        (
            payloads.message_event(user="U1", channel="DU1", text="q", channel_type="im"),
            False,
            None,
        ),
        (payloads.app_mention_event(user="U1", channel="C1", text="<@UBOT> q"), True, None),
        (payloads.message_event(user="U1", channel="C1", text="q"), False, "without a mention"),
        (
            payloads.message_event(user=BOT, channel="DU1", text="q", channel_type="im"),
            False,
            "own",
        ),
        (
            payloads.message_event(
                user="U9", channel="DU1", text="q", channel_type="im", bot_id="B9"
            ),
            False,
            "another bot",
        ),
        (
            payloads.message_changed_event(
                user="U1", channel="DU1", ts="1.1", text="q", old_text="p"
            ),
            False,
            "message_changed",
        ),
        (
            payloads.message_deleted_event(user="U1", channel="DU1", ts="1.1", text="q"),
            False,
            "message_deleted",
        ),
        (
            payloads.message_event(user="U1", channel="C1", text="q", subtype="channel_join"),
            False,
            "channel_join",
        ),
        (
            payloads.message_event(
                user="U1", channel="DU1", text="", channel_type="im", subtype="file_share"
            ),
            False,
            None,
        ),
        ({"type": "message", "channel_type": "im", "text": "q"}, False, "no author"),
    ],
)
def test_ignore_reason(event, mentioned, reason):
    found = ignore_reason(event, bot_user=BOT, mentioned=mentioned)
    assert (found is None) if reason is None else (reason in found), found


def test_dm_words_are_subcommands_only_on_their_own(slack_ctx):
    assert "type `tip`" in dm_reply(slack_ctx, "help", user="U1", channel="DU1")["text"]
    tip = dm_reply(slack_ctx, "TIP", user="U1", channel="DU1")
    assert "A tip for you" in str(tip["blocks"])
    asked = dm_reply(slack_ctx, "tip for pricing an ai feature", user="U1", channel="DU1")
    assert "You asked" in str(asked["blocks"]) or "no tip" in asked["text"]
