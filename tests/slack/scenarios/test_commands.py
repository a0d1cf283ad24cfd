"""/aipm over real HTTP: signed as Slack signs it, answered by the running app."""

from __future__ import annotations

import datetime as dt
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
    assert [e["action_id"] for e in actions["elements"]] == ["not_what_i_asked", "share_tip"]
    kinds = [b["type"] for b in body["blocks"]]
    assert kinds.index("context_actions") < kinds.index("actions"), "👍 / 👎 first"
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


def buttons(reply: dict) -> dict[str, dict]:
    """Every button of a reply, by action id."""
    return {
        e["action_id"]: e
        for b in reply.get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
    }


def test_a_mistyped_subcommand_asks_did_you_mean_and_logs_no_gap(running_bot):
    body = running_bot.slack.command("subscibe 9:00", channel="C5").json()
    assert "Did you mean `/aipm subscribe 9:00`?" in texts(body)
    found = buttons(body)
    assert found["aipm_run_suggestion"]["value"] == "subscribe 9:00"
    assert found["aipm_ask_anyway"]["value"] == "subscibe 9:00"
    assert running_bot.store.gaps() == [] and running_bot.store.subscription("C5") is None


def test_did_you_mean_run_subscribes_the_clickers_channel(running_bot):
    reply = running_bot.slack.action("aipm_run_suggestion", "subscribe 9:00 UTC", channel="C5")
    assert reply.status == 200
    update = running_bot.responses(at_least=1)[-1]
    assert update["replace_original"] is True and "Subscribed" in update["text"]
    row = running_bot.store.subscription("C5")
    assert (row["at"], row["tz"], row["created_by"]) == ("09:00", "UTC", "U1")


def test_did_you_mean_run_of_a_schedule_change_tells_the_channel(running_bot):
    running_bot.slack.command("subscribe 09:00 UTC", channel="C5")
    running_bot.slack.action("aipm_run_suggestion", "subscribe 10:00", channel="C5")
    notice = running_bot.calls("chat.postMessage", at_least=1)[-1]
    assert notice.params["channel"] == "C5" and "10:00 UTC" in notice.params["text"]


def test_did_you_mean_ask_anyway_answers_the_text_as_a_question(running_bot):
    running_bot.slack.action("aipm_ask_anyway", "subscibe 9:00", channel="C5")
    update = running_bot.responses(at_least=1)[-1]
    assert update["replace_original"] is True and "I have no tip on" in update["text"]
    assert running_bot.store.subscription("C5") is None
    assert [g["example"] for g in running_bot.store.gaps()] == ["subscibe 9:00"]


@pytest.mark.parametrize("forged", ["what is the ikea effect", "", "subscribe 25:99 <!here>"])
def test_a_forged_run_value_runs_nothing_a_person_could_not_type(running_bot, forged):
    running_bot.slack.action("aipm_run_suggestion", forged, channel="C5")
    update = running_bot.responses(at_least=1)[-1]
    assert running_bot.store.subscription("C5") is None and running_bot.store.gaps() == []
    assert "<!here>" not in json.dumps(update)


def test_a_new_subscription_says_when_the_first_tip_comes_and_posts_none_now(running_bot):
    body = running_bot.slack.command("subscribe 00:00 UTC daily", channel="C5").json()
    assert "The first tip comes tomorrow at 00:00 (UTC)." in body["text"]
    assert "aipm_post_now" in buttons(body)
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    assert running_bot.store.subscription("C5")["starts_on"] == tomorrow.isoformat()
    assert running_bot.fake.calls("chat.postMessage") == []


def test_post_one_now_posts_todays_tip_once(running_bot):
    running_bot.slack.command("subscribe 00:00 UTC daily", channel="C5")
    running_bot.slack.action("aipm_post_now", "today", channel="C5")
    assert "Posted today's tip" in running_bot.responses(at_least=1)[-1]["text"]
    running_bot.slack.action("aipm_post_now", "today", channel="C5")
    assert "already in this channel" in running_bot.responses(at_least=2)[-1]["text"]
    posts = [c for c in running_bot.fake.calls("chat.postMessage") if c.params["channel"] == "C5"]
    assert len(posts) == 1 and running_bot.store.posts("C5")[0].kind == "daily"


def test_post_one_now_in_a_channel_without_a_subscription_posts_nothing(running_bot):
    running_bot.slack.action("aipm_post_now", "today", channel="C6")
    assert "has no daily tip" in running_bot.responses(at_least=1)[-1]["text"]
    assert running_bot.fake.calls("chat.postMessage") == []


def test_stats_count_questions_by_surface_and_outcome_and_show_what_was_typed(running_bot):
    slack = running_bot.slack
    sure = slack.command("what is the ikea effect", user="U1").json()
    slack.command("recipe for banana bread", user="U2")
    slack.command("recipe for banana bread?", user="U3")
    slack.dm("what is the ikea effect", user="U4")
    running_bot.calls("chat.postMessage", at_least=1)
    mismatch = buttons(sure)["not_what_i_asked"]
    slack.action("not_what_i_asked", mismatch["value"], user="U1")
    running_bot.responses(at_least=1)
    body = slack.command("stats 7").json()
    (table,) = [b for b in body["blocks"] if b["type"] == "table"]
    rows = {r[0]["text"]: [c["text"] for c in r[1:]] for r in table["rows"][1:]}
    #                 asked, sure, unsure, declined, not what I asked
    assert rows["/aipm"] == ["3", "1", "0", "2", "1"]
    assert rows["DM"] == ["1", "1", "0", "0", "0"]
    assert rows["All"] == ["4", "2", "0", "2", "1"]
    assert "4 questions asked" in body["text"]
    asked = texts(body)
    assert "_recipe for banana bread?_ (2×, no tip yet)" in asked, "the latest wording, typed"
    assert "banana bread" in asked and "bananna" not in asked


def test_stats_escape_what_people_typed(running_bot):
    running_bot.slack.command("<!channel> recipe for banana bread", user="U2")
    body = running_bot.slack.command("stats").json()
    assert "<!channel>" not in json.dumps(body) and "&lt;!channel&gt;" in texts(body)


def test_post_one_now_where_the_bot_is_not_a_member_says_how_to_fix_it(running_bot):
    running_bot.slack.command("subscribe 00:00 UTC daily", channel="C5")
    running_bot.fake.fail_next("chat.postMessage", error="not_in_channel")
    running_bot.slack.action("aipm_post_now", "today", channel="C5")
    reply = running_bot.responses(at_least=1)[-1]
    assert "/invite @AI PM Coach" in reply["text"] and reply["replace_original"] is False
    assert running_bot.store.posts("C5") == []


def test_a_run_button_can_do_no_more_than_typing_could(running_bot):
    # `add` opens the tip form for curators only, whether typed or clicked.
    running_bot.slack.action("aipm_run_suggestion", "add", user="U9", channel="C5")
    assert "only" in running_bot.responses(at_least=1)[-1]["text"].lower()
    assert running_bot.fake.calls("views.open") == []


def test_did_you_mean_never_pings_from_what_was_typed(running_bot):
    body = running_bot.slack.command("subscibe topics <!channel>", channel="C5").json()
    assert "Did you mean" in body["text"]
    shown = json.dumps([body["text"], body["blocks"][0]]) + json.dumps(
        [b["text"] for b in buttons(body).values()]
    )
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown
    # Only the buttons' values carry the text as typed, to be parsed again on a click.
    assert buttons(body)["aipm_run_suggestion"]["value"] == "subscribe topics <!channel>"
