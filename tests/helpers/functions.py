"""Helpers shared by test_functions.py and the tests beside it (moved out of the test module)."""

from __future__ import annotations

import time


def outcome(bot, execution: str) -> dict:
    """How the step `execution` finished, waiting for it (the step runs after the ack)."""
    deadline = time.monotonic() + 5
    while execution not in bot.fake.api.functions and time.monotonic() < deadline:
        time.sleep(0.01)
    return bot.fake.api.functions.get(execution, {})
