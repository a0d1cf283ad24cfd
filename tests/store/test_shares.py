"""Shares and event ids: a claim is an insert, so two clicks or two deliveries act once."""

from __future__ import annotations

import threading

from bot.store import Store


def test_an_event_id_is_claimed_once(store):
    assert store.claim_event("Ev1") is True
    assert store.claim_event("Ev1") is False
    assert store.claim_event("Ev2") is True


def test_a_reaction_and_a_mention_share_one_event_table(store):
    assert store.claim_event("Ev1") is True
    assert (
        store.record_vote(
            user="U1",
            tip_id="t1",
            channel="C1",
            message_ts="1.1",
            reaction="+1",
            value=1,
            event_id="Ev1",
        )
        is False
    )


def test_a_share_is_claimed_once_then_reports_where_it_went(store):
    fresh, share = store.claim_share("a1", channel="C1", tip_id="t1", user="U1")
    assert fresh and share.status == "pending"
    again, pending = store.claim_share("a1", channel="C1", tip_id="t1", user="U2")
    assert not again and pending.status == "pending"
    store.mark_shared("a1", "1700.1")
    third, done = store.claim_share("a1", channel="C1", tip_id="t1", user="U3")
    assert not third and done.status == "posted" and done.ts == "1700.1"
    assert done.user == "U1", "the first sharer stays on record"


def test_a_released_share_can_be_claimed_again(store):
    store.claim_share("a1", channel="C1", tip_id="t1", user="U1")
    store.release_share("a1")
    assert store.share("a1") is None
    assert store.claim_share("a1", channel="C1", tip_id="t1", user="U1")[0] is True


def test_a_posted_share_is_never_released(store):
    store.claim_share("a1", channel="C1", tip_id="t1", user="U1")
    store.mark_shared("a1", "1700.1")
    store.release_share("a1")
    assert store.share("a1").status == "posted"


def test_a_stale_pending_claim_is_taken_over(store):
    store.claim_share("a1", channel="C1", tip_id="t1", user="U1")
    with store.transaction() as db:
        db.execute("UPDATE shares SET claimed_at = '2000-01-01T00:00:00+00:00'")
    fresh, share = store.claim_share("a1", channel="C1", tip_id="t1", user="U2")
    assert fresh and share.user == "U2"


def test_many_threads_and_two_connections_claim_one_share(db_path):
    first, second = Store.open(db_path), Store.open(db_path)
    wins: list[bool] = []
    barrier = threading.Barrier(8)

    def click(store: Store) -> None:
        barrier.wait()
        wins.append(store.claim_share("a1", channel="C1", tip_id="t1", user="U1")[0])

    threads = [threading.Thread(target=click, args=((first, second)[i % 2],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    first.close()
    second.close()
    assert sorted(wins) == [False] * 7 + [True]
