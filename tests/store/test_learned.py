"""The `learned` table: counts per pair, the latest verdict, clearing."""

from __future__ import annotations

import pytest

from bot.store import Store


def test_a_pair_counts_both_verdicts_and_keeps_the_latest(store):
    store.add_learned(question="Q?", norm="q", tip_id="t1", verdict="mismatch", user="U1")
    store.add_learned(question="q", norm="q", tip_id="t1", verdict="match")
    store.add_learned(question="q", norm="q", tip_id="t1", verdict="match")
    [row] = store.learned()
    assert (row["verdict"], row["matched"], row["mismatched"], row["question"]) == (
        "match",
        2,
        1,
        "q",
    )
    assert store.learned(verdict="mismatch") == []


def test_an_unknown_verdict_stores_nothing(store):
    with pytest.raises(ValueError, match="verdict must be"):
        store.add_learned(question="q", norm="q", tip_id="t1", verdict="meh")
    assert store.learned() == []


def test_clear_forgets_every_pair_and_survives_reopening(db_path):
    store = Store.open(db_path)
    store.add_learned(question="a", norm="a", tip_id="t1", verdict="match")
    store.add_learned(question="b", norm="b", tip_id="t2", verdict="mismatch")
    assert store.clear_learned() == 2
    store.close()
    again = Store.open(db_path)
    assert again.learned() == []
    assert "m006_learned_pairs" in again.health()["migrations"]
    again.close()
