"""The playground end to end over HTTP: its page API drives the real bot, which answers."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.fakeslack.signing import FORM, get, signed_headers
from bot.playground.server import run_playground
from bot.playground.workspace import CHANNEL, new_workspace
from bot.settings import Settings
from bot.store import Store
from tests.helpers.playground import ANA, BEN, CHEN, Page, page, playground, settings, text_of  # noqa: F401, F811 - fixtures

ROOT = Path(__file__).resolve().parents[2]


def ratings(settings: Settings, user: str) -> dict[str, int]:
    store = Store.open(settings.db_path)
    try:
        return {row["tip_id"]: row["value"] for row in store.user_ratings(user)}
    finally:
        store.close()


def test_a_question_gets_the_ikea_tip_only_the_asker_sees(page):
    result = page.send("/aipm what is the ikea effect")
    assert result == {"ok": True, "kind": "ephemeral", "status": 200, "id": result["id"]}
    answer = page.last()
    assert answer["kind"] == "ephemeral" and answer["command"] == "/aipm what is the ikea effect"
    assert "The Ikea effect" in text_of(answer)
    assert [m for m in page.state(BEN)["messages"] if m["kind"] == "ephemeral"] == []


def test_useful_button_records_a_rating_and_thanks(page, settings):
    page.send("/aipm what is the ikea effect")
    answer = page.last()
    clicked = page.post(
        "/api/action",
        {"user": ANA, "target": answer["id"], "action_id": "aipm_feedback", "value": "positive"},
    )
    assert clicked["ok"]
    assert ratings(settings, ANA) == {"the-ikea-effect": 1}
    replaced = page.last()
    assert replaced["id"] == answer["id"] and "Noted as *useful*" in replaced["text"]


def test_share_to_channel_posts_the_tip_for_everyone(page):
    page.send("/aipm what is the ikea effect", user=BEN)
    answer = page.last(BEN)
    assert page.post(
        "/api/action", {"user": BEN, "target": answer["id"], "action_id": "share_tip"}
    )["ok"]
    shared = page.last(CHEN, kind="message")
    assert shared["metadata"]["event_payload"]["tip_id"] == "the-ikea-effect"
    assert f"<@{BEN}>" in text_of(shared)


def test_post_todays_tip_then_a_thumbs_up_is_a_rating(page, settings):
    posted = page.post("/api/post-tip", {})
    assert posted["ok"] and posted["status"] == "posted"
    message = page.last(kind="message")
    assert message["ts"] == posted["ts"]
    assert message["metadata"]["event_type"] == "aipm_tip"
    assert message["metadata"]["event_payload"]["tip_id"] == posted["tip_id"]

    assert page.post("/api/react", {"user": CHEN, "ts": message["ts"], "name": "+1", "add": True})[
        "ok"
    ]
    assert ratings(settings, CHEN) == {posted["tip_id"]: 1}
    reactions = page.last(kind="message")["reactions"]
    assert reactions == [{"name": "+1", "users": [CHEN], "count": 1}]

    assert page.post("/api/react", {"user": CHEN, "ts": message["ts"], "name": "+1", "add": False})[
        "ok"
    ]
    assert ratings(settings, CHEN) == {}


def test_a_second_daily_post_says_already_unless_forced(page):
    first = page.post("/api/post-tip", {})
    again = page.post("/api/post-tip", {})
    assert again["status"] == "already" and not again["ok"]
    forced = page.post("/api/post-tip", {"force": True})
    assert forced["ok"] and forced["ts"] != first["ts"]


@pytest.mark.parametrize(
    "question", ["<!channel> what is the ikea effect", "frobnicate <!channel> & <@U1>"]
)
def test_mentions_in_a_question_come_back_escaped(page, question):
    page.send(f"/aipm {question}")
    shown = text_of(page.last())
    assert "&lt;!channel&gt;" in shown
    assert "<!channel>" not in shown and "<@U1>" not in shown


@pytest.mark.parametrize("text", ["/aipm frobnicate the roadmap", "/aipm " + "why " * 400])
def test_unknown_subcommands_and_long_text_are_answered_as_questions(page, text):
    assert page.send(text)["kind"] == "ephemeral"
    answer = page.last()
    assert answer["author"] == page.state()["bot"]["id"]
    assert "You asked" in text_of(answer) or "I have no tip on" in text_of(answer)


def test_an_unknown_slash_command_gets_slackbots_reply_and_plain_text_stays_in_the_channel(page):
    assert page.send("/frobnicate now")["kind"] == "slackbot"
    assert "is not a valid command" in page.last()["text"]
    assert page.send("hello team <b>bold</b>")["kind"] == "message"
    assert page.last(BEN, kind="message")["text"] == "hello team <b>bold</b>"


@pytest.mark.parametrize(("user", "zone"), [(ANA, "Europe/Berlin"), (BEN, "America/New_York")])
def test_subscribe_uses_the_simulated_persons_time_zone(page, user, zone):
    page.send("/aipm subscribe", user=user)
    assert zone in page.state(user)["channel"]["topic"]


def test_gaps_are_for_the_admin_only(page):
    page.send("/aipm gaps", user=BEN)
    assert "only curators" in page.last(BEN)["text"]
    page.send("/aipm gaps", user=ANA)
    assert "only curators" not in page.last(ANA)["text"]


def test_app_home_shows_the_published_view(page):
    page.send("/aipm what is the ikea effect")
    page.post(
        "/api/action",
        {
            "user": ANA,
            "target": page.last()["id"],
            "action_id": "aipm_feedback",
            "value": "positive",
        },
    )
    opened = page.post("/api/home", {"user": ANA})
    assert opened["ok"] and opened["view"]["type"] == "home"
    assert "The Ikea effect" in json.dumps(opened["view"]["blocks"])
    assert page.state(ANA)["home"]["id"] == opened["view"]["id"]


def test_the_page_and_its_scripts_are_served(page):
    status, html = page.get("/")
    assert status == 200 and 'data-testid="composer"' in html
    assert page.get("/static/render.js")[0] == 200
    assert page.get("/static/..%2Fserver.py")[0] == 404
    assert page.get("/static/../server.py")[0] == 404


def test_the_page_api_refuses_requests_other_sites_could_forge(page):
    with pytest.raises(urllib.error.HTTPError) as caught:
        page.post("/api/send", {"user": ANA, "text": "/aipm tip"}, content_type="text/plain")
    assert caught.value.code == 403


def test_the_bot_behind_it_checks_slack_signatures(playground):
    request = urllib.request.Request(
        playground.bot_url,
        data=b"command=%2Faipm&text=tip",
        headers={"Content-Type": FORM},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 401


def test_signatures_are_slacks_v0_scheme():
    body = "command=%2Faipm&text=hi"
    headers = signed_headers("s3cret", body, timestamp=1_700_000_000)
    verifier = SignatureVerifier(
        "s3cret", clock=type("C", (), {"now": lambda self: 1_700_000_010})()
    )
    assert verifier.is_valid(
        body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
    assert not verifier.is_valid(
        body + "x", headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )


@pytest.mark.parametrize(
    ("method", "args", "authorization", "error"),
    [
        ("files.upload", {}, "Bearer xoxb-t", "unknown_method"),
        ("auth.test", {}, "", "not_authed"),
        ("auth.test", {}, "Bearer xoxb-wrong", "invalid_auth"),
        (
            "chat.postMessage",
            {"channel": "C999", "text": "hi"},
            "Bearer xoxb-t",
            "channel_not_found",
        ),
        ("chat.postMessage", {"channel": CHANNEL["id"]}, "Bearer xoxb-t", "no_text"),
        ("users.info", {"user": "U404"}, "Bearer xoxb-t", "user_not_found"),
    ],
)
def test_the_web_api_refuses_what_slack_refuses(method, args, authorization, error):
    assert new_workspace("xoxb-t").call(method, args, authorization=authorization) == {
        "ok": False,
        "error": error,
    }


def test_history_finds_a_message_by_ts_with_its_metadata():
    api = new_workspace("xoxb-t")
    auth = "Bearer xoxb-t"
    metadata = json.dumps({"event_type": "aipm_tip", "event_payload": {"tip_id": "x"}})
    ts = api.call(
        "chat.postMessage",
        {"channel": CHANNEL["id"], "text": "a", "metadata": metadata},
        authorization=auth,
    )["ts"]
    api.call("chat.postMessage", {"channel": CHANNEL["id"], "text": "b"}, authorization=auth)
    found = api.call(
        "conversations.history",
        {
            "channel": CHANNEL["id"],
            "latest": ts,
            "oldest": ts,
            "inclusive": "true",
            "include_all_metadata": "true",
        },
        authorization=auth,
    )
    assert [m["ts"] for m in found["messages"]] == [ts]
    assert found["messages"][0]["metadata"]["event_payload"] == {"tip_id": "x"}


def test_a_taken_port_is_a_clear_message(settings, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        from dataclasses import replace

        assert run_playground(replace(settings, port=port)) == 2
    assert f"127.0.0.1:{port}" in capsys.readouterr().err


def test_serve_playground_prints_its_address_and_stops_on_sigterm(tmp_path, knowledge_dir):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "PORT": str(port),
        "COACH_DB": str(tmp_path / "c.db"),
        "COACH_KNOWLEDGE": str(knowledge_dir),
        "COACH_SCHEDULER": "0",
    }
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        env.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--auto-playground"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stdout.readline()
        assert f"http://127.0.0.1:{port}" in first
        assert Page(f"http://127.0.0.1:{port}").send("/aipm tip")["kind"] == "ephemeral"
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Playground stopped." in out


def test_the_scheduler_posts_only_in_the_playground_channel(playground, settings):
    from bot.core import subscriptions

    store = playground.runtime.coach.store
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)  # so today's post is due
    subscriptions.subscribe(store, "C0REALCHAN", "00:00 UTC daily", now=yesterday)
    subscriptions.subscribe(store, CHANNEL["id"], "00:00 UTC daily", now=yesterday)
    results = playground.runtime.scheduler.tick()
    assert [(r.channel, r.status) for r in results] == [(CHANNEL["id"], "posted")]
    assert store.subscription("C0REALCHAN")["paused"] == 0
    assert [p.channel for p in store.posts()] == [CHANNEL["id"]]
    assert playground.api.messages()[-1]["metadata"]["event_payload"]["kind"] == "daily"


def test_the_playground_answers_healthz_with_the_full_report(playground):
    # Issue 21 item 5: it answered "not found". It is local (127.0.0.1), so the full
    # report is shown, paths included.
    reply = get(f"{playground.url}/healthz")
    assert reply.status == 200
    report = reply.json()
    assert report["ok"] is True and report["database"]["ok"] is True
    assert report["knowledge"]["tips"] > 0
