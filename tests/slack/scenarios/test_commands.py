"""/aipm over real HTTP: signed as Slack signs it, answered by the running app."""

from __future__ import annotations

import json

import pytest

from bot.slack.subcommands import SUBCOMMANDS


def texts(reply: dict) -> str:
    """Every piece of text in a reply's blocks, joined."""
    return json.dumps(reply.get("blocks", []), ensure_ascii=False)


def test_question_gets_the_ikea_tip_privately(running_bot):
    reply = running_bot.slack.command("what is the ikea effect")
    assert reply.status == 200
    body = reply.json()
    assert body["response_type"] == "ephemeral"
    assert "Ikea" in body["blocks"][1]["text"]["text"]
    actions = [b for b in body["blocks"] if b["type"] == "actions"][0]
    assert [e["action_id"] for e in actions["elements"]] == [
        "rate_useful",
        "rate_not_useful",
        "not_what_i_asked",
        "share_tip",
    ]
    assert "youtube.com/watch?v=" in texts(body)


def test_off_topic_question_is_declined_and_kept_as_a_gap(running_bot):
    body = running_bot.slack.command("recipe for banana bread").json()
    assert "I have no tip on" in body["text"]
    actions = [
        e["action_id"] for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert actions == ["aipm_wait_for_tip"]  # no rating buttons: there is no tip to rate
    gaps = running_bot.store.gaps()
    assert gaps and gaps[0]["example"] == "recipe for banana bread"


def test_gap_keeps_no_user_id_by_default(running_bot):
    running_bot.slack.command("best pizza near the office", user="U77")
    rows = list(running_bot.store.db["gaps"].rows)
    assert rows and rows[0]["user"] is None


@pytest.mark.parametrize(
    "text", ["<!channel> what is the ikea effect", "<!here> pizza & <@U123> lunch?"]
)
def test_user_text_is_escaped_so_it_cannot_ping(running_bot, text):
    body = running_bot.slack.command(text).json()
    dumped = texts(body) + body["text"]
    assert "<!channel>" not in dumped and "<!here>" not in dumped and "<@U123>" not in dumped
    assert "&lt;!" in dumped


def test_empty_command_and_help_list_every_subcommand(running_bot):
    for text in ("", "help"):
        body = running_bot.slack.command(text).json()
        for name in SUBCOMMANDS:
            assert f"/aipm {name}" in body["blocks"][0]["text"]["text"]


def test_tip_gives_a_tip_with_buttons(running_bot):
    body = running_bot.slack.command("tip").json()
    assert any(b["type"] == "actions" for b in body["blocks"])
    assert "Source:" in texts(body)


def test_very_long_question_is_cut_not_refused(running_bot):
    reply = running_bot.slack.command("ikea effect " + "x" * 20_000)
    assert reply.status == 200
    assert "Ikea" in texts(reply.json())


def test_subscribe_uses_the_users_slack_time_zone(running_bot):
    running_bot.fake.add_user("U9", tz="Asia/Kolkata")
    body = running_bot.slack.command("subscribe 08:30", user="U9", channel="C42").json()
    assert "Asia/Kolkata" in body["text"] and "/invite" in body["text"]
    row = running_bot.store.subscription("C42")
    assert (row["at"], row["tz"], row["days"], row["created_by"]) == (
        "08:30",
        "Asia/Kolkata",
        "weekdays",
        "U9",
    )
    assert "08:30" in running_bot.slack.command("subscription", channel="C42").json()["text"]


def test_subscribe_with_a_bad_time_stores_nothing(running_bot):
    body = running_bot.slack.command("subscribe 25:99", channel="C43").json()
    assert ":warning:" in body["text"]
    assert running_bot.store.subscription("C43") is None


def test_unsubscribe_stops_the_daily_tip(running_bot):
    running_bot.slack.command("subscribe 09:00 Europe/Berlin daily", channel="C44")
    body = running_bot.slack.command("unsubscribe", channel="C44").json()
    assert "Stopped" in body["text"]
    assert running_bot.store.subscription("C44") is None


def test_gaps_are_refused_to_non_admins(running_bot):
    running_bot.slack.command("how do I fix my printer")
    body = running_bot.slack.command("gaps", user="U2").json()
    assert "only curators" in body["text"]
    assert "printer" not in texts(body)


def test_gaps_are_shown_to_workspace_admins(running_bot):
    running_bot.fake.add_user("UADMIN", is_admin=True)
    running_bot.slack.command("how do I fix my <!channel> printer")
    body = running_bot.slack.command("gaps", user="UADMIN").json()
    assert "printer" in texts(body)
    assert "<!channel>" not in texts(body)


def test_unknown_words_are_treated_as_questions(running_bot):
    body = running_bot.slack.command("frobnicate the wibble").json()
    assert "I have no tip on" in body["text"]


def test_subscribe_falls_back_to_utc_when_slack_is_too_slow_to_say(running_bot):
    running_bot.fake.add_user("U9", tz="Asia/Kolkata")
    running_bot.fake.fail_next("users.info", delay=2.5, post_anyway=True)
    body = running_bot.slack.command("subscribe 08:30", user="U9", channel="C45").json()
    assert "UTC" in body["text"]
    assert running_bot.store.subscription("C45")["tz"] == "UTC"


def test_subscribe_with_a_zone_given_does_not_ask_slack_for_one(running_bot):
    running_bot.slack.command("subscribe 08:30 Europe/Berlin", user="U9", channel="C46")
    assert running_bot.store.subscription("C46")["tz"] == "Europe/Berlin"
    assert running_bot.fake.calls("users.info") == []


@pytest.mark.parametrize(
    "text",
    [
        "help me prioritise my AI roadmap",
        "top ways to get my team to prototype with AI",
        "stats literacy for product managers",
    ],
)
def test_a_question_starting_with_a_subcommand_word_is_answered_as_a_question(running_bot, text):
    body = running_bot.slack.command(text).json()
    dumped = texts(body)
    assert "You asked" in dumped or "I have no tip on" in body["text"]
    assert "*AI PM Coach* answers questions" not in dumped, "not the help text"
    assert "most useful" not in body["text"] and "tip posts" not in body["text"]


def test_gaps_and_stats_take_a_number(running_bot):
    running_bot.fake.add_user("UADMIN", is_admin=True)
    for question in ("how do I fix my printer", "best pizza near the office"):
        running_bot.slack.command(question)
    body = running_bot.slack.command("gaps 1", user="UADMIN").json()
    assert texts(body).count('"aipm_write_tip"') == 1
    assert "*Last 7 days*" in running_bot.slack.command("stats 7").json()["text"]


def test_help_says_what_the_base_covers_and_how_to_add_tips(running_bot):
    from bot.core.coverage import coverage

    cov = coverage(running_bot.coach.library.base)
    text = running_bot.slack.command("help").json()["blocks"][0]["text"]["text"]
    assert f"{cov.tips} tips from {len(cov.sources)} source" in text
    assert f"_{cov.sources[0][0]}_ ({cov.sources[0][1]})" in text
    assert all(f"`{topic}`" in text for topic in cov.topics)
    assert "/aipm add" in text and "*Save as AI-PM tip*" in text
    assert "knowledge build" in text and "docs/privacy.md" in text
