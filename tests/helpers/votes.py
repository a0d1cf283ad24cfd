"""Helpers shared by test_votes.py and the tests beside it (moved out of the test module)."""

from __future__ import annotations


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
