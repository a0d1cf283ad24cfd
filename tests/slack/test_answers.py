"""/aipm QUESTION at three levels, and teaching through the buttons, over signed HTTP.

Sure, unsure and decline questions are chosen by asking the same Coach the bot uses, so
the tests follow the pipeline's decisions rather than hard-coding its scores. The learning
rules: one person's click changes that person's answers at once; everyone's only after a
second person agrees (nobody disagreeing) or a curator approves; a button counts only for a
tip its answer offered, from the person who asked.
"""

from __future__ import annotations

import json

import pytest

from bot.slack.blocks import read_value
from tests.conftest import make_settings, start_bot, sure_with_alternatives

IKEA_Q = "what is the ikea effect"
IKEA = "the-ikea-effect"
CANDIDATES = [
    "career",
    "how do I launch",
    "tools",
    "my boss",
    "what should I read",
    "agents",
    "how do I get better",
]


def actions(body: dict) -> list[dict]:
    """Every button in a message, in order."""
    return [e for b in body.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


def button(body: dict, action_prefix: str, tip_id: str | None = None) -> dict:
    """The first button whose action id starts with `action_prefix` (for `tip_id`, if given)."""
    for element in actions(body):
        if element["action_id"].startswith(action_prefix) and (
            tip_id is None or read_value(element["value"]).tip == tip_id
        ):
            return element
    raise AssertionError(f"no {action_prefix} button for {tip_id} in {json.dumps(body)[:500]}")


def first_tip(body: dict) -> str | None:
    """The tip id a sure answer shows first (from its Not what I asked button), else None."""
    found = [e for e in actions(body) if e["action_id"] == "not_what_i_asked"]
    return read_value(found[0]["value"]).tip if found else None


def offered(body: dict) -> set[str]:
    """Every tip id any button of an answer names."""
    return {read_value(e["value"]).tip for e in actions(body)} - {None, "*"}


def click(bot, element: dict, *, user: str = "U1") -> None:
    """Click a button as Slack would, and check Slack got its 200."""
    assert bot.slack.action(element["action_id"], element["value"], user=user).status == 200


def a_question_at(bot, level: str) -> str:
    for question in CANDIDATES:
        if bot.coach.ask(question, record_gap=False).level == level:
            return question
    pytest.fail(f"none of CANDIDATES is {level!r} now: add one that is")


def teachings(bot) -> list[tuple[str, str, str]]:
    return sorted((t["user"], t["tip_id"], t["verdict"]) for t in bot.store.teachings())


def test_sure_answer_has_the_tip_feedback_buttons_and_picks(running_bot):
    body = running_bot.slack.command(IKEA_Q).json()
    assert "Ikea" in body["blocks"][1]["text"]["text"]
    assert [e["action_id"] for e in actions(body)][:2] == ["not_what_i_asked", "share_tip"]
    (feedback,) = [b for b in body["blocks"] if b["type"] == "context_actions"]
    (buttons,) = feedback["elements"]
    assert buttons["type"] == "feedback_buttons" and buttons["action_id"] == "aipm_feedback"
    up = read_value(buttons["positive_button"]["value"])
    mismatch = read_value(button(body, "not_what_i_asked")["value"])
    assert (up.offer, up.tip) == (mismatch.offer, mismatch.tip), "the same offer and tip"
    assert (up.vote, mismatch.vote) == (1, None)
    value = read_value(button(body, "not_what_i_asked")["value"])
    offer = running_bot.coach.find_offer(value.offer)
    assert value.tip == IKEA and offer.question == IKEA_Q and IKEA in offer.tips
    assert IKEA_Q not in button(body, "not_what_i_asked")["value"], "the question stays home"
    picks = [e for e in actions(body) if e["action_id"].startswith("pick_tip_")]
    assert len({e["action_id"] for e in picks}) == len(picks), "action ids unique in a block"


def test_unsure_answer_offers_up_to_three_tips_to_pick(running_bot):
    question = a_question_at(running_bot, "unsure")
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
    body = running_bot.slack.command("how should we price our AI add-on").json()
    assert body["text"] == "I have no tip on pricing yet."
    assert "I have no tip on *pricing* yet." in json.dumps(body)


def test_not_what_i_asked_changes_the_askers_answer_and_nobody_elses(running_bot):
    body = running_bot.slack.command(IKEA_Q, user="U1").json()
    click(running_bot, button(body, "not_what_i_asked"), user="U1")
    # Kept before Slack got its 200; the tip's ratings are untouched.
    assert teachings(running_bot) == [(running_bot.coach.person("U1"), IKEA, "mismatch")]
    assert running_bot.coach.person("U1") != "U1", "a pseudonym unless COACH_LOG_USERS=1"
    assert running_bot.store.tip_tallies() == {}
    update = running_bot.responses(at_least=1)[-1]
    assert update["replace_original"] is True
    shown = json.dumps(update)
    assert "is not what you asked" in shown and "I have no tip on that yet" in shown
    assert offered(update) == set(), "an honest no, not another batch"
    assert "aipm_wait_for_tip" in shown, "with Tell me when there's a tip"
    # The asker, asking again (or nearly the same), no longer gets it; someone else still does.
    for question in (IKEA_Q, "What is the IKEA effect?"):
        mine = running_bot.slack.command(question, user="U1").json()
        assert IKEA not in offered(mine)
        assert (
            running_bot.slack.command(question, user="U2")
            .json()["blocks"][1]["text"]["text"]
            .startswith("*The Ikea effect")
        )


def test_a_second_person_agreeing_changes_everyones_answer(running_bot):
    for user in ("U1", "U2"):
        body = running_bot.slack.command(IKEA_Q, user=user).json()
        click(running_bot, button(body, "not_what_i_asked"), user=user)
    running_bot.responses(at_least=2)
    assert IKEA not in offered(running_bot.slack.command(IKEA_Q, user="U3").json())


def test_one_disagreement_keeps_a_pair_from_everyone(running_bot):
    for user in ("U1", "U2"):
        body = running_bot.slack.command(IKEA_Q, user=user).json()
        click(running_bot, button(body, "not_what_i_asked"), user=user)
    # U4 was offered the Ikea tip first and picks it from "Also relevant" of another answer:
    # simplest with the store (the rule, not the button, is under test here).
    key = running_bot.coach.library.engine.normaliser.key(IKEA_Q)
    running_bot.store.teach(key=key, question=IKEA_Q, tip_id=IKEA, user="U4", verdict="match")
    running_bot.coach._lessons_state = (-1, -1, float("-inf"))  # catch up now, not in 2 s
    assert first_tip(running_bot.slack.command(IKEA_Q, user="U3").json()) == IKEA


def test_a_curator_approving_in_app_home_changes_everyones_answer(running_bot):
    running_bot.fake.add_user("UADMIN", is_admin=True)
    body = running_bot.slack.command(IKEA_Q, user="U1").json()
    click(running_bot, button(body, "not_what_i_asked"), user="U1")
    running_bot.responses(at_least=1)
    assert first_tip(running_bot.slack.command(IKEA_Q, user="U3").json()) == IKEA
    running_bot.slack.event({"type": "app_home_opened", "user": "UADMIN", "tab": "home"})
    home = running_bot.calls("views.publish", at_least=1)[-1].params["view"]
    approve = button(home, "aipm_pair_approve")
    # A non-curator pressing it changes nothing.
    click(running_bot, approve, user="U9")
    assert first_tip(running_bot.slack.command(IKEA_Q, user="U3").json()) == IKEA
    click(running_bot, approve, user="UADMIN")
    running_bot.calls("views.publish", at_least=2)
    assert IKEA not in offered(running_bot.slack.command(IKEA_Q, user="U3").json())


def test_a_pick_is_the_pickers_answer_next_time_and_not_others(running_bot):
    question = a_question_at(running_bot, "unsure")
    body = running_bot.slack.command(question, user="U1").json()
    chosen = [e for e in actions(body) if e["action_id"].startswith("pick_tip_")][-1]
    tip_id = read_value(chosen["value"]).tip
    click(running_bot, chosen, user="U1")
    shown = running_bot.responses(at_least=1)[-1]
    assert shown["replace_original"] is True and first_tip(shown) == tip_id
    assert first_tip(running_bot.slack.command(question, user="U1").json()) == tip_id
    other = running_bot.slack.command(question, user="U2").json()
    assert "Not sure this is what you need" in json.dumps(other), "U2 still gets the choice"


def test_picking_from_also_relevant_is_the_pickers_match(running_bot):
    question, _, _ = sure_with_alternatives(running_bot.coach.library.base.tips)
    body = running_bot.slack.command(question, user="U3").json()
    picks = [e for e in actions(body) if e["action_id"].startswith("pick_tip_")]
    tip_id = read_value(picks[0]["value"]).tip
    click(running_bot, picks[0], user="U3")
    assert [(t[1], t[2]) for t in teachings(running_bot)] == [(tip_id, "match")]
    assert first_tip(running_bot.slack.command(question, user="U3").json()) == tip_id


def test_someone_else_clicking_on_a_public_answer_teaches_nothing(running_bot):
    running_bot.slack.mention(IKEA_Q, user="U1", channel="C9", ts="1700000900.0")
    (answer,) = running_bot.calls("chat.postMessage", at_least=1)
    click(running_bot, button(answer.params, "not_what_i_asked"), user="U2")
    reply = running_bot.responses(at_least=1)[-1]
    assert reply["replace_original"] is False and "Only the person who asked" in reply["text"]
    assert running_bot.store.teachings() == []


@pytest.mark.parametrize(
    "value",
    [
        "",
        "not json",
        "[1, 2]",
        '{"o": 5, "t": "x"}',
        '{"o": "AAAAAAAAAAAAAAAA", "t": "the-ikea-effect"}',  # an offer that never was
        '{"t": "the-ikea-effect", "q": "what is the ikea effect"}',  # the old format
    ],
)
def test_a_forged_or_stale_value_teaches_nothing_and_says_so(running_bot, value):
    for action in ("not_what_i_asked", "pick_tip_0", "none_of_these"):
        assert running_bot.slack.action(action, value).status == 200
    replies = running_bot.responses(at_least=3)
    assert running_bot.store.teachings() == []
    assert all("no longer have" in r["text"] for r in replies)


def test_a_real_offer_with_a_tip_it_did_not_offer_teaches_nothing(running_bot):
    body = running_bot.slack.command(IKEA_Q, user="U1").json()
    offer = read_value(button(body, "not_what_i_asked")["value"]).offer
    forged = json.dumps({"o": offer, "t": "hackathons"})
    assert "hackathons" not in running_bot.coach.find_offer(offer).tips
    for action in ("not_what_i_asked", "pick_tip_0"):
        assert running_bot.slack.action(action, forged, user="U1").status == 200
    running_bot.responses(at_least=2)
    assert running_bot.store.teachings() == []
    assert first_tip(running_bot.slack.command(IKEA_Q, user="U1").json()) == IKEA


def test_a_flood_of_clicks_is_limited_per_person(fake_slack, knowledge_dir, db_path):
    bot = start_bot(make_settings(fake_slack, knowledge_dir, db_path), fake_slack)
    try:
        limit = bot.coach.config.teach_per_hour
        questions = [f"what is the ikea effect number {i}" for i in range(limit + 5)]
        for question in questions:
            body = bot.slack.command(question, user="U1").json()
            element = next(
                (
                    e
                    for e in actions(body)
                    if e["action_id"] in ("not_what_i_asked", "none_of_these")
                ),
                None,
            )
            if element is not None:
                click(bot, element, user="U1")
        replies = bot.responses(at_least=1)
        assert len(bot.store.teachings()) <= limit
        assert any("taught me a lot" in r["text"] for r in replies)
    finally:
        bot.stop()


def test_nothing_is_learned_when_questions_are_not_kept(fake_slack, knowledge_dir, db_path):
    bot = start_bot(
        make_settings(fake_slack, knowledge_dir, db_path, log_questions=False), fake_slack
    )
    try:
        body = bot.slack.command(IKEA_Q).json()
        click(bot, button(body, "not_what_i_asked"))
        assert bot.store.teachings() == []
        assert "keeps no questions" in json.dumps(bot.responses(at_least=1)[-1])
    finally:
        bot.stop()


def test_none_of_these_rejects_every_tip_offered_and_declines_honestly(running_bot):
    question = a_question_at(running_bot, "unsure")
    body = running_bot.slack.command(question, user="U1").json()
    shown = {read_value(e["value"]).tip for e in actions(body) if e["action_id"].startswith("pick")}
    click(running_bot, button(body, "none_of_these"), user="U1")
    assert {(t[1], t[2]) for t in teachings(running_bot)} == {(t, "mismatch") for t in shown}
    update = json.dumps(running_bot.responses(at_least=1)[-1])
    assert "are not what you asked" in update and "I have no tip on that yet" in update
    again = running_bot.slack.command(question, user="U1").json()
    assert not shown & offered(again)


def test_a_forged_pick_cannot_confirm_several_tips(running_bot):
    body = running_bot.slack.command(IKEA_Q, user="U1").json()
    offer = read_value(button(body, "not_what_i_asked")["value"]).offer
    value = json.dumps({"o": offer, "t": "*"})  # "every tip offered" is for None of these only
    assert running_bot.slack.action("pick_tip_0", value, user="U1").status == 200
    running_bot.responses(at_least=1)
    assert running_bot.store.teachings() == []
