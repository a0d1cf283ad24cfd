"""Requests to the bot, built and signed the way Slack builds and signs them (v0 HMAC)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass


def sign(secret: str, body: str, timestamp: str) -> str:
    """Slack's `X-Slack-Signature` for a body sent at `timestamp`."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Reply:
    """An HTTP response from the bot."""

    status: int
    body: str
    headers: dict

    def json(self) -> dict:
        return json.loads(self.body)


def post(url: str, body: str | bytes, headers: dict, *, timeout: float = 10) -> Reply:
    """POST raw bytes and return the status and body, 4xx/5xx included."""
    data = body.encode() if isinstance(body, str) else body
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Reply(response.status, response.read().decode(), dict(response.headers))
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, exc.read().decode(errors="replace"), dict(exc.headers))


def get(url: str, *, timeout: float = 10) -> Reply:
    """GET a URL and return the status and body."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return Reply(response.status, response.read().decode(), dict(response.headers))
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, exc.read().decode(errors="replace"), dict(exc.headers))


class SlackSender:
    """Sends slash commands, events and button clicks to the bot's /slack/events."""

    def __init__(self, url: str, secret: str, *, response_url: str = "", bot_user: str = "UBOT"):
        self.url = url
        self.secret = secret
        self.response_url = response_url
        self.bot_user = bot_user

    def signed(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: str | None = None,
        extra: dict | None = None,
    ) -> Reply:
        """POST a body with valid signature headers (optionally an explicit timestamp)."""
        ts = timestamp or str(int(time.time()))
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sign(self.secret, body, ts),
            **(extra or {}),
        }
        return post(self.url, body, headers)

    def command(
        self, text: str, *, user: str = "U1", channel: str = "C1", command: str = "/aipm"
    ) -> Reply:
        """A slash command, form-encoded as Slack sends it."""
        body = urllib.parse.urlencode(
            {
                "token": "legacy",
                "team_id": "T1",
                "team_domain": "acme",
                "channel_id": channel,
                "channel_name": "product",
                "user_id": user,
                "user_name": user.lower(),
                "command": command,
                "text": text,
                "api_app_id": "A1",
                "response_url": self.response_url,
                "trigger_id": f"trigger.{uuid.uuid4().hex}",
            }
        )
        return self.signed(body, "application/x-www-form-urlencoded")

    def event(self, event: dict, *, event_id: str | None = None, retry: int | None = None) -> Reply:
        """An Events API callback (JSON); `retry` adds Slack's X-Slack-Retry-Num header."""
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": "T1",
                "api_app_id": "A1",
                "type": "event_callback",
                "event_id": event_id or f"Ev{uuid.uuid4().hex[:12]}",
                "event_time": int(time.time()),
                "authorizations": [{"team_id": "T1", "user_id": self.bot_user, "is_bot": True}],
                "event": event,
            }
        )
        extra = (
            {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
            if retry
            else None
        )
        return self.signed(body, "application/json", extra=extra)

    def reaction(
        self,
        name: str,
        *,
        user: str,
        channel: str,
        ts: str,
        removed: bool = False,
        event_id: str | None = None,
        retry: int | None = None,
        item_user: str | None = None,
    ) -> Reply:
        """reaction_added / reaction_removed on a message."""
        event = {
            "type": "reaction_removed" if removed else "reaction_added",
            "user": user,
            "reaction": name,
            "item_user": item_user or self.bot_user,
            "item": {"type": "message", "channel": channel, "ts": ts},
            "event_ts": f"{time.time():.6f}",
        }
        return self.event(event, event_id=event_id, retry=retry)

    def action(self, action_id: str, value: str, *, user: str = "U1", channel: str = "C1") -> Reply:
        """A block_actions click on an ephemeral message, form-encoded with `payload=`."""
        payload = {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": user, "team_id": "T1"},
            "api_app_id": "A1",
            "token": "legacy",
            "trigger_id": f"trigger.{uuid.uuid4().hex}",
            "container": {
                "type": "message",
                "message_ts": "1700000000.000001",
                "channel_id": channel,
                "is_ephemeral": True,
            },
            "channel": {"id": channel},
            "response_url": self.response_url,
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": f"rate:{value}",
                    "value": value,
                    "type": "button",
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return self.signed(body, "application/x-www-form-urlencoded")
