"""One lane per channel: a channel's posts run in order on its own thread, so its pacing
waits never hold the workers that answer everyone else.

Posts are paced at one per second per channel. Done on a shared pool, twenty mentions in
one busy channel park every worker in a sleep and a DM elsewhere waits for all of them;
in a lane, only that channel waits. A lane's thread ends when its queue is empty.

A lane never grows long: `crowding` tells a caller when a channel already has `limit`
replies waiting (a flood), so it sends one "lots of questions here" reply instead of
queueing minutes of answers, and keeps dropping further ones until the channel has been
quiet for a while. At shutdown `cancel_pending` hands back what never ran.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future

log = logging.getLogger(__name__)

MAX_LANES = 64
QUEUE, COLLAPSE, DROP = "queue", "collapse", "drop"

_Job = tuple[Callable[[], object], Future, Callable[[], None] | None]


class ChannelLanes:
    """Runs submitted jobs one at a time per channel, each channel on its own short-lived thread.

    Above `max_lanes` busy channels a job runs at once in the caller's thread (the old
    behaviour) rather than starting yet another thread. `drain` waits for queued jobs.
    """

    def __init__(self, *, max_lanes: int = MAX_LANES, clock: Callable[[], float] = time.monotonic):
        self.max_lanes = max_lanes
        self.clock = clock
        self._queues: dict[str, deque[_Job]] = {}
        self._flooded: dict[str, float] = {}  # channel -> until when it counts as flooded
        self._lock = threading.Condition()

    def submit(
        self,
        channel: str,
        job: Callable[[], object],
        *,
        on_cancel: Callable[[], None] | None = None,
    ) -> Future:
        """Queue `job` behind the channel's earlier jobs; its Future holds the result or error.

        `on_cancel` runs instead of `job` when the lane is cancelled before it started.
        """
        future: Future = Future()
        with self._lock:
            queue = self._queues.get(channel)
            if queue is not None:
                queue.append((job, future, on_cancel))
                return future
            new_lane = len(self._queues) < self.max_lanes
            if new_lane:
                self._queues[channel] = deque([(job, future, on_cancel)])
        if not new_lane:
            _run(job, future)  # every lane busy: the caller waits, as it did before lanes
            return future
        threading.Thread(
            target=self._run_lane, args=(channel,), name=f"lane-{channel}", daemon=True
        ).start()
        return future

    def crowding(self, channel: str, *, limit: int, quiet: float) -> str:
        """How to take one more reply in `channel`: QUEUE it, COLLAPSE (send one "lots of
        questions" reply instead: `limit` replies already wait there) or DROP it (a flood
        is on: less than `quiet` seconds since the last reply it collapsed or dropped)."""
        now = self.clock()
        with self._lock:
            for name, until in list(self._flooded.items()):
                if until <= now:
                    del self._flooded[name]  # floods that ended: the dict stays small
            if channel in self._flooded:
                self._flooded[channel] = now + quiet
                return DROP
            queue = self._queues.get(channel)
            if queue is not None and len(queue) >= limit:
                self._flooded[channel] = now + quiet
                return COLLAPSE
            return QUEUE

    def _run_lane(self, channel: str) -> None:
        while True:
            with self._lock:
                queue = self._queues[channel]
                if not queue:
                    del self._queues[channel]
                    self._lock.notify_all()
                    return
                job, future, _ = queue.popleft()
            _run(job, future)

    @property
    def busy(self) -> int:
        """Channels with a job queued or running."""
        with self._lock:
            return len(self._queues)

    def drain(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for every lane to finish; True when all did."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._queues, timeout=timeout)

    def cancel_pending(self) -> int:
        """Cancel every job that has not started (shutting down), running each `on_cancel`;
        jobs already running finish. Returns how many were cancelled."""
        with self._lock:
            jobs = [job for queue in self._queues.values() for job in queue]
            for queue in self._queues.values():
                queue.clear()
        for _, future, on_cancel in jobs:
            future.cancel()
            if on_cancel is not None:
                try:
                    on_cancel()
                except Exception:  # one failure must not keep the others' claims
                    log.exception("cancelling a queued post failed")
        return len(jobs)


def _run(job: Callable[[], object], future: Future) -> None:
    if not future.set_running_or_notify_cancel():
        return
    try:
        future.set_result(job())
    except BaseException as exc:  # the job's own error, kept in its Future and logged
        log.exception("a queued post failed")
        future.set_exception(exc)
