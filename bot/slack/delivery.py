"""The Slack side of daily posting: chat.postMessage and its errors, as a `Deliverer`.

Slack failures are mapped to the plain errors of bot/daily/posting.py:

- 429 `ratelimited`: nothing was posted. The WebClient from `make_client` waits
  Retry-After and retries (its `RateLimitErrorRetryHandler`); a 429 that outlasts those
  waits becomes `Unreachable`.
- 5xx, timeouts, connection errors: `Unreachable` (the message MAY exist).
- channel gone (`channel_not_found`, `not_in_channel`, `is_archived`,
  `account_inactive`): `ChannelGone`, with the reason in words.
- any other error: `Refused` with Slack's error code.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from http.client import HTTPException
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.core.knowledge import Tip
from bot.daily.posting import ChannelGone, Refused, Unreachable
from bot.slack.blocks import EVENT_TYPE, HEADERS, tip_message

TIMEOUT = 15
RATE_LIMIT_RETRIES = 3
MAX_RATE_LIMIT_WAIT = 60.0  # seconds; a longer Retry-After is not waited out
HISTORY_PAGES = 5
CHANNEL_GONE = {
    "channel_not_found": "the channel was not found (deleted, or private without me)",
    "not_in_channel": "I am not a member of the channel",
    "is_archived": "the channel was archived",
    "account_inactive": "my Slack account is inactive",
}
_TRANSIENT = (OSError, URLError, HTTPException, SlackRequestError)


class RateLimitWait(RateLimitErrorRetryHandler):
    """slack_sdk's 429 retry handler, waiting exactly Retry-After (at least 1 s) on `sleep`.

    The built-in one sleeps on `time.sleep` with random jitter; an injectable sleep lets
    tests and benchmarks see the wait without spending it. A Retry-After over
    MAX_RATE_LIMIT_WAIT (a day, `inf`, garbage digits) is not retried: the call fails
    at once as rate-limited, and the poster defers, rather than parking a thread for ever.
    """

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return (
            super()._can_retry(state=state, request=request, response=response, error=error)
            and _retry_after(response.headers) <= MAX_RATE_LIMIT_WAIT
        )

    def __init__(
        self,
        *,
        max_retry_count: int = RATE_LIMIT_RETRIES,
        sleep: Callable[[float], None] = time.sleep,
    ):
        super().__init__(max_retry_count=max_retry_count)
        self.sleep = sleep

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        """Wait Retry-After, then ask the client for one more attempt."""
        if response is None:
            raise error  # the handler only takes 429 responses; anything else is not ours
        state.next_attempt_requested = True
        self.sleep(_retry_after(response.headers))
        state.increment_current_attempt()


def make_client(
    settings, *, timeout: int = TIMEOUT, sleep: Callable[[float], None] = time.sleep
) -> WebClient:
    """The WebClient for the bot: Slack's URL from settings, a timeout, 429s waited out.

    Only rate limits are retried by the client (a 429 means nothing was posted); the
    default connection-error retry is left out on purpose, since re-sending a message
    after a dropped connection could post it twice. `Poster` handles those. `sleep` is
    what the rate-limit wait sleeps on.
    """
    return WebClient(
        token=settings.bot_token or None,
        base_url=settings.api_url,
        timeout=timeout,
        retry_handlers=[RateLimitWait(sleep=sleep)],
    )


class ServerErrorWait(ServerErrorRetryHandler):
    """slack_sdk's 5xx retry handler for every 5xx (the built-in one retries 500 and 503 only)."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code >= 500


def once_only_client(client: WebClient, *, token: str | None = None, retries: int = 3) -> WebClient:
    """A copy of `client` (optionally with another token) that also retries 5xx answers,
    dropped connections and time-outs, `retries` times each.

    Only for calls Slack applies at most once however often they are sent, such as
    functions.completeSuccess / completeError (a second completion is refused, not
    repeated): a chat.postMessage sent twice would post twice.
    """
    connection = ConnectionErrorRetryHandler(
        max_retry_count=retries,
        error_types=[URLError, ConnectionError, HTTPException, TimeoutError],
    )
    return WebClient(
        token=token or client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        retry_handlers=[RateLimitWait(), ServerErrorWait(max_retry_count=retries), connection],
    )


class SlackDeliverer:
    """Implements `bot.daily.posting.Deliverer` with a WebClient.

    Make the client with `make_client` so rate limits are waited out; `command` is the
    slash command named in the "paused" DM.
    """

    def __init__(self, client: WebClient, *, command: str = "/aipm"):
        self.client = client
        self.command = command

    def post_tip(
        self,
        channel: str,
        tip: Tip,
        *,
        kind: str,
        local_date: str,
        header: str | None = None,
        shared_by: str | None = None,
        nonce: str | None = None,
        asked_by: str | None = None,
        question: str | None = None,
    ) -> str:
        """chat.postMessage of the tip's Block Kit message; returns its ts."""
        message = tip_message(
            tip,
            local_date=local_date,
            header=header or HEADERS.get(kind, "An AI PM tip"),
            kind=kind,
            shared_by=shared_by,
            nonce=nonce,
            asked_by=asked_by,
            question=question,
        )
        try:
            return self.client.chat_postMessage(channel=channel, **message)["ts"]
        except SlackApiError as exc:
            raise _classify(exc) from None
        except _TRANSIENT as exc:
            raise Unreachable(type(exc).__name__) from None

    def find_tip(self, channel: str, *, since: float, match: Mapping[str, str]) -> str | None:
        """conversations.history since `since`, looking for our tip metadata with `match`."""
        cursor = None
        for _page in range(HISTORY_PAGES):
            try:
                response = self.client.conversations_history(
                    channel=channel,
                    oldest=f"{since:.6f}",
                    include_all_metadata=True,
                    limit=200,
                    cursor=cursor,
                )
            except SlackApiError as exc:
                raise _classify(exc) from None
            except _TRANSIENT as exc:
                raise Unreachable(type(exc).__name__) from None
            for message in response.get("messages") or []:
                metadata = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if metadata.get("event_type") == EVENT_TYPE and all(
                    payload.get(k) == v for k, v in match.items()
                ):
                    return message.get("ts")
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        return None

    def tell_paused(self, user: str, channel: str, reason: str) -> None:
        """DM the subscriber that the channel's daily tip is paused and how to resume."""
        text = (
            f"I paused the daily AI PM tip for <#{channel}>: {reason}. "
            f"Once I can post there again, run `{self.command} subscribe` in that channel to resume."
        )
        try:
            self.client.chat_postMessage(channel=user, text=text)
        except SlackApiError as exc:
            raise _classify(exc) from None
        except _TRANSIENT as exc:
            raise Unreachable(type(exc).__name__) from None


def _classify(exc: SlackApiError) -> Exception:
    response = exc.response
    error = response.get("error") if isinstance(response.data, dict) else None
    if response.status_code == 429 or error == "ratelimited":
        return Unreachable("ratelimited")
    if response.status_code >= 500:
        return Unreachable(f"HTTP {response.status_code}")
    if error in CHANNEL_GONE:
        return ChannelGone(error, CHANNEL_GONE[error])
    return Refused(error or f"HTTP {response.status_code}")


def _retry_after(headers: Mapping) -> float:
    raw = next((v for k, v in (headers or {}).items() if k.lower() == "retry-after"), None)
    try:
        seconds = float(raw[0] if isinstance(raw, list) else raw)
    except (TypeError, ValueError, OverflowError):
        return 1.0
    return max(1.0, seconds) if math.isfinite(seconds) else math.inf
