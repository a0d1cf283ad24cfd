"""The start-up token check: retries Slack's blips with backoff, refuses a rejected token."""

from __future__ import annotations

import socket

import pytest
from slack_sdk import WebClient

from bot.slack.auth import SlackUnavailable, TokenRejected, verify_token
from tests.conftest import BOT_TOKEN


def test_429_waits_retry_after_and_5xx_backs_off(fake_slack, caplog):
    fake_slack.fail_next("auth.test", status=429, headers={"Retry-After": "7"})
    fake_slack.fail_next("auth.test", status=500, times=2)
    slept = []
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.url)
    me = verify_token(client, sleep=slept.append, backoff=(1.0, 2.0))
    assert me["user_id"] == "UBOT"
    assert slept == [7.0, 2.0, 2.0], "Retry-After first, then the backoff's later steps"
    assert caplog.text.count("auth.test failed") == 3


def test_slack_unreachable_gives_up_after_patience_with_one_clear_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]  # nothing listens once the socket is closed
    client = WebClient(token=BOT_TOKEN, base_url=f"http://127.0.0.1:{closed}/api/", timeout=2)
    now = [0.0]
    slept = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    with pytest.raises(SlackUnavailable, match="SLACK_API_URL"):
        verify_token(
            client, patience=20, backoff=(1.0, 2.0, 4.0, 8.0), sleep=sleep, clock=lambda: now[0]
        )
    assert slept == [1.0, 2.0, 4.0, 8.0]


def test_a_rejected_token_is_not_retried(fake_slack):
    fake_slack.fail_next("auth.test", error="token_expired")
    slept = []
    with pytest.raises(TokenRejected, match="SLACK_BOT_TOKEN.*token_expired"):
        verify_token(WebClient(token=BOT_TOKEN, base_url=fake_slack.url), sleep=slept.append)
    assert slept == []
