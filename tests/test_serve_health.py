"""`serve` refuses unusable tick settings, and /healthz fails once the scheduler thread is dead."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

import pytest

from bot.core.coach import Coach
from bot.serve import Runtime
from bot.slack.http import HttpServer, SlackWSGI
from tests.conftest import BOT_TOKEN, SECRET, make_settings
from tests.test_serve import bot_env, run_bot


@pytest.mark.parametrize("raw", ["nan", "inf", "1e300", "-0", "0.000001"])
def test_serve_exits_2_naming_the_tick_variable_and_the_fix(tmp_path, raw):
    env = bot_env(
        tmp_path,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        COACH_TICK_SECONDS=raw,
        SLACK_API_URL="http://127.0.0.1:9/",
    )
    result = run_bot(["serve"], env, timeout=20)
    assert result.returncode == 2, result.stderr
    assert f"COACH_TICK_SECONDS={raw!r}" in result.stderr
    assert "use e.g. 30" in result.stderr
    assert "Traceback" not in result.stderr


def _healthz(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_healthz_fails_when_the_scheduler_thread_dies(fake_slack, knowledge_dir, db_path):
    # Settings built in code skip from_env's checks; an infinite tick kills the thread
    # after its first tick (Event.wait overflows), as COACH_TICK_SECONDS=inf once did.
    settings = make_settings(
        fake_slack, knowledge_dir, db_path, scheduler=True, tick_seconds=float("inf")
    )
    runtime = Runtime(settings, Coach.open(settings))
    wsgi = SlackWSGI(runtime.app, signing_secret=SECRET, health=runtime.health)
    server = HttpServer(wsgi, host="127.0.0.1", port=0)
    threading.Thread(target=server.serve, daemon=True).start()
    try:
        runtime.start_background()
        deadline = time.monotonic() + 10
        while runtime.scheduler.running and time.monotonic() < deadline:
            time.sleep(0.02)
        status, report = _healthz(f"http://127.0.0.1:{server.port}/healthz")
        assert status == 503
        assert report["ok"] is False
        assert report["scheduler"]["running"] is False
        assert "OverflowError" in report["scheduler"]["error"]
    finally:
        server.request_stop()
        runtime.stop_background()


def test_healthz_is_ok_while_the_scheduler_runs(fake_slack, knowledge_dir, db_path):
    settings = make_settings(fake_slack, knowledge_dir, db_path, scheduler=True, tick_seconds=30)
    runtime = Runtime(settings, Coach.open(settings))
    try:
        runtime.start_background()
        report = runtime.health()
        assert report["ok"] is True and report["scheduler"]["running"] is True
    finally:
        runtime.stop_background()
    assert runtime.scheduler.health()["running"] is False
