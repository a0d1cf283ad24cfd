"""The `asked` table: counts by surface and level, the subjects asked most, wordings expire."""

from __future__ import annotations

import pytest

from bot.store import Store


@pytest.fixture
def store(tmp_path):
    store = Store.open(tmp_path / "coach.db")
    yield store
    store.close()


def ask(store, question: str, *, surface="slash", level="sure", key=None, offer="o1"):
    store.add_asked(
        surface=surface, level=level, key=key or question, question=question, offer_id=offer
    )


def test_counts_by_surface_and_level_with_the_mismatches(store):
    ask(store, "evals", offer="o1")
    ask(store, "evals again", key="evals", offer="o2")
    ask(store, "pricing", level="none", surface="dm", offer="o3")
    assert store.mark_mismatched("o2") and not store.mark_mismatched("o2"), "once per answer"
    rows = {(r["surface"], r["level"]): (r["asked"], r["mismatched"]) for r in store.asked_counts()}
    assert rows == {("slash", "sure"): (2, 1), ("dm", "none"): (1, 0)}


def test_most_asked_groups_by_key_and_shows_the_latest_wording(store):
    ask(store, "how do we start evals", key="evals")
    ask(store, "evals: where to start?", key="evals")
    ask(store, "pricing", key="pricing")
    top = store.most_asked()
    assert [(r["key"], r["count"], r["question"]) for r in top][0] == (
        "evals",
        2,
        "evals: where to start?",
    )


def test_wordings_older_than_the_keep_window_are_blanked_but_still_counted(store):
    ask(store, "an old question", key="old")
    old = "2000-01-01T00:00:00.000000+00:00"
    store.db.execute("UPDATE asked SET at = ?", [old])
    store.db.conn.commit()
    ask(store, "a new question", key="new")  # any insert forgets what is past WORDING_DAYS
    wordings = {r["key"]: r["question"] for r in store.db["asked"].rows}
    assert wordings == {"old": "", "new": "a new question"}
    assert sum(r["asked"] for r in store.asked_counts()) == 2


def test_forgetting_a_person_blanks_the_wording_of_their_questions(store):
    offer = store.add_offer(
        user="U9", channel="C1", surface="slash", question="q", tips=[], level="none", keep_days=30
    )
    ask(store, "my private question", key="private", offer=offer.id)
    ask(store, "someone else's", key="other", offer="o-other")
    counts = store.forget_user("U9")
    assert counts["asked"] == 1
    assert {r["key"]: r["question"] for r in store.db["asked"].rows} == {
        "private": "",
        "other": "someone else's",
    }


def test_clearing_a_gap_blanks_that_wording_everywhere(store):
    ask(store, "How do we price  AI?", key="price ai", level="none")
    assert store.clear_gap("how do we price ai?", "price ai")["asked"] == 1
    assert [r["question"] for r in store.db["asked"].rows] == [""]
