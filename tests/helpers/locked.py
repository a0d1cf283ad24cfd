"""Helpers shared by test_locked_database.py and the tests beside it (moved out of the test module)."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager


@contextmanager
def write_locked(bot, *, busy_ms: int = 200):
    """Hold an exclusive write lock from another connection; the bot waits only `busy_ms`."""
    bot.store.busy_timeout_ms = busy_ms  # listener threads open their connections after this
    other = sqlite3.connect(bot.store.path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()
