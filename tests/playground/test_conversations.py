"""The playground's mentions, DM pane and message shortcut drive the real bot."""

from __future__ import annotations

import json

from bot.playground.workspace import BOT
from tests.helpers.playground import ANA, BEN, Page


def text_of(message: dict) -> str:
    return json.dumps(message.get("blocks") or []) + message.get("text", "")


def test_a_mention_is_answered_in_the_thread(page: Page):
    result = page.send("@AI PM Coach what is the ikea effect")
    assert result == {"ok": True, "kind": "mention", "status": 200}
    messages = page.state(BEN)["messages"]
    question, answer = messages[-2], messages[-1]
    assert question["text"] == f"<@{BOT['id']}> what is the ikea effect"
    assert answer["thread_ts"] == question["ts"] and answer["user"] == BOT["id"]
    assert "The Ikea effect" in text_of(answer)


def test_a_mention_in_a_thread_is_answered_in_that_thread(page: Page):
    page.send("@coach what is the ikea effect")
    parent = page.state()["messages"][-2]
    result = page.post(
        "/api/send",
        {"user": BEN, "text": "@coach and evals?", "thread_ts": parent["ts"]},
    )
    assert result["kind"] == "mention"
    replies = [m for m in page.state()["messages"] if m.get("thread_ts") == parent["ts"]]
    assert len(replies) == 3 and replies[-1]["user"] == BOT["id"]


def test_a_plain_message_gets_no_answer(page: Page):
    assert page.send("lunch at noon?")["kind"] == "message"
    assert [m["text"] for m in page.state()["messages"]] == ["lunch at noon?"]


def test_a_dm_is_answered_in_the_dm_pane_only_for_its_sender(page: Page):
    result = page.post("/api/dm", {"user": ANA, "text": "what is the ikea effect"})
    assert result == {"ok": True, "kind": "dm", "status": 200}
    dm = page.state(ANA)["dm"]
    assert dm[0]["text"] == "what is the ikea effect" and dm[-1]["user"] == BOT["id"]
    assert "The Ikea effect" in text_of(dm[-1])
    assert page.state(BEN)["dm"] == []
    assert page.state(ANA)["messages"] == []


def test_dm_subcommands_work_in_the_pane(page: Page):
    page.post("/api/dm", {"user": ANA, "text": "help"})
    assert "type `tip`" in text_of(page.state(ANA)["dm"][-1])


def test_the_shortcut_answers_privately_on_any_message(page: Page):
    page.send("Should we copy what the IKEA effect does?", user=BEN)
    ts = page.state()["messages"][-1]["ts"]
    assert page.post("/api/shortcut", {"user": ANA, "ts": ts})["ok"]
    private = [m for m in page.state(ANA)["messages"] if m["kind"] == "ephemeral"]
    assert len(private) == 1 and "The Ikea effect" in text_of(private[0])
    assert [m for m in page.state(BEN)["messages"] if m["kind"] == "ephemeral"] == []


def test_shortcut_and_thread_on_unknown_messages_are_refused(page: Page):
    assert page.post("/api/shortcut", {"user": ANA, "ts": "1.0"})["error"] == "message not found"
    reply = page.post("/api/send", {"user": ANA, "text": "@coach hi", "thread_ts": "1.0"})
    assert reply["error"] == "thread not found"


def test_buttons_under_a_dm_answer_work_in_the_dm(page: Page):
    page.post("/api/dm", {"user": ANA, "text": "what is the ikea effect"})
    answer = page.state(ANA)["dm"][-1]
    clicked = page.post(
        "/api/action",
        {"user": ANA, "target": answer["ts"], "action_id": "aipm_feedback", "value": "positive"},
    )
    assert clicked["ok"]
    assert "Noted as *useful*" in text_of(page.state(ANA)["dm"][-1])
