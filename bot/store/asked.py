"""The `asked` table: one row per question the coach answered in Slack, for `stats`.

A row keeps where it was asked, how it was answered (sure, unsure, decline), the
question's normalised key, and the question as typed only where the workspace keeps
questions (COACH_LOG_QUESTIONS); never who asked. `mismatched` is set when the asker said
*Not what I asked* under that answer.
"""

from __future__ import annotations

from bot.store.db import Connection, ago, utcnow

WORDING_DAYS = 90  # days a question's wording is kept in `asked`; its counts stay
FORGET_BATCH = 500  # wordings blanked per insert at most, so an insert stays quick


def insert_asked(
    db, *, surface: str, level: str, key: str, question: str, offer_id: str | None
) -> None:
    """One `asked` row (and the blanking of expired wordings) inside the caller's transaction."""
    db.execute(
        "INSERT INTO asked (at, surface, level, key, question, offer_id, mismatched) "
        "VALUES (?, ?, ?, ?, ?, ?, 0)",
        [utcnow(), surface, level, key, question, offer_id],
    )
    db.execute(
        "UPDATE asked SET question = '' WHERE id IN (SELECT id FROM asked "
        "WHERE at < ? AND question != '' ORDER BY at LIMIT ?)",
        [ago(WORDING_DAYS * 86400), FORGET_BATCH],
    )


class AskedTable(Connection):
    """Counting questions by surface and outcome, and the subjects asked most."""

    def add_asked(
        self, *, surface: str, level: str, key: str, question: str, offer_id: str | None
    ) -> None:
        """Keep one answered question (`question` '' where questions are not kept).

        Wordings older than WORDING_DAYS are blanked on the way (the counts stay), so
        `asked` never keeps what someone typed for longer than that.
        """
        with self.transaction() as db:
            insert_asked(
                db, surface=surface, level=level, key=key, question=question, offer_id=offer_id
            )

    def mark_mismatched(self, offer_id: str) -> bool:
        """The asker said *Not what I asked* under the answer `offer_id` gave; True if kept."""
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE asked SET mismatched = 1 WHERE offer_id = ? AND mismatched = 0",
                [offer_id],
            )
            return cursor.rowcount > 0

    def asked_counts(self, *, since: str | None = None) -> list[dict]:
        """Rows of surface, level, asked (how many), mismatched, since `since` (ISO)."""
        return list(
            self.db.query(
                "SELECT surface, level, COUNT(*) AS asked, SUM(mismatched) AS mismatched "
                "FROM asked WHERE at >= ? GROUP BY surface, level ORDER BY surface, level",
                [since or ""],
            )
        )

    def most_asked(self, *, since: str | None = None, limit: int = 5) -> list[dict]:
        """The subjects asked most (by normalised key): count, the latest wording, its level.

        The wording is the latest non-empty one; '' where questions are not kept.
        """
        return list(
            self.db.query(
                "SELECT a.key, COUNT(*) AS count, MAX(a.at) AS last_asked, "
                "(SELECT l.question FROM asked l WHERE l.key = a.key AND l.question != '' "
                " ORDER BY l.at DESC, l.id DESC LIMIT 1) AS question, "
                "(SELECT l.level FROM asked l WHERE l.key = a.key "
                " ORDER BY l.at DESC, l.id DESC LIMIT 1) AS level "
                "FROM asked a WHERE a.at >= ? AND a.key != '' GROUP BY a.key "
                "ORDER BY count DESC, last_asked DESC LIMIT ?",
                [since or "", limit],
            )
        )
