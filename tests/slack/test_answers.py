"""/aipm QUESTION at three levels, and the feedback buttons, over signed HTTP to the running bot.

Sure, unsure and decline questions are chosen by asking the same Coach the bot uses, so
the tests follow the matcher's decisions rather than hard-coding its scores.
"""

from __future__ import annotations

import json

import pytest

from bot.core import levels
from bot.slack.blocks import read_feedback_value
from tests.conftest import sure_with_alternatives

IKEA_Q = "what is the ikea effect"
IKEA = "the-ikea-effect"
UNSURE_CANDIDATES = ["career", "how do I launch", "tools", "my boss", "what should I read"]


def actions(body: dict) -> list[dict]:
    """Every button in a message, in order."""
    return [e for b in body.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


def button(body: dict, action_prefix: str, tip_id: str | None = None) -> dict:
    """The first button whose action id starts with `action_prefix` (for `tip_id`, if given)."""
    for element in actions(body):
        if not element["action_id"].startswith(action_prefix):
            continue
        found = read_feedback_value(element["value"])
        if tip_id is None or (found and found[0] == [tip_id]):
            return element
    raise AssertionError(f"no {action_prefix} button for {tip_id} in {json.dumps(body)[:500]}")


def click(bot, element: dict, *, user: str = "U1") -> None:
    """Click a button as Slack would, and check Slack got its 200."""
    assert bot.slack.action(element["action_id"], element["value"], user=user).status == 200


def a_question_at(bot, level: str) -> str:
    for question in UNSURE_CANDIDATES:
        if levels.level(bot.coach.ask(question, record_gap=False)) == level:
            return question
    pytest.fail(f"none of UNSURE_CANDIDATES is {level!r} now: add one that is")


def test_sure_answer_has_the_tip_feedback_buttons_and_picks(running_bot):
    body = running_bot.slack.command(IKEA_Q).json()
    assert "Ikea" in body["blocks"][1]["text"]["text"]
    assert [e["action_id"] for e in actions(body)][:4] == [
        "rate_useful",
        "rate_not_useful",
        "not_what_i_asked",
        "share_tip",
    ]
    assert read_feedback_value(button(body, "not_what_i_asked")["value"]) == ([IKEA], IKEA_Q)
    picks = [e for e in actions(body) if e["action_id"].startswith("pick_tip_")]
    assert len({e["action_id"] for e in picks}) == len(picks), "action ids unique in a block"


def test_unsure_answer_offers_up_to_three_tips_to_pick(running_bot):
    question = a_question_at(running_bot, levels.UNSURE)
    body = running_bot.slack.command(question).json()
    assert "Not sure this is what you need; closest I have:" in json.dumps(body)
    buttons = [e["action_id"] for e in actions(body)]
    assert 1 <= len(buttons) - 1 <= 3
    assert buttons == [f"pick_tip_{i}" for i in range(len(buttons) - 1)] + ["none_of_these"]


def test_decline_says_so_and_offers_nothing_unrelated(running_bot):
    body = running_bot.slack.command("recipe for banana bread").json()
    assert body["text"] == "I have no tip on that yet."
    # Only the offer to be told when a tip exists; no unrelated tips to pick.
    assert [e["action_id"] for e in actions(body)] == ["aipm_wait_for_tip"]


def test_decline_of_a_not_covered_topic_names_it(running_bot):
    body = running_bot.slack.command("pricing for AI features").json()
    topic = levels.topic(running_bot.coach.ask("pricing for AI features", record_gap=False))
    if topic is None:
        pytest.fail("the core names no not-covered topic for a pricing question")
    assert body["text"] == f"I have no tip on {topic} yet."
    assert f"I have no tip on *{topic}* yet." in json.dumps(body)


def test_not_what_i_asked_is_kept_for_the_question_not_against_the_tip(running_bot):
    body = running_bot.slack.command(IKEA_Q, user="U1").json()
    click(running_bot, button(body, "not_what_i_asked"), user="U1")
    # Kept before Slack got its 200; the tip's ratings are untouched.
    [pair] = running_bot.store.learned()
    assert (pair["tip_id"], pair["verdict"], pair["question"]) == (IKEA, "mismatch", IKEA_Q)
    assert running_bot.store.tip_tallies() == {}
    update = running_bot.responses(at_least=1)[-1]
    assert update["replace_original"] is True
    assert "not what you asked" in update["text"]
    assert IKEA not in json.dumps(actions(update)), "the rejected tip is not offered again"
    # Anyone asking the same (or nearly the same) question no longer gets it first.
    for question in (IKEA_Q, "What is the IKEA effect?"):
        again = running_bot.slack.command(question, user="U2").json()
        first = (again["blocks"][1].get("text") or {}).get("text", "")
        assert "The Ikea effect: leave users" not in first
        assert IKEA not in json.dumps(actions(again))


def test_mismatch_is_not_counted_in_top_or_stats(running_bot):
    body = running_bot.slack.command(IKEA_Q).json()
    click(running_bot, button(body, "not_what_i_asked"))
    running_bot.responses(at_least=1)
    assert running_bot.store.tip_tallies() == {}
    assert "Ikea" not in json.dumps(running_bot.slack.command("top").json())
    assert "0 ratings" in running_bot.slack.command("stats").json()["text"]


def test_mismatch_shows_in_gaps_as_answered_wrongly(running_bot):
    running_bot.fake.add_user("UADMIN", is_admin=True)
    body = running_bot.slack.command(IKEA_Q).json()
    click(running_bot, button(body, "not_what_i_asked"))
    gaps = running_bot.slack.command("gaps", user="UADMIN").json()
    dumped = json.dumps(gaps)
    assert "Answered wrongly" in dumped
    assert IKEA_Q in dumped and "Ikea" in dumped


def test_a_pick_is_the_answer_next_time_for_anyone(running_bot):
    question = a_question_at(running_bot, levels.UNSURE)
    body = running_bot.slack.command(question, user="U1").json()
    chosen = [e for e in actions(body) if e["action_id"].startswith("pick_tip_")][-1]
    [tip_id], asked = read_feedback_value(chosen["value"])
    assert asked == question
    click(running_bot, chosen, user="U1")
    [pair] = running_bot.store.learned()
    assert (pair["tip_id"], pair["verdict"]) == (tip_id, "match")
    shown = running_bot.responses(at_least=1)[-1]
    assert shown["replace_original"] is True
    assert read_feedback_value(button(shown, "not_what_i_asked")["value"]) == ([tip_id], question)
    title = running_bot.coach.library.base.get(tip_id).title
    # Another person asking the same question now gets that tip, as a sure answer.
    again = running_bot.slack.command(question, user="U2").json()
    assert title in again["blocks"][1]["text"]["text"]
    assert button(again, "not_what_i_asked", tip_id)


def test_picking_from_also_relevant_is_a_confirmed_match(running_bot):
    question, _, _ = sure_with_alternatives(running_bot.coach.library.base.tips)
    body = running_bot.slack.command(question).json()
    picks = [e for e in actions(body) if e["action_id"].startswith("pick_tip_")]
    assert picks, json.dumps(body)[:500]
    [tip_id], _ = read_feedback_value(picks[0]["value"])
    click(running_bot, picks[0], user="U3")
    assert [(p["tip_id"], p["verdict"]) for p in running_bot.store.learned()] == [(tip_id, "match")]
    title = running_bot.coach.library.base.get(tip_id).title
    assert title in running_bot.slack.command(question, user="U4").json()["text"]


@pytest.mark.parametrize(
    "value", ["", "not json", "[1, 2]", '{"t": 5, "q": "x"}', '{"t": "no-such-tip", "q": "x"}']
)
def test_a_forged_feedback_value_is_answered_politely(running_bot, value):
    for action in ("not_what_i_asked", "pick_tip_0"):
        assert running_bot.slack.action(action, value).status == 200
    assert running_bot.store.learned() == []
    replies = running_bot.responses(at_least=2)
    assert all("no longer in the base" in r["text"] for r in replies)


def test_nothing_is_learned_when_questions_are_not_kept(fake_slack, knowledge_dir, db_path):
    from tests.conftest import make_settings, start_bot

    bot = start_bot(
        make_settings(fake_slack, knowledge_dir, db_path, log_questions=False), fake_slack
    )
    try:
        body = bot.slack.command(IKEA_Q).json()
        click(bot, button(body, "not_what_i_asked"))
        assert bot.store.learned() == []
        assert "keeps no questions" in bot.responses(at_least=1)[-1]["text"]
    finally:
        bot.stop()


def test_none_of_these_on_an_unsure_answer_rejects_every_tip_offered(running_bot):
    question = a_question_at(running_bot, levels.UNSURE)
    body = running_bot.slack.command(question).json()
    offered = [
        read_feedback_value(e["value"])[0][0]
        for e in actions(body)
        if e["action_id"].startswith("pick_tip_")
    ]
    click(running_bot, button(body, "none_of_these"))
    assert {(p["tip_id"], p["verdict"]) for p in running_bot.store.learned()} == {
        (tip_id, "mismatch") for tip_id in offered
    }
    assert "not what you asked" in running_bot.responses(at_least=1)[-1]["text"]
    again = running_bot.slack.command(question, user="U2").json()
    assert not set(offered) & {
        tip_id for e in actions(again) for tip_id in (read_feedback_value(e["value"]) or ([],))[0]
    }


def test_a_forged_pick_cannot_confirm_several_tips(running_bot):
    value = json.dumps({"t": f"{IKEA} hackathons", "q": IKEA_Q})
    assert running_bot.slack.action("pick_tip_0", value).status == 200
    assert running_bot.store.learned() == []
