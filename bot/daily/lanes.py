"""One lane per channel: a channel's posts run in order on its own thread, so its pacing
waits never hold the workers that answer everyone else.

Posts are paced at one per second per channel. Done on a shared pool, twenty mentions in
one busy channel park every worker in a sleep and a DM elsewhere waits for all of them;
in a lane, only that channel waits. A lane's thread ends when its queue is empty.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future

log = logging.getLogger(__name__)

MAX_LANES = 64


class ChannelLanes:
    """Runs submitted jobs one at a time per channel, each channel on its own short-lived thread.

    Above `max_lanes` busy channels a job runs at once in the caller's thread (the old
    behaviour) rather than starting yet another thread. `drain` waits for queued jobs.
    """

    def __init__(self, *, max_lanes: int = MAX_LANES):
        self.max_lanes = max_lanes
        self._queues: dict[str, deque[tuple[Callable[[], object], Future]]] = {}
        self._lock = threading.Condition()

    def submit(self, channel: str, job: Callable[[], object]) -> Future:
        """Queue `job` behind the channel's earlier jobs; its Future holds the result or error."""
        future: Future = Future()
        with self._lock:
            queue = self._queues.get(channel)
            if queue is not None:
                queue.append((job, future))
                return future
            new_lane = len(self._queues) < self.max_lanes
            if new_lane:
                self._queues[channel] = deque([(job, future)])
        if not new_lane:
            _run(job, future)  # every lane busy: the caller waits, as it did before lanes
            return future
        threading.Thread(
            target=self._run_lane, args=(channel,), name=f"lane-{channel}", daemon=True
        ).start()
        return future

    def _run_lane(self, channel: str) -> None:
        while True:
            with self._lock:
                queue = self._queues[channel]
                if not queue:
                    del self._queues[channel]
                    self._lock.notify_all()
                    return
                job, future = queue.popleft()
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


def _run(job: Callable[[], object], future: Future) -> None:
    if not future.set_running_or_notify_cancel():
        return
    try:
        future.set_result(job())
    except BaseException as exc:  # the job's own error, kept in its Future and logged
        log.exception("a queued post failed")
        future.set_exception(exc)
