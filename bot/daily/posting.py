"""Post tips exactly once: claim in the store, deliver, then mark, release or reconcile.

Daily posts are claimed in the store before delivery, so two ticks, two threads or two
processes never post the same channel's tip twice on one local day. Delivery goes through
a `Deliverer` (bot/slack/delivery.py talks to Slack), which answers with a ts or raises
one of the plain errors below:

- `Unreachable` (5xx, timeouts, connection errors, a rate limit that outlasted the
  client's waits): the message MAY exist. Look for it (by its metadata) before every
  retry; back off 1 s, 2 s, 4 s; then give up for this run and release the claim so the
  next tick tries again.
- `ChannelGone` (deleted, archived, bot removed): release the claim, pause the
  subscription, tell its creator once.
- `Refused` (any other error): nothing was posted; release the claim and report it.

Rate limits (429) are waited out inside the Deliverer's client: a 429 posted nothing.
Consecutive posts to one channel are paced at least a second apart (Slack's limit).

A daily claim is this process's (`Poster.owner`) for `lease` seconds, renewed every
lease/4 by a heartbeat thread for as long as the post is in progress (waiting out
Retry-After, backing off, a slow Slack). Another process settles a claim only once its
lease ran out (the owner crashed or hung), taking it over first, so it never posts a
tip that the owner is still posting. Should the owner lose its claim all the same (a
pause longer than the lease), it stops before its next attempt.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Protocol

from bot.core.knowledge import Tip
from bot.daily.lanes import ChannelLanes
from bot.store import Post, Store, StoreError

log = logging.getLogger(__name__)

BACKOFF = (1.0, 2.0, 4.0)
MIN_GAP = 1.0
HISTORY_MARGIN = 600.0
LEASE = 120.0
PACE_PRUNE_AT = 1000  # channels remembered for pacing before the past ones are forgotten


class DeliveryError(Exception):
    """A delivery failed; `error` is the channel's short error code (e.g. 'is_archived')."""

    def __init__(self, error: str):
        super().__init__(error)
        self.error = error


class ChannelGone(DeliveryError):
    """The channel cannot take posts any more; `reason` says why in plain words."""

    def __init__(self, error: str, reason: str | None = None):
        super().__init__(error)
        self.reason = reason or error


class Refused(DeliveryError):
    """The channel refused the request for another reason: nothing was done."""


class Unreachable(DeliveryError):
    """The channel may or may not have done it (5xx, timeout, dropped connection)."""


class Deliverer(Protocol):
    """What the post protocol needs from a chat service.

    Each method returns plain values or raises ChannelGone, Refused or Unreachable.
    """

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
        """Post the tip message (with metadata carrying tip_id, date, kind, nonce); its ts.

        `asked_by` and `question` (a shared answer) say who asked what, above the tip.
        """
        ...

    def find_tip(
        self,
        channel: str,
        *,
        since: float,
        match: Mapping[str, str | None],
        until: float | None = None,
    ) -> str | None:
        """The ts of a tip message posted between `since` and `until` (epoch s, None: now)
        whose metadata has `match`."""
        ...

    def tell_paused(self, user: str, channel: str, reason: str) -> None:
        """Tell `user` directly that the daily tip in `channel` is paused, and how to resume."""
        ...


@dataclass(frozen=True)
class PostOutcome:
    """What happened to one post.

    status: 'posted' (ts set), 'reconciled' (it had been posted after all; ts set),
    'already' (this channel already has its daily tip that day; nothing posted),
    'deferred' (Slack unavailable; claim released, try again later), 'paused' (channel
    gone; subscription paused), 'failed' (Slack refused; nothing posted), 'unknown'
    (Slack may have posted it and we could not check; the claim is kept pending),
    'released' (reconciliation found a pending claim was never posted and freed it).
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


class DailyPoster(Protocol):
    """What the scheduler drives: `Poster`, or a stand-in that records (benchmarks)."""

    def post_daily(self, channel: str, tip: Tip, local_date: str) -> PostOutcome: ...

    def reconcile_pending(
        self,
        *,
        min_age: float = 0.0,
        now: dt.datetime | None = None,
        include: Callable[[str], bool] = ...,
    ) -> list[PostOutcome]: ...


class Poster:
    """Posts tips through a Deliverer and records them in the store (thread-safe)."""

    def __init__(
        self,
        deliverer: Deliverer,
        store: Store,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        backoff: tuple[float, ...] = BACKOFF,
        lease: float = LEASE,
    ):
        self.deliverer = deliverer
        self.store = store
        self.sleep = sleep
        self.clock = clock
        self.backoff = backoff
        self.lease = lease
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._pace_lock = threading.Lock()
        self._next_slot: dict[str, float] = {}
        # Replies and shares queue here per channel, so pacing waits stay in their channel.
        self.lanes = ChannelLanes()

    # -- public ----------------------------------------------------------------------

    def post_daily(self, channel: str, tip: Tip, local_date: str) -> PostOutcome:
        """Post `tip` as the channel's daily tip for `local_date`, at most once per day.

        Claims the day first; if it is already claimed nothing is posted ('already').
        """
        claim = self.store.claim_daily(
            channel, local_date, tip.id, owner=self.owner, lease=self.lease
        )
        if claim is None:
            return PostOutcome("already", channel, tip.id, local_date=local_date)
        with _Heartbeat(self.store, claim.id, self.owner, self.lease) as heartbeat:
            outcome = self._deliver(
                channel,
                tip,
                {"kind": "daily", "local_date": local_date},
                claim.id,
                match={"tip_id": tip.id, "date": local_date},
                still_ours=heartbeat.held,
            )
        if outcome.ok:
            if not self.store.mark_posted(claim.id, outcome.ts or "", owner=self.owner):
                log.error(
                    "posted the tip in %s (ts %s) after losing claim %d to another process",
                    channel,
                    outcome.ts,
                    claim.id,
                )
        elif outcome.status != "unknown":
            self.store.release_post(claim.id, owner=self.owner)
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
        asked_by: str | None = None,
        question: str | None = None,
    ) -> PostOutcome:
        """Post a tip that is not the daily one (a shared answer, a forced post); record it.

        A shared answer passes `question` (and `asked_by`) so the channel sees what was asked.
        Once Slack has the message the outcome is 'posted' even when the database cannot
        record it (locked, gone): the message's metadata lets a reaction on it find the tip
        later (`find_tip_post`), and the caller must not report a posted tip as failed.
        """
        nonce = uuid.uuid4().hex[:12]
        date = local_date or dt.datetime.now(dt.UTC).date().isoformat()
        options = {
            "kind": kind,
            "local_date": date,
            "header": header,
            "shared_by": shared_by,
            "nonce": nonce,
        }
        if question:
            options |= {"asked_by": asked_by, "question": question}
        outcome = self._deliver(channel, tip, options, None, match={"nonce": nonce})
        if not outcome.ok:
            return outcome
        try:
            post = self.store.add_post(
                channel, outcome.ts, tip.id, kind=kind, local_date=local_date
            )
        except (sqlite3.Error, StoreError) as exc:
            log.error(
                "posted %s in %s (ts %s) but could not record it: %s",
                tip.id,
                channel,
                outcome.ts,
                exc,
            )
            return outcome
        return replace(outcome, post_id=post.id)

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
            # Only a claim whose owner stopped renewing it; and only one process settles it.
            if not self.store.take_over_claim(post.id, self.owner, self.lease, min_age=min_age):
                continue
            outcomes.append(self._reconcile_one(post, created))
        return outcomes

    # -- delivery ----------------------------------------------------------------------

    def _deliver(
        self,
        channel: str,
        tip: Tip,
        options: dict,
        post_id: int | None,
        *,
        match: dict,
        still_ours: Callable[[], bool] = lambda: True,
    ) -> PostOutcome:
        local_date = options["local_date"]
        since = time.time() - HISTORY_MARGIN
        attempts = len(self.backoff) + 1
        for attempt in range(attempts):
            self.pace(channel)
            if not still_ours():
                log.error("lost the claim on %s's tip to another process; not posting", channel)
                return PostOutcome(
                    "unknown", channel, tip.id, local_date=local_date, error="claim lost"
                )
            try:
                ts = self.deliverer.post_tip(channel, tip, **options)
                return PostOutcome("posted", channel, tip.id, ts, local_date, post_id=post_id)
            except ChannelGone as gone:
                self._channel_gone(channel, gone)
                return PostOutcome(
                    "paused",
                    channel,
                    tip.id,
                    local_date=local_date,
                    error=gone.error,
                    post_id=post_id,
                )
            except Refused as refused:
                log.error("Slack refused the tip for %s: %s", channel, refused.error)
                return PostOutcome(
                    "failed",
                    channel,
                    tip.id,
                    local_date=local_date,
                    error=refused.error,
                    post_id=post_id,
                )
            except Unreachable as exc:
                log.warning(
                    "posting to %s failed (%s), attempt %d of %d",
                    channel,
                    exc,
                    attempt + 1,
                    attempts,
                )
            try:
                found = self.deliverer.find_tip(
                    channel, since=since, match=match, until=time.time() + HISTORY_MARGIN
                )
            except DeliveryError as exc:
                log.warning("cannot check %s for a half-made post (%s); not retrying", channel, exc)
                return PostOutcome(
                    "unknown",
                    channel,
                    tip.id,
                    local_date=local_date,
                    error="unreachable",
                    post_id=post_id,
                )
            if found:
                log.info("tip %s was posted in %s after all (ts %s)", tip.id, channel, found)
                return PostOutcome(
                    "reconciled", channel, tip.id, found, local_date, post_id=post_id
                )
            if attempt < attempts - 1:
                self.sleep(self.backoff[attempt])
        log.warning("giving up on %s for now after %d attempts", channel, attempts)
        return PostOutcome(
            "deferred", channel, tip.id, local_date=local_date, error="unreachable", post_id=post_id
        )

    def pace(self, channel: str) -> None:
        """Wait until at least MIN_GAP after the previous post to this channel.

        Every message the bot posts to a channel goes through here (daily tips, shares,
        answers to mentions and DMs), so Slack's one message per second holds across them.
        """
        with self._pace_lock:
            now = self.clock()
            if len(self._next_slot) >= PACE_PRUNE_AT:
                # A slot in the past holds no one back: forget it, so one entry per channel
                # (every DM is a channel) does not pile up for ever.
                self._next_slot = {c: t for c, t in self._next_slot.items() if t > now}
            slot = max(now, self._next_slot.get(channel, now))
            self._next_slot[channel] = slot + MIN_GAP
        if slot > now:
            self.sleep(slot - now)

    @property
    def paced_channels(self) -> int:
        """How many channels `pace` remembers (bounded: past slots are forgotten)."""
        with self._pace_lock:
            return len(self._next_slot)

    # -- channel gone ------------------------------------------------------------------

    def _channel_gone(self, channel: str, gone: ChannelGone) -> None:
        if self.store.pause_subscription(channel, gone.reason):
            log.warning("paused the daily tip for %s: %s", channel, gone.error)
        subscription = self.store.subscription(channel)
        user = (subscription or {}).get("created_by")
        if not user or not self.store.claim_notice(f"paused:{channel}"):
            return
        try:
            self.deliverer.tell_paused(user, channel, gone.reason)
        except DeliveryError as exc:
            log.warning("could not tell %s that %s was paused: %s", user, channel, exc.error)

    # -- reconciliation ------------------------------------------------------------------

    def _reconcile_one(self, post: Post, created: dt.datetime | None) -> PostOutcome:
        since = (created.timestamp() if created else time.time() - 86400) - HISTORY_MARGIN
        # The post was attempted while the claim's lease held: look no later than that.
        until = created.timestamp() + LEASE + HISTORY_MARGIN if created else None
        try:
            found = self.deliverer.find_tip(
                post.channel,
                since=since,
                match={"tip_id": post.tip_id, "date": post.local_date},
                until=until,
            )
        except ChannelGone as gone:
            self.store.release_post(post.id, owner=self.owner)
            self._channel_gone(post.channel, gone)
            return PostOutcome(
                "paused",
                post.channel,
                post.tip_id,
                local_date=post.local_date,
                error=gone.error,
                post_id=post.id,
            )
        except Refused as refused:
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
        except Unreachable as exc:
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
            self.store.mark_posted(post.id, found, owner=self.owner)
            log.info("claim %d in %s was posted (ts %s)", post.id, post.channel, found)
            return PostOutcome(
                "reconciled", post.channel, post.tip_id, found, post.local_date, post_id=post.id
            )
        self.store.release_post(post.id, owner=self.owner)
        log.info("claim %d in %s was not posted; released", post.id, post.channel)
        return PostOutcome(
            "released", post.channel, post.tip_id, local_date=post.local_date, post_id=post.id
        )


class _Heartbeat:
    """Renews a claim's lease every lease/4 seconds in a thread while a post is in progress."""

    def __init__(self, store: Store, post_id: int, owner: str, lease: float):
        self.store, self.post_id, self.owner, self.lease = store, post_id, owner, lease
        self._stop = threading.Event()
        self._lost = False
        self._thread = threading.Thread(target=self._run, name="claim-lease", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def held(self) -> bool:
        """False once a renewal found the claim no longer ours."""
        return not self._lost

    def _run(self) -> None:
        while not self._stop.wait(self.lease / 4):
            try:
                if not self.store.renew_claim(self.post_id, self.owner, self.lease):
                    self._lost = True
                    return
            except Exception as exc:  # a failed renewal is retried; the lease has slack
                log.warning("could not renew the claim %d: %s", self.post_id, exc)


def _parse_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
