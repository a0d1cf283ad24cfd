"""The playground follows the same rules: subcommand words start questions, picks and
"Not what I asked" teach the real bot behind the page."""

from __future__ import annotations

import json

import pytest

from bot.core import knowledge
from bot.store import Store
from tests.conftest import sure_with_alternatives
from tests.playground.test_server import ANA, BEN, page, playground, settings, text_of  # noqa: F401


@pytest.mark.parametrize(
    "text", ["/aipm help me prioritise my AI roadmap", "/aipm top ways to prototype with AI"]
)
def test_a_question_starting_with_a_subcommand_word_is_a_question(page, text):  # noqa: F811
    assert page.send(text)["kind"] == "ephemeral"
    shown = text_of(page.last())
    assert "You asked" in shown
    assert "answers questions on AI product management" not in shown, "not the help text"


def test_not_what_i_asked_then_a_pick_teaches_the_bot(page, settings):  # noqa: F811
    question, first_id, _ = sure_with_alternatives(knowledge.load(settings.knowledge_dir).tips)
    page.send(f"/aipm {question}")
    answer = page.last()
    clicked = page.post(
        "/api/action", {"user": ANA, "target": answer["id"], "action_id": "not_what_i_asked"}
    )
    assert clicked["ok"]
    offered = page.last()
    assert offered["id"] == answer["id"] and "not what you asked" in offered["text"]
    picks = [
        e
        for b in offered["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith("pick_tip_")
    ]
    assert picks, json.dumps(offered)[:400]
    assert page.post(
        "/api/action",
        {"user": ANA, "target": answer["id"], "action_id": picks[0]["action_id"]},
    )["ok"]
    store = Store.open(settings.db_path)
    try:
        verdicts = {(r["tip_id"], r["verdict"]) for r in store.learned()}
    finally:
        store.close()
    assert (first_id, "mismatch") in verdicts
    [picked] = [t for t, v in verdicts if v == "match"]
    # Someone else asking the same question now gets the picked tip first.
    page.send(f"/aipm {question}", user=BEN)
    again = page.last(BEN)
    buttons = next(b for b in again["blocks"] if b["type"] == "actions")
    assert picked in json.dumps(buttons)
