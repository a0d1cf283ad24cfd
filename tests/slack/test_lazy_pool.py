"""The lazy listeners' pool: work waiting for it is bounded, so a slow Slack cannot grow it."""

from __future__ import annotations

import threading

from bot.slack.lazy_pool import BoundedPool


def test_a_full_queue_makes_the_next_submit_wait_for_a_place():
    pool = BoundedPool(1, max_waiting=2)
    gate = threading.Event()
    running = pool.submit(gate.wait, 10)
    waiting = [pool.submit(lambda: "done") for _ in range(2)]
    submitted = []
    extra = threading.Thread(target=lambda: submitted.append(pool.submit(lambda: "late")))
    extra.start()
    extra.join(timeout=0.3)
    assert extra.is_alive() and submitted == [], "a fourth job was queued past the bound"
    gate.set()
    extra.join(timeout=10)
    assert running.result(timeout=10) is True
    assert [f.result(timeout=10) for f in waiting] == ["done", "done"]
    assert submitted[0].result(timeout=10) == "late"
    pool.shutdown(wait=True)


def test_a_failing_job_gives_its_place_back():
    pool = BoundedPool(1, max_waiting=0)
    for _ in range(5):
        future = pool.submit(lambda: 1 / 0)
        assert isinstance(future.exception(timeout=10), ZeroDivisionError)
    assert pool.submit(lambda: "ok").result(timeout=10) == "ok"
    pool.shutdown(wait=True)
