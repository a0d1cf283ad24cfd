"""Slack's v0 request signing, and small helpers to POST signed bodies to the bot.

    headers = signed_headers(secret, body, content_type=FORM)
    reply = post(url, body, headers)

The signature is HMAC-SHA256 of `v0:{timestamp}:{body}` keyed with the signing secret,
hex-encoded and prefixed with `v0=`, exactly what Slack sends in `X-Slack-Signature`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def sign(secret: str, body: str | bytes, timestamp: str | int) -> str:
    """Slack's `X-Slack-Signature` value for `body` sent at `timestamp` (Unix seconds)."""
    data = body.encode() if isinstance(body, str) else body
    base = b"v0:" + str(timestamp).encode() + b":" + data
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str,
    body: str | bytes,
    *,
    timestamp: str | int | None = None,
    content_type: str | None = None,
) -> dict[str, str]:
    """The `X-Slack-Request-Timestamp` and `X-Slack-Signature` headers for `body`.

    `timestamp` defaults to now; `content_type`, when given, adds `Content-Type`.
    """
    ts = str(int(time.time()) if timestamp is None else timestamp)
    headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sign(secret, body, ts)}
    if content_type:
        headers = {"Content-Type": content_type, **headers}
    return headers


@dataclass
class Reply:
    """An HTTP response: status (0 when the server could not be reached), body, headers."""

    status: int
    body: str
    headers: dict

    def json(self) -> dict:
        """The body parsed as JSON (raises ValueError when it is not JSON)."""
        return json.loads(self.body)


def post(url: str, body: str | bytes, headers: dict, *, timeout: float = 10) -> Reply:
    """POST raw bytes and return the reply, 4xx/5xx included (raises OSError when unreachable)."""
    data = body.encode() if isinstance(body, str) else body
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    return _open(request, timeout)


def post_signed(
    url: str,
    secret: str,
    body: str,
    content_type: str,
    *,
    timestamp: str | int | None = None,
    extra: dict | None = None,
    timeout: float = 10,
) -> Reply:
    """POST `body` with valid signature headers, as Slack delivers a request to the bot."""
    headers = {
        **signed_headers(secret, body, timestamp=timestamp, content_type=content_type),
        **(extra or {}),
    }
    return post(url, body, headers, timeout=timeout)


def get(url: str, *, timeout: float = 10) -> Reply:
    """GET a URL and return the reply, 4xx/5xx included."""
    return _open(urllib.request.Request(url), timeout)


def _open(request: urllib.request.Request, timeout: float) -> Reply:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Reply(response.status, response.read().decode(), dict(response.headers))
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, exc.read().decode(errors="replace"), dict(exc.headers))
