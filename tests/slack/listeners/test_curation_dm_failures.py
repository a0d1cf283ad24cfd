"""Telling waiters when Slack fails: a DM that could not be sent is not lost nor sent twice."""

from __future__ import annotations

import pytest

from bot.slack import curation_blocks as cb
from tests.helpers.curation import (
    ASKER,
    CURATOR,
    QUESTION,
    ask,
    bot,  # noqa: F401, F811 - fixtures
    open_form,
    submit,
)

OTHER_TIP = {
    "title": "Hire for curiosity",
    "text": "In an interview loop, ask candidates what they built on their own last month.",
    "questions": "how do I interview a PM\nwhat to ask in a PM interview\ninterview questions",
    "tags": "interviews",
}


def _dms(bot) -> list:
    return [c for c in bot.fake.api.calls("chat.postMessage") if c.params["channel"] == f"D{ASKER}"]


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 500},
        {"status": 429, "headers": {"Retry-After": "1"}, "times": 5},
        {"error": "ratelimited"},
    ],
    ids=["500", "429-storm", "not-ok"],
)
def test_a_dm_slack_refused_is_sent_on_the_next_save_and_only_once(bot, failure):
    ask(bot, QUESTION, user=ASKER)
    assert bot.slack.action(cb.WAIT_ACTION, QUESTION, user=ASKER).status == 200
    bot.responses(at_least=1)
    bot.fake.api.fail_next("conversations.open", **failure)

    submit(bot, open_form(bot))
    published = len(bot.calls("views.publish", at_least=1, timeout=30))  # after_save ended
    assert _dms(bot) == []
    waiting = bot.store.open_gaps()
    assert [w["waiting"] for w in waiting] == [1], "the asker was dropped though never told"

    # The next save (of any tip) tells whoever still waits about the tip that answers them.
    submit(bot, open_form(bot), **OTHER_TIP)
    bot.calls("views.publish", at_least=published + 1, timeout=30)
    dms = _dms(bot)
    assert len(dms) == 1 and "Price AI features on outcomes" in dms[0].params["text"]
    assert bot.store.open_gaps() == []

    submit(bot, open_form(bot), **(OTHER_TIP | {"title": "Hire for curiosity, again"}))
    bot.calls("views.publish", at_least=published + 2, timeout=30)
    assert len(_dms(bot)) == 1


def test_a_person_slack_cannot_reach_is_not_retried_on_every_save(bot):
    ask(bot, QUESTION, user=ASKER)
    assert bot.slack.action(cb.WAIT_ACTION, QUESTION, user=ASKER).status == 200
    bot.responses(at_least=1)
    bot.fake.api.fail_next("conversations.open", error="account_inactive")
    submit(bot, open_form(bot))
    bot.calls("views.publish", at_least=1, timeout=30)
    assert _dms(bot) == [] and bot.store.open_gaps() == []


def test_save_as_tip_prefills_the_link_even_when_slack_is_slow(bot):
    # chat.getPermalink answering late used up the trigger's 3 seconds (the form opened
    # late or not at all, and without its link); the link is made from the payload.
    bot.fake.api.fail_next("chat.getPermalink", delay=5)
    message = {"ts": "1700000000.000200", "thread_ts": "1699999999.000100", "text": "Ship evals."}
    reply = bot.slack.shortcut(cb.SAVE_SHORTCUT, message, user=CURATOR, channel="C1")
    assert reply.status == 200
    inputs = {
        b["block_id"]: b["element"].get("initial_value") for b in bot.fake.api.modals[-1]["blocks"]
    }
    assert inputs["link"].endswith(
        "/archives/C1/p1700000000000200?thread_ts=1699999999.000100&cid=C1"
    )
    assert inputs["link"].startswith("https://") and ".slack.com/" in inputs["link"]
