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
def m002_team_tips(db: Database) -> None:
    # Tips the team writes in Slack, layered over the YAML base by id. `team_tips` holds the
    # current version; `team_tip_versions` keeps every version and who made it.
    db["team_tips"].create(
        {
            "id": str,
            "version": int,
            "origin": str,
            "title": str,
            "text": str,
            "tags": str,
            "questions": str,
            "source": str,
            "status": str,
            "created_by": str,
            "created_at": str,
            "updated_by": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"version", "origin", "title", "text", "tags", "questions", "source", "status"},
    )
    db["team_tip_versions"].create(
        {
            "tip_id": str,
            "version": int,
            "title": str,
            "text": str,
            "tags": str,
            "questions": str,
            "source": str,
            "status": str,
            "edited_by": str,
            "edited_at": str,
        },
        pk=("tip_id", "version"),
        foreign_keys=[("tip_id", "team_tips", "id")],
    )
    # Who asked to be told when a question gets a tip: stored only on that click (consent).
    db["gap_waiters"].create(
        {
            "topic": str,
            "user": str,
            "question": str,
            "at": str,
            "notified_at": str,
            "tip_id": str,
        },
        pk=("topic", "user"),
    )
    db["gaps"].add_column("answered_by", str)
    db["gaps"].add_column("answered_at", str)
