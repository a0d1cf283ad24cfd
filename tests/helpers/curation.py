"""Helpers shared by test_curation.py and the tests beside it (moved out of the test module)."""

from __future__ import annotations

import pytest

from bot.slack import modals
from tests.conftest import make_settings, start_bot

CURATOR = "U0CURATOR"


ADMIN = "U0ADMIN"


MEMBER = "U0MEMBER"


ASKER = "U0ASKER"


QUESTION = "how should we price our AI feature"


FORM = {
    "title": {"value": "Price AI features on outcomes"},
    "text": {"value": "Charge for the *result* the customer gets, not for tokens or seats."},
    "questions": {
        "value": "how should I price an AI feature\nwhat pricing model for LLM features\n"
        "how do we charge for AI"
    },
    "tags": {"value": "pricing, monetisation"},
    "kind": {"value": "practice"},
    "link": {"value": ""},
}


@pytest.fixture
def bot(fake_slack, knowledge_dir, db_path):
    """The bot with one curator by setting and one workspace admin."""
    fake_slack.api.add_user(ADMIN, is_admin=True)
    settings = make_settings(fake_slack, knowledge_dir, db_path, curators=frozenset({CURATOR}))
    running = start_bot(settings, fake_slack)
    yield running
    running.stop()


def open_form(bot, user=CURATOR, text="add") -> dict:
    """Run `/aipm add` as `user` and return the modal Slack opened."""
    before = len(bot.fake.api.modals)
    reply = bot.slack.command(text, user=user)
    assert reply.status == 200
    assert len(bot.fake.api.modals) == before + 1, reply.body
    return bot.fake.api.modals[-1]


def submit(bot, view: dict, form: dict | None = None, *, user=CURATOR, **changes) -> dict:
    """Submit the form; returns Slack's view of the answer (JSON, {} for an empty 200)."""
    values = {**(form or FORM), **{k: {"value": v} for k, v in changes.items()}}
    reply = bot.slack.submit(
        view, {name: {modals.VALUE: field["value"]} for name, field in values.items()}, user=user
    )
    assert reply.status == 200, reply.body
    return reply.json() if reply.body.strip() else {}


def ask(bot, question: str, user: str = MEMBER) -> dict:
    return bot.slack.command(question, user=user).json()
