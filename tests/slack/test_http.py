"""The HTTP door: unsigned, stale or malformed requests get a 4xx, never a 500 or a crash."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.parse

import pytest

from bot.fakeslack.signing import get, post, sign
from bot.slack.http import MAX_BODY

IKEA = "the-ikea-effect"


def command_body(text: str = "what is the ikea effect") -> str:
    return urllib.parse.urlencode(
        {
            "command": "/aipm",
            "text": text,
            "user_id": "U1",
            "channel_id": "C1",
            "team_id": "T1",
            "response_url": "http://127.0.0.1:9/x",
            "trigger_id": "t",
        }
    )


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": "1e10", "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": "-5", "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": "99999999999999999999999", "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": "NOW", "X-Slack-Signature": "v0=deadbeef"},
        {"X-Slack-Request-Timestamp": "NOW"},
    ],
    ids=["none", "letters", "float", "negative", "huge", "wrong-signature", "no-signature"],
)
def test_unsigned_or_malformed_headers_get_401_and_record_nothing(running_bot, headers):
    headers = {k: (str(int(time.time())) if v == "NOW" else v) for k, v in headers.items()}
    body = command_body("recipe for banana bread")
    reply = post(
        running_bot.url, body, {"Content-Type": "application/x-www-form-urlencoded", **headers}
    )
    assert reply.status == 401
    assert running_bot.store.gaps() == []


def test_stale_signature_gets_401(running_bot):
    old = str(int(time.time()) - 600)
    body = command_body()
    reply = post(
        running_bot.url,
        body,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": old,
            "X-Slack-Signature": sign(running_bot.slack.secret, body, old),
        },
    )
    assert reply.status == 401


def test_signature_for_another_body_gets_401(running_bot):
    ts = str(int(time.time()))
    reply = post(
        running_bot.url,
        command_body("banana bread"),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sign(running_bot.slack.secret, command_body("other"), ts),
        },
    )
    assert reply.status == 401


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ("payload=%7Bbroken", "application/x-www-form-urlencoded"),
        ("hello=world", "application/x-www-form-urlencoded"),
    ],
)
def test_signed_but_malformed_bodies_get_400(running_bot, body, content_type):
    assert running_bot.slack.signed(body, content_type).status == 400


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "event_callback", "event_id": "E1"},
        {"type": "event_callback", "event_id": "E2", "event": {"type": "no_such_event"}},
        {"type": "event_callback", "event_id": "E3", "event": {"type": "reaction_added"}},
        {
            "type": "event_callback",
            "event_id": "E4",
            "event": {"type": "reaction_added", "item": "x", "user": 5},
        },
        {"type": "block_actions", "actions": [{"action_id": "who_knows"}], "user": {"id": "U1"}},
        {"type": "something_else"},
    ],
    ids=[
        "no-event",
        "unknown-event",
        "missing-fields",
        "wrong-types",
        "unknown-action",
        "unknown-type",
    ],
)
def test_signed_requests_of_unknown_shape_are_harmless(running_bot, payload):
    if payload["type"] == "block_actions":
        reply = running_bot.slack.signed(
            urllib.parse.urlencode({"payload": json.dumps(payload)}),
            "application/x-www-form-urlencoded",
        )
    else:
        reply = running_bot.slack.signed(json.dumps(payload), "application/json")
    assert reply.status in (200, 400, 404)
    assert running_bot.store.tip_tallies() == {}
    assert running_bot.slack.command("what is the ikea effect").status == 200, (
        "the server keeps serving"
    )


def test_a_body_over_the_cap_is_refused_with_413(running_bot):
    body = "text=" + "a" * (MAX_BODY + 1)
    reply = running_bot.slack.signed(body, "application/x-www-form-urlencoded")
    assert reply.status == 413
    assert MAX_BODY <= 4 * 1024 * 1024


def test_url_verification_challenge_is_answered(running_bot):
    reply = running_bot.slack.signed(
        json.dumps({"type": "url_verification", "challenge": "abc123"}), "application/json"
    )
    assert reply.status == 200 and "abc123" in reply.body


def test_healthz_reports_database_and_knowledge(running_bot):
    reply = get(running_bot.url.replace("/slack/events", "/healthz"))
    assert reply.status == 200
    report = reply.json()
    assert report["database"]["ok"] is True
    assert report["knowledge"]["tips"] == len(running_bot.coach.library.base)


def test_other_paths_and_methods(running_bot):
    assert get(running_bot.url.replace("/slack/events", "/nope")).status == 404
    assert get(running_bot.url).status == 405


def test_malformed_request_logs_one_line_and_no_traceback(running_bot, caplog):
    caplog.set_level(logging.INFO)
    running_bot.slack.signed("{not json", "application/json")
    lines = [r for r in caplog.records if r.name.startswith("bot.")]
    assert len(lines) == 1 and lines[0].exc_info is None


@pytest.mark.parametrize("timestamp", ["¹", "1¹", "²³"], ids=["one", "mixed", "two"])
def test_a_non_ascii_digit_timestamp_gets_401_not_500(running_bot, timestamp, caplog):
    """Issue 15 item 8: `'¹'.isdigit()` is True but `int('¹')` raises."""
    assert timestamp.isdigit()
    caplog.set_level(logging.INFO)
    reply = post(
        running_bot.url,
        command_body("recipe for banana bread").encode(),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": "v0=00",
        },
    )
    assert reply.status == 401
    assert running_bot.store.gaps() == []
    assert not [r for r in caplog.records if r.exc_info]


def test_a_signed_body_that_is_not_utf8_gets_401(running_bot):
    """Slack only sends UTF-8: bytes that are not cannot be Slack's, whatever they are signed with."""
    ts = str(int(time.time()))
    body = b"command=%2Faipm&text=\xff\xfe"
    digest = hmac.new(
        running_bot.slack.secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256
    )
    reply = post(
        running_bot.url,
        body,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": "v0=" + digest.hexdigest(),
        },
    )
    assert reply.status == 401
    assert running_bot.store.gaps() == []


def test_a_signature_is_checked_once_per_request(running_bot, monkeypatch):
    from slack_sdk.signature import SignatureVerifier

    checks = []
    real = SignatureVerifier.is_valid

    def counting(self, *args, **kwargs):
        checks.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SignatureVerifier, "is_valid", counting)
    assert running_bot.slack.command("what is the ikea effect").status == 200
    assert len(checks) == 1


WRONG_SHAPES = {
    "event-is-a-string": {"type": "event_callback", "event_id": "E5", "event": "x"},
    "event-is-a-list": {"type": "event_callback", "event_id": "E6", "event": ["reaction_added"]},
    "event-type-is-a-dict": {"type": "event_callback", "event_id": "E7", "event": {"type": {}}},
    "actions-is-a-string": {"type": "block_actions", "actions": "x", "user": {"id": "U1"}},
    "actions-hold-strings": {"type": "block_actions", "actions": ["x"], "user": {"id": "U1"}},
    "user-is-a-string": {"type": "block_actions", "actions": [], "user": "U1"},
    "view-is-a-string": {"type": "view_submission", "view": "x", "user": {"id": "U1"}},
    "view-callback-id-is-a-number": {
        "type": "view_submission",
        "view": {"callback_id": 5, "state": "x"},
        "user": {"id": "U1"},
    },
    "reaction-is-a-number": {
        "type": "event_callback",
        "event_id": "E9",
        "event": {
            "type": "reaction_added",
            "user": "U1",
            "reaction": 5,
            "item": {"type": "message", "channel": "C1", "ts": "1.1"},
        },
    },
    "authorizations-is-a-string": {
        "type": "event_callback",
        "event_id": "E8",
        "event": {"type": "reaction_added"},
        "authorizations": "x",
    },
}


@pytest.mark.parametrize("payload", WRONG_SHAPES.values(), ids=WRONG_SHAPES.keys())
def test_signed_payloads_of_the_wrong_shape_get_400_or_200_never_500(running_bot, payload):
    """Issue 15 item 9: a field of the wrong JSON type is Slack's mistake or an attack: 4xx."""
    if payload["type"] == "event_callback":
        reply = running_bot.slack.signed(json.dumps(payload), "application/json")
    else:
        reply = running_bot.slack.signed(
            urllib.parse.urlencode({"payload": json.dumps(payload)}),
            "application/x-www-form-urlencoded",
        )
    assert reply.status in (200, 400), reply.status
    assert running_bot.store.tip_tallies() == {}
    assert running_bot.slack.command("what is the ikea effect").status == 200
