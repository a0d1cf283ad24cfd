"""The `posts` table: every tip message the bot made, and the daily claim.

The claim is an insert under a unique index on (channel, local_date) for daily posts, so
no two ticks, threads or processes post one channel's daily tip twice on one local day.
A claim belongs to its `owner` (one per process) until its lease runs out: the owner
renews the lease while it waits on Slack, and only a claim whose lease ran out may be
taken over by another process to settle it. Ids are AUTOINCREMENT: never reused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import cast

from bot.store.db import BUSY_TIMEOUT_MS, Connection, ago, lease_end, utcnow

POST_CACHE_SIZE = 10_000


@dataclass(frozen=True)
class Post:
    """One tip message the bot made (or is about to make)."""

    id: int
    channel: str
    ts: str | None
    tip_id: str
    local_date: str | None
    kind: str
    status: str


def _post(row: dict) -> Post:
    return Post(
        id=row["id"],
        channel=row["channel"],
        ts=row["ts"],
        tip_id=row["tip_id"],
        local_date=row["local_date"],
        kind=row["kind"],
        status=row["status"],
    )


class PostsTable(Connection):
    """Claiming, recording and finding tip messages."""

    def __init__(self, path: Path, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS):
        super().__init__(path, busy_timeout_ms=busy_timeout_ms)
        self._posts_by_ts: dict[tuple[str, str], Post] = {}

    def claim_daily(
        self,
        channel: str,
        local_date: str,
        tip_id: str,
        *,
        owner: str | None = None,
        lease: float = 0.0,
    ) -> Post | None:
        """Record the intent to post today's tip; None if this channel already has one that day.

        The unique index makes this the single point that prevents double daily posts,
        across restarts and across processes sharing the database. With an `owner`, the
        claim is that owner's for `lease` seconds (renew with `renew_claim`); without one,
        reconciliation judges it by its age alone.
        """
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO posts "
                "(channel, tip_id, local_date, kind, status, created_at, owner, lease_until) "
                "VALUES (?, ?, ?, 'daily', 'pending', ?, ?, ?)",
                [channel, tip_id, local_date, utcnow(), owner, _lease_until(lease, owner)],
            )
            if cursor.rowcount == 0:
                return None
            return _post(db.table("posts").get(cast(int, cursor.lastrowid)))

    def renew_claim(self, post_id: int, owner: str, lease: float) -> bool:
        """Extend `owner`'s pending claim by `lease` seconds from now; False if it is not
        (or no longer) that owner's pending claim."""
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE posts SET lease_until = ? WHERE id = ? AND owner = ? AND status = 'pending'",
                [_lease_until(lease, owner), post_id, owner],
            )
            return cursor.rowcount == 1

    def take_over_claim(self, post_id: int, owner: str, lease: float, *, min_age: float) -> bool:
        """Make a pending claim `owner`'s, if its lease ran out (or, with no lease, it is older
        than `min_age` seconds): what reconciliation does before settling it. Only one
        process wins; False for the others."""
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE posts SET owner = ?, lease_until = ? WHERE id = ? AND status = 'pending' "
                "AND ((lease_until IS NOT NULL AND lease_until < ?) "
                "OR (lease_until IS NULL AND created_at <= ?))",
                [owner, _lease_until(lease, owner), post_id, utcnow(), ago(min_age)],
            )
            return cursor.rowcount == 1

    def add_post(
        self,
        channel: str,
        ts: str | None,
        tip_id: str,
        *,
        kind: str,
        local_date: str | None = None,
        status: str = "posted",
    ) -> Post:
        """Record a tip message that is not a daily post (a shared answer, a forced post).

        One row per message: when (channel, ts) is already recorded (say, by a concurrent
        reaction, or as the daily post) that row is returned unchanged.
        """
        with self.transaction() as db:
            now = utcnow()
            cursor = db.execute(
                "INSERT INTO posts (channel, ts, tip_id, local_date, kind, status, created_at, posted_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (channel, ts) WHERE ts IS NOT NULL DO NOTHING",
                [channel, ts, tip_id, local_date, kind, status, now, now if ts else None],
            )
            if cursor.rowcount:
                return _post(db.table("posts").get(cast(int, cursor.lastrowid)))
            return _post(
                next(db.table("posts").rows_where("channel = ? AND ts = ?", [channel, ts]))
            )

    def mark_posted(self, post_id: int, ts: str, *, owner: str | None = None) -> bool:
        """The message for a claimed post exists in Slack with this ts; False when `owner`
        is given and the claim is no longer that owner's (nothing is changed then).

        A row recorded for the same message meanwhile (a reaction recovered it from its
        metadata while the post was in flight) is merged into the claim.
        """
        with self.transaction() as db:
            if owner is not None and not _owns(db, post_id, owner):
                return False
            db.execute(
                "DELETE FROM posts WHERE ts = ? AND id != ? "
                "AND channel = (SELECT channel FROM posts WHERE id = ?)",
                [ts, post_id, post_id],
            )
            db.execute(
                "UPDATE posts SET ts = ?, status = 'posted', posted_at = ?, lease_until = NULL "
                "WHERE id = ?",
                [ts, utcnow(), post_id],
            )
            return True

    def release_post(self, post_id: int, *, owner: str | None = None) -> None:
        """Forget a claim whose message certainly was not posted, so a later run may retry.

        With `owner`, only that owner's claim is released.
        """
        with self.transaction() as db:
            if owner is None:
                db.execute("DELETE FROM posts WHERE id = ? AND status = 'pending'", [post_id])
            else:
                db.execute(
                    "DELETE FROM posts WHERE id = ? AND status = 'pending' AND owner = ?",
                    [post_id, owner],
                )

    def set_post_status(self, post_id: int, status: str) -> None:
        """Mark a claimed post, e.g. 'failed' when the channel is gone for good."""
        with self.transaction() as db:
            db.execute("UPDATE posts SET status = ? WHERE id = ?", [status, post_id])

    def daily_post(self, channel: str, local_date: str) -> Post | None:
        """The daily post of a channel on a local date, whatever its status."""
        rows = list(
            self.db.table("posts").rows_where(
                "channel = ? AND local_date = ? AND kind = 'daily'", [channel, local_date]
            )
        )
        return _post(rows[0]) if rows else None

    def post_by_ts(self, channel: str, ts: str) -> Post | None:
        """The tip message at (channel, ts), if the bot recorded one.

        Every reaction asks this; a message's tip never changes, so hits are remembered.
        """
        key = (channel, ts)
        post = self._posts_by_ts.get(key)
        if post is not None:
            return post
        cursor = self.db.execute(
            "SELECT id, channel, ts, tip_id, local_date, kind, status FROM posts "
            "WHERE channel = ? AND ts = ? LIMIT 1",
            [channel, ts],
        )
        row = cursor.fetchone()
        if row is None:
            return None
        if len(self._posts_by_ts) >= POST_CACHE_SIZE:
            self._posts_by_ts.clear()
        post = self._posts_by_ts[key] = Post(*row)
        return post

    def posts(self, channel: str | None = None) -> list[Post]:
        """Every recorded post (of one channel), oldest first."""
        where, args = ("channel = ?", [channel]) if channel else (None, [])
        return [_post(r) for r in self.db.table("posts").rows_where(where, args, order_by="id")]

    def posted_tip_ids(self, channel: str) -> list[tuple[str, str]]:
        """(tip_id, local_date or created_at) of every tip posted in a channel, oldest first."""
        return [
            (r["tip_id"], r["local_date"] or r["created_at"][:10])
            for r in self.db.query(
                "SELECT tip_id, local_date, created_at FROM posts WHERE channel = ? "
                "AND status IN ('posted', 'pending') ORDER BY id",
                [channel],
            )
        ]

    def pending_claims(self) -> list[tuple[Post, str]]:
        """Claimed posts not known to be in Slack, with their claim time (created_at, UTC
        ISO), oldest first: what reconciliation settles after a crash or an outage."""
        return [
            (_post(r), r["created_at"])
            for r in self.db.table("posts").rows_where("status = 'pending'", order_by="id")
        ]


def _lease_until(lease: float, owner: str | None) -> str | None:
    return None if owner is None else lease_end(lease)


def _owns(db, post_id: int, owner: str) -> bool:
    row = db.execute("SELECT owner FROM posts WHERE id = ?", [post_id]).fetchone()
    return row is not None and row[0] == owner
