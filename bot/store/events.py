"""The `events` table: Slack event ids already handled, so a retried delivery acts once."""

from __future__ import annotations

from bot.store.db import Connection, utcnow


class EventsTable(Connection):
    """Claiming Slack event ids (mentions, DMs, workflow steps) before acting on them."""

    def claim_event(self, event_id: str) -> bool:
        """True the first time `event_id` is claimed; False for every later claim (a retry).

        Slack redelivers an event it thinks we missed (same `event_id`, with
        `X-Slack-Retry-Num`); claim before answering and answer only on True. The same
        table holds the ids of reactions recorded by `record_vote`.
        """
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO events (event_id, at) VALUES (?, ?)", [event_id, utcnow()]
            )
            return cursor.rowcount > 0
