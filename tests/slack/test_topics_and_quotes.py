"""/aipm over real HTTP: subscribe on topics, and the quote each answer stands on."""

from __future__ import annotations

import json

from tests.conftest import ROOT
from tests.helpers.notes import run_cli_at


def texts(reply: dict) -> str:
    return json.dumps(reply.get("blocks", []), ensure_ascii=False)


def test_subscribe_on_topics_stores_them_and_says_so(running_bot):
    body = running_bot.slack.command(
        "subscribe 09:00 Europe/Berlin daily topics ux, strategy", channel="C51"
    ).json()
    assert "topics ux, strategy" in body["text"]
    row = running_bot.store.subscription("C51")
    assert (row["at"], row["tz"], row["days"], row["topics"]) == (
        "09:00",
        "Europe/Berlin",
        "daily",
        "ux,strategy",
    )
    # Changing the time keeps the topics; `topics all` clears them.
    running_bot.slack.command("subscribe 10:00", channel="C51")
    assert running_bot.store.subscription("C51")["topics"] == "ux,strategy"
    running_bot.slack.command("subscribe topics all", channel="C51")
    assert running_bot.store.subscription("C51")["topics"] == ""


def test_an_unknown_topic_is_refused_listing_the_known_ones_and_nothing_stored(running_bot):
    running_bot.slack.command("subscribe 09:00 UTC daily", channel="C52")
    before = running_bot.store.subscription("C52")
    body = running_bot.slack.command("subscribe 11:00 topics ux,<!channel>", channel="C52").json()
    assert body["text"].startswith(":warning: Unknown topic: &lt;!channel&gt;.")
    assert "ux, v0, visuals" in body["text"]
    assert "<!channel>" not in json.dumps(body)
    assert running_bot.store.subscription("C52") == before


def test_an_answer_shows_what_the_source_says(running_bot):
    body = running_bot.slack.command("what is the ikea effect").json()
    tip = running_bot.coach.library.base.get("the-ikea-effect")
    assert ":speech_balloon: What the source says:" in texts(body)
    assert tip.source.quote[:60] in texts(body)
    assert "t=2411s" in texts(body)


def test_the_cli_subscribes_on_topics_and_refuses_unknown_ones(tmp_path):
    ok = run_cli_at(["subscribe", "--channel", "C61", "--topics", "ux,strategy"], tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "topics ux, strategy" in ok.stdout
    listed = json.loads(run_cli_at(["subscriptions", "--json"], tmp_path).stdout)
    assert listed[0]["topics"] == ["ux", "strategy"]
    bad = run_cli_at(["subscribe", "--channel", "C62", "--topics", "ux,bananas"], tmp_path)
    assert bad.returncode == 2
    assert "Unknown topic: bananas. Use tags of the tip base" in bad.stderr
    assert "C62" not in run_cli_at(["subscriptions"], tmp_path).stdout


def test_app_home_shows_drafts_waiting_for_review_to_curators_only(
    fake_slack, knowledge_dir, db_path
):
    from bot.notes.build import build
    from tests.conftest import make_settings, start_bot

    assert build([ROOT / "docs" / "example-playbook.md"], knowledge_dir).ok
    bot = start_bot(make_settings(fake_slack, knowledge_dir, db_path), fake_slack)
    try:
        fake_slack.add_user("UADMIN", is_admin=True)
        fake_slack.add_user("U8")
        views = {}
        for user in ("UADMIN", "U8"):
            event = {"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"}
            assert bot.slack.event(event).status == 200
            published = bot.calls("views.publish", at_least=len(views) + 1)
            (mine,) = [c for c in published if c.params.get("user_id") == user]
            views[user] = json.dumps(mine.params["view"], ensure_ascii=False)
        # The curators' Library on App Home lists the drafts waiting; others see none.
        assert "9 drafts waiting" in views["UADMIN"]
        assert "Write the failure cases first" in views["UADMIN"]
        assert "drafts waiting" not in views["U8"]
        assert "Write the failure cases first" not in views["U8"]
    finally:
        bot.stop()
