"""The `offers` table: what each answer offered, to whom, so button values need not be trusted."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from bot.store.asked import insert_asked
from bot.store.db import Connection, utcnow

PRUNE_BATCH = 500  # expired offers deleted per new offer: the table stays bounded
BUSY_MS = 500  # an answer waits at most this long to keep its offer, then goes without


@dataclass(frozen=True)
class Offer:
    """One answer as it was given: who asked, where, what, and which tips it offered."""

    id: str
    user: str | None
    channel: str | None
    surface: str
    question: str
    tips: tuple[str, ...]
    level: str
    created_at: str


def _offer(row: dict) -> Offer:
    return Offer(
        id=row["id"],
        user=row["user"],
        channel=row["channel"],
        surface=row["surface"] or "slash",
        question=row["question"],
        tips=tuple((row["tips"] or "").split()),
        level=row["level"] or "none",
        created_at=row["created_at"],
    )


class OffersTable(Connection):
    """Recording and looking up offers; expired ones are pruned as new ones arrive."""

    def add_offer(
        self,
        *,
        user: str | None,
        channel: str | None,
        surface: str,
        question: str,
        tips: tuple[str, ...] | list[str],
        level: str,
        keep_days: int,
        asked: dict | None = None,
    ) -> Offer:
        """Keep what an answer offered; returns it with its new id (unguessable).

        `asked` (key, question) also counts the question for `stats`, in the same
        transaction (see `AskedTable.add_asked`): one write per answer, not two.
        """
        now = utcnow()
        offer = Offer(
            secrets.token_urlsafe(12), user, channel, surface, question, tuple(tips), level, now
        )
        cutoff = (dt.datetime.now(dt.UTC) - dt.timedelta(days=keep_days)).isoformat()
        with self.transaction(busy_ms=BUSY_MS) as db:
            db.execute(
                "INSERT INTO offers (id, user, channel, surface, question, tips, level, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [offer.id, user, channel, surface, question, " ".join(tips), level, now],
            )
            db.execute(
                "DELETE FROM offers WHERE rowid IN (SELECT rowid FROM offers "
                "WHERE created_at < ? ORDER BY created_at LIMIT ?)",
                [cutoff, PRUNE_BATCH],
            )
            if asked is not None:
                insert_asked(
                    db,
                    surface=surface,
                    level=level,
                    key=asked["key"],
                    question=asked["question"],
                    offer_id=offer.id,
                )
        return offer

    def offer(self, offer_id: object, *, keep_days: int) -> Offer | None:
        """The offer with this id if it exists and has not expired, else None."""
        if not isinstance(offer_id, str) or not 8 <= len(offer_id) <= 40:
            return None
        row = self.db.execute(
            "SELECT id, user, channel, surface, question, tips, level, created_at "
            "FROM offers WHERE id = ?",
            [offer_id],
        ).fetchone()
        if row is None:
            return None
        keys = ("id", "user", "channel", "surface", "question", "tips", "level", "created_at")
        found = _offer(dict(zip(keys, row, strict=True)))
        cutoff = (dt.datetime.now(dt.UTC) - dt.timedelta(days=keep_days)).isoformat()
        return found if found.created_at >= cutoff else None

    def offers_count(self) -> int:
        """How many offers are kept (for health and the soak benchmark)."""
        return int(self.db.execute("SELECT COUNT(*) FROM offers").fetchone()[0])
