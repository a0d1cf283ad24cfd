"""The posts table: the daily claim is once per channel and local day."""

from __future__ import annotations

import threading

from bot.store import Store


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


def test_one_row_per_message_however_often_it_is_recorded(db_path):
    """Issue 15 item 3: concurrent 'recovered' inserts and the claim's ts make one row."""
    Store.open(db_path).close()
    stores = [Store.open(db_path) for _ in range(6)]
    claim = stores[0].claim_daily("C1", "2026-11-30", "a")
    barrier = threading.Barrier(len(stores))
    rows = []

    def recover(s: Store) -> None:
        barrier.wait()
        rows.append(s.add_post("C1", "111.222", "a", kind="recovered", local_date="2026-11-30"))

    threads = [threading.Thread(target=recover, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({row.id for row in rows}) == 1, "every recorder gets the same row back"
    stores[0].mark_posted(claim.id, "111.222")
    posts = stores[0].posts("C1")
    assert [(p.ts, p.kind, p.status) for p in posts] == [("111.222", "daily", "posted")]
    assert stores[0].counts()["posts"] == 1
    assert stores[0].posted_tip_ids("C1") == [("a", "2026-11-30")]
    for s in stores:
        s.close()


def test_the_migration_merges_rows_of_one_message(db_path):
    """Issue 15 item 3: a database that already holds duplicates is de-duplicated on open."""
    from sqlite_utils import Database

    from bot.store import migrations

    db = Database(db_path)
    migrations.apply(db, stop_before="m004_one_row_per_message")
    rows = [
        ("C1", "1.1", "a", "recovered", "posted"),
        ("C1", "1.1", "a", "daily", "posted"),
        ("C1", "1.1", "a", "recovered", "posted"),
        ("C1", "2.2", "b", "shared", "posted"),
        ("C1", "2.2", "b", "recovered", "posted"),
        ("C2", "1.1", "c", "shared", "posted"),
    ]
    for channel, ts, tip, kind, status in rows:
        db["posts"].insert(
            {
                "channel": channel,
                "ts": ts,
                "tip_id": tip,
                "kind": kind,
                "status": status,
                "local_date": "2026-11-30",
                "created_at": "2026-11-30T09:00:00+00:00",
            }
        )
    db.close()
    store = Store.open(db_path)
    kept = sorted((p.channel, p.ts, p.kind) for p in store.posts())
    assert kept == [("C1", "1.1", "daily"), ("C1", "2.2", "shared"), ("C2", "1.1", "shared")]
    store.close()


def test_claim_ids_are_never_reused_and_a_stale_owner_cannot_touch_a_new_claim(store):
    """Issue 15 item 2: a released claim's id once went to the next claim."""
    old = store.claim_daily("C1", "2026-11-30", "a", owner="A", lease=60)
    store.release_post(old.id, owner="A")
    new = store.claim_daily("C1", "2026-11-30", "b", owner="B", lease=60)
    assert new.id > old.id
    assert store.mark_posted(old.id, "1.1", owner="A") is False
    assert store.mark_posted(new.id, "1.1", owner="A") is False, "B's claim is not A's"
    store.release_post(new.id, owner="A")
    assert store.daily_post("C1", "2026-11-30").status == "pending"
    assert store.mark_posted(new.id, "1.1", owner="B") is True


def test_a_claim_is_taken_over_only_once_its_lease_ran_out(store):
    claim = store.claim_daily("C1", "2026-11-30", "a", owner="A", lease=60)
    assert store.take_over_claim(claim.id, "B", 60, min_age=0) is False
    assert store.renew_claim(claim.id, "A", 60) is True
    expired = store.claim_daily("C2", "2026-11-30", "a", owner="A", lease=-1)
    assert store.take_over_claim(expired.id, "B", 60, min_age=0) is True
    assert store.take_over_claim(expired.id, "C", 60, min_age=0) is False, "one winner"
    assert store.renew_claim(expired.id, "A", 60) is False, "A learns it lost the claim"
