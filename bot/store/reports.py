"""Read-outs across tables: counts for `stats` and the full export for data portability."""

from __future__ import annotations

from bot.store.db import Connection


class Reports(Connection):
    """Counts and exports over posts, votes and ratings."""

    def counts(self, *, since: str | None = None) -> dict[str, int]:
        """How many posts and current ratings there are (optionally since a UTC time)."""
        where, args = ("WHERE created_at >= ?", [since]) if since else ("", [])
        posts = self.db.execute(
            f"SELECT COUNT(*) FROM posts {where} {'AND' if where else 'WHERE'} status = 'posted'",
            args,
        ).fetchone()[0]
        rwhere, rargs = ("WHERE at >= ?", [since]) if since else ("", [])
        ratings = self.db.execute(f"SELECT COUNT(*) FROM ratings {rwhere}", rargs).fetchone()[0]
        return {"posts": posts, "ratings": ratings}

    def export(self) -> dict[str, list[dict]]:
        """All posts, votes and ratings as plain rows (data portability)."""
        return {
            "posts": list(self.db.table("posts").rows_where(order_by="id")),
            "votes": list(self.db.table("votes").rows_where("value != 0", order_by="at")),
            "ratings": list(self.db.table("ratings").rows_where(order_by="at")),
        }
