"""`python -m bot serve` as a real process: settings, start-up refusals, reload, SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time

import pytest

from tests.conftest import BOT_TOKEN, ROOT, SECRET
from tests.helpers.processes import (
    bot_env,
    daily_posts,
    run_bot,
    socket_serve,
    subscribe_at_midnight,
)


def test_serve_without_tokens_names_each_variable_and_exits_2(tmp_path):
    result = run_bot(["serve"], bot_env(tmp_path))
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr and "SLACK_SIGNING_SECRET" in result.stderr
    assert "OAuth & Permissions" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [("PORT", "eighty"), ("SLACK_API_URL", "slack.example"), ("COACH_LOG_QUESTIONS", "maybe")],
)
def test_malformed_setting_names_the_variable_and_the_fix(tmp_path, variable, value):
    result = run_bot(["ask", "ikea"], bot_env(tmp_path, **{variable: value}))
    assert result.returncode == 2
    assert variable in result.stderr and "use" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_an_invalid_knowledge_base(tmp_path):
    broken = tmp_path / "kb"
    broken.mkdir()
    (broken / "tips.yaml").write_text("tips:\n  - id: x\n    title: [unclosed\n")
    env = bot_env(
        tmp_path,
        COACH_KNOWLEDGE=str(broken),
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
    )
    result = run_bot(["serve"], env)
    assert result.returncode == 1
    assert f"{broken / 'tips.yaml'}:4:" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("fault", ["missing-folder", "corrupt", "read-only-folder", "folder"])
def test_storage_faults_at_start_name_the_file_and_the_fix(tmp_path, fault):
    if fault == "missing-folder":
        db = tmp_path / "nope" / "coach.db"
    elif fault == "corrupt":
        db = tmp_path / "coach.db"
        db.write_bytes(b"this is not a database" * 100)
    elif fault == "folder":
        db = tmp_path / "coach.db"
        db.mkdir()
    else:
        if os.geteuid() == 0:
            pytest.skip("root can write to read-only folders")
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)
        db = folder / "coach.db"
    result = run_bot(["stats"], bot_env(tmp_path, COACH_DB=str(db)))
    assert result.returncode == 2
    assert str(db) in result.stderr
    assert "COACH_DB" in result.stderr or "backup" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_answers_reloads_and_stops_cleanly_on_sigterm(served, tmp_path, fake_slack):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "base.yaml").write_text(
        (ROOT / "knowledge" / "ai-product-management-and-its-future.yaml").read_text()
    )
    bot = served(COACH_KNOWLEDGE=str(kb), COACH_SCHEDULER="0")
    assert "Ikea" in bot.slack.command("what is the ikea effect").body
    extra = kb / "zz-extra.yaml"
    extra.write_text(
        "tips:\n  - id: sourdough-starters\n    title: Sourdough starters for PMs\n"
        "    text: Feed your sourdough starter daily, like a backlog.\n    tags: [baking]\n"
        "    questions: [how do I feed a sourdough starter, sourdough starter tips, keep my starter alive]\n"
        "    source: {note: Baking, timestamp: '00:01:00', url: 'https://example.com/bake'}\n"
    )
    bot.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while "Sourdough" not in bot.slack.command("how do I feed a sourdough starter").body:
        assert time.monotonic() < deadline, bot.output()
        time.sleep(0.2)
    extra.write_text("tips:\n  - id: [broken\n")
    bot.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while f"knowledge not reloaded: {extra}:3:" not in bot.output():
        assert time.monotonic() < deadline, bot.output()
        time.sleep(0.2)
    assert "Sourdough" in bot.slack.command("how do I feed a sourdough starter").body, (
        "last good base kept"
    )
    code, _ = bot.stop()  # within the helper's 15 s wait, or the test fails there
    assert code == 0 and "stopped cleanly" in bot.output()
    assert BOT_TOKEN not in bot.output() and SECRET not in bot.output()


def test_tokens_never_reach_the_logs_when_slack_rejects_them(served, fake_slack):
    bot = served(COACH_SCHEDULER="0")
    fake_slack.fail_next("chat.postMessage", error="invalid_auth", times=3)
    bot.slack.action("share_tip", "the-ikea-effect", user="U1", channel="C1")
    fake_slack.fail_next("users.info", status=500, times=3)
    bot.slack.command("subscribe 09:00", channel="C2")
    bot.stop()
    out = bot.output()
    assert BOT_TOKEN not in out and SECRET not in out
    assert "xoxb-" not in out


def test_two_processes_against_one_database_post_once(served, tmp_path, fake_slack):
    subscribe_at_midnight(tmp_path)
    first = served(COACH_TICK_SECONDS="0.2")
    second = served(COACH_TICK_SECONDS="0.2")
    assert len(daily_posts(fake_slack, at_least=1)) == 1
    time.sleep(1)  # several more ticks of both processes
    for bot in (first, second):
        assert bot.stop()[0] == 0
    assert len(daily_posts(fake_slack)) == 1
    with sqlite3.connect(tmp_path / "coach.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM posts WHERE kind = 'daily'").fetchone()[0] == 1


def test_restart_does_not_post_again(served, tmp_path, fake_slack):
    subscribe_at_midnight(tmp_path)
    bot = served(COACH_TICK_SECONDS="0.2")
    assert len(daily_posts(fake_slack, at_least=1)) == 1
    assert bot.stop()[0] == 0
    again = served(COACH_TICK_SECONDS="0.2")
    time.sleep(1)  # start-up catch-up and several ticks
    assert again.stop()[0] == 0
    assert len(daily_posts(fake_slack)) == 1


def test_sigterm_finishes_work_in_flight(served, fake_slack):
    bot = served(COACH_SCHEDULER="0")
    # Slack takes 1.5 s to answer the share's chat.postMessage; SIGTERM comes meanwhile.
    fake_slack.fail_next("chat.postMessage", delay=1.5, post_anyway=True)
    assert bot.slack.action("share_tip", "the-ikea-effect", user="U1", channel="C3").status == 200
    code, _ = bot.stop()
    assert code == 0
    assert len(fake_slack.messages("C3")) == 1
    assert fake_slack.calls("response_url"), "the share was carried through to its message update"


def test_socket_mode_answers_a_slash_command_and_stops_cleanly(tmp_path, fake_slack):
    from bot.fakeslack.socket_mode import FakeSocketMode

    socket_mode = FakeSocketMode()
    log = tmp_path / "socket.log"
    proc, out = socket_serve(tmp_path, fake_slack, socket_mode, COACH_SCHEDULER="0")
    with out:
        try:
            assert socket_mode.wait_connected(), log.read_text()
            socket_mode.send(
                {
                    "envelope_id": "env-1",
                    "type": "slash_commands",
                    "accepts_response_payload": True,
                    "payload": {
                        "command": "/aipm",
                        "text": "what is the ikea effect",
                        "user_id": "U1",
                        "channel_id": "C1",
                        "team_id": "T1",
                        "response_url": "http://127.0.0.1:9/x",
                        "trigger_id": "t",
                    },
                }
            )
            reply = socket_mode.replies("env-1")
            assert reply is not None, log.read_text()
            assert "Ikea" in json.dumps(reply["payload"])
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=15) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
            socket_mode.close()
    assert "xapp-test-0123456789" not in log.read_text()


def test_socket_mode_with_a_refused_app_token_says_so_in_one_line_and_exits_2(tmp_path, fake_slack):
    fake_slack.respond("apps.connections.open", {"ok": False, "error": "invalid_auth"})
    env = bot_env(
        tmp_path,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN="xapp-test-0123456789",
        SLACK_API_URL=fake_slack.url,
        COACH_SCHEDULER="0",
    )
    result = run_bot(["serve"], env)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if "SLACK_APP_TOKEN" in line]
    assert len(lines) == 1 and "invalid_auth" in lines[0] and "connections:write" in lines[0]
    assert "This is a bug" not in result.stderr and "Traceback" not in result.stderr
    assert "xapp-test-0123456789" not in result.stderr + result.stdout
