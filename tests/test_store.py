"""The SQLite store: migrations, the daily claim, votes and opinions, faults."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from bot.store import Store, StoreError, migrations


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


def test_daily_claim_is_once_per_channel_and_local_day(store):
    assert store.claim_daily("C1", "2026-11-30", "a") is not None
    assert store.claim_daily("C1", "2026-11-30", "b") is None
    assert store.claim_daily("C1", "2026-12-01", "b") is not None
    assert store.claim_daily("C2", "2026-11-30", "a") is not None


def test_daily_claim_races_between_threads_give_one_winner(db_path):
    Store.open(db_path).close()
    stores = [Store.open(db_path) for _ in range(8)]
    winners = []
    barrier = threading.Barrier(len(stores))

    def claim(s: Store) -> None:
        barrier.wait()
        if s.claim_daily("C1", "2026-11-30", "a") is not None:
            winners.append(s)

    threads = [threading.Thread(target=claim, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1


def test_released_claim_can_be_claimed_again(store):
    post = store.claim_daily("C1", "2026-11-30", "a")
    store.release_post(post.id)
    assert store.claim_daily("C1", "2026-11-30", "b") is not None


def vote(store, user, value, reaction="+1", ts="1.1", event_id=None, tip="t1"):
    return store.record_vote(
        user=user,
        tip_id=tip,
        channel="C1",
        message_ts=ts,
        reaction=reaction,
        value=value,
        event_id=event_id,
    )


def test_event_ids_make_votes_exactly_once(store):
    assert vote(store, "U1", 1, event_id="E1") is True
    assert vote(store, "U1", -1, event_id="E1") is False
    assert store.opinion("U1", "t1") == 1


def test_latest_vote_stands_and_withdrawal_falls_back(store):
    vote(store, "U1", 1, reaction="+1")
    vote(store, "U1", -1, reaction="-1")
    assert store.opinion("U1", "t1") == -1
    store.withdraw_vote(user="U1", tip_id="t1", channel="C1", message_ts="1.1", reaction="-1")
    assert store.opinion("U1", "t1") == 1
    store.withdraw_vote(user="U1", tip_id="t1", channel="C1", message_ts="1.1", reaction="+1")
    assert store.opinion("U1", "t1") is None
    assert store.tip_tallies() == {}


def test_tallies_count_people_not_reactions(store):
    vote(store, "U1", 1, reaction="+1")
    vote(store, "U1", 1, reaction="heart")
    vote(store, "U1", 1, reaction="+1", ts="2.2")
    vote(store, "U2", -1, reaction="-1")
    assert store.tip_tallies() == {"t1": (1, 1)}


def test_failed_transaction_leaves_no_half_record(store):
    with pytest.raises(sqlite3.IntegrityError), store.transaction() as db:
        db.execute("INSERT INTO events (event_id, at) VALUES ('E9', 'now')")
        db.execute("INSERT INTO events (event_id, at) VALUES ('E9', 'again')")
    assert store.seen_event("E9") is False


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
    assert s.seen_event("E1") is False and s.tip_tallies() == {}


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


def test_gaps_group_by_topic(store):
    store.add_gap("fix my printer?", "fix printer")
    store.add_gap("Fix my printer", "fix printer")
    store.add_gap("pizza", "pizza")
    rows = store.gaps()
    assert [(r["topic"], r["count"]) for r in rows] == [("fix printer", 2), ("pizza", 1)]


def test_the_database_holds_ids_not_names(store):
    columns = {c.name for t in store.db.tables if not t.name.startswith("_") for c in t.columns}
    assert not columns & {"name", "real_name", "email", "user_name", "display_name"}
