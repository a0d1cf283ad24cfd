"""A database with a row in every table, through the store's own API."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.store import Store

TEAM_SOURCE = {"note": "Team tip", "timestamp": "2026-11-01", "url": "https://acme.slack.com/"}


def fill_every_table(store: Store, user: str, *, channel: str = "C1", n: int = 1) -> None:
    """Give every table at least one row made by `user` (`n` distinguishes several calls)."""
    ts = f"1700000000.{n:06d}"
    store.save_subscription(channel, at="09:00", tz="UTC", days="daily", user=user)
    store.claim_notice(f"paused:{channel}")
    store.add_post(channel, ts, "the-ikea-effect", kind="shared")
    store.claim_daily(channel, f"2026-11-{n:02d}", "hackathons")
    store.record_vote(
        user=user, tip_id="the-ikea-effect", channel=channel, message_ts=ts, reaction="+1", value=1
    )
    store.claim_event(f"Ev{user}{n}")
    store.add_gap(f"how do we price an add-on {n}", f"price addon {n}", user)
    store.add_waiter(f"price addon {n}", f"how do we price an add-on {n}", user)
    store.claim_share(f"share-{user}-{n}", channel=channel, tip_id="the-ikea-effect", user=user)
    store.record_served(user, "the-ikea-effect", keep=10)
    store.teach(
        key=f"ikea question {n}",
        question=f"ikea question {n}",
        tip_id="the-ikea-effect",
        verdict="match",
        user=user,
    )
    store.decide_pair(
        key=f"ikea question {n}",
        tip_id="the-ikea-effect",
        verdict="match",
        state="approved",
        question=f"ikea question {n}",
        curator=user,
    )
    offer = store.add_offer(
        user=user,
        channel=channel,
        surface="slash",
        question=f"ikea question {n}",
        tips=["the-ikea-effect"],
        level="sure",
        keep_days=30,
    )
    store.add_asked(
        surface="slash",
        level="sure",
        key=f"ikea question {n}",
        question=f"ikea question {n}",
        offer_id=offer.id,
    )
    store.save_team_tip(
        {
            "id": f"team-tip-{user.lower()}-{n}",
            "title": f"Team tip {user} {n}",
            "text": "Write the failure cases first.",
            "tags": ["evals"],
            "questions": ["how do we start evals", "what to write first", "failure cases"],
            "source": TEAM_SOURCE,
            "status": "curated",
            "kind": "practice",
        },
        user=user,
        expected_version=0,
    )
    store.add_curator(user, by=f"U0BY{n}")
    store.add_curator(f"U0MADE{n}", by=user)
    store.record_install(f"T0TEAM{n}", enterprise=None, team_name=f"Team {n}")


def all_rows(db: Path) -> dict[str, list[tuple]]:
    """Every row of every table (SQLite's own included), sorted, read with plain sqlite3."""
    with sqlite3.connect(db) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {
            name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
            for name in names
        }
