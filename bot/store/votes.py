"""The `votes`, `ratings` and `events` tables: reactions and button presses, exactly once.

A vote is one reaction or button press; a rating is one person's current opinion of a
tip, derived from their votes; an event id is recorded in the same transaction as the
vote so a Slack retry never counts twice. A withdrawn reaction stays as a row with value
0 (a tombstone) stamped with its time, so an addition Slack delivers late (events are not
ordered, retries reorder them) cannot bring back what the person took away.
"""

from __future__ import annotations

from sqlite_utils import Database

from bot.store.db import Connection, utcnow
from bot.store.events import insert_event


class VotesTable(Connection):
    """Recording and withdrawing votes; tallies of current opinions."""

    def record_vote(
        self,
        *,
        user: str,
        tip_id: str,
        channel: str,
        message_ts: str,
        reaction: str,
        value: int,
        event_id: str | None = None,
        at: str | None = None,
    ) -> bool:
        """Record one reaction or button press and update the person's opinion of the tip.

        `value` is +1 (useful) or -1 (not useful). `at` is when it happened (Slack's
        event time; default now): a vote older than what is stored for the same reaction
        (a later removal, a later vote) changes nothing. Returns False (and changes nothing)
        when `event_id` was already handled. All of it happens in one transaction.
        """
        newest = at is None
        at = at or utcnow()
        with self.transaction() as db:
            if event_id and not insert_event(db, event_id, at):
                return False
            # Plain SQL on the hot path: sqlite-utils' upsert introspects the table each call.
            db.execute(
                "INSERT INTO votes (user, tip_id, channel, message_ts, reaction, value, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user, tip_id, channel, message_ts, reaction) "
                "DO UPDATE SET value = excluded.value, at = excluded.at WHERE excluded.at >= votes.at",
                [user, tip_id, channel, message_ts, reaction, value, at],
            )
            if newest:
                # A vote made now is the person's latest: it is their opinion.
                db.execute(
                    "INSERT INTO ratings (user, tip_id, value, at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (user, tip_id) DO UPDATE SET value = excluded.value, "
                    "at = excluded.at WHERE excluded.at >= ratings.at",
                    [user, tip_id, value, at],
                )
            else:
                self._refresh_rating(db, user, tip_id)
        return True

    def withdraw_vote(
        self,
        *,
        user: str,
        tip_id: str,
        channel: str,
        message_ts: str,
        reaction: str,
        event_id: str | None = None,
        at: str | None = None,
    ) -> bool:
        """Withdraw one reaction; the person's opinion falls back to their latest standing vote.

        `at` is when the reaction was removed (default now); the removal is kept (value 0)
        so an addition from before it, delivered after it, is ignored.
        """
        at = at or utcnow()
        with self.transaction() as db:
            if event_id and not insert_event(db, event_id, utcnow()):
                return False
            db.execute(
                "INSERT INTO votes (user, tip_id, channel, message_ts, reaction, value, at) "
                "VALUES (?, ?, ?, ?, ?, 0, ?) ON CONFLICT (user, tip_id, channel, message_ts, reaction) "
                "DO UPDATE SET value = 0, at = excluded.at WHERE excluded.at >= votes.at",
                [user, tip_id, channel, message_ts, reaction, at],
            )
            self._refresh_rating(db, user, tip_id)
        return True

    @staticmethod
    def _refresh_rating(db: Database, user: str, tip_id: str) -> None:
        latest = db.execute(
            "SELECT value, at FROM votes WHERE user = ? AND tip_id = ? AND value != 0 "
            "ORDER BY at DESC, rowid DESC LIMIT 1",
            [user, tip_id],
        ).fetchone()
        if latest is None:
            db.execute("DELETE FROM ratings WHERE user = ? AND tip_id = ?", [user, tip_id])
        else:
            db.execute(
                "INSERT INTO ratings (user, tip_id, value, at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (user, tip_id) DO UPDATE SET value = excluded.value, at = excluded.at",
                [user, tip_id, latest[0], latest[1]],
            )

    def tip_tallies(self, *, since: str | None = None) -> dict[str, tuple[int, int]]:
        """tip_id -> (people who find it useful, people who do not), current opinions only."""
        where, args = ("WHERE at >= ?", [since]) if since else ("", [])
        rows = self.db.execute(
            f"SELECT tip_id, SUM(value > 0), SUM(value < 0) FROM ratings {where} GROUP BY tip_id",
            args,
        ).fetchall()
        return {tip_id: (int(up or 0), int(down or 0)) for tip_id, up, down in rows}

    def user_ratings(self, user: str) -> list[dict]:
        """The tips this person rated, newest first."""
        return list(self.db.table("ratings").rows_where("user = ?", [user], order_by="at DESC"))
