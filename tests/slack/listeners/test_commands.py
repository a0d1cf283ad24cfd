"""The slash-command callback called alone, with a fake ack and a real Coach."""

from __future__ import annotations

from bot.slack.blocks import read_value
from bot.slack.listeners.commands import on_command


def command(text: str, *, channel: str = "C1", user: str = "U1") -> dict:
    return {"command": "/aipm", "text": text, "channel_id": channel, "user_id": user}


def test_a_question_is_answered_in_the_ack(ack, context, slack_ctx):
    on_command(ack=ack, command=command("what is the ikea effect"), context=context)
    [reply] = ack.payloads
    assert reply["response_type"] == "ephemeral"
    assert any(
        b.get("type") == "actions"
        and any(read_value(e["value"]).tip == "the-ikea-effect" for e in b.get("elements", []))
        for b in reply["blocks"]
    )
    assert slack_ctx.coach.store.gaps(limit=5) == []


def test_an_unanswered_question_is_kept_as_a_gap(ack, context, slack_ctx):
    on_command(ack=ack, command=command("best pizza near the office"), context=context)
    assert len(ack.calls) == 1
    assert "pizza" in slack_ctx.coach.store.gaps(limit=5)[0]["example"]


def test_subscribe_stores_and_replies_in_mrkdwn(ack, context, slack_ctx):
    on_command(ack=ack, command=command("subscribe 9:30 Europe/Berlin daily"), context=context)
    text = ack.payloads[0]["text"]
    assert text.startswith(
        ":white_check_mark: Subscribed. Daily tip in this channel at 09:30 Europe/Berlin"
    )
    assert slack_ctx.coach.store.subscription("C1")["tz"] == "Europe/Berlin"


def test_a_paused_reason_is_escaped_for_slack(ack, context, slack_ctx):
    on_command(ack=ack, command=command("subscribe 9:00 UTC"), context=context)
    slack_ctx.coach.store.pause_subscription("C1", "<!channel> & co")
    on_command(ack=ack, command=command("subscription"), context=context)
    text = ack.payloads[1]["text"]
    assert "(paused: &lt;!channel&gt; &amp; co)" in text and "<!channel>" not in text


def test_unsubscribe_says_whether_there_was_one(ack, context):
    on_command(ack=ack, command=command("subscribe"), context=context)
    on_command(ack=ack, command=command("unsubscribe"), context=context)
    on_command(ack=ack, command=command("unsubscribe"), context=context)
    assert ack.payloads[1]["text"].startswith("Stopped the daily tip in this channel")
    assert "nothing to stop" in ack.payloads[2]["text"]


def test_a_failure_still_acks_with_an_apology(ack, context, slack_ctx):
    slack_ctx.coach.store.close()  # every query now fails
    on_command(ack=ack, command=command("stats"), context=context)
    assert ack.payloads[0]["text"].startswith("Sorry, something went wrong")
