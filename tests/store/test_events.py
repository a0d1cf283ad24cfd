"""The events table: an event acts once, and one claimed but never answered is not lost."""

from __future__ import annotations


def test_an_event_handled_at_once_is_claimed_once(store):
    assert store.claim_event("Ev1") is True
    assert store.claim_event("Ev1") is False
    assert store.claim_event("Ev1", lease=60, payload="{}") is False


def test_a_pending_event_is_dropped_as_a_retry_until_released_or_its_lease_runs_out(store):
    assert store.claim_event("Ev1", lease=60, payload='{"a": 1}', owner="A")
    assert store.claim_event("Ev1", lease=60, payload='{"a": 1}', owner="B") is False
    assert store.unanswered_events(max_age=60) == []
    assert store.release_event("Ev1")
    assert store.unanswered_events(max_age=60) == [("Ev1", '{"a": 1}')]
    assert store.claim_event("Ev1", lease=60, owner="B"), "a redelivery of a released event"
    store.finish_event("Ev1")
    assert store.claim_event("Ev1", lease=60) is False
    assert store.release_event("Ev1") is False, "an answered event is never released"


def test_a_crashed_owners_claim_is_left_over_but_not_a_live_owners(store):
    store.claim_event("Ev1", lease=-1, payload="{}", owner="dead")
    store.claim_event("Ev2", lease=-1, payload="{}", owner="me")
    assert [e for e, _ in store.unanswered_events(max_age=60, not_owner="me")] == ["Ev1"]
    assert [e for e, _ in store.unanswered_events(max_age=60)] == ["Ev1", "Ev2"]


def test_old_event_ids_are_forgotten(store):
    store.claim_event("Ev1")
    assert store.forget_events(older_than=3600) == 0
    assert store.forget_events(older_than=-1) == 1
    assert store.claim_event("Ev1") is True
