"""Everything the bot records, in one SQLite file through sqlite-utils.

Tables: `subscriptions` (daily tips per channel), `posts` (every tip message the bot
made), `votes` (each reaction or button press still standing), `ratings` (one current
opinion per person per tip, derived from votes), `events` (Slack event ids already
handled), `gaps` (questions without a tip) and `notices` (one-off messages already sent).

Each thread gets its own connection (WAL, busy timeout); every write runs in a
`BEGIN IMMEDIATE` transaction so concurrent processes never lose or half-write a record.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

BUSY_TIMEOUT_MS = 10_000
POST_CACHE_SIZE = 10_000
migrations = Migrations("aipm_coach")


class StoreError(Exception):
    """The database cannot be opened or used; the message names the file and the fix."""


def utcnow() -> str:
    """The current UTC time as an ISO string (what every `*_at` column holds)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


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
def m002_served(db: Database) -> None:
    # Tips given to one person on request (`/aipm tip`), apart from channel posts so the
    # daily rotation never sees them.
    db["served"].create({"id": int, "user": str, "tip_id": str, "at": str}, pk="id")
    db["served"].create_index(["user", "id"])


def _dated_name(folder: Path, live: Path) -> Path:
    """A file in `folder` named after `live` and the UTC time, never an existing file."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    candidate = folder / f"{live.stem}-{stamp}{live.suffix}"
    n = 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{live.stem}-{stamp}-{n}{live.suffix}"
    return candidate


@dataclass(frozen=True)
class Post:
    """One tip message the bot made (or is about to make)."""

    id: int
    channel: str
    ts: str | None
    tip_id: str
    local_date: str | None
    kind: str
    status: str


def _post(row: dict) -> Post:
    return Post(
        id=row["id"],
        channel=row["channel"],
        ts=row["ts"],
        tip_id=row["tip_id"],
        local_date=row["local_date"],
        kind=row["kind"],
        status=row["status"],
    )


class Store:
    """The bot's database. Open with `Store.open(path)`; safe to share across threads."""

    def __init__(self, path: Path, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS):
        self.path = Path(path)
        self.busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._lock = threading.Lock()
        self._writer = threading.Lock()
        self._posts_by_ts: dict[tuple[str, str], Post] = {}
        self._connections: list[sqlite3.Connection] = []
        self._closed = False

    # -- opening -----------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str) -> Store:
        """Open (creating if needed) the database at `path` and apply pending migrations.

        Raises StoreError with the file and the fix when the folder is missing, the file
        is not writable, locked for too long, or not an SQLite database.
        """
        path = Path(path)
        if not path.parent.exists():
            raise StoreError(
                f"{path}: folder {path.parent} does not exist. Create it or point COACH_DB "
                "at a file on a persistent disk."
            )
        if path.exists() and path.is_dir():
            raise StoreError(
                f"{path}: is a folder, not a database file. Set COACH_DB to a file path."
            )
        store = cls(path)
        try:
            store.migrate()
        except sqlite3.DatabaseError as exc:
            store.close()
            raise StoreError(_explain(path, exc)) from None
        return store

    def migrate(self) -> list[str]:
        """Apply pending schema migrations (idempotent, safe with several processes)."""
        db = self.db
        with self._write_lock(db):
            pending = [m.name for m in migrations.pending(db)]
            migrations.apply(db)
        return pending

    @contextmanager
    def _write_lock(self, db: Database) -> Iterator[None]:
        # One process at a time applies migrations; the others wait on SQLite's lock.
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise
        else:
            if db.conn.in_transaction:
                db.conn.execute("COMMIT")

    @property
    def db(self) -> Database:
        """This thread's sqlite-utils Database (opened on first use)."""
        db = getattr(self._local, "db", None)
        if db is None:
            if self._closed:
                raise StoreError(f"{self.path}: the database is closed")
            conn = sqlite3.connect(
                str(self.path), timeout=self.busy_timeout_ms / 1000, check_same_thread=False
            )
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                conn.execute("PRAGMA journal_mode = DELETE")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            db = Database(conn, execute_plugins=False)
            self._local.db = db
            with self._lock:
                self._connections.append(conn)
        return db

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """A write transaction (`BEGIN IMMEDIATE`): all of it lands or none of it does."""
        db = self.db
        if db.conn.in_transaction:
            with db.atomic():
                yield db
            return
        # Threads of this process queue here and wake the moment the writer is done;
        # SQLite's busy handler would make them sleep in steps of up to 100 ms instead.
        # Other processes still wait on SQLite's lock (busy_timeout).
        with self._writer:
            db.conn.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                if db.conn.in_transaction:
                    db.conn.execute("ROLLBACK")
                raise
            else:
                db.conn.execute("COMMIT")

    def close(self) -> None:
        """Close every connection (checkpointing the WAL); the store cannot be used after."""
        with self._lock:
            self._closed = True
            for conn in self._connections:
                with suppress(sqlite3.Error):
                    conn.close()
            self._connections.clear()
        self._local = threading.local()

    def health(self) -> dict:
        """A small health report: can we read, and which migrations are applied."""
        try:
            applied = [m.name for m in migrations.applied(self.db)]
            self.db.execute("SELECT 1").fetchone()
            return {"ok": True, "path": str(self.path), "migrations": applied}
        except sqlite3.Error as exc:
            return {"ok": False, "path": str(self.path), "error": str(exc)}

    def backup(self, target: Path | str) -> Path:
        """Write a consistent copy of the database to `target` (SQLite online backup).

        A folder target gets a new timestamped file name (`coach-20261130T090000Z.db`).
        Raises StoreError, writing nothing, when `target` is the live database (same path,
        a link to it, or its `-wal`/`-shm` file) or cannot be written.
        """
        target = Path(target)
        if target.is_dir():
            target = _dated_name(target, self.path)
        live = [self.path.resolve(), *(Path(f"{self.path.resolve()}{s}") for s in ("-wal", "-shm"))]
        if target.resolve() in live or (
            target.exists() and self.path.exists() and target.samefile(self.path)
        ):
            raise StoreError(
                f"{target}: that is the live database ({self.path}); a backup over it would lose "
                "every later write. Give a new file name or a folder, e.g. backups/."
            )
        if not target.parent.is_dir():
            raise StoreError(f"{target}: folder {target.parent} does not exist; create it first")
        if target.exists() and not target.is_file():
            raise StoreError(f"{target}: not a regular file; give a new file name or a folder")
        tmp = target.with_name(target.name + ".partial")
        try:
            dest = sqlite3.connect(str(tmp))
            try:
                self.db.conn.backup(dest)
            finally:
                dest.close()
            tmp.replace(target)
        except (sqlite3.Error, OSError) as exc:
            with suppress(OSError):
                tmp.unlink()
            raise StoreError(f"{target}: cannot write the backup there ({exc})") from exc
        return target

    # -- subscriptions -------------------------------------------------------------

    def save_subscription(
        self, channel: str, *, at: str, tz: str, days: str, user: str | None = None
    ) -> dict:
        """Create or update the channel's subscription (unpausing it); returns the row."""
        now = utcnow()
        with self.transaction() as db:
            existing = self.subscription(channel)
            row = {
                "channel": channel,
                "at": at,
                "tz": tz,
                "days": days,
                "paused": 0,
                "paused_reason": None,
                "created_by": user if existing is None else existing.get("created_by") or user,
                "created_at": now if existing is None else existing["created_at"],
                "updated_at": now,
            }
            db["subscriptions"].upsert(row, pk="channel")
            db["notices"].delete_where("key = ?", [f"paused:{channel}"])
        return row

    def delete_subscription(self, channel: str) -> bool:
        """Stop daily tips in a channel; True when there was a subscription."""
        with self.transaction() as db:
            cursor = db.execute("DELETE FROM subscriptions WHERE channel = ?", [channel])
            return cursor.rowcount > 0

    def subscription(self, channel: str) -> dict | None:
        """The channel's subscription row, or None."""
        rows = list(self.db["subscriptions"].rows_where("channel = ?", [channel]))
        return rows[0] if rows else None

    def subscriptions(self, *, active_only: bool = False) -> list[dict]:
        """Every subscription, by channel id."""
        where = "paused = 0" if active_only else None
        return list(self.db["subscriptions"].rows_where(where, order_by="channel"))

    def pause_subscription(self, channel: str, reason: str) -> bool:
        """Pause a subscription (e.g. channel archived); True the first time only."""
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE subscriptions SET paused = 1, paused_reason = ?, updated_at = ? "
                "WHERE channel = ? AND paused = 0",
                [reason, utcnow(), channel],
            )
            return cursor.rowcount > 0

    def claim_notice(self, key: str) -> bool:
        """True exactly once per key, across processes: for 'tell the user once' messages."""
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO notices (key, at) VALUES (?, ?)", [key, utcnow()]
            )
            return cursor.rowcount > 0

    # -- posts ---------------------------------------------------------------------

    def claim_daily(self, channel: str, local_date: str, tip_id: str) -> Post | None:
        """Record the intent to post today's tip; None if this channel already has one that day.

        The unique index makes this the single point that prevents double daily posts,
        across restarts and across processes sharing the database.
        """
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO posts (channel, tip_id, local_date, kind, status, created_at) "
                "VALUES (?, ?, ?, 'daily', 'pending', ?)",
                [channel, tip_id, local_date, utcnow()],
            )
            if cursor.rowcount == 0:
                return None
            return _post(db["posts"].get(cursor.lastrowid))

    def add_post(
        self,
        channel: str,
        ts: str | None,
        tip_id: str,
        *,
        kind: str,
        local_date: str | None = None,
        status: str = "posted",
    ) -> Post:
        """Record a tip message that is not a daily post (a shared answer, a forced post)."""
        with self.transaction() as db:
            now = utcnow()
            cursor = db.execute(
                "INSERT INTO posts (channel, ts, tip_id, local_date, kind, status, created_at, posted_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [channel, ts, tip_id, local_date, kind, status, now, now if ts else None],
            )
            return _post(db["posts"].get(cursor.lastrowid))

    def mark_posted(self, post_id: int, ts: str) -> None:
        """The message for a claimed post exists in Slack with this ts."""
        with self.transaction() as db:
            db.execute(
                "UPDATE posts SET ts = ?, status = 'posted', posted_at = ? WHERE id = ?",
                [ts, utcnow(), post_id],
            )

    def release_post(self, post_id: int) -> None:
        """Forget a claim whose message certainly was not posted, so a later run may retry."""
        with self.transaction() as db:
            db.execute("DELETE FROM posts WHERE id = ? AND status = 'pending'", [post_id])

    def set_post_status(self, post_id: int, status: str) -> None:
        """Mark a claimed post, e.g. 'failed' when the channel is gone for good."""
        with self.transaction() as db:
            db.execute("UPDATE posts SET status = ? WHERE id = ?", [status, post_id])

    def daily_post(self, channel: str, local_date: str) -> Post | None:
        """The daily post of a channel on a local date, whatever its status."""
        rows = list(
            self.db["posts"].rows_where(
                "channel = ? AND local_date = ? AND kind = 'daily'", [channel, local_date]
            )
        )
        return _post(rows[0]) if rows else None

    def pending_posts(self) -> list[Post]:
        """Claimed posts not known to be in Slack (for reconciliation at start-up)."""
        return [_post(r) for r in self.db["posts"].rows_where("status = 'pending'", order_by="id")]

    def post_by_ts(self, channel: str, ts: str) -> Post | None:
        """The tip message at (channel, ts), if the bot recorded one.

        Every reaction asks this; a message's tip never changes, so hits are remembered.
        """
        key = (channel, ts)
        post = self._posts_by_ts.get(key)
        if post is not None:
            return post
        cursor = self.db.execute(
            "SELECT id, channel, ts, tip_id, local_date, kind, status FROM posts "
            "WHERE channel = ? AND ts = ? LIMIT 1",
            [channel, ts],
        )
        row = cursor.fetchone()
        if row is None:
            return None
        if len(self._posts_by_ts) >= POST_CACHE_SIZE:
            self._posts_by_ts.clear()
        post = self._posts_by_ts[key] = Post(*row)
        return post

    def posts(self, channel: str | None = None) -> list[Post]:
        """Every recorded post (of one channel), oldest first."""
        where, args = ("channel = ?", [channel]) if channel else (None, [])
        return [_post(r) for r in self.db["posts"].rows_where(where, args, order_by="id")]

    def posted_tip_ids(self, channel: str) -> list[tuple[str, str]]:
        """(tip_id, local_date or created_at) of every tip posted in a channel, oldest first."""
        return [
            (r["tip_id"], r["local_date"] or r["created_at"][:10])
            for r in self.db.query(
                "SELECT tip_id, local_date, created_at FROM posts WHERE channel = ? "
                "AND status IN ('posted', 'pending') ORDER BY id",
                [channel],
            )
        ]

    # -- ratings -------------------------------------------------------------------

    def seen_event(self, event_id: str) -> bool:
        """True if this Slack event id was already handled (read-only check)."""
        return (
            self.db.execute("SELECT 1 FROM events WHERE event_id = ?", [event_id]).fetchone()
            is not None
        )

    def record_vote(
        self,
        *,
        user: str,
        tip_id: str,
        channel: str,
        message_ts: str,
        reaction: str,
        value: int,
        event_id: str | None = None,
        at: str | None = None,
    ) -> bool:
        """Record one reaction or button press and update the person's opinion of the tip.

        `value` is +1 (useful) or -1 (not useful). Returns False (and changes nothing)
        when `event_id` was already handled. All of it happens in one transaction.
        """
        newest = at is None
        at = at or utcnow()
        with self.transaction() as db:
            if event_id and not self._claim_event(db, event_id, at):
                return False
            # Plain SQL on the hot path: sqlite-utils' upsert introspects the table each call.
            db.execute(
                "INSERT INTO votes (user, tip_id, channel, message_ts, reaction, value, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user, tip_id, channel, message_ts, reaction) "
                "DO UPDATE SET value = excluded.value, at = excluded.at",
                [user, tip_id, channel, message_ts, reaction, value, at],
            )
            if newest:
                # A vote made now is the person's latest: it is their opinion.
                db.execute(
                    "INSERT INTO ratings (user, tip_id, value, at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (user, tip_id) DO UPDATE SET value = excluded.value, "
                    "at = excluded.at WHERE excluded.at >= ratings.at",
                    [user, tip_id, value, at],
                )
            else:
                self._refresh_rating(db, user, tip_id)
        return True

    def withdraw_vote(
        self,
        *,
        user: str,
        tip_id: str,
        channel: str,
        message_ts: str,
        reaction: str,
        event_id: str | None = None,
    ) -> bool:
        """Withdraw one reaction; the person's opinion falls back to their latest remaining vote."""
        with self.transaction() as db:
            if event_id and not self._claim_event(db, event_id, utcnow()):
                return False
            db.execute(
                "DELETE FROM votes WHERE user = ? AND tip_id = ? AND channel = ? AND message_ts = ? "
                "AND reaction = ?",
                [user, tip_id, channel, message_ts, reaction],
            )
            self._refresh_rating(db, user, tip_id)
        return True

    @staticmethod
    def _claim_event(db: Database, event_id: str, at: str) -> bool:
        cursor = db.execute(
            "INSERT OR IGNORE INTO events (event_id, at) VALUES (?, ?)", [event_id, at]
        )
        return cursor.rowcount > 0

    @staticmethod
    def _refresh_rating(db: Database, user: str, tip_id: str) -> None:
        latest = db.execute(
            "SELECT value, at FROM votes WHERE user = ? AND tip_id = ? ORDER BY at DESC, rowid DESC LIMIT 1",
            [user, tip_id],
        ).fetchone()
        if latest is None:
            db.execute("DELETE FROM ratings WHERE user = ? AND tip_id = ?", [user, tip_id])
        else:
            db.execute(
                "INSERT INTO ratings (user, tip_id, value, at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (user, tip_id) DO UPDATE SET value = excluded.value, at = excluded.at",
                [user, tip_id, latest[0], latest[1]],
            )

    def opinion(self, user: str, tip_id: str) -> int | None:
        """This person's current opinion of a tip: +1, -1 or None."""
        row = self.db.execute(
            "SELECT value FROM ratings WHERE user = ? AND tip_id = ?", [user, tip_id]
        ).fetchone()
        return row[0] if row else None

    def tip_tallies(self, *, since: str | None = None) -> dict[str, tuple[int, int]]:
        """tip_id -> (people who find it useful, people who do not), current opinions only."""
        where, args = ("WHERE at >= ?", [since]) if since else ("", [])
        rows = self.db.execute(
            f"SELECT tip_id, SUM(value > 0), SUM(value < 0) FROM ratings {where} GROUP BY tip_id",
            args,
        ).fetchall()
        return {tip_id: (int(up or 0), int(down or 0)) for tip_id, up, down in rows}

    def user_ratings(self, user: str) -> list[dict]:
        """The tips this person rated, newest first."""
        return list(self.db["ratings"].rows_where("user = ?", [user], order_by="at DESC"))

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
            "posts": list(self.db["posts"].rows_where(order_by="id")),
            "votes": list(self.db["votes"].rows_where(order_by="at")),
            "ratings": list(self.db["ratings"].rows_where(order_by="at")),
        }

    # -- gaps ----------------------------------------------------------------------

    def add_gap(self, question: str, topic: str, user: str | None = None) -> None:
        """Keep a question the bot could not answer."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO gaps (question, topic, user, at) VALUES (?, ?, ?, ?)",
                [question, topic, user, utcnow()],
            )

    def gaps(self, *, limit: int = 20) -> list[dict]:
        """The most frequent unanswered topics: topic, count, an example question, last asked."""
        return list(
            self.db.query(
                "SELECT topic, COUNT(*) AS count, MAX(question) AS example, MAX(at) AS last_asked "
                "FROM gaps GROUP BY topic ORDER BY count DESC, last_asked DESC, topic LIMIT ?",
                [limit],
            )
        )

    # -- tips given on request ----------------------------------------------------

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

    # -- added for the daily-tip scheduler (bot/scheduler.py, bot/slack/posting.py) --------

    def pending_claims(self) -> list[tuple[Post, str]]:
        """Pending posts with their claim time (created_at, UTC ISO), oldest first."""
        return [
            (_post(r), r["created_at"])
            for r in self.db["posts"].rows_where("status = 'pending'", order_by="id")
        ]


def _explain(path: Path, exc: sqlite3.DatabaseError) -> str:
    """Turn an SQLite error at start-up into a message naming the file and the fix."""
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return (
            f"{path}: cannot write the database ({exc}). Make the file and its folder writable "
            "by this user, or point COACH_DB at a writable file on a persistent disk."
        )
    if "locked" in text or "busy" in text:
        return (
            f"{path}: the database stayed locked for {BUSY_TIMEOUT_MS // 1000} s ({exc}). Another "
            "program holds a write lock on it; stop it or wait, then start again."
        )
    if "not a database" in text or "malformed" in text or "file is encrypted" in text:
        return (
            f"{path}: not a usable SQLite database ({exc}). Restore it from a backup "
            "(`python -m bot backup` makes one) or move it away to start with an empty one."
        )
    return f"{path}: database error ({exc})."
