"""Buttons under an answer: Useful, Not useful, Share to channel, over real HTTP."""

from __future__ import annotations

import json
import sqlite3

import pytest

IKEA = "the-ikea-effect"


def test_useful_click_records_and_thanks(running_bot):
    assert running_bot.slack.action("rate_useful", IKEA, user="U1").status == 200
    assert running_bot.store.tip_tallies() == {IKEA: (1, 0)}, "recorded before the 200"
    update = running_bot.responses(at_least=1)[-1]
    assert update["replace_original"] is True
    assert "Thanks" in update["text"]


@pytest.mark.parametrize("channel", ["C1", "G7"])
def test_a_vote_on_a_message_others_see_is_acknowledged_to_the_clicker_alone(running_bot, channel):
    # A thread answer, a shared tip or a daily post: the channel keeps seeing it unchanged.
    reply = running_bot.slack.action(
        "rate_useful", IKEA, user="U2", channel=channel, ephemeral=False, message_ts="17.5"
    )
    assert reply.status == 200
    assert running_bot.store.tip_tallies() == {IKEA: (1, 0)}
    update = running_bot.responses(at_least=1)[-1]
    assert update["replace_original"] is False and update["response_type"] == "ephemeral"
    assert "Noted as *useful*" in update["text"]
    assert "the-ikea-effect" not in json.dumps(update), "a note, not the tip again"


def test_a_vote_in_the_clickers_own_dm_replaces_the_answer_in_place(running_bot):
    running_bot.slack.action("rate_not_useful", IKEA, user="U2", channel="D2", ephemeral=False)
    update = running_bot.responses(at_least=1)[-1]
    assert update["replace_original"] is True and "Noted as *not useful*" in update["text"]


def test_a_share_from_a_message_others_see_thanks_the_sharer_privately(running_bot):
    running_bot.slack.action("share_tip", IKEA, user="U2", channel="C9", ephemeral=False)
    update = running_bot.responses(at_least=1)[-1]
    assert update["replace_original"] is False and update["response_type"] == "ephemeral"
    assert "Shared in" in update["text"]


def test_changing_your_mind_keeps_one_opinion(running_bot):
    running_bot.slack.action("rate_useful", IKEA, user="U1")
    running_bot.slack.action("rate_not_useful", IKEA, user="U1")
    running_bot.slack.action("rate_not_useful", IKEA, user="U1")
    assert running_bot.store.tip_tallies() == {IKEA: (0, 1)}


def test_share_posts_the_tip_in_the_channel_for_reactions(running_bot):
    running_bot.slack.action("share_tip", IKEA, user="U1", channel="C9")
    assert "Shared in" in running_bot.responses(at_least=1)[-1]["text"]
    posted = running_bot.fake.calls("chat.postMessage")[-1]
    assert posted.params["channel"] == "C9"
    assert posted.params["metadata"]["event_payload"]["tip_id"] == IKEA
    assert "link_names" not in posted.params and "parse" not in posted.params
    ts = posted.response["ts"]
    assert running_bot.store.post_by_ts("C9", ts).kind == "shared"
    running_bot.slack.reaction("+1", user="U2", channel="C9", ts=ts)
    assert running_bot.store.tip_tallies() == {IKEA: (1, 0)}


def test_share_where_the_bot_is_not_a_member_says_how_to_fix_it(running_bot):
    running_bot.fake.fail_next("chat.postMessage", error="not_in_channel")
    running_bot.slack.action("share_tip", IKEA, user="U1", channel="C9")
    reply = running_bot.responses(at_least=1)[-1]
    assert "/invite" in json.dumps(reply)
    assert running_bot.store.posts("C9") == []


def test_click_on_a_tip_removed_from_the_base_is_answered(running_bot):
    assert running_bot.slack.action("rate_useful", "no-such-tip", user="U1").status == 200
    assert running_bot.store.tip_tallies() == {}
    assert "no longer in the base" in running_bot.responses(at_least=1)[-1]["text"]


def test_a_locked_database_gets_a_polite_reply_and_no_half_record(running_bot):
    running_bot.store.busy_timeout_ms = 100  # the server's threads open their connections later
    blocker = sqlite3.connect(running_bot.store.path)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        assert running_bot.slack.action("rate_useful", IKEA, user="U1").status == 200
    finally:
        blocker.rollback()
        blocker.close()
    assert "could not record" in running_bot.responses(at_least=1)[-1]["text"]
    assert running_bot.store.tip_tallies() == {}
    running_bot.slack.action("rate_useful", IKEA, user="U1")
    assert running_bot.store.tip_tallies() == {IKEA: (1, 0)}


def test_share_answers_slack_before_waiting_on_a_slow_post(running_bot):
    # The fake posts at once but holds its answer for 1.5 s; a call is logged when answered.
    running_bot.fake.fail_next("chat.postMessage", delay=1.5, post_anyway=True)
    assert running_bot.slack.action("share_tip", IKEA, user="U1", channel="C9").status == 200
    assert running_bot.fake.calls("chat.postMessage") == [], "answered before Slack answered us"
    assert "Shared in" in running_bot.responses(at_least=1)[-1]["text"]
    assert len(running_bot.fake.messages("C9")) == 1


def feedback(tip: str, vote: object) -> str:
    return json.dumps({"t": tip, "v": vote}, separators=(",", ":"))


def test_a_feedback_button_on_a_daily_post_is_one_vote_acknowledged_privately(running_bot):
    slack = running_bot.slack
    for _ in range(2):  # a double click, or Slack retrying: still one opinion
        reply = slack.action(
            "aipm_feedback", feedback(IKEA, 1), user="U2", ephemeral=False, message_ts="17.5"
        )
        assert reply.status == 200
    assert running_bot.store.tip_tallies() == {IKEA: (1, 0)}
    slack.action("aipm_feedback", feedback(IKEA, -1), user="U2", ephemeral=False)
    assert running_bot.store.tip_tallies() == {IKEA: (0, 1)}, "changing your mind replaces it"
    updates = running_bot.responses(at_least=3)
    assert all(
        u["replace_original"] is False and u["response_type"] == "ephemeral" for u in updates
    )
    assert "Noted as *not useful*" in updates[-1]["text"]


@pytest.mark.parametrize("vote", [2, 0, True, "1", None])
def test_a_forged_feedback_value_records_nothing(running_bot, vote):
    assert running_bot.slack.action("aipm_feedback", feedback(IKEA, vote), user="U2").status == 200
    assert running_bot.store.tip_tallies() == {}
    assert "no longer in the base" in running_bot.responses(at_least=1)[-1]["text"]
