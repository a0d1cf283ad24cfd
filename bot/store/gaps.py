"""The `gaps` table: questions the bot could not answer, grouped by topic."""

from __future__ import annotations

from bot.store.db import Connection, utcnow


class GapsTable(Connection):
    """Keeping and summarising unanswered questions."""

    def add_gap(self, question: str, topic: str, user: str | None = None) -> None:
        """Keep a question the bot could not answer."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO gaps (question, topic, user, at) VALUES (?, ?, ?, ?)",
                [question, topic, user, utcnow()],
            )

    def gaps(self, *, limit: int = 20) -> list[dict]:
        """The most frequent open (unanswered) topics: topic, count, an example question, last asked."""
        return list(
            self.db.query(
                "SELECT topic, COUNT(*) AS count, MAX(question) AS example, MAX(at) AS last_asked "
                "FROM gaps WHERE answered_at IS NULL GROUP BY topic ORDER BY count DESC, last_asked DESC, topic LIMIT ?",
                [limit],
            )
        )
