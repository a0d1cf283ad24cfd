"""The daily-tip loop: every tick, post each active subscription whose tip is due.

Survives restarts by keeping no state of its own: what was posted lives in the store (a
daily claim per channel and local date), so a new process, or a second one on the same
database, never posts a channel's tip twice in a day. At start it settles claims a crash
left pending, then ticks at once (catch-up: a post missed earlier the same local day is
made), then every `tick_seconds`.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.daily_tip import choose_tip
from bot.core.knowledge import KnowledgeBase
from bot.core.schedule import due_date
from bot.daily.posting import DailyPoster
from bot.store import Store

log = logging.getLogger(__name__)

RECONCILE_AGE = 120.0
RETRY_FIRST = 60.0
RETRY_MAX = 3600.0


def utc_now() -> dt.datetime:
    """The current time, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class TickResult:
    """What one tick did for one channel: status is the PostOutcome status or 'error'."""

    channel: str
    local_date: str
    status: str
    tip_id: str | None = None
    error: str | None = None


class TickLoop:
    """A daemon thread that calls `tick()` now and every `tick_seconds` until `stop()`.

    A failing tick is logged and the loop goes on; anything that escapes the loop ends it,
    and `error` says why (/healthz reports it). The daily-tip `Scheduler` of one workspace
    and the `Fleet` over many (bot/slack/workspaces.py) are both one.
    """

    tick_seconds: float

    def __init__(self, *, tick_seconds: float) -> None:
        self.tick_seconds = tick_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: str | None = None  # why the background thread died, if it did

    def tick(self) -> object:
        raise NotImplementedError

    def start(self) -> None:
        """Run in a daemon thread: tick now, then every tick_seconds."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="daily-tips", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the tick's current step and wait up to `timeout` seconds."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("the scheduler did not stop within %.0f s", timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        """True while the background thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def health(self) -> dict:
        """The thread's state for /healthz: whether it runs, and why it died (if it did)."""
        return {"running": self.running, "error": self.error}

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    self.tick()
                except Exception:
                    log.exception("daily-tip tick failed")
                self._stop.wait(self.tick_seconds)
        except BaseException as exc:
            # Anything escaping the loop ends daily posting: record it so /healthz fails.
            self.error = f"{type(exc).__name__}: {exc}"
            log.critical("the daily-tip scheduler stopped: %s", self.error)


class Scheduler(TickLoop):
    """Posts due daily tips; `start()` runs it in a daemon thread, `stop()` ends it between posts.

    `poster` is a `bot.daily.posting.Poster` (exactly-once posting through a typed
    `Deliverer`) or a stand-in with the same two methods (`DailyPoster`).
    """

    def __init__(
        self,
        store: Store,
        knowledge_getter: Callable[[], KnowledgeBase],
        poster: DailyPoster,
        *,
        now: Callable[[], dt.datetime] = utc_now,
        tick_seconds: float = 30.0,
        reconcile_age: float = RECONCILE_AGE,
        include: Callable[[str], bool] = lambda channel: True,
    ):
        super().__init__(tick_seconds=tick_seconds)
        self.store = store
        self.knowledge_getter = knowledge_getter
        self.poster = poster
        self.now = now
        self.reconcile_age = reconcile_age
        self.include = include  # which channels this scheduler serves (the playground has its own)
        self._retry_at: dict[str, tuple[dt.datetime, float]] = {}
        self._done: dict[str, str] = {}  # channel -> local date known posted (saves a query a tick)

    def tick(self) -> list[TickResult]:
        """Post every active subscription that is due now; one channel's failure spares the rest."""
        now = self.now()
        results: list[TickResult] = []
        self._reconcile()
        kb = self.knowledge_getter()
        for sub in self.store.subscriptions(active_only=True):
            if self._stop.is_set():
                break
            channel = sub["channel"]
            if not self.include(channel):
                continue
            try:
                day = due_date(sub, now)
            except (KeyError, ValueError) as exc:
                # A row no longer valid (e.g. a zone dropped from tzdata) must not stop the others.
                log.error("subscription of %s is unusable: %s", channel, exc)
                continue
            if day is None or self._done.get(channel) == day or self._claimed(channel, day):
                continue
            if not self._may_try(channel, now):
                continue
            results.append(self._post(kb, channel, day, now))
        return results

    def retry_now(self) -> None:
        """Forget every channel's back-off: what failed is tried on the next tick (the
        workspace installed the app again, with a token that works)."""
        self._retry_at.clear()

    # -- internals ---------------------------------------------------------------------

    def _reconcile(self) -> None:
        # A claim left pending by an outage or a crash is settled once it is old enough
        # that no other thread or process can still be posting it (claim times are real
        # time, so the injected clock is not used here).
        try:
            self.poster.reconcile_pending(min_age=self.reconcile_age, include=self.include)
        except Exception:
            log.exception("settling pending posts failed")

    def _post(self, kb: KnowledgeBase, channel: str, day: str, now: dt.datetime) -> TickResult:
        try:
            tip = choose_tip(self.store, kb, channel, day)
            if tip is None:
                log.warning("no tip to post in %s: the tip base is empty", channel)
                return TickResult(channel, day, "empty")
            outcome = self.poster.post_daily(channel, tip, day)
        except Exception as exc:
            log.exception("posting the daily tip in %s failed", channel)
            self._failed(channel, now)
            return TickResult(channel, day, "error", error=type(exc).__name__)
        if outcome.status in ("deferred", "failed", "unknown"):
            self._failed(channel, now)
        else:
            self._retry_at.pop(channel, None)
        return TickResult(channel, day, outcome.status, tip.id, outcome.error)

    def _claimed(self, channel: str, day: str) -> bool:
        post = self.store.daily_post(channel, day)
        if post is not None and post.status == "posted":
            self._done[channel] = day
        return post is not None

    def _may_try(self, channel: str, now: dt.datetime) -> bool:
        entry = self._retry_at.get(channel)
        return entry is None or now >= entry[0]

    def _failed(self, channel: str, now: dt.datetime) -> None:
        # Back off per channel (1 min, doubling to 1 h) so a broken channel is not hammered.
        _, delay = self._retry_at.get(channel, (now, RETRY_FIRST / 2))
        delay = min(delay * 2, RETRY_MAX)
        self._retry_at[channel] = (now + dt.timedelta(seconds=delay), delay)
