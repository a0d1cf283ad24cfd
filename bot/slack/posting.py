"""Post tip messages to Slack without double posts, and say what happened.

Daily posts are claimed in the store before Slack is called, so two ticks, two threads or
two processes never post the same channel's tip twice on one local day. Slack failures
are classified:

- 429 `ratelimited`: nothing was posted; wait Retry-After and try again.
- 5xx, timeouts, connection errors: the message MAY exist. Look for it in the channel
  history (by its metadata) before every retry; back off 1 s, 2 s, 4 s; then give up for
  this run and release the claim so the next tick tries again.
- channel gone (`channel_not_found`, `not_in_channel`, `is_archived`, `account_inactive`):
  release the claim, pause the subscription, tell its creator once by DM.
- any other error: nothing was posted; release the claim and report the error.

Consecutive posts to one channel are paced at least a second apart (Slack's limit).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPException
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.core.knowledge import Tip
from bot.slack.mrkdwn import escape
from bot.store import Post, Store

log = logging.getLogger(__name__)

EVENT_TYPE = "aipm_tip"
RATE_HINT = "React :+1: if this helped, :-1: if not"
HEADERS = {"daily": "Today's AI PM tip", "manual": "An AI PM tip", "shared": "An AI PM tip"}
CHANNEL_GONE = frozenset({"channel_not_found", "not_in_channel", "is_archived", "account_inactive"})
BACKOFF = (1.0, 2.0, 4.0)
MIN_GAP = 1.0
HISTORY_MARGIN = 600.0
TIMEOUT = 15
MAX_RATE_WAITS = 5
_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")
_TRANSIENT = (OSError, URLError, HTTPException, SlackRequestError)


def make_client(settings, *, timeout: int = TIMEOUT) -> WebClient:
    """The WebClient for the bot: Slack's URL from settings, a timeout, 429s retried.

    Only rate limits are retried by the client (a 429 means nothing was posted); the
    default connection-error retry is left out on purpose, since re-sending a message
    after a dropped connection could post it twice. `Poster` handles those.
    """
    return WebClient(
        token=settings.bot_token or None,
        base_url=settings.api_url,
        timeout=timeout,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=3)],
    )


def tip_message(
    tip: Tip,
    *,
    local_date: str | None,
    header: str,
    kind: str,
    shared_by: str | None = None,
    nonce: str | None = None,
) -> dict:
    """chat.postMessage arguments for a tip: text fallback, Block Kit blocks and metadata.

    Tip title and text are curated mrkdwn and shown as written; the note title and the
    header are escaped. The metadata (event type `aipm_tip`) carries the tip id and the
    date so ratings and reconciliation can find the tip from the message alone.
    """
    date = local_date or dt.datetime.now(dt.UTC).date().isoformat()
    note = escape(tip.source.note).replace("|", "¦")
    stamp = escape(tip.source.timestamp).replace("|", "¦")
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": header[:150], "emoji": True}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"*{tip.title}*\n{tip.text}"[:3000]},
        },
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"Source: {note} <{tip.source.url}|{stamp}>"}],
        },
    ]
    if shared_by:
        who = f"<@{shared_by}>" if _USER_ID.match(shared_by) else escape(shared_by)
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Shared by {who}"}]}
        )
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": RATE_HINT}]})
    payload = {"tip_id": tip.id, "date": date, "kind": kind}
    if nonce:
        payload["nonce"] = nonce
    return {
        "text": f"{header}: {tip.title}",
        "blocks": blocks,
        "metadata": {"event_type": EVENT_TYPE, "event_payload": payload},
        "unfurl_links": False,
        "unfurl_media": False,
    }


@dataclass(frozen=True)
class PostOutcome:
    """What happened to one post.

    status: 'posted' (ts set), 'reconciled' (it had been posted after all; ts set),
    'already' (this channel already has its daily tip that day; nothing posted),
    'deferred' (Slack unavailable; claim released, try again later), 'paused' (channel
    gone; subscription paused), 'failed' (Slack refused; nothing posted), 'unknown'
    (Slack may have posted it and we could not check; the claim is kept pending).
    """

    status: str
    channel: str
    tip_id: str | None = None
    ts: str | None = None
    local_date: str | None = None
    error: str | None = None
    post_id: int | None = None

    @property
    def ok(self) -> bool:
        """True when the tip is in the channel."""
        return self.status in ("posted", "reconciled")


class _Gone(Exception):
    def __init__(self, error: str):
        super().__init__(error)
        self.error = error


class _Refused(Exception):
    def __init__(self, error: str):
        super().__init__(error)
        self.error = error


class _Unreachable(Exception):
    """Slack may or may not have done it (5xx, timeout, dropped connection)."""


class Poster:
    """Posts tips through a WebClient and records them in the store (thread-safe)."""

    def __init__(
        self,
        client: WebClient,
        store: Store,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        backoff: tuple[float, ...] = BACKOFF,
        command: str = "/aipm",
    ):
        self.client = client
        self.store = store
        self.sleep = sleep
        self.clock = clock
        self.backoff = backoff
        self.command = command
        self._pace_lock = threading.Lock()
        self._next_slot: dict[str, float] = {}

    # -- public ----------------------------------------------------------------------

    def post_daily(self, channel: str, tip: Tip, local_date: str) -> PostOutcome:
        """Post `tip` as the channel's daily tip for `local_date`, at most once per day.

        Claims the day first; if it is already claimed nothing is posted ('already').
        """
        claim = self.store.claim_daily(channel, local_date, tip.id)
        if claim is None:
            return PostOutcome("already", channel, tip.id, local_date=local_date)
        message = tip_message(tip, local_date=local_date, header=HEADERS["daily"], kind="daily")
        outcome = self._deliver(
            channel,
            message,
            tip.id,
            local_date,
            claim.id,
            match={"tip_id": tip.id, "date": local_date},
        )
        if outcome.ok:
            self.store.mark_posted(claim.id, outcome.ts)
        elif outcome.status != "unknown":
            self.store.release_post(claim.id)
        return outcome

    def post_tip(
        self,
        channel: str,
        tip: Tip,
        *,
        kind: str,
        local_date: str | None = None,
        header: str | None = None,
        shared_by: str | None = None,
    ) -> PostOutcome:
        """Post a tip that is not the daily one (a shared answer, a forced post); record it."""
        nonce = uuid.uuid4().hex[:12]
        date = local_date or dt.datetime.now(dt.UTC).date().isoformat()
        message = tip_message(
            tip,
            local_date=date,
            header=header or HEADERS.get(kind, "An AI PM tip"),
            kind=kind,
            shared_by=shared_by,
            nonce=nonce,
        )
        outcome = self._deliver(channel, message, tip.id, date, None, match={"nonce": nonce})
        if outcome.ok:
            post = self.store.add_post(
                channel, outcome.ts, tip.id, kind=kind, local_date=local_date
            )
            return _with(outcome, post_id=post.id)
        return outcome

    def reconcile_pending(
        self,
        *,
        min_age: float = 0.0,
        now: dt.datetime | None = None,
        include: Callable[[str], bool] = lambda channel: True,
    ) -> list[PostOutcome]:
        """Settle daily claims left pending (a crash or an outage mid-post).

        For each pending claim older than `min_age` seconds: if the message is in the
        channel history it is marked posted; if not, the claim is released so the
        scheduler posts it while it is still due. When Slack cannot be asked, the claim
        stays pending for the next call.
        """
        now = now or dt.datetime.now(dt.UTC)
        outcomes = []
        for post, claimed_at in self.store.pending_claims():
            if not include(post.channel):
                continue
            created = _parse_time(claimed_at)
            if created is not None and (now - created).total_seconds() < min_age:
                continue
            outcomes.append(self._reconcile_one(post, created))
        return outcomes

    # -- delivery ----------------------------------------------------------------------

    def _deliver(
        self,
        channel: str,
        message: dict,
        tip_id: str,
        local_date: str,
        post_id: int | None,
        *,
        match: dict,
    ) -> PostOutcome:
        since = time.time() - HISTORY_MARGIN
        attempts = len(self.backoff) + 1
        for attempt in range(attempts):
            self._pace(channel)
            try:
                ts = self._send(channel, message)
                return PostOutcome("posted", channel, tip_id, ts, local_date, post_id=post_id)
            except _Gone as gone:
                self._channel_gone(channel, gone.error)
                return PostOutcome(
                    "paused",
                    channel,
                    tip_id,
                    local_date=local_date,
                    error=gone.error,
                    post_id=post_id,
                )
            except _Refused as refused:
                log.error("Slack refused the tip for %s: %s", channel, refused.error)
                return PostOutcome(
                    "failed",
                    channel,
                    tip_id,
                    local_date=local_date,
                    error=refused.error,
                    post_id=post_id,
                )
            except _Unreachable as exc:
                log.warning(
                    "posting to %s failed (%s), attempt %d of %d",
                    channel,
                    exc,
                    attempt + 1,
                    attempts,
                )
            try:
                found = self._find(channel, since, match)
            except (_Unreachable, _Refused, _Gone) as exc:
                log.warning("cannot check %s for a half-made post (%s); not retrying", channel, exc)
                return PostOutcome(
                    "unknown",
                    channel,
                    tip_id,
                    local_date=local_date,
                    error="unreachable",
                    post_id=post_id,
                )
            if found:
                log.info("tip %s was posted in %s after all (ts %s)", tip_id, channel, found)
                return PostOutcome(
                    "reconciled", channel, tip_id, found, local_date, post_id=post_id
                )
            if attempt < attempts - 1:
                self.sleep(self.backoff[attempt])
        log.warning("giving up on %s for now after %d attempts", channel, attempts)
        return PostOutcome(
            "deferred", channel, tip_id, local_date=local_date, error="unreachable", post_id=post_id
        )

    def _send(self, channel: str, message: dict) -> str:
        """chat.postMessage; returns the ts or raises _Gone/_Refused/_Unreachable."""
        for _wait in range(MAX_RATE_WAITS):
            try:
                response = self.client.chat_postMessage(channel=channel, **message)
                return response["ts"]
            except SlackApiError as exc:
                retry_after = self._rate_limited(exc)
                if retry_after is None:
                    raise _classify(exc) from None
                log.info("rate limited on %s; waiting %.0f s", channel, retry_after)
                self.sleep(retry_after)
            except _TRANSIENT as exc:
                raise _Unreachable(type(exc).__name__) from None
        raise _Unreachable("still rate limited")

    @staticmethod
    def _rate_limited(exc: SlackApiError) -> float | None:
        response = exc.response
        if response.status_code != 429 and response.get("error") != "ratelimited":
            return None
        raw = (response.headers or {}).get("Retry-After") or (response.headers or {}).get(
            "retry-after"
        )
        try:
            return max(1.0, float(raw[0] if isinstance(raw, list) else raw))
        except (TypeError, ValueError):
            return 1.0

    def _find(self, channel: str, since: float, match: dict) -> str | None:
        """The ts of a message in the channel since `since` whose tip metadata matches."""
        cursor = None
        for _page in range(5):
            try:
                response = self.client.conversations_history(
                    channel=channel,
                    oldest=f"{since:.6f}",
                    include_all_metadata=True,
                    limit=200,
                    cursor=cursor,
                )
            except SlackApiError as exc:
                if self._rate_limited(exc) is not None:
                    raise _Unreachable("ratelimited") from None
                raise _classify(exc) from None
            except _TRANSIENT as exc:
                raise _Unreachable(type(exc).__name__) from None
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

    def _pace(self, channel: str) -> None:
        """Wait until at least MIN_GAP after the previous post to this channel."""
        with self._pace_lock:
            now = self.clock()
            slot = max(now, self._next_slot.get(channel, now))
            self._next_slot[channel] = slot + MIN_GAP
        if slot > now:
            self.sleep(slot - now)

    # -- channel gone ------------------------------------------------------------------

    def _channel_gone(self, channel: str, error: str) -> None:
        reason = _REASONS.get(error, error)
        if self.store.pause_subscription(channel, reason):
            log.warning("paused the daily tip for %s: %s", channel, error)
        subscription = self.store.subscription(channel)
        user = (subscription or {}).get("created_by")
        if not user or not self.store.claim_notice(f"paused:{channel}"):
            return
        text = (
            f"I paused the daily AI PM tip for <#{channel}>: {reason}. "
            f"Once I can post there again, run `{self.command} subscribe` in that channel to resume."
        )
        try:
            self.client.chat_postMessage(channel=user, text=text)
        except (SlackApiError, *_TRANSIENT) as exc:
            error_code = (
                exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
            )
            log.warning("could not tell %s that %s was paused: %s", user, channel, error_code)

    # -- reconciliation ------------------------------------------------------------------

    def _reconcile_one(self, post: Post, created: dt.datetime | None) -> PostOutcome:
        since = (created.timestamp() if created else time.time() - 86400) - HISTORY_MARGIN
        try:
            found = self._find(
                post.channel, since, {"tip_id": post.tip_id, "date": post.local_date}
            )
        except _Gone as gone:
            self.store.release_post(post.id)
            self._channel_gone(post.channel, gone.error)
            return PostOutcome(
                "paused",
                post.channel,
                post.tip_id,
                local_date=post.local_date,
                error=gone.error,
                post_id=post.id,
            )
        except _Refused as refused:
            # We cannot look (e.g. missing_scope): keep the day blocked rather than risk a double post.
            log.error("cannot check %s for claim %d: %s", post.channel, post.id, refused.error)
            self.store.set_post_status(post.id, "unknown")
            return PostOutcome(
                "unknown",
                post.channel,
                post.tip_id,
                local_date=post.local_date,
                error=refused.error,
                post_id=post.id,
            )
        except _Unreachable as exc:
            log.warning("cannot reach Slack to check %s (%s); will try later", post.channel, exc)
            return PostOutcome(
                "unknown",
                post.channel,
                post.tip_id,
                local_date=post.local_date,
                error="unreachable",
                post_id=post.id,
            )
        if found:
            self.store.mark_posted(post.id, found)
            log.info("claim %d in %s was posted (ts %s)", post.id, post.channel, found)
            return PostOutcome(
                "reconciled", post.channel, post.tip_id, found, post.local_date, post_id=post.id
            )
        self.store.release_post(post.id)
        log.info("claim %d in %s was not posted; released", post.id, post.channel)
        return PostOutcome(
            "released", post.channel, post.tip_id, local_date=post.local_date, post_id=post.id
        )


_REASONS = {
    "channel_not_found": "the channel was not found (deleted, or private without me)",
    "not_in_channel": "I am not a member of the channel",
    "is_archived": "the channel was archived",
    "account_inactive": "my Slack account is inactive",
}


def _classify(exc: SlackApiError) -> Exception:
    response = exc.response
    error = response.get("error") if isinstance(response.data, dict) else None
    if response.status_code >= 500:
        return _Unreachable(f"HTTP {response.status_code}")
    if error in CHANNEL_GONE:
        return _Gone(error)
    return _Refused(error or f"HTTP {response.status_code}")


def _parse_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _with(outcome: PostOutcome, **changes) -> PostOutcome:
    return PostOutcome(**{**outcome.__dict__, **changes})
