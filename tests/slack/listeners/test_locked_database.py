"""Another process holding the database's write lock: asks are still answered, steps still end.

Slack got its 200 before the lazy listener runs, so it never redelivers: a listener that
gives up on a locked database leaves the person (or the workflow) waiting for ever.
"""

from __future__ import annotations

import json

from bot.slack.blocks import SHARE_ACTION
from bot.slack.listeners.functions import SEND_TIP
from tests.helpers.functions import outcome
from tests.helpers.locked import write_locked  # noqa: F401
from tests.helpers.share import share_value

QUESTION = "what is the ikea effect"


def test_a_mention_is_answered_while_another_process_holds_the_write_lock(running_bot):
    with write_locked(running_bot):
        reply = running_bot.slack.mention(QUESTION, channel="C1", ts="1700000900.000100")
        assert reply.status == 200
        (call,) = running_bot.calls("chat.postMessage", at_least=1)
    assert call.params["thread_ts"] == "1700000900.000100"
    assert "share_tip" in str(call.params["blocks"])


def test_a_dm_is_answered_while_another_process_holds_the_write_lock(running_bot):
    with write_locked(running_bot):
        assert running_bot.slack.dm(QUESTION, user="U7").status == 200
        (call,) = running_bot.calls("chat.postMessage", at_least=1)
    assert "share_tip" in str(call.params["blocks"])


def test_a_workflow_step_ends_while_another_process_holds_the_write_lock(running_bot):
    with write_locked(running_bot):
        assert (
            running_bot.slack.function(SEND_TIP, {"channel": "C3"}, execution_id="FxL").status
            == 200
        )
        done = outcome(running_bot, "FxL")
    assert done.get("status") in ("completed", "failed"), done


def test_share_while_locked_says_try_again_and_a_later_click_posts_once(running_bot):
    value = share_value(running_bot.slack.command(QUESTION, user="U1", channel="C9").json())
    with write_locked(running_bot):
        assert running_bot.slack.action(SHARE_ACTION, value, user="U1", channel="C9").status == 200
        (sorry,) = running_bot.responses(at_least=1)
    assert "try again" in json.dumps(sorry).lower()
    assert running_bot.fake.calls("chat.postMessage") == []
    running_bot.slack.action(SHARE_ACTION, value, user="U1", channel="C9")
    running_bot.responses(at_least=2)
    assert len(running_bot.fake.messages("C9")) == 1
