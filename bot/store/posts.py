"""The `posts` table: every tip message the bot made, and the daily claim.

The claim is an insert under a unique index on (channel, local_date) for daily posts, so
no two ticks, threads or processes post one channel's daily tip twice on one local day.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.store.db import BUSY_TIMEOUT_MS, Connection, utcnow

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

    def claim_daily(self, channel: str, local_date: str, tip_id: str) -> Post | None:
        """Record the intent to post today's tip; None if this channel already has one that day.

        The unique index makes this the single point that prevents double daily posts,
        across restarts and across processes sharing the database.
        """
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO posts (channel, tip_id, local_date, kind, status, created_at) "
                "VALUES (?, ?, ?, 'daily', 'pending', ?)",
                [channel, tip_id, local_date, utcnow()],
            )
            if cursor.rowcount == 0:
                return None
            return _post(db["posts"].get(cursor.lastrowid))

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
                return _post(db["posts"].get(cursor.lastrowid))
            return _post(next(db["posts"].rows_where("channel = ? AND ts = ?", [channel, ts])))

    def mark_posted(self, post_id: int, ts: str) -> None:
        """The message for a claimed post exists in Slack with this ts.

        A row recorded for the same message meanwhile (a reaction recovered it from its
        metadata while the post was in flight) is merged into the claim.
        """
        with self.transaction() as db:
            db.execute(
                "DELETE FROM posts WHERE ts = ? AND id != ? "
                "AND channel = (SELECT channel FROM posts WHERE id = ?)",
                [ts, post_id, post_id],
            )
            db.execute(
                "UPDATE posts SET ts = ?, status = 'posted', posted_at = ? WHERE id = ?",
                [ts, utcnow(), post_id],
            )

    def release_post(self, post_id: int) -> None:
        """Forget a claim whose message certainly was not posted, so a later run may retry."""
        with self.transaction() as db:
            db.execute("DELETE FROM posts WHERE id = ? AND status = 'pending'", [post_id])

    def set_post_status(self, post_id: int, status: str) -> None:
        """Mark a claimed post, e.g. 'failed' when the channel is gone for good."""
        with self.transaction() as db:
            db.execute("UPDATE posts SET status = ? WHERE id = ?", [status, post_id])

    def daily_post(self, channel: str, local_date: str) -> Post | None:
        """The daily post of a channel on a local date, whatever its status."""
        rows = list(
            self.db["posts"].rows_where(
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
        return [_post(r) for r in self.db["posts"].rows_where(where, args, order_by="id")]

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
            for r in self.db["posts"].rows_where("status = 'pending'", order_by="id")
        ]
