"""`serve` that cannot listen (port taken, host unknown or not ours): one line naming the fix, exit 2."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import BOT_TOKEN, SECRET
from tests.helpers.processes import bot_env, run_bot


@pytest.fixture
def taken_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    yield sock.getsockname()[1]
    sock.close()


def serve_env(tmp_path, fake_slack, **extra) -> dict:
    return bot_env(
        tmp_path,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake_slack.url,
        COACH_SCHEDULER="0",
        **extra,
    )


def test_a_taken_port_says_which_address_and_what_to_set(tmp_path, fake_slack, taken_port):
    env = serve_env(tmp_path, fake_slack, COACH_HOST="127.0.0.1", PORT=str(taken_port))
    result = run_bot(["serve"], env)
    assert result.returncode == 2, result.stderr
    assert f"127.0.0.1:{taken_port}" in result.stderr and "PORT" in result.stderr
    assert "Traceback" not in result.stderr and "This is a bug" not in result.stderr


@pytest.mark.parametrize("host", ["no.such.host.invalid", "8.8.8.8", "999.1.1.1"])
def test_a_host_that_cannot_be_bound_names_coach_host(tmp_path, fake_slack, host):
    env = serve_env(tmp_path, fake_slack, COACH_HOST=host, PORT="38123")
    result = run_bot(["serve"], env)
    assert result.returncode == 2, result.stderr
    assert "COACH_HOST" in result.stderr and host in result.stderr
    assert "Traceback" not in result.stderr and "This is a bug" not in result.stderr
