"""The `served` table: tips given to one person on request, newest kept, oldest dropped."""

from __future__ import annotations

from bot.store.db import Connection, utcnow


class ServedTable(Connection):
    """What each person was given by `/aipm tip` (kept apart from the channels' posts)."""

    def record_served(self, user: str, tip_id: str, *, keep: int) -> None:
        """Remember that `user` was given `tip_id` on request, keeping their last `keep`."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO served (user, tip_id, at) VALUES (?, ?, ?)", [user, tip_id, utcnow()]
            )
            db.execute(
                "DELETE FROM served WHERE user = ? AND id NOT IN "
                "(SELECT id FROM served WHERE user = ? ORDER BY id DESC LIMIT ?)",
                [user, user, keep],
            )

    def served_tip_ids(self, user: str) -> list[tuple[str, str]]:
        """(tip_id, UTC date) of the tips `user` was given on request, oldest first."""
        return [
            (r["tip_id"], r["at"][:10])
            for r in self.db.query(
                "SELECT tip_id, at FROM served WHERE user = ? ORDER BY id", [user]
            )
        ]
