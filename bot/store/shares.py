"""The `shares` table: answers shared to a channel, each posted at most once."""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.db import Connection, ago, utcnow

STALE_CLAIM_SECONDS = 300


@dataclass(frozen=True)
class Share:
    """One answer's share: 'pending' while it is being posted, then 'posted' with its ts."""

    key: str
    channel: str
    tip_id: str
    user: str | None
    status: str
    ts: str | None


def _share(row: dict) -> Share:
    return Share(
        key=row["key"],
        channel=row["channel"],
        tip_id=row["tip_id"],
        user=row["user"],
        status=row["status"],
        ts=row["ts"],
    )


class SharesTable(Connection):
    """Claiming, finishing and releasing shares of answers."""

    def claim_share(
        self, key: str, *, channel: str, tip_id: str, user: str | None
    ) -> tuple[bool, Share]:
        """Claim the right to post the answer `key`: (True, share) means post it now.

        (False, share) means someone already did ('posted', with its ts) or is doing it
        ('pending'). A pending claim older than STALE_CLAIM_SECONDS (a crash mid-post) is
        taken over. Finish with `mark_shared`, or `release_share` when nothing was posted.
        """
        now = utcnow()
        stale = ago(STALE_CLAIM_SECONDS)
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO shares (key, channel, tip_id, user, status, claimed_at) "
                "VALUES (?, ?, ?, ?, 'pending', ?)",
                [key, channel, tip_id, user, now],
            )
            fresh = cursor.rowcount > 0
            if not fresh:
                cursor = db.execute(
                    "UPDATE shares SET claimed_at = ?, user = ? "
                    "WHERE key = ? AND status = 'pending' AND claimed_at < ?",
                    [now, user, key, stale],
                )
                fresh = cursor.rowcount > 0
            return fresh, _share(db.table("shares").get(key))

    def mark_shared(self, key: str, ts: str) -> None:
        """The shared message exists in Slack with this ts."""
        with self.transaction() as db:
            db.execute(
                "UPDATE shares SET status = 'posted', ts = ?, posted_at = ? WHERE key = ?",
                [ts, utcnow(), key],
            )

    def release_share(self, key: str) -> None:
        """Forget a claim whose message was certainly not posted, so Share can be clicked again."""
        with self.transaction() as db:
            db.execute("DELETE FROM shares WHERE key = ? AND status = 'pending'", [key])

    def share(self, key: str) -> Share | None:
        """The share of the answer `key`, if it was ever claimed."""
        rows = list(self.db.table("shares").rows_where("key = ?", [key]))
        return _share(rows[0]) if rows else None
