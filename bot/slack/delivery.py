"""Every message the bot sends goes out here: one error classification, one retry rule.

Each send answers a `Sent` whose status is one of three:

- DELIVERED: Slack answered ok (with the message's ts).
- NOT_DELIVERED: surely nothing was posted: Slack answered `ok: false` or a 4xx (the
  error code, e.g. `channel_not_found`), or a 429 that outlasted the client's waits
  (`ratelimited`), or a DM's conversations.open failed in any way.
- MAYBE_DELIVERED: the message may exist: a 5xx (`HTTP 503`), a time-out, a dropped
  connection or any other failure after the request left (the exception's name).
  `dropped` marks a connection that broke before Slack answered (a reset, a refused
  connection), where Slack almost always saw nothing; a time-out is not dropped.

The retry rule, the same for every message:

1. A 429 is waited out inside the client (`make_client`'s `RateLimitWait`: Retry-After,
   up to RATE_LIMIT_RETRIES times, never longer than MAX_RATE_LIMIT_WAIT); after that the
   send is NOT_DELIVERED.
2. NOT_DELIVERED is never retried here: the caller may release its claim so a later run
   sends it (daily posts, shares, waiter DMs).
3. MAYBE_DELIVERED is never re-sent blindly. Only a message whose caller prefers a rare
   duplicate to a lost message (an answer to a mention or DM, whose event Slack will not
   deliver again) passes `retry_dropped`, and only a dropped connection is retried. Tip
   messages carry metadata, so `bot.daily.posting.Poster` looks for them in the channel
   history (`SlackDeliverer.find_tip`) before it tries again.
4. Calls Slack applies at most once (functions.completeSuccess / completeError) go
   through `once_only_client`, which also retries 5xx, dropped connections and time-outs.

`SlackDeliverer` maps the same classification onto bot/daily/posting.py's plain errors:
MAYBE_DELIVERED and `ratelimited` become `Unreachable`, a gone channel (`CHANNEL_GONE`)
`ChannelGone`, any other refusal `Refused`.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
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
from bot.settings import Settings
from bot.slack.blocks import EVENT_TYPE, HEADERS, tip_message

log = logging.getLogger(__name__)

TIMEOUT = 15
RATE_LIMIT_RETRIES = 3
MAX_RATE_LIMIT_WAIT = 60.0  # seconds; a longer Retry-After is not waited out
HISTORY_PAGES = 5
# Slack returns at most 15 messages a conversations.history call (and takes one call a
# minute) for a distributed app outside the Marketplace; asking for 15 works everywhere.
HISTORY_LIMIT = 15
CHANNEL_GONE = {
    "channel_not_found": "the channel was not found (deleted, or private without me)",
    "not_in_channel": "I am not a member of the channel",
    "is_archived": "the channel was archived",
    "account_inactive": "my Slack account is inactive",
}
RETRY_GAP = 0.5  # seconds before the n-th retry of a dropped connection: n times this
DELIVERED, NOT_DELIVERED, MAYBE_DELIVERED = "delivered", "not delivered", "maybe delivered"
RATELIMITED = "ratelimited"


@dataclass(frozen=True)
class Sent:
    """What one outgoing message came to (see the module docstring for the three statuses).

    `error` is Slack's error code, `HTTP <status>`, `ratelimited` or the exception's name;
    `call` the Web API method that failed; `channel` where the message went (a DM's
    channel id once conversations.open answered).
    """

    status: str
    channel: str | None = None
    ts: str | None = None
    error: str | None = None
    call: str | None = None
    dropped: bool = False

    @property
    def ok(self) -> bool:
        """True when Slack has the message."""
        return self.status == DELIVERED


def classify(exc: Exception, *, call: str, channel: str | None = None) -> Sent:
    """The one error classification: what a failed Web API call means for its message."""
    if isinstance(exc, SlackApiError):
        response = exc.response
        error = response.get("error") if isinstance(response.data, dict) else None
        if response.status_code == 429 or error == RATELIMITED:
            return Sent(NOT_DELIVERED, channel, error=RATELIMITED, call=call)
        if response.status_code >= 500:
            return Sent(MAYBE_DELIVERED, channel, error=f"HTTP {response.status_code}", call=call)
        return Sent(
            NOT_DELIVERED, channel, error=error or f"HTTP {response.status_code}", call=call
        )
    dropped = isinstance(exc, ConnectionError | URLError)
    return Sent(MAYBE_DELIVERED, channel, error=type(exc).__name__, call=call, dropped=dropped)


def post_message(
    client: WebClient,
    channel: str,
    message: Mapping[str, Any],
    *,
    pace: Callable[[str], None] | None = None,
    retry_dropped: int = 0,
    sleep: Callable[[float], None] = time.sleep,
) -> Sent:
    """chat.postMessage of `message` (its other arguments: text, blocks, thread_ts, ...).

    `pace(channel)` runs before each attempt (Slack's one message per second per
    channel). With `retry_dropped`, a dropped connection is tried again up to that many
    times, RETRY_GAP × n seconds apart (rule 3); nothing else is re-sent.
    """
    attempt = 0
    while True:
        if pace is not None:
            pace(channel)
        try:
            response = client.chat_postMessage(channel=channel, **message)
        except Exception as exc:
            sent = classify(exc, call="chat.postMessage", channel=channel)
            if not sent.dropped or attempt >= retry_dropped:
                return sent
            attempt += 1
            log.warning("posting in %s: connection dropped (%s), trying again", channel, exc)
            sleep(RETRY_GAP * attempt)
            continue
        return Sent(DELIVERED, channel, ts=response.get("ts"))


def post_ephemeral(client: WebClient, channel: str, user: str, message: Mapping[str, Any]) -> Sent:
    """chat.postEphemeral of `message` to `user` in `channel`; never retried."""
    try:
        client.chat_postEphemeral(channel=channel, user=user, **message)
    except Exception as exc:
        return classify(exc, call="chat.postEphemeral", channel=channel)
    return Sent(DELIVERED, channel)


def send_dm(client: WebClient, user: str, message: Mapping[str, Any]) -> Sent:
    """A direct message: conversations.open, then chat.postMessage in that channel.

    Opening a DM posts nothing, so any failure of conversations.open is NOT_DELIVERED
    (`call` says so); the post is classified like any other.
    """
    try:
        channel = client.conversations_open(users=user)["channel"]["id"]
    except Exception as exc:
        sent = classify(exc, call="conversations.open")
        return Sent(NOT_DELIVERED, error=sent.error, call=sent.call)
    return post_message(client, channel, message)


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
            and response is not None
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
        if response is None:  # the handler only takes 429 responses; anything else is not ours
            raise error if error is not None else RuntimeError("a rate-limit retry without a 429")
        state.next_attempt_requested = True
        self.sleep(_retry_after(response.headers))
        state.increment_current_attempt()


def make_client(
    settings: Settings, *, timeout: int = TIMEOUT, sleep: Callable[[float], None] = time.sleep
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
        return _ts_or_raise(post_message(self.client, channel, message))

    def find_tip(
        self,
        channel: str,
        *,
        since: float,
        match: Mapping[str, str | None],
        until: float | None = None,
    ) -> str | None:
        """conversations.history between `since` and `until`, for our tip metadata with `match`.

        Pages of HISTORY_LIMIT messages, newest first, at most HISTORY_PAGES of them: the
        window around one post attempt holds few messages, so even at one call a minute
        (Retry-After waited out by `RateLimitWait`) a half-made post is found.
        """
        cursor = None
        latest = f"{until:.6f}" if until is not None else None
        for _page in range(HISTORY_PAGES):
            try:
                response = self.client.conversations_history(
                    channel=channel,
                    oldest=f"{since:.6f}",
                    include_all_metadata=True,
                    limit=HISTORY_LIMIT,
                    cursor=cursor,
                    latest=latest,
                    inclusive=latest is not None or None,
                )
            except Exception as exc:
                raise _as_delivery_error(classify(exc, call="conversations.history")) from None
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
        _ts_or_raise(post_message(self.client, user, {"text": text}))


def _ts_or_raise(sent: Sent) -> str:
    if sent.ok:
        return sent.ts or ""
    raise _as_delivery_error(sent)


def _as_delivery_error(sent: Sent) -> Exception:
    # bot.daily.posting's errors: Unreachable means "look before trying again".
    error = sent.error or "unknown"
    if sent.status == MAYBE_DELIVERED or error == RATELIMITED:
        return Unreachable(error)
    if error in CHANNEL_GONE:
        return ChannelGone(error, CHANNEL_GONE[error])
    return Refused(error)


def _retry_after(headers: Mapping) -> float:
    raw: Any = next((v for k, v in (headers or {}).items() if k.lower() == "retry-after"), None)
    try:
        seconds = float(raw[0] if isinstance(raw, list) else raw)
    except (TypeError, ValueError, OverflowError):
        return 1.0
    return max(1.0, seconds) if math.isfinite(seconds) else math.inf
