"""The `workspaces` and `curators` tables.

`workspaces` lives in the install's database (COACH_DB) when one install serves many
workspaces: which workspaces installed the app, whether the coach may post there
('active', 'paused' when Slack refused its token, 'removed' after an uninstall) and when a
removed workspace's data is deleted. Each workspace's own data (subscriptions, posts,
votes, gaps, team tips, ...) is in a database file of its own, `<team>.db` in the
workspaces folder, so no query can reach another workspace's rows.

`curators` lives in every workspace's database: the people a curator or admin made
curators from Slack, beside COACH_CURATORS.
"""

from __future__ import annotations

import datetime as dt

from bot.store.db import Connection, utcnow

ACTIVE, PAUSED, REMOVED, DELETED = "active", "paused", "removed", "deleted"


class WorkspacesTable(Connection):
    """Installs, pauses, removals and scheduled deletions of workspaces."""

    def record_install(self, team: str, *, enterprise: str | None, team_name: str | None) -> None:
        """`team` installed (or reinstalled) the app: active, with no deletion scheduled."""
        now = utcnow()
        with self.transaction() as db:
            db.execute(
                "INSERT INTO workspaces (team, enterprise, team_name, state, reason, installed_at) "
                "VALUES (?, ?, ?, 'active', '', ?) ON CONFLICT (team) DO UPDATE SET "
                "enterprise = excluded.enterprise, team_name = excluded.team_name, state = 'active', "
                "reason = '', installed_at = excluded.installed_at, removed_at = NULL, "
                "delete_after = NULL, deleted_at = NULL",
                [team, enterprise or "", team_name or "", now],
            )

    def workspace(self, team: str) -> dict | None:
        """The workspace's row, or None when it never installed the app."""
        rows = list(self.db["workspaces"].rows_where("team = ?", [team]))
        return rows[0] if rows else None

    def workspaces(self, *, state: str | None = None) -> list[dict]:
        """Every workspace (or those in `state`), by team id."""
        where, args = ("state = ?", [state]) if state else (None, [])
        return list(self.db["workspaces"].rows_where(where, args, order_by="team"))

    def pause_workspace(self, team: str, reason: str) -> bool:
        """Stop posting in an active workspace (Slack refused its token); True when paused now."""
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE workspaces SET state = 'paused', reason = ? "
                "WHERE team = ? AND state = 'active'",
                [reason, team],
            )
        return cursor.rowcount > 0

    def remove_workspace(self, team: str, *, keep_days: float, reason: str) -> str | None:
        """The app was uninstalled (or its tokens revoked): nothing more is posted there, and
        its data is deleted `keep_days` from now. Returns that time, or None when unknown."""
        now = dt.datetime.now(dt.UTC)
        after = (now + dt.timedelta(days=keep_days)).isoformat(timespec="microseconds")
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE workspaces SET state = 'removed', reason = ?, removed_at = ?, "
                "delete_after = ? WHERE team = ? AND state IN ('active', 'paused')",
                [reason, now.isoformat(timespec="microseconds"), after, team],
            )
        if cursor.rowcount:
            return after
        row = self.workspace(team)
        return row["delete_after"] if row and row["state"] == REMOVED else None

    def deletions_due(self, *, now: str | None = None) -> list[str]:
        """Removed workspaces whose grace period is over, oldest first."""
        rows = self.db.execute(
            "SELECT team FROM workspaces WHERE state = 'removed' AND delete_after <= ? "
            "ORDER BY delete_after",
            [now or utcnow()],
        ).fetchall()
        return [row[0] for row in rows]

    def mark_deleted(self, team: str) -> None:
        """The workspace's data is gone: the row stays (no name) so the deletion is on record."""
        with self.transaction() as db:
            db.execute(
                "UPDATE workspaces SET state = 'deleted', team_name = '', deleted_at = ? WHERE team = ?",
                [utcnow(), team],
            )

    def prune_oauth_states(self, *, now: float) -> int:
        """Delete the install links' OAuth states that lapsed before `now` (epoch seconds):
        slack-sdk's state store deletes a state when it is used, never when it lapses, so
        every unused GET /slack/install would stay a row. Returns how many went."""
        with self.transaction() as db:
            if "oauth_states" not in db.table_names():
                return 0
            return db.execute("DELETE FROM oauth_states WHERE expire_at < ?", [now]).rowcount


class CuratorsTable(Connection):
    """The workspace's curators made in Slack (COACH_CURATORS stays the operator's list)."""

    def curators(self) -> list[dict]:
        """Every curator added in Slack, oldest first."""
        return list(self.db["curators"].rows_where(order_by="added_at, rowid"))

    def is_listed_curator(self, user: str) -> bool:
        """True when `user` was made a curator in Slack."""
        return bool(self.db.execute("SELECT 1 FROM curators WHERE user = ?", [user]).fetchone())

    def add_curator(self, user: str, *, by: str) -> bool:
        """Make `user` a curator; False when they already were."""
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO curators (user, added_by, added_at) VALUES (?, ?, ?)",
                [user, by, utcnow()],
            )
        return cursor.rowcount > 0

    def remove_curator(self, user: str) -> bool:
        """`user` is no longer a curator (unless COACH_CURATORS or an admin role says so)."""
        with self.transaction() as db:
            cursor = db.execute("DELETE FROM curators WHERE user = ?", [user])
        return cursor.rowcount > 0
