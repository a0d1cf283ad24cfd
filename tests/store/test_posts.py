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
