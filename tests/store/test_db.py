"""The store's file handling: migrations, WAL, transactions, faults, backup."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from bot.store import Store, StoreError, migrations
from tests.helpers.votes import vote


def test_migrations_are_recorded_and_rerunnable(db_path):
    first = Store.open(db_path)
    applied = [m.name for m in migrations.applied(first.db)]
    assert applied and applied[0] == "m001_initial"
    assert first.migrate() == []
    first.close()
    again = Store.open(db_path)
    assert [m.name for m in migrations.applied(again.db)] == applied
    again.close()


def test_wal_and_busy_timeout_are_on(store):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_failed_transaction_leaves_no_half_record(store):
    with pytest.raises(sqlite3.IntegrityError), store.transaction() as db:
        db.execute("INSERT INTO events (event_id, at) VALUES ('E9', 'now')")
        db.execute("INSERT INTO events (event_id, at) VALUES ('E9', 'again')")
    assert vote(store, "U1", 1, event_id="E9") is True, "E9 was not left recorded"


def test_a_locked_database_fails_cleanly_without_half_writes(db_path):
    Store.open(db_path).close()
    blocker = sqlite3.connect(db_path)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        s = Store(db_path, busy_timeout_ms=100)
        with pytest.raises(sqlite3.OperationalError):
            s.record_vote(
                user="U1",
                tip_id="t",
                channel="C",
                message_ts="1",
                reaction="+1",
                value=1,
                event_id="E1",
            )
    finally:
        blocker.rollback()
        blocker.close()
    s = Store.open(db_path)
    assert s.tip_tallies() == {}
    assert vote(s, "U1", 1, event_id="E1") is True, "E1 was not left recorded"


def test_corrupt_file_is_a_clear_error(tmp_path):
    path = tmp_path / "coach.db"
    path.write_bytes(b"garbage" * 1000)
    with pytest.raises(StoreError) as err:
        Store.open(path)
    assert str(path) in str(err.value) and "backup" in str(err.value)


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError) as err:
        Store.open(tmp_path / "missing" / "coach.db")
    assert "does not exist" in str(err.value) and "COACH_DB" in str(err.value)


def test_backup_while_writing_is_consistent(db_path, tmp_path):
    store = Store.open(db_path)
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            vote(store, f"U{n}", 1)
            n += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        target = store.backup(tmp_path / "copy.db")
    finally:
        stop.set()
        writer.join()
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        votes = conn.execute("SELECT COUNT(*) FROM votes").fetchone()[0]
        ratings = conn.execute("SELECT COUNT(*) FROM ratings").fetchone()[0]
    assert votes == ratings, "each vote and its rating land together or not at all"


def test_the_database_holds_ids_not_names(store):
    internal = ("_", "sqlite_")  # sqlite_sequence (AUTOINCREMENT) has a `name` column
    columns = {
        c.name for t in store.db.tables if not t.name.startswith(internal) for c in t.columns
    }
    assert not columns & {"name", "real_name", "email", "user_name", "display_name"}


def test_a_database_from_a_newer_version_is_refused(db_path):
    """Issue 15 item 12: a schema this version does not know is never opened silently."""
    first = Store.open(db_path)
    known = [m.name for m in migrations.applied(first.db)]
    with first.transaction() as db:
        db["_sqlite_migrations"].insert(
            {"migration_set": migrations.name, "name": "m999_from_the_future", "applied_at": "x"}
        )
    first.close()
    with pytest.raises(StoreError) as err:
        Store.open(db_path)
    message = str(err.value)
    assert str(db_path) in message
    assert f"version {len(known) + 1}" in message and f"version {len(known)}" in message
    assert "m999_from_the_future" in message


def test_a_replaced_database_file_fails_health_and_writes(db_path, tmp_path):
    """Issue 15 item 5: writes to a file no longer on disk would vanish at restart."""
    store = Store.open(db_path)
    assert store.health()["ok"] is True
    other = Store.open(tmp_path / "other.db")
    other.close()
    (tmp_path / "other.db").replace(db_path)
    report = store.health()
    assert report["ok"] is False and "replaced" in report["error"]
    with pytest.raises(StoreError, match="coach.db was replaced"):
        vote(store, "U1", 1, event_id="E1")
    store.close()


def test_connections_of_threads_that_ended_are_closed(store):
    import threading

    def use() -> None:
        store.claim_event(f"Ev{threading.get_ident()}-{threading.active_count()}")

    for _ in range(50):  # a channel's lane, a claim's heartbeat: threads come and go
        thread = threading.Thread(target=use)
        thread.start()
        thread.join()
    assert store.open_connections <= 3
