"""The learning tables: one verdict per person and pair, curators' decisions, change numbers."""

from __future__ import annotations

import pytest

from bot.store import Store


def teach(store, user="U1", tip="a", verdict="mismatch", key="ikea effect", question="ikea?"):
    return store.teach(key=key, question=question, tip_id=tip, user=user, verdict=verdict)


def test_a_person_has_one_verdict_per_pair_and_the_latest_holds(store):
    first = teach(store)
    second = teach(store, verdict="match", question="IKEA effect?")
    assert second > first
    [row] = store.teachings()
    assert (row["verdict"], row["question"], row["seq"]) == ("match", "IKEA effect?", second)
    teach(store, user="U2")
    assert [r["user"] for r in store.teachings(since=second)] == ["U2"], "only what changed"


@pytest.mark.parametrize(
    "bad", [{"verdict": "maybe"}, {"key": ""}, {"user": ""}], ids=["verdict", "key", "user"]
)
def test_a_bad_teaching_stores_nothing(store, bad):
    with pytest.raises(ValueError):
        teach(store, **bad)
    assert store.teachings() == [] and store.learning_state()[1] == 0


def test_the_summary_counts_people_and_shows_the_curators_decision(store):
    teach(store, user="U1")
    teach(store, user="U2")
    teach(store, user="U3", verdict="match")
    store.decide_pair(
        key="ikea effect",
        tip_id="a",
        verdict="mismatch",
        state="approved",
        question="ikea?",
        curator="UADMIN",
    )
    [row] = store.learned_summary()
    assert (row["matched"], row["mismatched"], row["state"], row["curator"]) == (
        1,
        2,
        "approved",
        "UADMIN",
    )
    with pytest.raises(ValueError):
        store.decide_pair(
            key="k", tip_id="a", verdict="match", state="maybe", question="q", curator="U"
        )


def test_clearing_and_forgetting_bump_the_generation_and_survive_reopening(db_path):
    store = Store.open(db_path)
    teach(store, user="U1")
    teach(store, user="U2", key="other", question="other?")
    generation = store.learning_state()[0]
    assert store.forget_teachings(user="U1") == 1
    assert store.learning_state()[0] == generation + 1
    assert [r["user"] for r in store.teachings()] == ["U2"]
    with pytest.raises(ValueError):
        store.forget_teachings()
    assert store.clear_learned() == 1
    store.close()
    store = Store.open(db_path)
    try:
        assert store.teachings() == [] and store.learning_state()[0] == generation + 2
    finally:
        store.close()


def test_rekeying_follows_the_key_version_and_merges_a_persons_duplicates(store):
    teach(store, key="old one", question="What is X?")
    teach(store, key="old two", question="what is x")  # the same question under a new key
    assert store.rekey_learned(lambda q: q.lower().strip("?"), "v2") == 1
    assert [(r["key"], r["question"]) for r in store.teachings()] == [("what is x", "what is x")]
    assert store.rekey_learned(lambda q: "changed", "v2") == 0, "same version: nothing to do"


def test_offers_are_looked_up_by_id_and_expire(store):
    offer = store.add_offer(
        user="U1",
        channel="C1",
        surface="dm",
        question="q?",
        tips=["a", "b"],
        level="sure",
        keep_days=30,
    )
    assert store.offer(offer.id, keep_days=30).tips == ("a", "b")
    assert store.offer(offer.id, keep_days=0) is None, "expired"
    assert store.offer("nope", keep_days=30) is None and store.offer(5, keep_days=30) is None
    store.db.execute("UPDATE offers SET created_at = '2000-01-01T00:00:00+00:00'")
    store.add_offer(
        user="U1", channel="C1", surface="dm", question="q2", tips=["a"], level="sure", keep_days=30
    )
    assert store.offers_count() == 1, "an expired offer is pruned when a new one comes"
