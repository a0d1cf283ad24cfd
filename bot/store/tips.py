"""The `team_tips` tables: tips the team writes in Slack, every version kept, and who edited.

A team tip is stored as plain values (lists and the source as JSON text); turning it into a
`Tip` and validating it is the core's job (bot/core/curation.py). `team_tips` holds the
current version of each tip, `team_tip_versions` every version including the current one.
"""

from __future__ import annotations

import json

from bot.store.db import Connection, utcnow

_JSON_FIELDS = ("tags", "questions", "source")
CONTENT_FIELDS = ("title", "kind", "text", "tags", "questions", "source", "status")


class StaleTipError(Exception):
    """The tip changed (or was retired) since the editor read it; nothing was saved."""

    def __init__(self, tip_id: str, expected: int, current: dict | None):
        self.tip_id = tip_id
        self.expected = expected
        self.current = current
        super().__init__(
            f"tip '{tip_id}' is at version {current['version'] if current else 0}, "
            f"not {expected}: reopen it to edit the current version"
        )


def _decode(row: dict) -> dict:
    out = dict(row)
    for name in _JSON_FIELDS:
        if name in out and isinstance(out[name], str):
            out[name] = json.loads(out[name])
    return out


def _encode(tip: dict) -> dict:
    return {
        name: json.dumps(tip[name], ensure_ascii=False) if name in _JSON_FIELDS else tip.get(name)
        for name in CONTENT_FIELDS
    }


class TeamTipsTable(Connection):
    """Saving, versioning and reading the team's tips."""

    def save_team_tip(
        self, tip: dict, *, user: str, expected_version: int, origin: str = "team"
    ) -> dict:
        """Save a new version of a tip when it is still at `expected_version` (0: not yet saved).

            `tip` holds id, title, text, tags, questions, source (a dict), status and optionally
        kind. Raises
            StaleTipError, writing nothing, when someone saved or retired it in between. Returns
            the stored row (lists decoded) with its new `version`.
        """
        now = utcnow()
        content = _encode(tip)
        with self.transaction() as db:
            current = self.team_tip(tip["id"])
            version = current["version"] if current else 0
            if version != expected_version:
                raise StaleTipError(tip["id"], expected_version, current)
            row = {
                "id": tip["id"],
                "version": version + 1,
                "origin": current["origin"] if current else origin,
                **content,
                "created_by": current["created_by"] if current else user,
                "created_at": current["created_at"] if current else now,
                "updated_by": user,
                "updated_at": now,
            }
            db.table("team_tips").upsert(row, pk="id")
            db.table("team_tip_versions").insert(
                {
                    "tip_id": tip["id"],
                    "version": version + 1,
                    **content,
                    "edited_by": user,
                    "edited_at": now,
                },
                pk=("tip_id", "version"),
            )
        return _decode(row)

    def team_tip(self, tip_id: str) -> dict | None:
        """The current version of one team tip, or None."""
        rows = list(self.db.table("team_tips").rows_where("id = ?", [tip_id]))
        return _decode(rows[0]) if rows else None

    def team_tips(self) -> list[dict]:
        """The current version of every team tip, oldest first."""
        return [
            _decode(r) for r in self.db.table("team_tips").rows_where(order_by="created_at, id")
        ]

    def team_tip_versions(self, tip_id: str) -> list[dict]:
        """Every version of a tip, oldest first, each with who made it and when."""
        return [
            _decode(r)
            for r in self.db.table("team_tip_versions").rows_where(
                "tip_id = ?", [tip_id], order_by="version"
            )
        ]

    def team_tips_revision(self) -> tuple[int, str]:
        """A cheap fingerprint that changes whenever any team tip is saved (for reloads)."""
        count, last = self.db.execute(
            "SELECT COUNT(*), COALESCE(MAX(edited_at), '') FROM team_tip_versions"
        ).fetchone()
        return count, last
