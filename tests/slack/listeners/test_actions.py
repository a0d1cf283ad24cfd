"""Button callbacks called alone: a click is a vote before the ack; the thanks follows."""

from __future__ import annotations

from bot.slack.listeners import actions


def click(action_id: str, tip_id: str, *, user: str = "U1") -> dict:
    return {
        "user": {"id": user},
        "channel": {"id": "C1"},
        "actions": [{"action_id": action_id, "value": tip_id}],
        "response_url": "http://unused.invalid/",
    }


def test_useful_is_recorded_before_the_ack_then_thanked(ack, respond, context, slack_ctx):
    body = click("rate_useful", "hackathons")
    actions.record_useful(ack=ack, body=body, context=context)
    assert len(ack.calls) == 1
    assert slack_ctx.coach.store.tip_tallies()["hackathons"][:2] == (1, 0)
    assert context["aipm_outcome"] == "recorded"
    actions.thank_useful(body=body, respond=respond, context=context)
    assert "Noted as *useful*" in respond.payloads[0]["text"]


def test_not_useful_on_a_tip_gone_from_the_base_records_nothing(ack, respond, context, slack_ctx):
    body = click("rate_not_useful", "no-such-tip")
    actions.record_not_useful(ack=ack, body=body, context=context)
    assert len(ack.calls) == 1
    assert slack_ctx.coach.store.tip_tallies() == {}
    actions.thank_not_useful(body=body, respond=respond, context=context)
    assert respond.payloads[0]["text"] == actions.GONE


def test_share_posts_the_tip_in_the_channel(respond, context, fake_slack):
    actions.share(body=click("share_tip", "hackathons"), respond=respond, context=context)
    [post] = fake_slack.calls("chat.postMessage")
    assert post.params["channel"] == "C1"
    assert respond.payloads[0]["text"].startswith(":white_check_mark: Shared in <#C1>")
