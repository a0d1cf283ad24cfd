"""The message callbacks' decisions called alone: what gets an answer, what a DM does."""

from __future__ import annotations

import json
import time

import pytest
from slack_sdk import WebClient

from bot.core import followups
from bot.fakeslack import payloads
from bot.slack.listeners import messages
from bot.slack.listeners.messages import dm_reply, ignore_reason
from tests.conftest import BOT_TOKEN
from tests.slack.listeners.conftest import BOT_USER

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


def test_a_follow_up_a_crash_left_unanswered_is_answered_in_its_thread_once(slack_ctx, fake_slack):
    store = slack_ctx.coach.store
    store.claim_notice(followups.thread_key("C1", "1900.7", "U1"))  # the coach answered U1 there
    event = payloads.message_event(
        user="U1", channel="C1", text="and how do we run a hackathon?", thread_ts="1900.7"
    )
    payload = json.dumps({"type": messages.FOLLOW_UP, "event": event})
    assert store.claim_event("EvLeft", lease=0.0, payload=payload, owner="crashed-process")
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.url)
    assert messages.answer_left_over(slack_ctx, client, bot_user=BOT_USER) == 1
    assert messages.answer_left_over(slack_ctx, client, bot_user=BOT_USER) == 0, "once"
    deadline = time.monotonic() + 10
    while not fake_slack.calls("chat.postMessage") and time.monotonic() < deadline:
        time.sleep(0.05)
    (answer,) = fake_slack.calls("chat.postMessage")
    assert answer.params["thread_ts"] == "1900.7" and answer.params["channel"] == "C1"


@pytest.mark.parametrize(
    ("event", "answered"),
    [
        (payloads.message_event(user="U1", channel="DU1", text="hi", channel_type="im"), True),
        (payloads.message_event(user="U1", channel="C1", text="how do we start evals?"), False),
        (
            payloads.message_event(
                user="U1", channel="C1", text="how do we start evals?", thread_ts="1.5"
            ),
            True,
        ),
        (payloads.message_event(user="U1", channel="C1", text="thanks!", thread_ts="1.5"), False),
        (
            payloads.message_event(
                user="U1", channel="C1", text="how do we start evals?", thread_ts="1.5", bot_id="B1"
            ),
            False,
        ),
    ],
)
def test_only_dms_and_questions_in_threads_make_lazy_work(event, answered):
    assert messages.may_be_answered(event) is answered
