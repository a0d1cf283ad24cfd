"""Channel lanes: one channel's queued posts never hold up another channel's answers."""

from __future__ import annotations

import threading

import pytest

from bot.daily.lanes import ChannelLanes
from tests.conftest import make_settings, start_bot

QUESTION = "what is the ikea effect"


def test_jobs_in_one_channel_run_in_order_and_another_channel_is_not_held():
    lanes = ChannelLanes()
    gate = threading.Event()
    order: list[str] = []
    first = lanes.submit("C1", lambda: (gate.wait(5), order.append("C1-a")))
    second = lanes.submit("C1", lambda: order.append("C1-b"))
    other = lanes.submit("C2", lambda: order.append("C2"))
    assert other.result(timeout=5) is None and order == ["C2"]  # C1 is still held at its gate
    assert not first.done() and not second.done()
    gate.set()
    second.result(timeout=5)
    assert order == ["C2", "C1-a", "C1-b"]
    assert lanes.drain(timeout=5) and lanes.busy == 0


def test_a_failing_job_keeps_its_error_and_the_lane_goes_on():
    lanes = ChannelLanes()
    failed = lanes.submit("C1", lambda: 1 / 0)
    after = lanes.submit("C1", lambda: "next")
    assert after.result(timeout=5) == "next"
    with pytest.raises(ZeroDivisionError):
        failed.result(timeout=5)


def test_with_every_lane_busy_a_job_runs_in_the_caller():
    lanes = ChannelLanes(max_lanes=1)
    gate = threading.Event()
    lanes.submit("C1", lambda: gate.wait(5))
    caller = threading.current_thread()
    ran_in = lanes.submit("C2", threading.current_thread).result(timeout=5)
    assert ran_in is caller
    gate.set()
    assert lanes.drain(timeout=5)


def test_a_dm_is_answered_while_a_busy_channel_waits_its_turn(fake_slack, knowledge_dir, db_path):
    """Mentions flood one channel; its paced posts wait (held here), and a DM still gets its answer."""
    gate = threading.Event()
    bot = start_bot(
        make_settings(fake_slack, knowledge_dir, db_path), fake_slack, sleep=lambda s: gate.wait(10)
    )
    try:
        for i in range(8):  # more than the 4 workers answering events
            assert (
                bot.slack.mention(QUESTION, channel="CBUSY", ts=f"1700000000.{i:06d}").status == 200
            )
        assert bot.slack.dm(QUESTION, user="UQUIET").status == 200
        dm = bot.calls("chat.postMessage", at_least=2, timeout=5)
        channels = [c.params["channel"] for c in dm]
        assert "DUQUIET" in channels, channels
        assert channels.count("CBUSY") < 8, "the busy channel is paced, held at the gate"
    finally:
        gate.set()
        bot.stop()
    assert (
        len([c for c in fake_slack.calls("chat.postMessage") if c.params["channel"] == "CBUSY"])
        == 8
    )


def test_a_crowded_channel_collapses_once_then_drops_until_quiet():
    from bot.daily.lanes import COLLAPSE, DROP, QUEUE

    now = [0.0]
    lanes = ChannelLanes(clock=lambda: now[0])
    gate = threading.Event()
    lanes.submit("C1", lambda: gate.wait(5))
    for _ in range(3):
        assert lanes.crowding("C1", limit=3, quiet=10) == QUEUE
        lanes.submit("C1", lambda: None)
    assert lanes.crowding("C1", limit=3, quiet=10) == COLLAPSE
    assert lanes.crowding("C1", limit=3, quiet=10) == DROP
    assert lanes.crowding("C2", limit=3, quiet=10) == QUEUE, "only that channel"
    gate.set()
    assert lanes.drain(timeout=5)
    now[0] = 9.0
    assert lanes.crowding("C1", limit=3, quiet=10) == DROP, "still within the quiet time"
    now[0] = 30.0
    assert lanes.crowding("C1", limit=3, quiet=10) == QUEUE


def test_cancel_pending_hands_back_what_never_ran():
    lanes = ChannelLanes()
    gate = threading.Event()
    running = lanes.submit("C1", lambda: gate.wait(5))
    cancelled: list[str] = []
    queued = [
        lanes.submit("C1", lambda: "ran", on_cancel=lambda n=n: cancelled.append(n))
        for n in ("a", "b")
    ]
    assert lanes.cancel_pending() == 2 and cancelled == ["a", "b"]
    gate.set()
    assert running.result(timeout=5) is True
    assert all(f.cancelled() for f in queued) and lanes.drain(timeout=5)
