"""The fake Slack over HTTP, as slack_sdk's WebClient and Bolt's response URLs reach it."""

from __future__ import annotations

import http.client
import json

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.fakeslack.server import MAX_BODY, FakeSlack
from bot.fakeslack.signing import post


def test_web_client_calls_are_answered_and_recorded(fake_slack: FakeSlack):
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)
    assert client.auth_test()["user_id"] == "UBOT"
    client.chat_postMessage(
        channel="C1", text="hi", metadata={"event_type": "t", "event_payload": {}}
    )
    (call,) = fake_slack.calls("chat.postMessage")
    assert call.params["channel"] == "C1" and call.token_present
    assert fake_slack.messages("C1")[0]["metadata"]["event_type"] == "t"


def test_scripted_rate_limit_reaches_the_client_with_retry_after(fake_slack: FakeSlack):
    fake_slack.fail_next("chat.postMessage", status=429, headers={"Retry-After": "7"})
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="C1", text="hi")
    assert caught.value.response.status_code == 429
    assert caught.value.response.headers["Retry-After"] == "7"


def test_response_url_posts_are_recorded(fake_slack: FakeSlack):
    body = json.dumps({"text": "answer", "replace_original": True})
    reply = post(fake_slack.response_url, body, {"Content-Type": "application/json"})
    assert reply.status == 200
    assert fake_slack.calls("response_url")[0].params == {
        "text": "answer",
        "replace_original": True,
    }
    assert post(fake_slack.response_url, "[1]", {"Content-Type": "application/json"}).status == 400


def test_an_oversized_body_gets_413_and_records_nothing(fake_slack: FakeSlack):
    host, port = fake_slack.base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        # Only the declared length is judged, so no megabyte needs to cross the socket.
        conn.putrequest("POST", "/api/chat.postMessage")
        conn.putheader("Content-Length", str(MAX_BODY + 1))
        conn.endheaders()
        assert conn.getresponse().status == 413
    finally:
        conn.close()
    assert fake_slack.calls() == []


def test_the_url_needs_a_started_fake():
    with pytest.raises(RuntimeError, match="start the fake Slack first"):
        _ = FakeSlack().url
