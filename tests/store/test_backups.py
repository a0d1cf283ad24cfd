"""Backups that restore: `backup --keep`, `backup --check`, `restore`, `migrate --check`.

Every table round-trips through backup and restore; a restore is refused while a real
`python -m bot serve` holds the database; a damaged, foreign or newer file is refused.
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.store import Store, backups
from bot.store.migrations import known_names, migrations
from bot.store.serving import ServingLock
from tests.helpers.data import all_rows, fill_every_table


def _full(db: Path) -> Path:
    store = Store.open(db)
    fill_every_table(store, "U1", n=1)
    fill_every_table(store, "U2", channel="C2", n=2)
    store.close()
    return db


def _old_database(path: Path, upto: int) -> Path:
    """A database as an older build left it: only the first `upto` migrations applied."""
    db = Database(path)
    names = known_names()
    migrations.apply(db, stop_before=names[upto])
    db.close()
    return path


def test_every_table_round_trips_through_backup_and_restore(cli, tmp_path):
    db = _full(tmp_path / "coach.db")
    before = all_rows(db)
    empty = [name for name, rows in before.items() if not rows]
    assert empty == [], f"fill_every_table leaves {empty} empty: give them a row"
    assert cli("backup", tmp_path / "copy.db").code == 0
    # Everything changes after the backup; the restore must bring back exactly `before`.
    store = Store.open(db)
    fill_every_table(store, "U3", channel="C3", n=3)
    store.forget_user("U1")
    store.close()
    assert all_rows(db) != before
    result = cli("restore", tmp_path / "copy.db")
    assert result.code == 0, result.err
    assert all_rows(db) == before
    aside = re.search(r"kept at (\S+?);", result.out).group(1)
    assert "U3" in repr(all_rows(Path(aside))), "the replaced database is kept aside, whole"


def test_restore_into_a_missing_database_writes_it(cli, tmp_path):
    source = _full(tmp_path / "source.db")
    target = tmp_path / "data" / "coach.db"
    target.parent.mkdir()
    result = cli("restore", source, COACH_DB=str(target))
    assert result.code == 0, result.err
    assert all_rows(target) == all_rows(source)
    assert "kept at" not in result.out


def test_a_backup_checks_clean_and_never_writes_beside_itself(cli, tmp_path):
    _full(tmp_path / "coach.db")
    folder = tmp_path / "backups"
    folder.mkdir()
    assert cli("backup", folder).code == 0
    (copy,) = folder.iterdir()
    result = cli("backup", "--check", copy)
    assert result.code == 0, result.err
    assert "OK, integrity check passed" in result.out
    assert f"schema version {len(known_names())}" in result.out and "votes 2" in result.out
    assert sorted(p.name for p in folder.iterdir()) == [copy.name], "no -wal or -shm made"
    assert copy.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("damage", ["not sqlite", "truncated", "foreign", "newer", "missing"])
def test_check_and_restore_refuse_a_file_that_is_not_a_usable_backup(cli, tmp_path, damage):
    db = _full(tmp_path / "coach.db")
    before = all_rows(db)
    bad = tmp_path / "bad.db"
    if damage == "not sqlite":
        bad.write_text("tips: []\n")
    elif damage == "truncated":
        assert cli("backup", bad).code == 0
        data = bad.read_bytes()
        bad.write_bytes(data[: len(data) // 2])
    elif damage == "foreign":
        with sqlite3.connect(bad) as conn:
            conn.execute("CREATE TABLE photos (id INTEGER)")
    elif damage == "newer":
        assert cli("backup", bad).code == 0
        with sqlite3.connect(bad) as conn:
            conn.execute(
                "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                "VALUES ('aipm_coach', 'm999_from_the_future', '2030-01-01')"
            )
    check = cli("backup", "--check", bad)
    assert check.code == 1, check.out + check.err
    assert "not usable as a coach database" in check.err or "does not exist" in check.err
    restore = cli("restore", bad)
    assert restore.code == 2, restore.out + restore.err
    assert "Traceback" not in restore.err
    if damage == "newer":
        assert "newer version" in restore.err
    assert all_rows(db) == before
    assert not list(tmp_path.glob("coach-before-restore-*"))


def test_a_schema_that_differs_from_its_migrations_is_refused(cli, tmp_path):
    _full(tmp_path / "coach.db")
    bad = tmp_path / "bad.db"
    assert cli("backup", bad).code == 0
    with sqlite3.connect(bad) as conn:
        conn.execute("DROP TABLE teachings")
    result = cli("backup", "--check", bad)
    assert result.code == 1 and "table teachings is missing" in result.err


def test_restore_of_an_older_backup_says_the_next_start_migrates(cli, tmp_path):
    old = _old_database(tmp_path / "old.db", upto=5)
    check = cli("backup", "--check", old)
    assert check.code == 0, check.err
    assert "schema version 5" in check.out and known_names()[5] in check.out
    Store.open(tmp_path / "coach.db").close()
    result = cli("restore", old)
    assert result.code == 0, result.err
    assert f"applies {len(known_names()) - 5} migration(s)" in result.out
    assert cli("migrate", "--check").out.count("  m0") == len(known_names()) - 5


def test_restore_is_refused_while_a_server_holds_the_database(cli, tmp_path):
    db = _full(tmp_path / "coach.db")
    copy = tmp_path / "copy.db"
    assert cli("backup", copy).code == 0
    lock = ServingLock.hold(db)
    try:
        result = cli("restore", copy)
        assert result.code == 2
        assert "in use by a running `aipm-coach serve`" in result.err
    finally:
        lock.release()
    assert cli("restore", copy).code == 0


def test_restore_is_refused_while_a_real_serve_process_runs(cli, served, tmp_path):
    db = _full(tmp_path / "coach.db")
    copy = tmp_path / "copy.db"
    assert cli("backup", copy).code == 0
    bot = served(COACH_SCHEDULER="0")
    store = Store.open(db)
    store.forget_user("U2")  # a change the restore would undo
    store.close()
    during = all_rows(db)
    result = cli("restore", copy)
    assert result.code == 2, result.out
    assert "stop it first" in result.err and "Nothing was changed" in result.err
    assert all_rows(db) == during
    assert not list(tmp_path.glob("coach-before-restore-*"))
    assert bot.stop()[0] == 0
    assert cli("restore", copy).code == 0, "once the server stopped"


def test_restore_refuses_the_live_database_itself_and_a_link_in_its_place(cli, tmp_path):
    db = _full(tmp_path / "coach.db")
    assert "live database itself" in cli("restore", db).err
    copy = tmp_path / "copy.db"
    assert cli("backup", copy).code == 0
    link = tmp_path / "link.db"
    link.symlink_to(db)
    result = cli("restore", copy, COACH_DB=str(link))
    assert result.code == 2 and "symbolic link" in result.err


def test_a_damaged_live_database_is_moved_aside_with_its_wal(cli, tmp_path):
    source = _full(tmp_path / "source.db")
    db = tmp_path / "coach.db"
    db.write_bytes(b"garbage" * 1000)
    Path(f"{db}-wal").write_bytes(b"old wal")
    result = cli("restore", source)
    assert result.code == 0, result.err
    assert all_rows(db) == all_rows(source)
    (aside,) = tmp_path.glob("coach-before-restore-*.db")
    assert aside.read_bytes() == b"garbage" * 1000
    assert Path(f"{aside}-wal").read_bytes() == b"old wal"
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").read_bytes() != b"old wal"


def test_backup_keep_leaves_the_newest_n_dated_backups(cli, tmp_path):
    _full(tmp_path / "coach.db")
    folder = tmp_path / "backups"
    folder.mkdir()
    # Older dated backups, as a nightly cron leaves them, and files that are not backups.
    for day in range(1, 6):
        (folder / f"coach-202611{day:02d}T030000Z.db").write_bytes(b"old")
    (folder / "notes.txt").write_text("keep")
    (folder / "coach-important.db").write_text("keep")
    result = cli("backup", folder, "--keep", "3")
    assert result.code == 0, result.err
    assert "Removed 3 older backup(s)" in result.out
    names = sorted(p.name for p in folder.iterdir())
    dated = [n for n in names if re.fullmatch(r"coach-\d{8}T\d{6}Z(-\d+)?\.db", n)]
    assert dated[:2] == ["coach-20261104T030000Z.db", "coach-20261105T030000Z.db"]
    assert len(dated) == 3 and "notes.txt" in names and "coach-important.db" in names
    assert backups.inspect(folder / dated[-1]).ok


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["backup", "{tmp}/one.db", "--keep", "2"], ["--keep needs a folder"]),
        (["backup", "{tmp}", "--keep", "0"], ["--keep", "1 to"]),
        (["backup"], ["Give PATH"]),
        (["backup", "{tmp}/x.db", "--check", "{tmp}/y.db"], ["not both"]),
        (["restore", "{tmp}/nothing.db"], ["does not exist"]),
        (["forget", "--user", "ana@example.com"], ["member id", "Copy member ID"]),
        (["gaps", "--clear", "  "], ["--clear needs the question"]),
    ],
)
def test_bad_arguments_exit_2_naming_the_fix(cli, tmp_path, args, words):
    _full(tmp_path / "coach.db")
    result = cli(*(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert result.code == 2, result.out + result.err
    for word in words:
        assert word in result.err


def test_backup_without_a_database_makes_none(cli, tmp_path):
    result = cli("backup", tmp_path / "copy.db")
    assert result.code == 2 and "No database at" in result.err
    assert not (tmp_path / "coach.db").exists() and not (tmp_path / "copy.db").exists()


# -- migrate --check -----------------------------------------------------------------


def test_migrate_check_lists_pending_migrations_of_an_old_database_and_applies_none(cli, tmp_path):
    db = _old_database(tmp_path / "coach.db", upto=3)
    before = db.read_bytes()
    result = cli("migrate", "--check")
    assert result.code == 0, result.err
    pending = known_names()[3:]
    assert f"{len(pending)} migration(s) pending (not applied)" in result.out
    assert [line.strip() for line in result.out.splitlines() if line.startswith("  ")] == pending
    assert db.read_bytes() == before and not os.path.exists(f"{db}-wal")
    applied = cli("migrate")
    assert applied.code == 0 and f"applied {len(pending)} migration(s)" in applied.out
    assert "up to date, no migration pending" in cli("migrate", "--check").out


def test_migrate_check_refuses_a_newer_database_and_a_missing_one(cli, tmp_path):
    assert "No database at" in cli("migrate", "--check").err
    Store.open(tmp_path / "coach.db").close()
    with sqlite3.connect(tmp_path / "coach.db") as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('aipm_coach', 'm999_from_the_future', '2030-01-01')"
        )
    result = cli("migrate", "--check")
    assert result.code == 2 and "newer than this build" in result.err
