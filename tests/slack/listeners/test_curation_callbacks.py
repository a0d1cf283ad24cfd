"""Curation callbacks called alone: a fake ack, a real Coach over a temp database."""

from __future__ import annotations

from dataclasses import replace

from bot.slack import curation_blocks as cb
from bot.slack import modals
from bot.slack.listeners import curation

FORM = {
    "title": "Price AI features on outcomes",
    "text": "Charge for the result, not for tokens.",
    "questions": "how to price an AI feature\npricing model for LLM features\nhow to charge for AI",
}


def submission(user: str) -> tuple[dict, dict]:
    view = {
        "type": "modal",
        "callback_id": modals.CALLBACK_ID,
        "private_metadata": modals.Editing().dump(),
        "state": {
            "values": {
                **{name: {modals.VALUE: {"value": text}} for name, text in FORM.items()},
                "kind": {
                    modals.VALUE: {"type": "static_select", "selected_option": {"value": "concept"}}
                },
            }
        },
    }
    body = {
        "type": "view_submission",
        "user": {"id": user},
        "team": {"domain": "acme"},
        "view": view,
    }
    return body, view


def test_a_submission_from_a_non_curator_is_refused_in_the_ack(ack, context, slack_ctx):
    body, view = submission("U0NOBODY")
    curation.submit(ack=ack, body=body, view=view, context=context)
    [answer] = ack.payloads
    assert answer["response_action"] == "errors" and "only curators" in answer["errors"]["title"]
    assert slack_ctx.coach.store.team_tips() == []


def test_a_curator_submission_is_stored_before_the_ack(ack, context, slack_ctx):
    settings = replace(slack_ctx.coach.settings, curators=frozenset({"U0CUR"}))
    slack_ctx.coach.settings = settings
    body, view = submission("U0CUR")
    curation.submit(ack=ack, body=body, view=view, context=context)
    assert ack.payloads[0]["response_action"] == "update"
    row = slack_ctx.coach.store.team_tip(context[curation.SAVED_KEY])
    assert row["source"]["url"] == "https://acme.slack.com/"
    served = slack_ctx.coach.library.base.get(row["id"])
    assert (served.title, served.kind) == (FORM["title"], "concept")


def test_the_wait_button_stores_the_asker_only_on_the_click(ack, respond, context, slack_ctx):
    body = {
        "user": {"id": "U0ASK"},
        "actions": [{"action_id": cb.WAIT_ACTION, "value": "recipe for banana bread"}],
    }
    assert slack_ctx.coach.store.waiting_topics() == []
    curation.wait_for_tip(ack=ack, body=body, context=context)
    assert len(ack.calls) == 1
    assert slack_ctx.coach.store.waiting_topics()[0]["question"] == "recipe for banana bread"
    curation.confirm_wait(body=body, respond=respond, context=context)
    assert "direct message" in respond.payloads[0]["text"]
