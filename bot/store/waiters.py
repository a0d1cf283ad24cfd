"""The `gap_waiters` table and open gaps: who asked to be told, and which gaps are closed.

A waiter is stored only when a person clicks "Tell me when there's a tip" (their consent);
nothing else in the database links a person to a question unless COACH_LOG_USERS is on.
"""

from __future__ import annotations

from bot.store.db import Connection, lease_end, utcnow


class WaitersTable(Connection):
    """Waiting askers, open gaps, and closing them when a tip answers."""

    def add_waiter(self, topic: str, question: str, user: str) -> bool:
        """Remember that `user` wants a DM when `topic` gets a tip; True when newly waiting."""
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO gap_waiters (topic, user, question, at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (topic, user) DO UPDATE SET question = excluded.question, "
                "at = excluded.at, notified_at = NULL, tip_id = NULL "
                "WHERE gap_waiters.notified_at IS NOT NULL",
                [topic, user, question, utcnow()],
            )
            return cursor.rowcount > 0

    def waiting_topics(self) -> list[dict]:
        """Topics someone is still waiting on: topic, a question as typed, how many wait."""
        return list(
            self.db.query(
                "SELECT topic, MAX(question) AS question, COUNT(*) AS waiting "
                "FROM gap_waiters WHERE notified_at IS NULL GROUP BY topic ORDER BY topic"
            )
        )

    def waiters(self, topic: str) -> list[dict]:
        """Who still waits on `topic` (user, question), oldest first; claimed ones included."""
        return list(
            self.db.query(
                "SELECT user, question FROM gap_waiters "
                "WHERE topic = ? AND notified_at IS NULL ORDER BY at",
                [topic],
            )
        )

    def claim_waiter(self, topic: str, user: str, tip_id: str, *, owner: str, lease: float) -> bool:
        """Claim one waiter for their DM about `tip_id`: True means send it now.

        The claim is `owner`'s for `lease` seconds; a claim whose lease ran out (its
        process died mid-DM) may be taken again. Finish with `mark_told` or `release_waiter`.
        """
        now = utcnow()
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE gap_waiters SET claimed_by = ?, lease_until = ?, tip_id = ? "
                "WHERE topic = ? AND user = ? AND notified_at IS NULL "
                "AND (lease_until IS NULL OR lease_until < ?)",
                [owner, lease_end(lease), tip_id, topic, user, now],
            )
            return cursor.rowcount > 0

    def mark_told(self, topic: str, user: str, *, owner: str) -> bool:
        """The claimed waiter's DM went out (or must not be sent again); True when recorded."""
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE gap_waiters SET notified_at = ?, claimed_by = NULL, lease_until = NULL "
                "WHERE topic = ? AND user = ? AND notified_at IS NULL AND claimed_by = ?",
                [utcnow(), topic, user, owner],
            )
            return cursor.rowcount > 0

    def release_waiter(self, topic: str, user: str) -> bool:
        """Put a claimed waiter back to waiting (their DM was surely not sent); True if so.

        The next save that answers the topic, or the next start, claims them again, so the
        DM is late, not lost.
        """
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE gap_waiters SET claimed_by = NULL, lease_until = NULL, tip_id = NULL "
                "WHERE topic = ? AND user = ? AND notified_at IS NULL AND lease_until IS NOT NULL",
                [topic, user],
            )
            return cursor.rowcount > 0

    def close_gap(self, topic: str, tip_id: str) -> int:
        """Mark a topic's open gaps answered by `tip_id`; returns how many questions closed."""
        with self.transaction() as db:
            return self._close_gap(db, topic, tip_id, utcnow())

    @staticmethod
    def _close_gap(db, topic: str, tip_id: str, now: str) -> int:
        cursor = db.execute(
            "UPDATE gaps SET answered_by = ?, answered_at = ? "
            "WHERE topic = ? AND answered_at IS NULL",
            [tip_id, now, topic],
        )
        return cursor.rowcount

    def open_gaps(self, *, limit: int = 20) -> list[dict]:
        """Open questions as people typed them, most asked first.

        Each row: topic, question (the latest wording), count (times asked, or people waiting
        when no question was logged), waiting (people to tell), last_asked.
        """
        rows = {
            r["topic"]: dict(r, waiting=0)
            for r in self.db.query(
                "SELECT g.topic, COUNT(*) AS count, MAX(g.at) AS last_asked, "
                "(SELECT question FROM gaps l WHERE l.topic = g.topic AND l.answered_at IS NULL "
                " ORDER BY l.at DESC, l.id DESC LIMIT 1) AS question "
                "FROM gaps g WHERE g.answered_at IS NULL GROUP BY g.topic"
            )
        }
        for wait in self.waiting_topics():
            row = rows.setdefault(
                wait["topic"],
                {
                    "topic": wait["topic"],
                    "count": 0,
                    "last_asked": "",
                    "question": wait["question"],
                },
            )
            row["waiting"] = wait["waiting"]
            row["count"] = max(row["count"], wait["waiting"])
        ordered = sorted(rows.values(), key=lambda r: r["last_asked"] or "", reverse=True)
        ordered.sort(key=lambda r: (-r["count"], -r["waiting"]))
        return ordered[:limit]
