"""Stage 4: lessons per person, shared only by agreement or a curator; ratings break ties."""

from __future__ import annotations

import dataclasses

import pytest

from bot.core.pipeline.adjust import Lesson, Lessons, adjust
from bot.core.pipeline.answer import Answer
from bot.core.pipeline.config import DEFAULT

KEY = "ikea"
seq = iter(range(1, 10_000))


def taught(lessons: Lessons, user: str, tip: str, verdict: str, key: str = KEY) -> None:
    lessons.add_teaching(
        {"key": key, "tip_id": tip, "user": user, "verdict": verdict, "seq": next(seq)}
    )


def decided(lessons: Lessons, tip: str, state: str, verdict: str = "mismatch") -> None:
    lessons.add_decision(
        {"key": KEY, "tip_id": tip, "state": state, "verdict": verdict, "seq": next(seq)}
    )


def test_a_persons_verdict_is_theirs_alone():
    lessons = Lessons(agree_users=2)
    taught(lessons, "U1", "a", "mismatch")
    assert lessons.lookup(KEY, "U1") == Lesson(avoid=frozenset({"a"}), mine=frozenset({"a"}))
    assert not lessons.lookup(KEY, "U2") and not lessons.lookup(KEY, None)
    assert not lessons.lookup("other question", "U1")


def test_two_people_agreeing_with_nobody_against_is_everyones():
    lessons = Lessons(agree_users=2)
    taught(lessons, "U1", "a", "mismatch")
    taught(lessons, "U2", "a", "mismatch")
    assert lessons.lookup(KEY, "U3").avoid == {"a"} and lessons.lookup(KEY, "U3").mine == set()
    taught(lessons, "U4", "a", "match")  # one disagreement takes it back from everyone
    assert not lessons.lookup(KEY, "U3")
    assert lessons.lookup(KEY, "U4").prefer == "a", "each keeps their own"


def test_a_person_changing_their_mind_replaces_their_verdict():
    lessons = Lessons(agree_users=2)
    taught(lessons, "U1", "a", "mismatch")
    taught(lessons, "U1", "a", "match")
    assert lessons.lookup(KEY, "U1").prefer == "a"
    assert len(lessons) == 1


def test_a_curator_decides_for_everyone_and_a_removal_outweighs_agreement():
    lessons = Lessons(agree_users=2)
    taught(lessons, "U1", "a", "match")
    decided(lessons, "a", "approved", "match")
    assert lessons.lookup(KEY, "U9").prefer == "a"
    taught(lessons, "U2", "b", "mismatch")
    taught(lessons, "U3", "b", "mismatch")
    decided(lessons, "b", "removed")
    assert "b" not in lessons.lookup(KEY, "U9").avoid
    assert "b" in lessons.lookup(KEY, "U2").avoid, "the teacher still gets their own"


def test_the_latest_preference_wins_and_a_persons_own_comes_first():
    lessons = Lessons(agree_users=1)
    taught(lessons, "U1", "a", "match")
    taught(lessons, "U2", "b", "match")
    assert lessons.lookup(KEY, "U3").prefer == "b"
    assert lessons.lookup(KEY, "U1").prefer == "a"


def _answer(tips, level="sure"):
    return Answer(
        question="q",
        level=level,
        matches=[(t, 1.0 - i / 10) for i, t in enumerate(tips)],
        reason="model",
    )


@pytest.fixture
def three(small_tips):
    return small_tips[:3]


def test_a_preferred_tip_comes_first_and_sure(three):
    served = {t.id: t for t in three}.get
    answer = adjust(
        _answer(three, "unsure"), Lesson(prefer=three[2].id), served=served, config=DEFAULT
    )
    assert answer.level == "sure" and answer.tip.id == three[2].id and answer.reason == "taught"


def test_a_preferred_tip_no_longer_served_is_ignored(three):
    answer = adjust(
        _answer(three), Lesson(prefer="gone-tip"), served=lambda _: None, config=DEFAULT
    )
    assert answer.tip.id == three[0].id and answer.reason == "model"


def test_rejecting_the_first_tip_yourself_gets_an_honest_no(three):
    served = {t.id: t for t in three}.get
    mine = Lesson(avoid=frozenset({three[0].id}), mine=frozenset({three[0].id}))
    answer = adjust(_answer(three), mine, served=served, config=DEFAULT)
    assert (answer.level, answer.matches, answer.reason) == ("none", [], "rejected")


def test_when_others_rejected_the_first_tip_the_rest_are_offered_unsure(three):
    served = {t.id: t for t in three}.get
    shared = Lesson(avoid=frozenset({three[0].id}))
    answer = adjust(_answer(three), shared, served=served, config=DEFAULT)
    assert answer.level == "unsure" and [t.id for t, _ in answer.matches] == [
        t.id for t in three[1:]
    ]


def test_ratings_reorder_near_ties_only_and_never_the_level(three):
    served = {t.id: t for t in three}.get
    near = Answer(
        question="q", level="sure", matches=[(three[0], 1.0), (three[1], 0.995)], reason="model"
    )
    boosted = adjust(near, Lesson(), served=served, boosts={three[1].id: 1.0}, config=DEFAULT)
    assert boosted.tip.id == three[1].id and boosted.level == "sure"
    far = dataclasses.replace(near, matches=[(three[0], 1.0), (three[1], 0.5)])
    kept = adjust(far, Lesson(), served=served, boosts={three[1].id: 1.0}, config=DEFAULT)
    assert kept.tip.id == three[0].id
    odd = adjust(near, Lesson(), served=served, boosts={three[1].id: float("nan")}, config=DEFAULT)
    assert odd.tip.id == three[0].id
    none = Answer(question="q", level="none", reason="model")
    assert adjust(none, Lesson(), served=served, boosts={three[1].id: 1.0}, config=DEFAULT) == none
