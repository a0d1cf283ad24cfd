"""@mentions and DMs over signed HTTP against the fake Slack: answered where asked, once."""

from __future__ import annotations

import json
import threading
import time

import pytest

from bot.fakeslack import payloads

QUESTION = "what is the ikea effect"
IKEA = "the-ikea-effect"


def settle(bot, seconds: float = 0.4) -> None:
    """Let lazy listeners finish before asserting that nothing was posted."""
    time.sleep(seconds)
    bot.executor.submit(lambda: None).result(timeout=5)


def posts(bot, channel: str | None = None) -> list:
    return [
        c
        for c in bot.fake.calls("chat.postMessage")
        if channel is None or c.params["channel"] == channel
    ]


def test_a_mention_is_answered_in_its_thread_with_the_tip_and_buttons(running_bot):
    reply = running_bot.slack.mention(QUESTION, user="U1", channel="C1", ts="1700000100.000100")
    assert reply.status == 200
    (call,) = running_bot.calls("chat.postMessage", at_least=1)
    assert call.params["channel"] == "C1"
    assert call.params["thread_ts"] == "1700000100.000100"
    text = json.dumps(call.params["blocks"])
    assert "IKEA" in text.upper() and "share_tip" in text and "aipm_feedback" in text
    assert "Source" in text
    assert "You asked" not in text, "the question is right above in the thread"
    assert running_bot.fake.messages("C1")[0]["thread_ts"] == "1700000100.000100"


def test_a_mention_inside_a_thread_answers_in_that_thread(running_bot):
    running_bot.slack.mention(
        QUESTION, channel="C1", ts="1700000200.000200", thread_ts="1700000100.0"
    )
    (call,) = running_bot.calls("chat.postMessage", at_least=1)
    assert call.params["thread_ts"] == "1700000100.0"


def test_a_retried_mention_is_answered_once(running_bot):
    first = running_bot.slack.mention(QUESTION, event_id="EvSAME1", ts="1700000300.0")
    again = running_bot.slack.mention(QUESTION, event_id="EvSAME1", ts="1700000300.0", retry=1)
    third = running_bot.slack.mention(QUESTION, event_id="EvSAME1", ts="1700000300.0", retry=2)
    assert (first.status, again.status, third.status) == (200, 200, 200)
    running_bot.calls("chat.postMessage", at_least=1)
    settle(running_bot)
    assert len(posts(running_bot)) == 1


def test_a_mention_with_only_the_bot_id_gets_the_how_to(running_bot):
    running_bot.slack.mention("", channel="C1")
    (call,) = running_bot.calls("chat.postMessage", at_least=1)
    assert "Ask me after the mention" in call.params["text"]


def test_here_in_a_mention_never_pings_anyone_from_the_answer(running_bot):
    running_bot.slack.mention(f"<!here> <!channel> {QUESTION} <@U2>", channel="C1")
    (call,) = running_bot.calls("chat.postMessage", at_least=1)
    sent = json.dumps(call.params)
    assert "<!here>" not in sent and "<!channel>" not in sent and "<@U2>" not in sent
    assert "The Ikea effect" in sent, "answered all the same"


def test_here_in_a_dm_is_echoed_as_plain_text(running_bot):
    running_bot.slack.dm(f"<!here> {QUESTION}", user="U7")
    (call,) = running_bot.calls("chat.postMessage", at_least=1)
    sent = json.dumps(call.params)
    assert "<!here>" not in sent and "You asked: _@here what is the ikea effect_" in sent


def test_a_forty_thousand_character_mention_gets_a_short_reply(running_bot):
    reply = running_bot.slack.mention("why " * 10_000, channel="C1")
    assert reply.status == 200
    (call,) = running_bot.calls("chat.postMessage", at_least=1)
    assert call.response["ok"] is True
    assert len(json.dumps(call.params)) < 10_000


def test_a_dm_is_answered_in_the_dm(running_bot):
    running_bot.slack.dm(QUESTION, user="U7")
    (call,) = running_bot.calls("chat.postMessage", at_least=1)
    assert call.params["channel"] == "DU7"
    assert "thread_ts" not in call.params
    assert "IKEA" in json.dumps(call.params["blocks"]).upper()
    assert running_bot.fake.calls("assistant.threads.setStatus") == []


def test_a_dm_whose_answer_hits_a_dropped_connection_is_still_answered_once(running_bot):
    # The event is acked and claimed before the answer is posted, so Slack will not send it
    # again: a connection reset on chat.postMessage must not lose the answer.
    running_bot.fake.fail_next("chat.postMessage", drop=True)
    running_bot.slack.dm(QUESTION, user="U8")
    calls = running_bot.calls("chat.postMessage", at_least=2)
    settle(running_bot)
    answered = [c for c in running_bot.fake.calls("chat.postMessage") if c.status == 200]
    assert [c.status for c in calls[:1]] == [0]  # the dropped one, never answered by Slack
    assert len(answered) == 1 and answered[0].params["channel"] == "DU8"
    assert "IKEA" in json.dumps(answered[0].params["blocks"]).upper()


def test_dm_subcommands_tip_top_and_help(running_bot):
    running_bot.slack.dm("help", user="U7")
    running_bot.slack.dm("top", user="U7")
    running_bot.slack.dm("tip", user="U7")
    calls = running_bot.calls("chat.postMessage", at_least=3)
    texts = sorted(json.dumps(c.params) for c in calls)
    assert any("type `tip`" in t for t in texts), texts
    assert any("No clear favourite yet" in t for t in texts), texts
    assert any("A tip for you" in t for t in texts), texts


def test_a_dm_with_files_and_no_text_says_it_reads_words(running_bot):
    event = payloads.message_event(
        user="U7",
        channel="DU7",
        text="",
        channel_type="im",
        subtype="file_share",
        files=[{"id": "F1", "name": "deck.pdf"}],
    )
    assert running_bot.slack.event(event).status == 200
    (call,) = running_bot.calls("chat.postMessage", at_least=1)
    assert "only read text" in call.params["text"]


def test_opening_the_messages_tab_sets_prompts_for_the_dm_and_greets_once(running_bot):
    opened = payloads.app_home_opened_event(user="U7", dm_channel="DU7", tab="messages")
    assert running_bot.slack.event(opened).status == 200
    (greeting,) = running_bot.calls("chat.postMessage", at_least=1)
    assert greeting.params["channel"] == "DU7" and "type `tip`" in greeting.params["text"]
    (prompts,) = running_bot.calls("assistant.threads.setSuggestedPrompts", at_least=1)
    assert "thread_ts" not in prompts.params, "an agent app's prompts belong to the DM"
    assert len(running_bot.fake.api.assistant[("DU7", "")]["prompts"]) == 4
    assert running_bot.fake.calls("views.publish") == [], "the Messages tab is no Home tab"
    again = payloads.app_home_opened_event(user="U7", dm_channel="DU7", tab="messages")
    running_bot.slack.event(again)
    running_bot.calls("assistant.threads.setSuggestedPrompts", at_least=2)
    assert len(running_bot.fake.calls("chat.postMessage")) == 1, "greeted once"


def test_a_dm_in_a_thread_shows_status_and_answers_in_its_thread(running_bot):
    running_bot.slack.dm(QUESTION, user="U7", thread_ts="1700.5")
    answer = running_bot.calls("chat.postMessage", at_least=1)[-1]
    assert answer.params["thread_ts"] == "1700.5"
    (status,) = running_bot.calls("assistant.threads.setStatus", at_least=1)
    assert status.params["status"] == "Finding a tip…"
    assert status.at <= answer.at


def test_a_mention_shows_status_in_its_channel_thread_until_answered(running_bot):
    running_bot.slack.mention(QUESTION, user="U7", channel="C3", ts="1800.1")
    answer = running_bot.calls("chat.postMessage", at_least=1)[-1]
    (status,) = running_bot.calls("assistant.threads.setStatus", at_least=1)
    assert (status.params["channel_id"], status.params["thread_ts"]) == ("C3", "1800.1")
    assert answer.params["thread_ts"] == "1800.1" and status.at <= answer.at


def test_without_the_agent_surface_a_threaded_dm_is_still_answered(running_bot):
    running_bot.fake.fail_next("assistant.threads.setStatus", error="not_allowed_token_type")
    running_bot.slack.dm(QUESTION, user="U7", thread_ts="1700.9")
    (call,) = running_bot.calls("chat.postMessage", at_least=1)
    assert call.params["channel"] == "DU7" and call.params["thread_ts"] == "1700.9"


def test_own_messages_edits_deletions_joins_and_plain_channel_messages_get_nothing(running_bot):
    slack = running_bot.slack
    events = [
        payloads.message_event(user="UBOT", channel="DU7", text=QUESTION, channel_type="im"),
        payloads.message_event(
            user=None,
            channel="DU7",
            text=QUESTION,
            channel_type="im",
            subtype="bot_message",
            bot_id="BBOT",
        ),
        payloads.message_event(
            user="U9", channel="DU7", text=QUESTION, channel_type="im", bot_id="BOTHER"
        ),
        payloads.message_changed_event(
            user="U7", channel="DU7", ts="1.1", text=QUESTION, old_text="x"
        ),
        payloads.message_deleted_event(user="U7", channel="DU7", ts="1.1", text=QUESTION),
        payloads.message_event(user="U7", channel="C1", text=QUESTION, subtype="channel_join"),
        payloads.message_event(user="U7", channel="C1", text=QUESTION),
        payloads.message_event(user="U7", channel="C1", text=f"<@UBOT> {QUESTION}"),
    ]
    for event in events:
        assert slack.event(event).status == 200
    settle(running_bot)
    assert posts(running_bot) == []
    assert running_bot.store.gaps() == []


def test_another_bot_that_mentions_the_coach_is_answered(running_bot):
    event = payloads.app_mention_event(user="U9", channel="C1", text=f"<@UBOT> {QUESTION}")
    event["bot_id"] = "BOTHER"
    running_bot.slack.event(event)
    assert len(running_bot.calls("chat.postMessage", at_least=1)) == 1


def test_answers_in_one_channel_are_paced_a_second_apart(running_bot):
    for n in range(2):
        running_bot.slack.mention(QUESTION, channel="C5", ts=f"1700000400.00000{n}")
    first, second = running_bot.calls("chat.postMessage", at_least=2)
    assert second.at - first.at >= 0.9


def test_a_mention_is_acked_before_the_answer_is_posted(running_bot):
    # The fake posts at once but holds its answer for 1.5 s; a call is logged when answered.
    running_bot.fake.fail_next("chat.postMessage", delay=1.5, post_anyway=True)
    assert running_bot.slack.mention(QUESTION, channel="C1").status == 200
    assert running_bot.fake.calls("chat.postMessage") == [], "Slack got its 200 first"
    assert len(running_bot.calls("chat.postMessage", at_least=1)) == 1


def test_hostile_events_get_a_2xx_and_no_answer(running_bot):
    hostile = [
        {"type": "app_mention", "user": "U1", "text": 42, "channel": ["C1"], "ts": 1},
        {"type": "app_mention"},
        {"type": "message", "channel_type": "im", "user": "U1", "text": {"a": 1}},
        {"type": "message", "channel_type": "im", "user": "U1", "channel": "DU1", "ts": None},
        {"type": "assistant_thread_started", "assistant_thread": "nope"},
        {"type": "function_executed", "function": {"callback_id": "send_aipm_tip"}, "inputs": []},
    ]
    for event in hostile:
        status = running_bot.slack.event(event).status
        assert 200 <= status < 500, (event, status)
    settle(running_bot)
    assert posts(running_bot) == []
    assert running_bot.server.wsgi.in_flight.count == 0


def test_another_bot_is_answered_at_most_once_per_thread(running_bot):
    # A bot that replies "<@coach> thanks! ..." to every answer would loop for ever.
    def bot_mention(thread: str, n: int) -> None:
        event = payloads.app_mention_event(
            user="U9", channel="C1", text=f"<@UBOT> thanks! {QUESTION}", thread_ts=thread
        )
        event["bot_id"] = "BOTHER"
        assert running_bot.slack.event(event, event_id=f"EvBot{thread}{n}").status == 200

    for n in range(5):
        bot_mention("1700000500.000100", n)
    bot_mention("1700000600.000100", 0)  # another thread: answered once there too
    running_bot.slack.mention(QUESTION, user="U1", channel="C1", thread_ts="1700000500.000100")
    answers = running_bot.calls("chat.postMessage", at_least=3)
    settle(running_bot, 1.5)
    threads = [c.params.get("thread_ts") for c in posts(running_bot, "C1")]
    assert threads.count("1700000500.000100") == 2, "the bot once and the person once"
    assert threads.count("1700000600.000100") == 1
    assert len(answers) >= 3


def test_a_flood_in_one_channel_gets_one_lots_of_questions_reply_not_a_queue(running_bot):
    from bot.slack.listeners.messages import FLOOD_QUEUE

    for n in range(40):
        running_bot.slack.mention(
            f"{QUESTION} {n}", user="U1", channel="C7", ts=f"17000007{n:02d}.0"
        )
    running_bot.slack.action("share_tip", IKEA, user="U2", channel="C7")  # after the flood
    tip = running_bot.coach.library.base.get(IKEA)
    daily = threading.Thread(target=running_bot.poster.post_daily, args=("C7", tip, "2030-01-01"))
    daily.start()
    shared = [m for m in running_bot.fake.messages("C7") if "Shared by" in json.dumps(m["blocks"])]
    deadline = time.monotonic() + 30
    while not shared and time.monotonic() < deadline:
        time.sleep(0.05)
        shared = [
            m for m in running_bot.fake.messages("C7") if "Shared by" in json.dumps(m["blocks"])
        ]
    messages = running_bot.fake.messages("C7")
    assert shared and messages.index(shared[0]) <= FLOOD_QUEUE + 2, "the share waited behind"
    daily.join(timeout=30)
    posted = running_bot.store.daily_post("C7", "2030-01-01")
    messages = running_bot.fake.messages("C7")
    index = [m["ts"] for m in messages].index(posted.ts)
    assert index <= FLOOD_QUEUE + 3, "the daily tip waited behind the flood"
    assert running_bot.poster.lanes.drain(timeout=30)
    texts = [m["text"] for m in running_bot.fake.messages("C7")]
    assert sum("Lots of questions here" in t for t in texts) == 1
    assert len(texts) <= FLOOD_QUEUE + 5, f"{len(texts)} messages: the flood was queued"
    assert running_bot.store.unanswered_events(max_age=3600) == [], "every mention settled"


def thread_reply(running_bot, text: str, *, user: str, thread_ts: str, **delivery):
    """A reply in a channel thread (`message.channels`); `delivery` may name `bot_id`,
    `event_id` and `retry`."""
    event = payloads.message_event(
        user=user,
        channel="C1",
        text=text,
        thread_ts=thread_ts,
        channel_type="channel",
        bot_id=delivery.pop("bot_id", None),
    )
    return running_bot.slack.event(event, **delivery)


def test_a_follow_up_question_in_the_coachs_thread_is_answered_there_once(running_bot):
    running_bot.slack.mention(QUESTION, user="U1", channel="C1", ts="1900.1")
    running_bot.calls("chat.postMessage", at_least=1)
    text, where = "and how do we run a hackathon?", {"user": "U1", "thread_ts": "1900.1"}
    assert thread_reply(running_bot, text, **where, event_id="Ev-follow").status == 200
    assert thread_reply(running_bot, text, **where, event_id="Ev-follow", retry=1).status == 200
    answers = running_bot.calls("chat.postMessage", at_least=2)
    time.sleep(0.5)  # a retried delivery would have posted by now
    assert len(running_bot.fake.calls("chat.postMessage")) == 2
    assert answers[-1].params["thread_ts"] == "1900.1"
    assert "hackathon" in json.dumps(answers[-1].params["blocks"]).lower()


@pytest.mark.parametrize(
    ("text", "user"),
    [
        ("thanks, that helps!", "U1"),  # chatter
        ("ok?", "U1"),  # too short to be a question
        ("how do we run a hackathon?", "U2"),  # someone else in the thread
    ],
)
def test_chatter_and_other_peoples_replies_in_the_thread_get_nothing(running_bot, text, user):
    running_bot.slack.mention(QUESTION, user="U1", channel="C1", ts="1900.2")
    running_bot.calls("chat.postMessage", at_least=1)
    assert thread_reply(running_bot, text, user=user, thread_ts="1900.2").status == 200
    time.sleep(0.5)
    assert len(running_bot.fake.calls("chat.postMessage")) == 1


def test_a_question_in_a_thread_the_coach_never_answered_gets_nothing(running_bot):
    thread_reply(running_bot, "how do we run a hackathon?", user="U1", thread_ts="1900.3")
    time.sleep(0.5)
    assert running_bot.fake.calls("chat.postMessage") == []


def test_a_thread_gets_at_most_three_follow_up_answers(running_bot):
    running_bot.slack.mention(QUESTION, user="U1", channel="C1", ts="1900.4")
    running_bot.calls("chat.postMessage", at_least=1)
    for n in range(5):
        thread_reply(running_bot, f"what about evals number {n}?", user="U1", thread_ts="1900.4")
    running_bot.calls("chat.postMessage", at_least=4)
    time.sleep(1.5)  # paced at one a second per channel: any fifth would be here by now
    assert len(running_bot.fake.calls("chat.postMessage")) == 4


def test_another_bots_reply_in_the_thread_is_never_a_follow_up(running_bot):
    running_bot.slack.mention(QUESTION, user="U1", channel="C1", ts="1900.5")
    running_bot.calls("chat.postMessage", at_least=1)
    thread_reply(
        running_bot, "how do we run a hackathon?", user="U1", thread_ts="1900.5", bot_id="B999"
    )
    time.sleep(0.5)
    assert len(running_bot.fake.calls("chat.postMessage")) == 1


def test_a_mistyped_dm_subcommand_asks_did_you_mean_and_logs_no_gap(running_bot):
    running_bot.slack.dm("tpo", user="U7")
    (call,) = running_bot.calls("chat.postMessage", at_least=1)
    assert "Did you mean `top`?" in json.dumps(call.params["blocks"])
    values = {
        e["action_id"]: e["value"]
        for b in call.params["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    }
    assert values == {"aipm_run_suggestion": "top", "aipm_ask_anyway": "tpo"}
    assert running_bot.store.gaps() == []
    running_bot.slack.action(
        "aipm_run_suggestion", "top", user="U7", channel="DU7", ephemeral=False
    )
    update = running_bot.responses(at_least=1)[-1]
    assert update["replace_original"] is True, "the asker's own DM changes in place"
