"""The workflow step "Send an AI-PM tip" over signed HTTP: posts, then completes or fails."""

from __future__ import annotations

from bot.slack.listeners.functions import SEND_TIP
from tests.helpers.functions import outcome  # noqa: F401


def test_the_step_posts_a_tip_and_completes_with_its_id_and_title(running_bot):
    assert running_bot.slack.function(SEND_TIP, {"channel": "C3"}, execution_id="Fx1").status == 200
    done = outcome(running_bot, "Fx1")
    assert done["status"] == "completed"
    (post,) = running_bot.fake.calls("chat.postMessage")
    assert post.params["channel"] == "C3"
    tip_id = post.params["metadata"]["event_payload"]["tip_id"]
    assert done["outputs"]["tip_id"] == tip_id
    assert done["outputs"]["tip_title"] == running_bot.coach.library.base.get(tip_id).title
    assert running_bot.store.post_by_ts("C3", post.response["ts"]).kind == "workflow"


def test_a_topic_picks_the_tip_that_fits(running_bot):
    running_bot.slack.function(
        SEND_TIP, {"channel": "C3", "topic": "what is the ikea effect"}, execution_id="Fx2"
    )
    assert outcome(running_bot, "Fx2")["outputs"]["tip_id"] == "the-ikea-effect"


def test_the_next_run_posts_the_next_tip_in_rotation(running_bot):
    running_bot.slack.function(SEND_TIP, {"channel": "C3"}, execution_id="Fx3")
    first = outcome(running_bot, "Fx3")
    running_bot.slack.function(SEND_TIP, {"channel": "C3"}, execution_id="Fx4")
    second = outcome(running_bot, "Fx4")
    assert first["outputs"]["tip_id"] != second["outputs"]["tip_id"]


def test_a_channel_the_bot_is_not_in_fails_with_a_clear_reason(running_bot):
    running_bot.fake.add_channel("C4", is_member=False)
    running_bot.slack.function(SEND_TIP, {"channel": "C4"}, execution_id="Fx5")
    failed = outcome(running_bot, "Fx5")
    assert failed["status"] == "failed"
    assert "not a member" in failed["error"] and "/invite" in failed["error"]
    assert running_bot.fake.messages("C4") == []


def test_no_channel_fails_and_says_which_input(running_bot):
    running_bot.slack.function(SEND_TIP, {}, execution_id="Fx6")
    assert "Channel input" in outcome(running_bot, "Fx6")["error"]


def test_a_retried_step_posts_once(running_bot):
    for retry in (None, 1, 2):
        running_bot.slack.function(
            SEND_TIP, {"channel": "C3"}, execution_id="Fx7", event_id="EvF7", retry=retry
        )
    assert outcome(running_bot, "Fx7")["status"] == "completed"
    running_bot.executor.submit(lambda: None).result(timeout=5)
    assert len(running_bot.fake.calls("chat.postMessage")) == 1


def test_completion_is_retried_when_slack_answers_5xx_or_drops_the_connection(running_bot):
    running_bot.fake.fail_next("functions.completeSuccess", status=500)
    running_bot.fake.fail_next("functions.completeSuccess", drop=True)
    running_bot.slack.function(SEND_TIP, {"channel": "C3"}, execution_id="Fx8")
    assert outcome(running_bot, "Fx8").get("status") == "completed"
    assert len(running_bot.fake.calls("chat.postMessage")) == 1, "the tip is posted once"


def test_one_execution_delivered_under_several_event_ids_posts_once(running_bot):
    for n in range(5):
        running_bot.slack.function(
            SEND_TIP, {"channel": "C3"}, execution_id="Fx9", event_id=f"EvF9-{n}"
        )
    assert outcome(running_bot, "Fx9")["status"] == "completed"
    for _ in range(3):  # every delivery's lazy listener has run
        running_bot.executor.submit(lambda: None).result(timeout=5)
    assert len(running_bot.fake.calls("chat.postMessage")) == 1


def test_inputs_that_are_not_named_inputs_fail_with_a_reason(running_bot):
    reply = running_bot.slack.function(SEND_TIP, ["C1"], execution_id="Fx10")
    assert reply.status == 200
    failed = outcome(running_bot, "Fx10")
    assert failed["status"] == "failed" and "inputs" in failed["error"]


def test_a_channel_given_as_an_object_fails_without_echoing_it(running_bot):
    running_bot.slack.function(SEND_TIP, {"channel": {"id": "C1"}}, execution_id="Fx11")
    failed = outcome(running_bot, "Fx11")
    assert failed["status"] == "failed" and "Channel input" in failed["error"]
    assert "{" not in failed["error"] and "'id'" not in failed["error"]
    assert running_bot.fake.calls("chat.postMessage") == []
