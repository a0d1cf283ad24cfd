"""Characters that `str.isdigit()` calls digits but `int()` refuses ('²', '፩', '𐩀').

Slack users type them (squares, other scripts) and forged payloads carry them; each must be
read as a word or refused, never crash a listener.
"""

from __future__ import annotations

import pytest

from bot.slack import curation_blocks as cb
from tests.conftest import make_settings, start_bot, wait_until

CURATOR = "U0CURATOR"
ODD_DIGITS = ["²", "፩", "𐩀"]


@pytest.fixture
def bot(fake_slack, knowledge_dir, db_path):
    settings = make_settings(fake_slack, knowledge_dir, db_path, curators=frozenset({CURATOR}))
    running = start_bot(settings, fake_slack)
    yield running
    running.stop()


@pytest.mark.parametrize("digit", ODD_DIGITS)
def test_a_question_with_an_odd_digit_is_answered(bot, digit):
    reply = bot.slack.command(f"how do I grow {digit} users with an AI prototype", user="U1")
    assert reply.status == 200, reply.body
    assert reply.json()["blocks"] and "went wrong" not in reply.body, reply.body


@pytest.mark.parametrize("digit", ODD_DIGITS)
def test_gaps_with_an_odd_digit_is_a_question_not_a_crash(bot, digit):
    reply = bot.slack.command(f"gaps {digit}", user=CURATOR)
    assert reply.status == 200, reply.body
    assert reply.json()["blocks"] and "went wrong" not in reply.body, reply.body


@pytest.mark.parametrize("digit", ODD_DIGITS)
def test_library_buttons_with_odd_digits_republish_home(bot, digit):
    for action_id, value in ((cb.PAGE_ACTION, f"team:{digit}"), (cb.RETIRE_ACTION, f"x:{digit}")):
        before = len(bot.fake.calls("views.publish"))
        reply = bot.slack.action(action_id, value, user=CURATOR, block_id="b", view={"id": "V"})
        assert reply.status == 200, reply.body
        assert wait_until(lambda: bot.fake.calls("views.publish"), before + 1, 30)[before:]
