"""The playground follows the same rules: subcommand words start questions, picks and
"Not what I asked" teach the real bot behind the page."""

from __future__ import annotations

import json

import pytest

from bot.core import knowledge
from bot.store import Store
from tests.conftest import sure_with_alternatives
from tests.helpers.playground import ANA, BEN, page, playground, settings, text_of  # noqa: F401


@pytest.mark.parametrize(
    "text", ["/aipm help me prioritise my AI roadmap", "/aipm top ways to prototype with AI"]
)
def test_a_question_starting_with_a_subcommand_word_is_a_question(page, text):  # noqa: F811
    assert page.send(text)["kind"] == "ephemeral"
    shown = text_of(page.last())
    assert "You asked" in shown
    assert "answers questions on AI product management" not in shown, "not the help text"


def test_not_what_i_asked_declines_for_ana_and_a_pick_is_hers_alone(page, settings):  # noqa: F811
    question, first_id, second_id = sure_with_alternatives(
        knowledge.load(settings.knowledge_dir).tips
    )
    page.send(f"/aipm {question}")
    answer = page.last()
    picks = [
        e
        for b in answer["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith("pick_tip_")
    ]
    assert picks, json.dumps(answer)[:400]
    assert page.post(
        "/api/action",
        {"user": ANA, "target": answer["id"], "action_id": picks[0]["action_id"]},
    )["ok"]
    picked = page.last()
    assert picked["id"] == answer["id"] and second_id in json.dumps(picked)
    # Ana gets her pick first from now on; Ben, who taught nothing, still gets the usual tip.
    page.send(f"/aipm {question}")
    assert second_id in json.dumps(next(b for b in page.last()["blocks"] if b["type"] == "actions"))
    page.send(f"/aipm {question}", user=BEN)
    ben = page.last(BEN)
    assert first_id in json.dumps(next(b for b in ben["blocks"] if b["type"] == "actions"))
    clicked = page.post(
        "/api/action", {"user": BEN, "target": ben["id"], "action_id": "not_what_i_asked"}
    )
    assert clicked["ok"]
    declined = page.last(BEN)
    assert "not what you asked" in declined["text"] or "not what you asked" in json.dumps(declined)
    assert "I have no tip on that yet" in json.dumps(declined)
    store = Store.open(settings.db_path)
    try:
        verdicts = {(r["tip_id"], r["verdict"]) for r in store.teachings()}
    finally:
        store.close()
    assert verdicts == {(second_id, "match"), (first_id, "mismatch")}
