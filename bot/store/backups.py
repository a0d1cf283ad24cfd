"""Checking a backup and restoring one: `backup --check FILE`, `restore BACKUP`, `migrate --check`.

A file is a usable coach database when SQLite's `integrity_check` passes, it records the
bot's migrations (`_sqlite_migrations`, set `aipm_coach`) and only ones this build
knows, applied in order, and its tables and columns are the ones those migrations make.
Files are read with `mode=ro&immutable=1`, so checking one never writes beside it.

A restore copies the backup into the live database with SQLite's backup API (every open
connection then sees it; no stale -wal is left to replay), after keeping the file it
replaces aside as a timestamped copy, all under the exclusive serving lock
(bot/store/serving.py), so it is refused while a server runs.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from contextlib import closing, suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from sqlite_utils import Database

from bot.store import files
from bot.store.db import Connection, StoreError
from bot.store.migrations import known_names, migrations
from bot.store.serving import ServingLock

MAGIC = b"SQLite format 3\x00"


@dataclass
class Report:
    """What `inspect` found in one file."""

    path: Path
    problems: list[str] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether this build can open the file as a coach database."""
        return not self.problems

    @property
    def schema(self) -> int:
        """The file's schema version: how many migrations it has applied."""
        return len(self.applied)

    def format(self) -> str:
        """The report in plain lines, for the terminal."""
        expected = len(known_names())
        if not self.ok:
            return "\n".join([f"{self.path}: not usable as a coach database", *self.problems])
        lines = [
            f"{self.path}: OK, integrity check passed, schema version {self.schema} "
            f"(this build: {expected})"
        ]
        if self.pending:
            lines.append(
                f"  older schema: {len(self.pending)} migration(s) to apply at the next start "
                f"({', '.join(self.pending)})"
            )
        rows = ", ".join(f"{name} {count}" for name, count in sorted(self.tables.items()))
        lines.append(f"  rows: {rows}")
        return "\n".join(lines)


def open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to `path` that never writes anything beside it."""
    uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True)


def inspect(path: Path | str) -> Report:
    """Check that `path` is a coach database this build can open (see the module doc)."""
    path = Path(path)
    report = Report(path)
    if not path.is_file():
        what = "does not exist" if not os.path.lexists(path) else "is not a regular file"
        report.problems.append(f"  {path} {what}: give the path of a backup file")
        return report
    with open(path, "rb") as handle:
        head = handle.read(len(MAGIC))
    if head != MAGIC:
        report.problems.append(
            "  not an SQLite database (its first bytes are not SQLite's): pick a file that "
            "`aipm-coach backup` wrote"
        )
        return report
    try:
        with closing(open_read_only(path)) as conn:
            _check(conn, report)
    except sqlite3.DatabaseError as exc:
        report.problems.append(f"  SQLite cannot read it ({exc}): pick another backup")
    return report


def _check(conn: sqlite3.Connection, report: Report) -> None:
    damage = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    if damage != ["ok"]:
        report.problems += [f"  integrity check: {line}" for line in damage[:10]]
        report.problems.append("  the file is damaged: pick an older backup")
        return
    db = Database(conn)
    if not db[migrations.migrations_table].exists():
        report.problems.append(
            "  no migrations recorded (_sqlite_migrations): this is not a coach database, or "
            "one made before migrations existed"
        )
        return
    report.applied = [m.name for m in migrations.applied(db)]
    known = known_names()
    if not report.applied:
        report.problems.append("  no aipm_coach migrations recorded: not a coach database")
        return
    unknown = [name for name in report.applied if name not in known]
    if unknown:
        report.problems.append(
            f"  made by a newer version of the bot (schema version {len(report.applied)}, "
            f"migrations up to {unknown[-1]}; this build knows {len(known)}): restore it "
            "with that version, or pick a backup made by this one"
        )
        return
    if report.applied != known[: len(report.applied)]:
        report.problems.append(
            f"  migrations applied out of order ({', '.join(report.applied)}): not a "
            "database this bot made"
        )
        return
    report.pending = known[len(report.applied) :]
    want = expected_tables(report.applied)
    have = _tables(conn)
    for name, columns in sorted(want.items()):
        if name not in have:
            report.problems.append(f"  table {name} is missing")
        elif missing := [c for c in columns if c not in have[name]]:
            report.problems.append(f"  table {name} lacks column(s) {', '.join(missing)}")
    if report.problems:
        report.problems.append("  its schema is not what its migrations make: pick another backup")
        return
    report.tables = {
        name: conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in have
    }


def expected_tables(applied: list[str]) -> dict[str, list[str]]:
    """Tables and columns a fresh database has after exactly the migrations `applied`."""
    memory = Database(memory=True)
    pending = [m.name for m in migrations.pending(memory)]
    stop = next((name for name in pending if name not in applied), None)
    migrations.apply(memory, stop_before=stop)
    return _tables(memory.conn)


def _tables(conn: sqlite3.Connection) -> dict[str, list[str]]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    return {
        name: [row[1] for row in conn.execute(f'PRAGMA table_info("{name}")')] for name in names
    }


def pending_migrations(db_path: Path) -> list[str]:
    """The migrations this build would apply to the database at `db_path`, applying none.

    Raises StoreError (naming the fix) when there is no database there, it is not a coach
    database, or a newer version made it.
    """
    db_path = Path(db_path)
    if not db_path.is_file():
        raise StoreError(
            f"No database at {db_path}: point COACH_DB at the bot's database file (the first "
            "`aipm-coach serve` creates it with every migration)."
        )
    # Not immutable: the live file's -wal may hold migrations not yet checkpointed.
    uri = f"file:{quote(str(db_path.resolve()))}?mode=ro"
    try:
        with closing(sqlite3.connect(uri, uri=True)) as conn:
            db = Database(conn)
            applied = [m.name for m in migrations.applied(db)]
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{db_path}: SQLite cannot read it ({exc}).") from None
    known = known_names()
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise StoreError(
            f"{db_path}: schema version {len(applied)} (migrations up to {unknown[-1]}) is "
            f"newer than this build's {len(known)}: run the newer version of the bot."
        )
    return [name for name in known if name not in applied]


@dataclass(frozen=True)
class Restored:
    """What `restore` did: the report on the backup, and where the replaced file went."""

    report: Report
    aside: Path | None


def restore(backup: Path | str, live: Path | str) -> Restored:
    """Replace the database at `live` with the backup at `backup`.

    Refused (StoreError, nothing changed) when the backup is not usable (see `inspect`),
    is the live database itself, or a server holds the database (the serving lock). The
    replaced database is first copied aside as `<name>-before-restore-<UTC time>.db` in
    its folder (a damaged one is moved aside with its -wal).
    """
    backup, live = Path(backup), Path(live)
    report = inspect(backup)
    if not report.ok:
        raise StoreError(report.format())
    if live.exists() and backup.samefile(live):
        raise StoreError(f"{backup} is the live database itself: give the backup file to restore")
    if not live.parent.is_dir():
        raise StoreError(f"{live}: folder {live.parent} does not exist; create it or fix COACH_DB")
    files.check_target(live, example="the COACH_DB file")
    with ServingLock.exclusive(live):
        if not live.exists():
            image = _image_of(backup)
            files.write_atomic(live, image, mode=0o600, example="the COACH_DB file")
            return Restored(report, None)
        aside = _aside_name(live)
        if _usable(live):
            _copy_into(backup, live, aside)
        else:
            _move_aside(live, aside)
            files.write_atomic(live, _image_of(backup), mode=0o600, example="the COACH_DB file")
        return Restored(report, aside)


def _image_of(path: Path) -> bytes:
    memory = sqlite3.connect(":memory:")
    try:
        with closing(open_read_only(path)) as src:
            src.backup(memory)
        data = bytearray(memory.serialize())
    finally:
        memory.close()
    data[18] = data[19] = 1  # a rollback-journal file; the bot turns WAL on when it opens it
    return bytes(data)


def _usable(path: Path) -> bool:
    try:
        with closing(sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)) as c:
            return c.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError:
        return False


def _copy_into(backup: Path, live: Path, aside: Path) -> None:
    conn = Connection(live)
    try:
        guard = conn.guard("the copy of the replaced database", "a new file name")
        files.write_atomic(aside, conn.image(), guard=guard, mode=0o600)
        with closing(open_read_only(backup)) as src:
            src.backup(conn.db.conn)
    except sqlite3.Error as exc:
        raise StoreError(
            f"{live}: the restore failed ({exc}); the database is as it was, and a copy of it "
            f"is at {aside}. Stop whatever holds it (another command?) and run restore again."
        ) from None
    finally:
        conn.close()


def _move_aside(live: Path, aside: Path) -> None:
    # A damaged file cannot be copied by SQLite: move it, with its -wal, as it is.
    os.replace(live, aside)
    for suffix in ("-wal", "-shm"):
        with suppress(FileNotFoundError):
            os.replace(f"{live}{suffix}", f"{aside}{suffix}")


def _aside_name(live: Path) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    candidate = live.with_name(f"{live.stem}-before-restore-{stamp}{live.suffix}")
    n = 1
    while os.path.lexists(candidate):
        n += 1
        candidate = live.with_name(f"{live.stem}-before-restore-{stamp}-{n}{live.suffix}")
    return candidate
