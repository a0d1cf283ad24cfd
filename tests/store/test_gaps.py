"""The gaps table: unanswered questions grouped by topic."""

from __future__ import annotations


def test_gaps_group_by_topic(store):
    store.add_gap("fix my printer?", "fix printer")
    store.add_gap("Fix my printer", "fix printer")
    store.add_gap("pizza", "pizza")
    rows = store.gaps()
    assert [(r["topic"], r["count"]) for r in rows] == [("fix printer", 2), ("pizza", 1)]
