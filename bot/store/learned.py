"""The `learned` table: which tip a question should or should not get, from people's clicks."""

from __future__ import annotations

from bot.store.db import Connection, utcnow

MATCH, MISMATCH = "match", "mismatch"


class LearnedTable(Connection):
    """Recording, listing and clearing learned question-tip pairs."""

    def add_learned(
        self, *, question: str, norm: str, tip_id: str, verdict: str, user: str | None = None
    ) -> None:
        """Count one confirmed match or one mismatch of `tip_id` for a normalised question.

        `verdict` is "match" or "mismatch" (ValueError otherwise); the latest click sets the
        pair's verdict, and both counts are kept for curators.
        """
        if verdict not in (MATCH, MISMATCH):
            raise ValueError(f"verdict must be {MATCH!r} or {MISMATCH!r}, not {verdict!r}")
        at = utcnow()
        matched, mismatched = (1, 0) if verdict == MATCH else (0, 1)
        with self.transaction() as db:
            db.execute(
                "INSERT INTO learned (norm, tip_id, question, verdict, matched, mismatched, user, "
                "first_at, last_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (norm, tip_id) DO UPDATE SET question = excluded.question, "
                "verdict = excluded.verdict, matched = matched + excluded.matched, "
                "mismatched = mismatched + excluded.mismatched, user = excluded.user, "
                "last_at = excluded.last_at",
                [norm, tip_id, question, verdict, matched, mismatched, user, at, at],
            )

    def learned(self, *, verdict: str | None = None, limit: int | None = None) -> list[dict]:
        """Learned pairs, most recently taught first (optionally only one verdict)."""
        where, args = ("WHERE verdict = ?", [verdict]) if verdict else ("", [])
        tail = " LIMIT ?" if limit else ""
        return list(
            self.db.query(
                f"SELECT norm, tip_id, question, verdict, matched, mismatched, user, first_at, "
                f"last_at FROM learned {where} ORDER BY last_at DESC, norm, tip_id{tail}",
                args + ([limit] if limit else []),
            )
        )

    def clear_learned(self) -> int:
        """Forget every learned pair; returns how many there were."""
        with self.transaction() as db:
            return db.execute("DELETE FROM learned").rowcount
