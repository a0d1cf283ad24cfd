"""Checking the tokens at start-up: wait out Slack's blips, refuse a token Slack rejects.

A deploy that meets a Slack outage (a 5xx, a 429, a dropped connection) keeps retrying
with backoff, logging each attempt, instead of exiting; a token Slack refuses
(`invalid_auth`, `token_revoked`, ...) is a settings problem: `TokenRejected`, one line
naming SLACK_BOT_TOKEN (or SLACK_APP_TOKEN, when Socket Mode cannot connect), exit 2.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from http.client import HTTPException
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.settings import SettingsError

log = logging.getLogger(__name__)

BACKOFF = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
PATIENCE = 600.0
TRANSIENT_ERRORS = {"internal_error", "fatal_error", "service_unavailable", "request_timeout"}


class TokenRejected(SettingsError):
    """Slack refused SLACK_BOT_TOKEN; the message is one line naming it, Slack's error and the fix."""

    def __init__(self, error: str):
        super().__init__(
            [
                f"SLACK_BOT_TOKEN was refused by Slack ({error}): copy the current Bot User "
                "OAuth Token (xoxb-...) from your app's OAuth & Permissions page, reinstalling "
                "the app if it was revoked."
            ]
        )
        self.error = error


class AppTokenRejected(SettingsError):
    """Slack refused SLACK_APP_TOKEN when opening Socket Mode; one line naming it and the fix."""

    def __init__(self, error: str):
        super().__init__(
            [
                f"SLACK_APP_TOKEN was refused by Slack ({error}): create an App-Level Token "
                "(xapp-...) with connections:write under Basic Information > App-Level Tokens, "
                "and check that Socket Mode is on in the app's settings."
            ]
        )
        self.error = error


def connect_socket_mode(handler) -> None:
    """Open the Socket Mode connection (`handler.connect()`, apps.connections.open).

    Raises AppTokenRejected when Slack refuses the app token, SlackUnavailable when Slack
    cannot be reached or answers 5xx/429.
    """
    try:
        handler.connect()
    except SlackApiError as exc:
        status = exc.response.status_code
        error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
        if status < 500 and status != 429 and error not in TRANSIENT_ERRORS:
            raise AppTokenRejected(error or f"HTTP {status}") from None
        raise SlackUnavailable(
            f"Slack did not open a Socket Mode connection (HTTP {status}"
            + (f" {error}" if error else "")
            + "); check the network and SLACK_API_URL, then start again."
        ) from None
    except (OSError, URLError, HTTPException) as exc:
        raise SlackUnavailable(
            f"Slack did not open a Socket Mode connection ({type(exc).__name__}); check the "
            "network and SLACK_API_URL, then start again."
        ) from None


class SlackUnavailable(Exception):
    """Slack could not be reached for `patience` seconds; nothing is wrong with the settings."""


def verify_token(
    client: WebClient,
    *,
    patience: float = PATIENCE,
    backoff: tuple[float, ...] = BACKOFF,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> SlackResponse:
    """auth.test until Slack answers; returns its answer (the bot's user and team).

    Retries 5xx, 429 (waiting Retry-After), time-outs and connection errors with
    `backoff` (its last step repeating), logging each, for up to `patience` seconds; then
    raises SlackUnavailable. Raises TokenRejected at once when Slack refuses the token.
    """
    deadline = clock() + patience
    attempt = 0
    while True:
        try:
            return client.auth_test()
        except SlackApiError as exc:
            status = exc.response.status_code
            error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
            if status < 500 and status != 429 and error not in TRANSIENT_ERRORS:
                raise TokenRejected(error or f"HTTP {status}") from None
            reason = f"HTTP {status}" + (f" {error}" if error else "")
            wait = _retry_after(exc.response.headers) if status == 429 else None
        except (OSError, URLError, HTTPException) as exc:
            reason, wait = type(exc).__name__, None
        wait = wait or backoff[min(attempt, len(backoff) - 1)]
        attempt += 1
        if clock() + wait > deadline:
            raise SlackUnavailable(
                f"Slack did not answer auth.test for {patience:.0f} s ({reason}); "
                "check the network and SLACK_API_URL, then start again."
            )
        log.warning(
            "auth.test failed (%s), attempt %d; Slack may be down, retrying in %.0f s",
            reason,
            attempt,
            wait,
        )
        sleep(wait)


def _retry_after(headers) -> float | None:
    raw: Any = next((v for k, v in (headers or {}).items() if k.lower() == "retry-after"), None)
    try:
        return max(1.0, float(raw[0] if isinstance(raw, list) else raw))
    except (TypeError, ValueError):
        return None
