"""The `events` table: Slack event ids already handled, so a retried delivery acts once.

An event answered later (a mention, a DM: the answer waits in its channel's lane) is
claimed with a lease and its payload, and only marked done once answered. A claim whose
lease ran out (the process died) or that was released (a shutdown left it unanswered) is
claimed again by Slack's redelivery or by the next start, which answers it from the payload.
"""

from __future__ import annotations

from sqlite_utils import Database

from bot.store.db import Connection, ago, lease_end, utcnow

RELEASED = ""  # a pending_until before any time: the claim is free for the next taker


def insert_event(
    db: Database,
    event_id: str,
    at: str,
    *,
    until: str | None = None,
    owner: str | None = None,
    payload: str | None = None,
) -> bool:
    """Record `event_id` inside the caller's transaction; False when it was there already.

    The one insert behind every event claim: `claim_event` here, and `record_vote` /
    `withdraw_vote`, which claim a reaction's event id in the same transaction as its vote.
    """
    cursor = db.execute(
        "INSERT OR IGNORE INTO events (event_id, at, pending_until, owner, payload) "
        "VALUES (?, ?, ?, ?, ?)",
        [event_id, at, until, owner if until else None, payload if until else None],
    )
    return cursor.rowcount > 0


class EventsTable(Connection):
    """Claiming Slack event ids (mentions, DMs, workflow steps) before acting on them."""

    def claim_event(
        self,
        event_id: str,
        *,
        lease: float | None = None,
        payload: str | None = None,
        owner: str | None = None,
    ) -> bool:
        """True when the caller should act on `event_id`; False for a retry of one handled.

        Slack redelivers an event it thinks we missed (same `event_id`, with
        `X-Slack-Retry-Num`); claim before acting and act only on True. Without `lease` the
        event counts as handled at once (reactions, recorded by `record_vote` in the same
        table, work like that). With `lease` (seconds) it stays pending, with `payload`,
        until `finish_event`; a pending claim whose lease ran out or that was released is
        taken again (True), so an event never answered is not dropped as a duplicate.
        """
        now = utcnow()
        until = lease_end(lease) if lease is not None else None
        with self.transaction() as db:
            if insert_event(db, event_id, now, until=until, owner=owner, payload=payload):
                return True
            cursor = db.execute(
                "UPDATE events SET pending_until = ?, owner = ?, payload = COALESCE(?, payload) "
                "WHERE event_id = ? AND pending_until IS NOT NULL AND pending_until < ?",
                [until or lease_end(0), owner, payload, event_id, now],
            )
            if cursor.rowcount and until is None:  # taken over to act on it at once
                db.execute(
                    "UPDATE events SET pending_until = NULL, owner = NULL, payload = NULL "
                    "WHERE event_id = ?",
                    [event_id],
                )
            return cursor.rowcount > 0

    def finish_event(self, event_id: str) -> None:
        """The event was acted on (answered, or refused for good): never again."""
        with self.transaction() as db:
            db.execute(
                "UPDATE events SET pending_until = NULL, owner = NULL, payload = NULL "
                "WHERE event_id = ?",
                [event_id],
            )

    def release_event(self, event_id: str) -> bool:
        """Give a pending claim up unanswered (shutting down): the next taker answers it."""
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE events SET pending_until = ? "
                "WHERE event_id = ? AND pending_until IS NOT NULL",
                [RELEASED, event_id],
            )
            return cursor.rowcount > 0

    def unanswered_events(
        self, *, max_age: float, not_owner: str | None = None
    ) -> list[tuple[str, str]]:
        """(event_id, payload) of events claimed but never answered whose claim is free
        (released, or its lease ran out), received within the last `max_age` seconds.

        Claims of `not_owner` whose lease ran out are left out unless released: that
        process is still answering them (a long queue, a slow Slack), not dead.
        """
        since = ago(max_age)
        return [
            (row[0], row[1])
            for row in self.db.execute(
                "SELECT event_id, payload FROM events WHERE pending_until IS NOT NULL "
                "AND pending_until < ? AND payload IS NOT NULL AND at >= ? "
                "AND (pending_until = ? OR ? IS NULL OR owner IS NOT ?) ORDER BY at",
                [utcnow(), since, RELEASED, not_owner, not_owner],
            ).fetchall()
        ]

    def forget_events(self, *, older_than: float) -> int:
        """Delete event ids received more than `older_than` seconds ago (Slack retries for
        minutes, not days), so the table does not grow for ever; returns how many went."""
        before = ago(older_than)
        with self.transaction() as db:
            return db.execute("DELETE FROM events WHERE at < ?", [before]).rowcount
