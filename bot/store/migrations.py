"""The schema as sqlite-utils migrations, applied idempotently when the store opens.

Add a schema change as a new `@migrations()` function after the last one; never edit one
that has shipped (databases in the field have already applied it).
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("aipm_coach")


@migrations()
def m001_initial(db: Database) -> None:
    db["subscriptions"].create(
        {
            "channel": str,
            "at": str,
            "tz": str,
            "days": str,
            "paused": int,
            "paused_reason": str,
            "created_by": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="channel",
        not_null={"at", "tz", "days"},
        defaults={"paused": 0},
    )
    db["posts"].create(
        {
            "id": int,
            "channel": str,
            "ts": str,
            "tip_id": str,
            "local_date": str,
            "kind": str,
            "status": str,
            "created_at": str,
            "posted_at": str,
        },
        pk="id",
        not_null={"channel", "tip_id", "kind", "status"},
    )
    db["posts"].create_index(["channel", "ts"])
    db["posts"].create_index(["channel", "tip_id"])
    # The heart of "never two daily tips on one local day": the claim is an insert.
    db.execute(
        "CREATE UNIQUE INDEX posts_one_daily ON posts(channel, local_date) WHERE kind = 'daily'"
    )
    db["votes"].create(
        {
            "user": str,
            "tip_id": str,
            "channel": str,
            "message_ts": str,
            "reaction": str,
            "value": int,
            "at": str,
        },
        pk=("user", "tip_id", "channel", "message_ts", "reaction"),
    )
    db["ratings"].create(
        {"user": str, "tip_id": str, "value": int, "at": str},
        pk=("user", "tip_id"),
    )
    db["ratings"].create_index(["tip_id"])
    db["events"].create({"event_id": str, "at": str}, pk="event_id")
    db["gaps"].create(
        {"id": int, "question": str, "topic": str, "user": str, "at": str},
        pk="id",
    )
    db["gaps"].create_index(["topic"])
    db["notices"].create({"key": str, "at": str}, pk="key")


@migrations()
def m002_shares(db: Database) -> None:
    # One row per answer shared to a channel: the claim is the insert, so two clicks
    # (even at the same moment, even in two processes) post it once.
    db["shares"].create(
        {
            "key": str,
            "channel": str,
            "tip_id": str,
            "user": str,
            "status": str,
            "ts": str,
            "claimed_at": str,
            "posted_at": str,
        },
        pk="key",
        not_null={"channel", "tip_id", "status", "claimed_at"},
    )


@migrations()
def m003_served(db: Database) -> None:
    # Tips given to one person on request (`/aipm tip`), apart from channel posts so the
    # daily rotation never sees them.
    db["served"].create({"id": int, "user": str, "tip_id": str, "at": str}, pk="id")
    db["served"].create_index(["user", "id"])


@migrations()
def m004_learned_pairs(db: Database) -> None:
    # One row per (normalised question, tip): what people told the bot about that pairing.
    db["learned"].create(
        {
            "norm": str,
            "tip_id": str,
            "question": str,
            "verdict": str,
            "matched": int,
            "mismatched": int,
            "user": str,
            "first_at": str,
            "last_at": str,
        },
        pk=("norm", "tip_id"),
        not_null={"question", "verdict"},
        defaults={"matched": 0, "mismatched": 0},
    )
    db["learned"].create_index(["tip_id"])
