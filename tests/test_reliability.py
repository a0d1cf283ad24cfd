"""Fault injection against `python -m bot serve` as a real process (issue 15).

Deleted database files, two processes through a 429 storm, Slack down at start-up, slow
clients: each test here failed before its fix.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from bot.fakeslack.signing import get
from bot.store import Store
from tests.conftest import BOT_TOKEN, SECRET, wait_until
from tests.test_serve import (
    bot_env,
    daily_posts,
    free_port,
    run_bot,
    subscribe_at_midnight,
)

pytestmark = pytest.mark.faults


def record_tip_message(db: Path, channel: str = "C1", ts: str = "1700000000.000100") -> str:
    store = Store.open(db)
    store.add_post(channel, ts, "the-ikea-effect", kind="shared")
    store.close()
    return ts


@pytest.mark.parametrize("deleted", ["coach.db", "coach.db-wal"])
def test_a_deleted_database_file_fails_health_and_writes(served, tmp_path, deleted):
    """Issue 15 item 5: ratings written to an unlinked file would all be lost at restart."""
    ts = record_tip_message(tmp_path / "coach.db")
    bot = served(COACH_SCHEDULER="0")
    assert bot.slack.reaction("+1", user="U1", channel="C1", ts=ts).status == 200
    assert (tmp_path / deleted).exists()
    (tmp_path / deleted).unlink()
    health = get(f"{bot.url}/healthz")
    assert health.status == 503
    report = json.loads(health.body)
    which = "its -wal file" if deleted.endswith("-wal") else "the database file"
    assert report == {
        "ok": False,
        "checks": {
            "database": f"{which} was deleted while the bot was running",
            "scheduler": "off",
        },
    }
    reply = bot.slack.reaction("+1", user="U2", channel="C1", ts=ts)
    assert reply.status >= 500, "a 2xx would tell Slack the rating is safe"
    assert bot.stop()[0] == 0
    assert deleted in bot.output()


def test_slack_answering_503_at_start_up_is_retried(served, fake_slack):
    """Issue 15 item 10: a Slack blip during a deploy must not take the bot down."""
    fake_slack.fail_next("auth.test", status=503, times=2)
    bot = served(COACH_SCHEDULER="0")
    assert bot.slack.command("what is the ikea effect").status == 200
    assert bot.stop()[0] == 0
    out = bot.output()
    assert out.count("auth.test failed") == 2, out
    assert "Traceback" not in out and "invalid" not in out


@pytest.mark.parametrize("error", ["invalid_auth", "token_revoked", "account_inactive"])
def test_an_invalid_token_prints_one_line_and_exits_2(tmp_path, fake_slack, error):
    """Issue 15 item 10: a token Slack refuses is a settings problem, not a crash."""
    fake_slack.fail_next("auth.test", error=error)
    env = bot_env(
        tmp_path,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake_slack.url,
        PORT=str(free_port()),
        COACH_HOST="127.0.0.1",
        COACH_SCHEDULER="0",
    )
    result = run_bot(["serve"], env)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "SLACK_BOT_TOKEN" in lines[0] and error in lines[0]
    assert BOT_TOKEN not in result.stderr


def test_two_processes_through_a_429_storm_post_one_message(served, tmp_path, fake_slack):
    """Issue 15 item 2: B must not take over A's claim while A waits out Retry-After."""
    subscribe_at_midnight(tmp_path)
    # Every chat.postMessage is rate limited for a while: A's client waits Retry-After,
    # gives up, checks the channel, backs off and tries again, well past B's patience.
    fake_slack.fail_next("chat.postMessage", status=429, headers={"Retry-After": "1"}, times=6)
    storm = {"COACH_TICK_SECONDS": "0.2", "COACH_CLAIM_LEASE_SECONDS": "2"}
    first = served(**storm)
    second = served(**storm)
    (posted,) = wait_until(
        lambda: [c for c in daily_posts(fake_slack) if c.status == 200], 1, timeout=20
    )[:1]
    time.sleep(3)  # longer than the lease: a stale claim would have been taken over by now
    for bot in (first, second):
        assert bot.stop()[0] == 0
    assert len(fake_slack.messages("CDAILY")) == 1
    assert sum(c.status == 429 for c in daily_posts(fake_slack)) == 6, "the storm happened"
    with sqlite3.connect(tmp_path / "coach.db") as conn:
        rows = conn.execute("SELECT kind, status, ts FROM posts").fetchall()
        assert rows == [("daily", "posted", posted.response["ts"])]
        autoincrement = conn.execute("SELECT name FROM sqlite_sequence").fetchall()
        assert ("posts",) in autoincrement, "claim ids are never reused"
