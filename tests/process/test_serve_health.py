"""`/healthz`: what it tells anyone (HTTP mode), the Socket Mode health port, the playground.

Also: `serve` refuses unusable tick settings, and /healthz fails once the scheduler thread
is dead; `serve` warns when COACH_DB would not survive a reboot.
"""

from __future__ import annotations

import json
import signal
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest

from bot.core.coach import Coach
from bot.serve import Runtime
from bot.slack.http import HttpServer, SlackWSGI
from tests.conftest import BOT_TOKEN, SECRET, make_settings
from tests.helpers.processes import bot_env, free_port, run_bot, socket_serve


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
    wsgi = SlackWSGI(runtime.app, signing_secret=SECRET, health=runtime.public_health)
    server = HttpServer(wsgi, host="127.0.0.1", port=0)
    threading.Thread(target=server.serve, daemon=True).start()
    try:
        runtime.start_background()
        deadline = time.monotonic() + 10
        while runtime.scheduler.running and time.monotonic() < deadline:
            time.sleep(0.02)
        status, report = _healthz(f"http://127.0.0.1:{server.port}/healthz")
        assert status == 503
        assert report == {
            "ok": False,
            "checks": {"database": "ok", "scheduler": "stopped (OverflowError)"},
        }
        assert "OverflowError" in runtime.health()["scheduler"]["error"]
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


def test_public_healthz_names_no_path_folder_or_migration(served, tmp_path):
    # Issue 20 item 10: any Host, any Origin got the database path, the knowledge folder
    # and the migrations.
    bot = served(COACH_SCHEDULER="0")
    for headers in ({}, {"Host": "evil.example", "Origin": "https://evil.example"}):
        request = urllib.request.Request(f"{bot.url}/healthz", headers=headers)
        with urllib.request.urlopen(request, timeout=5) as response:
            body = response.read().decode()
        assert json.loads(body) == {"ok": True, "checks": {"database": "ok", "scheduler": "off"}}
        for secret in (str(tmp_path), "coach.db", "knowledge", "m001", "migrations", "/"):
            assert secret not in body
    assert bot.stop()[0] == 0


def test_serve_warns_when_the_database_is_in_the_temp_folder(served):
    bot = served(COACH_SCHEDULER="0")  # the test's folder is under the system temp folder
    assert bot.stop()[0] == 0
    out = bot.output()
    assert "will not survive" in out and "system temp folder" in out
    assert "persistent disk" in out and "docs/operations.md" in out


def _get(url: str) -> tuple[int, dict | None]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        body = exc.read()
        return exc.code, json.loads(body) if body.startswith(b"{") else None
    except OSError:
        return 0, None


def _until(read, want, timeout: float = 20):
    deadline = time.monotonic() + timeout
    value = read()
    while not want(value) and time.monotonic() < deadline:
        time.sleep(0.05)
        value = read()
    return value


def test_socket_mode_answers_healthz_on_the_health_port(tmp_path, fake_slack):
    from bot.fakeslack.socket_mode import FakeSocketMode

    socket_mode = FakeSocketMode()
    port = free_port()
    url = f"http://127.0.0.1:{port}/healthz"
    proc, log = socket_serve(
        tmp_path, fake_slack, socket_mode, COACH_HEALTH_PORT=str(port), COACH_TICK_SECONDS="30"
    )
    try:
        assert socket_mode.wait_connected(), (tmp_path / "socket.log").read_text()
        status, report = _until(lambda: _get(url), lambda r: r[0] == 200)
        assert status == 200, (tmp_path / "socket.log").read_text()
        assert report == {
            "ok": True,
            "checks": {"database": "ok", "scheduler": "running", "slack": "connected"},
        }
        assert _get(f"http://127.0.0.1:{port}/other")[0] == 404
        socket_mode.close()  # Slack goes away: the probe must say so
        status, report = _until(lambda: _get(url), lambda r: r[0] == 503)
        assert status == 503
        assert report["ok"] is False and report["checks"]["slack"] == "not connected to Slack"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        assert _get(url)[0] == 0, "the port is closed once serve stops"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
        socket_mode.close()


def test_a_health_port_in_use_exits_2_naming_the_variable(tmp_path, fake_slack):
    from bot.fakeslack.socket_mode import FakeSocketMode

    socket_mode = FakeSocketMode()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc, log = socket_serve(
            tmp_path, fake_slack, socket_mode, COACH_HEALTH_PORT=str(port), COACH_SCHEDULER="0"
        )
        try:
            assert proc.wait(timeout=30) == 2
        finally:
            if proc.poll() is None:
                proc.kill()
            log.close()
            socket_mode.close()
    out = (tmp_path / "socket.log").read_text()
    assert f"127.0.0.1:{port}" in out and "COACH_HEALTH_PORT" in out
    assert "Traceback" not in out


@pytest.mark.parametrize("raw", ["0", "70000", "http", "-1"])
def test_a_malformed_health_port_is_refused(tmp_path, raw):
    result = run_bot(["stats"], bot_env(tmp_path, COACH_HEALTH_PORT=raw))
    assert result.returncode == 2
    assert f"COACH_HEALTH_PORT={raw!r}" in result.stderr and "1-65535" in result.stderr
