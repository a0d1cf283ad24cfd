"""Curation while another process holds the database's write lock: an answer, never a 5xx.

Slack shows a bare error for a 5xx on a form or a button, and the curator cannot tell
whether the tip was saved or retired; each gets a polite message and nothing half-written.
"""

from __future__ import annotations

import pytest

from bot.slack import curation_blocks as cb
from tests.conftest import make_settings, start_bot, wait_until
from tests.helpers.curation import CURATOR, QUESTION, open_form, submit
from tests.helpers.locked import write_locked


@pytest.fixture
def bot(fake_slack, knowledge_dir, db_path):
    settings = make_settings(fake_slack, knowledge_dir, db_path, curators=frozenset({CURATOR}))
    running = start_bot(settings, fake_slack)
    yield running
    running.stop()


def test_a_form_submitted_while_the_database_is_locked_gets_a_field_error(bot):
    view = open_form(bot)
    with write_locked(bot):
        answer = submit(bot, view)
    assert answer.get("response_action") == "errors", answer
    assert bot.store.team_tips() == []


def test_retire_while_the_database_is_locked_answers_and_keeps_the_tip(bot):
    with write_locked(bot):
        reply = bot.slack.action(
            cb.RETIRE_ACTION, "the-ikea-effect:0", user=CURATOR, block_id="b", view={"id": "V"}
        )
    assert reply.status == 200, reply.body
    assert bot.coach.library.base.served("the-ikea-effect") is not None
    homes = wait_until(
        lambda: [c for c in bot.fake.calls("views.publish") if "could not retire" in str(c.params)],
        1,
        30,
    )
    assert homes, "the curator is told the tip was not retired"


def test_tell_me_while_the_database_is_locked_answers(bot):
    with write_locked(bot):
        reply = bot.slack.action(cb.WAIT_ACTION, QUESTION, user="U0ASKER")
    assert reply.status == 200, reply.body
    assert "try again" in bot.responses(at_least=1)[-1]["text"].lower() or "click again" in (
        bot.responses(at_least=1)[-1]["text"].lower()
    )
