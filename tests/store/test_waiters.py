"""gap_waiters and open gaps: who waits, each told once, answered gaps closed."""

from __future__ import annotations


def test_open_gaps_show_questions_as_typed_most_asked_first(store):
    store.add_gap("How do I fix my printer?", "fix printer")
    store.add_gap("fixing printers??", "fix printer")
    store.add_gap("best pizza in town", "pizza town")
    rows = store.open_gaps()
    assert [(r["question"], r["count"]) for r in rows] == [
        ("fixing printers??", 2),
        ("best pizza in town", 1),
    ]


def test_each_waiter_is_claimed_once_then_told(store):
    store.add_gap("fix my printer", "fix printer")
    assert store.add_waiter("fix printer", "fix my printer", "U1") is True
    assert store.add_waiter("fix printer", "fix my printer", "U1") is False
    store.add_waiter("fix printer", "printer fix?", "U2")
    assert store.open_gaps()[0]["waiting"] == 2
    assert [w["user"] for w in store.waiters("fix printer")] == ["U1", "U2"]
    assert store.claim_waiter("fix printer", "U1", "printer-tip", owner="A", lease=60) is True
    assert store.claim_waiter("fix printer", "U1", "printer-tip", owner="B", lease=60) is False
    assert store.mark_told("fix printer", "U1", owner="B") is False, "not B's claim"
    assert store.mark_told("fix printer", "U1", owner="A") is True
    assert [w["user"] for w in store.waiters("fix printer")] == ["U2"]
    assert store.claim_waiter("fix printer", "U1", "printer-tip", owner="A", lease=60) is False


def test_a_claim_whose_lease_ran_out_is_taken_again(store):
    store.add_waiter("fix printer", "fix my printer", "U1")
    assert store.claim_waiter("fix printer", "U1", "printer-tip", owner="dead", lease=-1)
    assert store.claim_waiter("fix printer", "U1", "printer-tip", owner="B", lease=60)
    assert store.mark_told("fix printer", "U1", owner="B")


def test_a_waiter_without_a_logged_question_still_shows_as_open(store):
    store.add_waiter("fix printer", "fix my printer", "U1")
    assert [(r["question"], r["count"], r["waiting"]) for r in store.open_gaps()] == [
        ("fix my printer", 1, 1)
    ]


def test_a_released_waiter_waits_again_and_is_claimed_once_more(store):
    store.add_waiter("fix printer", "fix my printer", "U1")
    store.add_waiter("fix printer", "fix my printer", "U2")
    assert store.claim_waiter("fix printer", "U1", "printer-tip", owner="A", lease=60)
    assert store.release_waiter("fix printer", "U1") is True
    assert store.release_waiter("fix printer", "U1") is False
    assert [(r["topic"], r["waiting"]) for r in store.open_gaps()] == [("fix printer", 2)]
    assert store.claim_waiter("fix printer", "U1", "printer-tip", owner="B", lease=60)
