"""Votes and ratings: exactly once per event, the latest vote stands, tallies count people."""

from __future__ import annotations

from tests.helpers.votes import vote  # noqa: F401


def opinion(store, user, tip_id):
    """The person's current opinion of a tip, read through `Store.user_ratings`."""
    return {r["tip_id"]: r["value"] for r in store.user_ratings(user)}.get(tip_id)


def test_event_ids_make_votes_exactly_once(store):
    assert vote(store, "U1", 1, event_id="E1") is True
    assert vote(store, "U1", -1, event_id="E1") is False
    assert opinion(store, "U1", "t1") == 1


def test_latest_vote_stands_and_withdrawal_falls_back(store):
    vote(store, "U1", 1, reaction="+1")
    vote(store, "U1", -1, reaction="-1")
    assert opinion(store, "U1", "t1") == -1
    store.withdraw_vote(user="U1", tip_id="t1", channel="C1", message_ts="1.1", reaction="-1")
    assert opinion(store, "U1", "t1") == 1
    store.withdraw_vote(user="U1", tip_id="t1", channel="C1", message_ts="1.1", reaction="+1")
    assert opinion(store, "U1", "t1") is None
    assert store.tip_tallies() == {}


def test_tallies_count_people_not_reactions(store):
    vote(store, "U1", 1, reaction="+1")
    vote(store, "U1", 1, reaction="heart")
    vote(store, "U1", 1, reaction="+1", ts="2.2")
    vote(store, "U2", -1, reaction="-1")
    assert store.tip_tallies() == {"t1": (1, 1)}
