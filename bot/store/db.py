"""Opening the SQLite file: per-thread connections, write transactions, backup, errors.

Each thread gets its own connection (WAL, busy timeout); every write runs in a
`BEGIN IMMEDIATE` transaction so concurrent processes never lose or half-write a record.
The per-table modules (posts, votes, subscriptions, gaps, ...) extend `Connection`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Self

from sqlite_utils import Database

from bot.store import files
from bot.store.migrations import known_names, migrations

BUSY_TIMEOUT_MS = 10_000
PAGE_CACHE_KB = 512  # per connection (one per thread)


class StoreError(Exception):
    """The database cannot be opened or used; the message names the file and the fix."""


def utcnow() -> str:
    """The current UTC time as an ISO string (what every `*_at` column holds)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def lease_end(seconds: float) -> str:
    """`seconds` from now, as `utcnow` writes times (ISO strings compare in time order)."""
    return (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)).isoformat(
        timespec="microseconds"
    )


def ago(seconds: float) -> str:
    """`seconds` before now, as `utcnow` writes times: the cut-off for a stale claim or row."""
    return lease_end(-seconds)


class Connection:
    """The database file: open with `open(path)`; safe to share across threads."""

    def __init__(self, path: Path, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS):
        self.path = Path(path)
        self.busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._lock = threading.Lock()
        self._writer = threading.Lock()
        # Every thread's connection with its thread: short-lived threads (a channel's lane,
        # a claim's heartbeat) come and go, so a dead thread's connection is closed when
        # the next one opens, rather than kept (with its page cache) for ever.
        self._connections: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._closed = False
        self._files: dict[Path, tuple[int, int]] = {}  # file -> (device, inode) when opened

    @classmethod
    def open(cls, path: Path | str) -> Self:
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
        except StoreError:
            store.close()
            raise
        except sqlite3.DatabaseError as exc:
            store.close()
            raise StoreError(_explain(path, exc)) from None
        return store

    def migrate(self) -> list[str]:
        """Apply pending schema migrations (idempotent, safe with several processes).

        Raises StoreError when the file was migrated by a newer version of the bot (it
        holds migrations this version does not know): its schema may differ in ways this
        code would silently get wrong.
        """
        db = self.db
        with self._write_lock(db):
            self._refuse_newer(db)
            pending = [m.name for m in migrations.pending(db)]
            migrations.apply(db)
        return pending

    def _refuse_newer(self, db: Database) -> None:
        known = set(known_names())
        applied = [m.name for m in migrations.applied(db)]
        unknown = [name for name in applied if name not in known]
        if unknown:
            raise StoreError(
                f"{self.path}: the database has schema version {len(applied)} (migrations up to "
                f"{', '.join(unknown)}), but this version of the bot expects schema version "
                f"{len(known)} or older. Run the newer version of the bot on it, or point "
                "COACH_DB at a backup made by this version."
            )

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
            # Each thread's connection keeps its own page cache (2 MB by default): with a
            # dozen threads that grows with the file to ~25 MB. The OS caches the file for all.
            conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KB}")
            conn.execute("PRAGMA foreign_keys = ON")
            db = Database(conn, execute_plugins=False)
            self._local.db = db
            with self._lock:
                self._close_dead_threads()
                self._connections.append((threading.current_thread(), conn))
                if not self._files:
                    self._remember_files(conn)
        return db

    def _close_dead_threads(self) -> None:
        # Called with self._lock held. A dead thread can no longer use its connection.
        alive = []
        for thread, conn in self._connections:
            if thread.is_alive():
                alive.append((thread, conn))
            else:
                with suppress(sqlite3.Error):
                    conn.close()
        self._connections = alive

    @property
    def open_connections(self) -> int:
        """How many connections this store holds (one per thread that used it and is alive,
        plus dead threads' until the next thread opens one)."""
        with self._lock:
            return len(self._connections)

    def _remember_files(self, conn: sqlite3.Connection) -> None:
        # SQLite keeps writing to a file unlinked under it (its inode lives on), so the
        # identity of the database and its -wal is what tells that they are still the
        # files a restart will read.
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # opens the -wal
        for file in (self.path, Path(f"{self.path}-wal")):
            with suppress(OSError):
                st = os.stat(file)
                self._files[file] = (st.st_dev, st.st_ino)

    def file_problem(self) -> str | None:
        """Why the files this store writes are no longer the ones on disk, or None.

        A database file or -wal deleted or replaced while the bot runs means every later
        write would vanish at the next restart.
        """
        found = self._file_fault()
        return f"{found[0]} {found[1]}" if found else None

    def _file_fault(self) -> tuple[Path, str] | None:
        for file, identity in list(self._files.items()):
            try:
                st = os.stat(file)
            except FileNotFoundError:
                return file, "was deleted while the bot was running"
            except OSError as exc:
                return file, f"cannot be checked ({exc.strerror})"
            if (st.st_dev, st.st_ino) != identity:
                return file, "was replaced by another file while the bot was running"
        return None

    def _check_files(self) -> None:
        problem = self.file_problem()
        if problem:
            raise StoreError(
                f"{problem}; refusing to write where nothing would survive a restart. "
                "Restore the database from a backup and restart the bot."
            )

    @contextmanager
    def transaction(self, *, busy_ms: int | None = None) -> Iterator[Database]:
        """A write transaction (`BEGIN IMMEDIATE`): all of it lands or none of it does.

        `busy_ms` waits at most that long for another process's write lock (default: the
        store's busy timeout), for writes that must not hold up an answer.
        """
        db = self.db
        if busy_ms is not None and not db.conn.in_transaction:
            db.conn.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
            try:
                with self.transaction() as inner:
                    yield inner
            finally:
                db.conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
            return
        if db.conn.in_transaction:
            with db.atomic():
                yield db
            return
        self._check_files()
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
            for _, conn in self._connections:
                with suppress(sqlite3.Error):
                    conn.close()
            self._connections.clear()
        self._local = threading.local()

    def health(self) -> dict:
        """A small health report: can we read, and which migrations are applied.

        `problem`, when not ok, says what is wrong without naming any path (for a public
        /healthz); `error` says it with the path, for the logs and the operator.
        """
        # Files first: a new connection to a deleted file would create an empty one.
        fault = self._file_fault()
        if fault:
            file, what = fault
            which = "its -wal file" if str(file).endswith("-wal") else "the database file"
            return {
                "ok": False,
                "path": str(self.path),
                "error": f"{file} {what}",
                "problem": f"{which} {what}",
            }
        try:
            applied = [m.name for m in migrations.applied(self.db)]
            self.db.execute("SELECT 1").fetchone()
        except (sqlite3.Error, StoreError) as exc:
            problem = "the database cannot be read"
            return {"ok": False, "path": str(self.path), "error": str(exc), "problem": problem}
        return {"ok": True, "path": str(self.path), "migrations": applied}

    def refuse_live_target(self, target: Path, what: str, example: str) -> None:
        """Raise StoreError when writing `what` to `target` would overwrite the live database.

        The live database is its path however spelled (`./`, a symlink, a hard link) and its
        `-wal`/`-shm` files; `example` ends the message with a safe place to write instead.
        """
        problem = files.refuse_live_target(self.path, Path(target), what, example)
        if problem:
            raise StoreError(problem)

    def guard(self, what: str, example: str) -> Callable[[Path], None]:
        """The live-database check as a `files.write_atomic` guard (target and temp file)."""
        return lambda path: self.refuse_live_target(path, what, example)

    def image(self) -> bytes:
        """A consistent copy of the whole database as the bytes of an SQLite file.

        Made with SQLite's online backup API (safe while other threads and processes
        write), into memory, so the copy is written only through `files.write_atomic`'s own
        descriptor and never through a path someone may have pointed elsewhere. The copy is
        marked as a rollback-journal file (header bytes 18-19), so opening it read-only
        creates no -wal or -shm beside it; the bot turns WAL back on when it opens one.
        """
        memory = sqlite3.connect(":memory:")
        try:
            self.db.conn.backup(memory)
            data = bytearray(memory.serialize())
        finally:
            memory.close()
        if len(data) >= 20:
            data[18] = data[19] = 1
        return bytes(data)

    def backup(self, target: Path | str) -> Path:
        """Write a consistent copy of the database to `target` (SQLite online backup).

        A folder target gets a new timestamped file name (`coach-20261130T090000Z.db`; see
        `prune` for retention). Backups are readable by this user only (0600): they hold
        Slack user ids. Raises StoreError, writing nothing, when `target` is the live
        database (same path, a link to it, or its `-wal`/`-shm` file), a symbolic link, or
        cannot be written.
        """
        target = Path(target)
        if target.is_dir():
            target = dated_name(target, self.path)
        guard = self.guard("a backup", "e.g. backups/")
        guard(target)
        try:
            files.write_atomic(
                target, self.image(), guard=guard, mode=0o600, example="e.g. backups/"
            )
        except files.UnsafeTarget as exc:
            raise StoreError(str(exc)) from None
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"{target}: cannot write the backup there ({exc})") from exc
        return target


STAMPED = r"-(\d{8}T\d{6}Z)(?:-(\d+))?"


def dated_backups(folder: Path, live: Path) -> list[Path]:
    """The timestamped backups of `live` in `folder` (regular files only), oldest first."""
    pattern = re.compile(re.escape(live.stem) + STAMPED + re.escape(live.suffix))
    found = []
    for path in folder.iterdir():
        match = pattern.fullmatch(path.name)
        if match and path.is_file() and not path.is_symlink():
            found.append((match.group(1), int(match.group(2) or 1), path))
    return [path for *_, path in sorted(found)]


def prune(folder: Path, live: Path, *, keep: int) -> list[Path]:
    """Delete all but the newest `keep` timestamped backups of `live` in `folder`.

    Only files named as `backup` names them are touched; returns the deleted ones.
    """
    backups = [p for p in dated_backups(folder, live) if not _is_live(p, live)]
    old = backups[: max(len(backups) - keep, 0)]
    for path in old:
        path.unlink()
    return old


def _is_live(path: Path, live: Path) -> bool:
    with suppress(OSError):
        return path.samefile(live)
    return False


def dated_name(folder: Path, live: Path) -> Path:
    """A file in `folder` named after `live` and the UTC time, never an existing file."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    candidate = folder / f"{live.stem}-{stamp}{live.suffix}"
    n = 1
    while os.path.lexists(candidate):
        n += 1
        candidate = folder / f"{live.stem}-{stamp}-{n}{live.suffix}"
    return candidate


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
            "(`aipm-coach restore BACKUP`) or move it away to start with an empty one."
        )
    return f"{path}: database error ({exc})."
