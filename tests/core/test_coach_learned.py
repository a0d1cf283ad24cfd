"""Coach.ask with learned pairs: taught on any surface, applied on every one, over real SQLite."""

from __future__ import annotations

import pytest

from bot.core import levels
from bot.core.coach import OFFER_WINDOW, Coach
from bot.settings import Settings

QUESTION = "how do I launch"


@pytest.fixture
def coach(knowledge_dir, db_path):
    c = Coach.open(Settings(db_path=db_path, knowledge_dir=knowledge_dir, scheduler=False))
    yield c
    c.close()


def test_rejecting_every_tip_offered_declines_instead_of_guessing_weaker(coach):
    answer = coach.ask(QUESTION, record_gap=False)
    assert answer.answered and len(answer.matches) == OFFER_WINDOW
    for tip, _ in answer.matches:
        assert coach.teach(QUESTION, tip.id, "mismatch", user="U1")
    again = coach.ask(QUESTION, user="U2")
    assert (levels.level(again), again.answered, again.matches) == (levels.NONE, False, [])
    assert coach.store.gaps()[0]["example"] == QUESTION, "a declined question is a gap again"


def test_one_rejected_tip_leaves_the_rest_unsure_and_a_pick_makes_it_sure(coach):
    first, second, *_ = [tip.id for tip, _ in coach.ask(QUESTION, record_gap=False).matches]
    coach.teach(QUESTION, first, "mismatch")
    after = coach.ask(QUESTION.upper() + "?", record_gap=False)
    assert levels.level(after) == levels.UNSURE and first not in [t.id for t, _ in after.matches]
    coach.teach(QUESTION, second, "match")
    picked = coach.ask(QUESTION, record_gap=False)
    assert (levels.level(picked), picked.matches[0][0].id) == (levels.SURE, second)


def test_nothing_is_taught_when_questions_are_not_kept(knowledge_dir, db_path):
    settings = Settings(
        db_path=db_path, knowledge_dir=knowledge_dir, scheduler=False, log_questions=False
    )
    coach = Coach.open(settings)
    try:
        assert coach.teach(QUESTION, "hackathons", "match") is False
        assert coach.store.learned() == []
    finally:
        coach.close()


def test_a_teaching_reaches_another_process_coach(coach, knowledge_dir, db_path):
    other = Coach.open(Settings(db_path=db_path, knowledge_dir=knowledge_dir, scheduler=False))
    try:
        other.ask(QUESTION, record_gap=False)  # its lessons are loaded (and cached) now
        coach.teach(QUESTION, "hackathons", "match")
        other._lessons = (float("-inf"), other._lessons[1])  # as after LESSONS_TTL_SECONDS
        assert other.ask(QUESTION, record_gap=False).matches[0][0].id == "hackathons"
    finally:
        other.close()
