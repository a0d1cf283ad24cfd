"""The thread pool Bolt's lazy listeners run on, with a bound on the work waiting for it.

Everything Slack is answered for first (updating a message, a share, App Home) waits in
this pool's queue. A plain ThreadPoolExecutor's queue has no end: when Slack is slow to
take that work (a response URL that times out, views.publish rate limited), every click
leaves a deep copy of its request queued and memory grows as long as the clicks come.
Here at most `max_waiting` jobs wait; one more makes the request that brings it wait for
a free place (backpressure, while Slack waits for its 200 and retries a slow one), so the
queue, and the memory it holds, stays bounded.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor

MAX_WORKERS = 8
MAX_WAITING = 256


class BoundedPool(ThreadPoolExecutor):
    """A ThreadPoolExecutor whose `submit` blocks while `max_waiting` jobs already wait."""

    def __init__(
        self,
        max_workers: int = MAX_WORKERS,
        *,
        max_waiting: int = MAX_WAITING,
        thread_name_prefix: str = "slack-lazy",
    ):
        super().__init__(max_workers=max_workers, thread_name_prefix=thread_name_prefix)
        self._places = threading.BoundedSemaphore(max_workers + max_waiting)

    def submit(self, fn, /, *args, **kwargs) -> Future:
        """Queue `fn(*args, **kwargs)`, first waiting for a place when the queue is full."""
        self._places.acquire()
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._places.release()
            raise
        future.add_done_callback(lambda _: self._places.release())
        return future
