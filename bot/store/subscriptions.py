"""The `subscriptions` table (daily tips per channel) and `notices` (one-off messages sent)."""

from __future__ import annotations

from bot.store.db import Connection, utcnow


class SubscriptionsTable(Connection):
    """Which channels get a daily tip, when, and whether it is paused."""

    def save_subscription(
        self,
        channel: str,
        *,
        at: str,
        tz: str,
        days: str,
        user: str | None = None,
        topics: str | None = None,
        starts_on: str | None = None,
    ) -> dict:
        """Create or update the channel's subscription (unpausing it); returns the row.

        `topics`: the tags the channel cares about, comma-separated ('' for every tip);
        None keeps the channel's current topics. `starts_on` (YYYY-MM-DD, local): the
        first day a new subscription posts on; an update keeps the one it has.
        """
        now = utcnow()
        with self.transaction() as db:
            existing = self.subscription(channel)
            row = {
                "channel": channel,
                "at": at,
                "tz": tz,
                "days": days,
                "paused": 0,
                "paused_reason": None,
                "created_by": user if existing is None else existing.get("created_by") or user,
                "created_at": now if existing is None else existing["created_at"],
                "updated_at": now,
                "topics": ((existing or {}).get("topics") or "") if topics is None else topics,
                "starts_on": starts_on if existing is None else existing.get("starts_on"),
            }
            db.table("subscriptions").upsert(row, pk="channel")
            db.table("notices").delete_where("key = ?", [f"paused:{channel}"])
        return row

    def delete_subscription(self, channel: str) -> bool:
        """Stop daily tips in a channel; True when there was a subscription."""
        with self.transaction() as db:
            cursor = db.execute("DELETE FROM subscriptions WHERE channel = ?", [channel])
            return cursor.rowcount > 0

    def subscription(self, channel: str) -> dict | None:
        """The channel's subscription row, or None."""
        rows = list(self.db.table("subscriptions").rows_where("channel = ?", [channel]))
        return rows[0] if rows else None

    def subscriptions(self, *, active_only: bool = False) -> list[dict]:
        """Every subscription, by channel id."""
        where = "paused = 0" if active_only else None
        return list(self.db.table("subscriptions").rows_where(where, order_by="channel"))

    def pause_subscription(self, channel: str, reason: str) -> bool:
        """Pause a subscription (e.g. channel archived); True the first time only."""
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE subscriptions SET paused = 1, paused_reason = ?, updated_at = ? "
                "WHERE channel = ? AND paused = 0",
                [reason, utcnow(), channel],
            )
            return cursor.rowcount > 0

    def has_notice(self, key: str) -> bool:
        """Whether `claim_notice(key)` has succeeded before (in any process)."""
        return bool(list(self.db.query("SELECT 1 FROM notices WHERE key = ?", [key])))

    def claim_notice(self, key: str) -> bool:
        """True exactly once per key, across processes: for 'tell the user once' messages."""
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO notices (key, at) VALUES (?, ?)", [key, utcnow()]
            )
            return cursor.rowcount > 0
