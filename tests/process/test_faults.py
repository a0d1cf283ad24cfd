"""Fault injection against `python -m bot serve` as a real process (issues 15 and 20).

Deleted database files, two processes through a 429 storm, Slack down at start-up, slow
clients, kill -9 in the middle of DMs, SIGTERM with answers queued: each test here failed
before its fix.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from bot.core import gaps
from bot.fakeslack.signing import get
from bot.slack import modals
from bot.store import Store
from tests.conftest import BOT_TOKEN, SECRET, wait_until
from tests.helpers.processes import (
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


CURATOR = "U0CURATOR"
PRICING_Q = "how should we price our AI feature"
PRICING_FORM = {
    "title": "Price AI features on outcomes",
    "kind": "practice",
    "text": "Charge for the *result* the customer gets, not for tokens or seats.",
    "questions": "how should I price an AI feature\nwhat pricing model for LLM features\n"
    "how do we charge for AI",
    "tags": "pricing",
    "link": "",
}


def save_pricing_tip(bot, fake_slack) -> None:
    """Open the tip form as the curator and submit the pricing tip, as Slack would."""
    assert bot.slack.command("add", user=CURATOR).status == 200
    view = fake_slack.api.modals[-1]
    values = {name: {modals.VALUE: value} for name, value in PRICING_FORM.items()}
    assert bot.slack.submit(view, values, user=CURATOR).status == 200


def waiter_rows(db: Path) -> dict[str, tuple]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return {r["user"]: dict(r) for r in conn.execute("SELECT * FROM gap_waiters")}


def test_kill_9_during_tell_me_dms_leaves_the_unsent_ones_to_a_restart(
    served, tmp_path, fake_slack
):
    """Issue 20 item 4: every waiter was marked told before any DM went out."""
    users = [f"U0WAIT{n:02d}" for n in range(20)]
    store = Store.open(tmp_path / "coach.db")
    for user in users:
        store.add_waiter(gaps.topic(PRICING_Q), PRICING_Q, user)
    store.close()
    env = {"COACH_SCHEDULER": "0", "COACH_CURATORS": CURATOR, "COACH_CLAIM_LEASE_SECONDS": "1"}
    bot = served(**env)
    # Each DM takes Slack half a second: kill -9 lands while they are going out.
    fake_slack.fail_next("conversations.open", delay=0.5, post_anyway=True, times=20)
    save_pricing_tip(bot, fake_slack)

    def dms() -> list:
        return [c for c in fake_slack.calls("chat.postMessage") if c.params["channel"][0] == "D"]

    assert wait_until(dms, 1, timeout=30), bot.output()
    bot.proc.send_signal(signal.SIGKILL)
    bot.proc.wait()
    told_before = {c.params["channel"][1:] for c in dms()}
    rows = waiter_rows(tmp_path / "coach.db")
    told = {u for u, r in rows.items() if r["notified_at"]}
    assert told <= told_before | {u for u, r in rows.items() if r.get("lease_until")}, (
        "marked told without a DM"
    )
    waiting = {u for u, r in rows.items() if not r["notified_at"] and not r.get("lease_until")}
    assert len(waiting) >= 15, f"only {len(waiting)} of 20 left waiting: {rows}"

    again = served(**env)

    def still_waiting() -> list:
        sent = {c.params["channel"][1:] for c in dms()}
        return [u for u in waiting if u not in sent]

    deadline = time.monotonic() + 30
    while still_waiting() and time.monotonic() < deadline:
        time.sleep(0.05)
    again.stop()
    sent = [c.params["channel"][1:] for c in dms()]
    assert waiting <= set(sent), "a waiter never told after the restart"
    assert all(sent.count(u) == 1 for u in waiting), "a waiter told twice"


def test_sigterm_with_answers_queued_leaves_none_unanswered(served, fake_slack):
    """Issue 20 item 5: 460 acknowledged mentions were never answered after SIGTERM, and
    Slack's redeliveries after the restart were dropped as duplicates."""
    env = {"COACH_SCHEDULER": "0", "COACH_SHUTDOWN_SECONDS": "1"}
    bot = served(**env)
    # A slow Slack (2 s per answer) and 6 channels x 5 mentions: each channel needs 10 s to
    # send its answers, ten times the shutdown bound set here (1 s).
    fake_slack.fail_next("chat.postMessage", delay=2, post_anyway=True, times=30)
    mentions = [
        (f"CQ{c}", f"17000{c}{n}000.000100", f"EvQ{c}{n}") for c in range(6) for n in range(5)
    ]
    for channel, ts, event_id in mentions:
        reply = bot.slack.mention(
            "what is the ikea effect", user="U1", channel=channel, ts=ts, event_id=event_id
        )
        assert reply.status == 200

    def answers() -> list:
        return [c.params.get("thread_ts") for c in fake_slack.calls("chat.postMessage")]

    assert wait_until(answers, 1, timeout=30), bot.output()
    assert bot.stop()[0] == 0
    before = len(answers())
    assert before < len(mentions), "SIGTERM came too late to leave any answer queued"

    again = served(**env)
    for channel, ts, event_id in mentions:  # Slack redelivers some as well: answered once
        if int(event_id[-1]) % 2:
            again.slack.mention(
                "what is the ikea effect", channel=channel, ts=ts, event_id=event_id, retry=1
            )
    wait_until(answers, len(mentions), timeout=90)
    time.sleep(1.5)  # a duplicate would be posted by now
    assert again.stop()[0] == 0
    posted = answers()
    assert sorted(set(posted)) == sorted(ts for _, ts, _ in mentions), "a mention never answered"
    assert len(posted) == len(mentions), "a mention answered twice"
