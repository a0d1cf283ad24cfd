"""The schema as sqlite-utils migrations, applied idempotently when the store opens.

Add a schema change as a new `@migrations()` function after the last one; never edit one
that has shipped (databases in the field have already applied it).
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("aipm_coach")


def known_names() -> list[str]:
    """Every migration this version of the bot ships, in order (its schema version = len)."""
    return [m.name for m in migrations.pending(Database(memory=True))]


@migrations()
def m001_initial(db: Database) -> None:
    db.table("subscriptions").create(
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
    db.table("posts").create(
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
    db.table("posts").create_index(["channel", "ts"])
    db.table("posts").create_index(["channel", "tip_id"])
    # The heart of "never two daily tips on one local day": the claim is an insert.
    db.execute(
        "CREATE UNIQUE INDEX posts_one_daily ON posts(channel, local_date) WHERE kind = 'daily'"
    )
    db.table("votes").create(
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
    db.table("ratings").create(
        {"user": str, "tip_id": str, "value": int, "at": str},
        pk=("user", "tip_id"),
    )
    db.table("ratings").create_index(["tip_id"])
    db.table("events").create({"event_id": str, "at": str}, pk="event_id")
    db.table("gaps").create(
        {"id": int, "question": str, "topic": str, "user": str, "at": str},
        pk="id",
    )
    db.table("gaps").create_index(["topic"])
    db.table("notices").create({"key": str, "at": str}, pk="key")


@migrations()
def m002_shares(db: Database) -> None:
    # One row per answer shared to a channel: the claim is the insert, so two clicks
    # (even at the same moment, even in two processes) post it once.
    db.table("shares").create(
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
    db.table("served").create({"id": int, "user": str, "tip_id": str, "at": str}, pk="id")
    db.table("served").create_index(["user", "id"])


@migrations()
def m004_one_row_per_message(db: Database) -> None:
    # A message was once recorded several times (concurrent "recovered" rows, then the
    # claim marked posted with the same ts). Keep one row per (channel, ts): the daily
    # claim if there is one, else the oldest; votes refer to (channel, ts), not to ids.
    db.execute(
        "DELETE FROM posts WHERE ts IS NOT NULL AND id NOT IN ("
        "  SELECT (SELECT p.id FROM posts p WHERE p.channel = g.channel AND p.ts = g.ts"
        "          ORDER BY p.kind = 'daily' DESC, p.id LIMIT 1)"
        "  FROM (SELECT DISTINCT channel, ts FROM posts WHERE ts IS NOT NULL) g"
        ")"
    )
    db.execute(
        "CREATE UNIQUE INDEX posts_one_row_per_message ON posts(channel, ts) WHERE ts IS NOT NULL"
    )


@migrations()
def m005_claims_with_owner_and_lease(db: Database) -> None:
    # A daily claim belongs to the process that made it (`owner`) for as long as that
    # process keeps renewing `lease_until`; ids are AUTOINCREMENT so a released claim's id
    # is never handed to a new one (a stale process could otherwise update it). SQLite
    # cannot add AUTOINCREMENT to a table, so the table is rebuilt.
    db.execute(
        "CREATE TABLE posts_new ("
        " id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " channel TEXT NOT NULL, ts TEXT, tip_id TEXT NOT NULL, local_date TEXT,"
        " kind TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT, posted_at TEXT,"
        " owner TEXT, lease_until TEXT)"
    )
    db.execute(
        "INSERT INTO posts_new (id, channel, ts, tip_id, local_date, kind, status, created_at,"
        " posted_at) SELECT id, channel, ts, tip_id, local_date, kind, status, created_at,"
        " posted_at FROM posts"
    )
    db.execute("DROP TABLE posts")
    db.execute("ALTER TABLE posts_new RENAME TO posts")
    db.execute("CREATE INDEX idx_posts_channel_ts ON posts(channel, ts)")
    db.execute("CREATE INDEX idx_posts_channel_tip_id ON posts(channel, tip_id)")
    db.execute(
        "CREATE UNIQUE INDEX posts_one_daily ON posts(channel, local_date) WHERE kind = 'daily'"
    )
    db.execute(
        "CREATE UNIQUE INDEX posts_one_row_per_message ON posts(channel, ts) WHERE ts IS NOT NULL"
    )


@migrations()
def m006_learned_pairs(db: Database) -> None:
    # One row per (normalised question, tip): what people told the bot about that pairing.
    db.table("learned").create(
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
    db.table("learned").create_index(["tip_id"])


@migrations()
def m007_team_tips(db: Database) -> None:
    # Tips the team writes in Slack, layered over the YAML base by id. `team_tips` holds the
    # current version; `team_tip_versions` keeps every version and who made it.
    db.table("team_tips").create(
        {
            "id": str,
            "version": int,
            "origin": str,
            "title": str,
            "kind": str,
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
    db.table("team_tip_versions").create(
        {
            "tip_id": str,
            "version": int,
            "title": str,
            "kind": str,
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
    db.table("gap_waiters").create(
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
    db.table("gaps").add_column("answered_by", str)
    db.table("gaps").add_column("answered_at", str)


@migrations()
def m008_subscription_topics(db: Database) -> None:
    # The tags a channel cares about, comma-separated; NULL or '' means every tip.
    db.table("subscriptions").add_column("topics", str)


@migrations()
def m009_waiter_leases(db: Database) -> None:
    # A waiter is claimed just before their own DM (`claimed_by` until `lease_until`) and
    # marked told only after it, so a crash mid-way leaves the others waiting.
    db.table("gap_waiters").add_column("claimed_by", str)
    db.table("gap_waiters").add_column("lease_until", str)


@migrations()
def m010_event_leases(db: Database) -> None:
    # A mention or DM is claimed until it is answered: `pending_until` is the claim's lease
    # (NULL once answered, and for every event handled at once, such as reactions), `owner`
    # the process answering it and `payload` the event itself, so a restart can answer what
    # a shutdown or crash left.
    db.table("events").add_column("pending_until", str)
    db.table("events").add_column("owner", str)
    db.table("events").add_column("payload", str)
    db.execute(
        "CREATE INDEX events_pending ON events(pending_until) WHERE pending_until IS NOT NULL"
    )
    db.table("events").create_index(["at"])


@migrations()
def m011_learning_per_person(db: Database) -> None:
    # Learned pairs become per person: `teachings` holds each person's verdict on a question
    # (by its normalised key) and a tip; `learned_pairs` what a curator decided for everyone.
    # `seq` orders every change so a process can read only what changed since it last looked;
    # `meta` holds the counters. `key` is NULL until the core computes it (rows moved from
    # the old table, and all rows when the normaliser's word lists change).
    db.table("meta").create({"setting": str, "value": str}, pk="setting")
    db.table("teachings").create(
        {
            "id": int,
            "key": str,
            "question": str,
            "tip_id": str,
            "user": str,
            "verdict": str,
            "at": str,
            "seq": int,
        },
        pk="id",
        not_null={"question", "tip_id", "user", "verdict", "at", "seq"},
    )
    db.execute("CREATE UNIQUE INDEX teachings_one_verdict ON teachings(key, tip_id, user)")
    db.table("teachings").create_index(["seq"])
    db.table("teachings").create_index(["user", "at"])
    db.table("learned_pairs").create(
        {
            "key": str,
            "tip_id": str,
            "verdict": str,
            "state": str,
            "question": str,
            "curator": str,
            "at": str,
            "seq": int,
        },
        pk=("key", "tip_id"),
        not_null={"verdict", "state", "question", "at", "seq"},
    )
    db.table("learned_pairs").create_index(["seq"])
    # What an answer offered, kept server-side: a button names only the offer and a tip, so
    # feedback and shares are accepted only for tips the bot offered, by the person it asked.
    db.table("offers").create(
        {
            "id": str,
            "user": str,
            "channel": str,
            "surface": str,
            "question": str,
            "tips": str,
            "level": str,
            "created_at": str,
        },
        pk="id",
        not_null={"question", "tips", "created_at"},
    )
    db.table("offers").create_index(["created_at"])
    seq = 0
    if db.table("learned").exists():
        for row in db.query("SELECT * FROM learned ORDER BY last_at, norm, tip_id"):
            seq += 1
            db.execute(
                "INSERT OR IGNORE INTO teachings (key, question, tip_id, user, verdict, at, seq) "
                "VALUES (NULL, ?, ?, ?, ?, ?, ?)",
                [
                    row["question"],
                    row["tip_id"],
                    row["user"] or "unknown",
                    row["verdict"],
                    row["last_at"] or row["first_at"] or "",
                    seq,
                ],
            )
        db.table("learned").drop()
    db.table("meta").insert_all(
        [
            {"setting": "learned_seq", "value": str(seq)},
            {"setting": "learned_generation", "value": "1"},
            {"setting": "learned_key_version", "value": ""},
        ]
    )


@migrations()
def m012_subscription_starts_on(db: Database) -> None:
    # The first local date a new subscription posts on: the day of its next scheduled time
    # when it was made, so subscribing at 10:00 for 09:00 waits for tomorrow. NULL (every
    # row made before) means no such limit.
    db.table("subscriptions").add_column("starts_on", str)


@migrations()
def m013_asked(db: Database) -> None:
    # One row per question answered in Slack, for `stats`: surface, level, normalised key,
    # the question only where questions are kept, never who asked (see bot/store/asked.py).
    db.table("asked").create(
        {
            "id": int,
            "at": str,
            "surface": str,
            "level": str,
            "key": str,
            "question": str,
            "offer_id": str,
            "mismatched": int,
        },
        pk="id",
        not_null={"at", "surface", "level"},
    )
    db.table("asked").create_index(["at"])
    db.table("asked").create_index(["offer_id"])
    db.table("asked").create_index(["key", "at"])


@migrations()
def m014_asked_wordings_index(db: Database) -> None:
    # Blanking wordings past their keep window looks only at rows that still have one.
    db.execute("CREATE INDEX IF NOT EXISTS idx_asked_worded_at ON asked (at) WHERE question != ''")


@migrations()
def m015_workspaces(db: Database) -> None:
    # One install for many workspaces: each workspace that installed the app, in the
    # install's own database (each workspace's data lives in its own file, see
    # bot/store/workspaces.py). Empty when the bot serves one workspace.
    db.table("workspaces").create(
        {
            "team": str,
            "enterprise": str,
            "team_name": str,
            "state": str,
            "reason": str,
            "installed_at": str,
            "removed_at": str,
            "delete_after": str,
            "deleted_at": str,
        },
        pk="team",
        not_null={"state", "installed_at"},
    )


@migrations()
def m016_curators(db: Database) -> None:
    # The workspace's curators beside COACH_CURATORS: added and removed in App Home or with
    # `curators add/remove`, by a curator or an admin (who is on the record).
    db.table("curators").create(
        {"user": str, "added_by": str, "added_at": str}, pk="user", not_null={"added_at"}
    )
