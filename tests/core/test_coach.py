"""Coach.ask, the one path every surface asks through."""

from __future__ import annotations

import pytest

from bot.core.coach import Coach
from bot.settings import Settings

NEAR_TIE = "Use AI tools to prototype and design"  # two tips within a point of each other


@pytest.fixture
def coach(knowledge_dir, db_path):
    c = Coach.open(Settings(db_path=db_path, knowledge_dir=knowledge_dir))
    yield c
    c.close()


def test_a_question_is_cut_once_to_max_question(coach):
    padding = "lorem " * 100
    assert coach.settings.max_question == 500
    late = coach.ask(padding + "ikea effect")
    assert len(late.question) == 500 and not late.question.endswith("ikea effect")
    assert not late.answered and late.matches == []
    assert coach.ask("ikea effect " + padding).answered


def test_the_teams_ratings_break_a_near_tie(coach):
    before = coach.ask(NEAR_TIE, record_gap=False).matches
    assert [t.id for t, _ in before[:2]] == ["utilize-modern-tools", "graphic-design"]
    rate(coach.store, "graphic-design", +1)
    rate(coach.store, "utilize-modern-tools", -1)
    coach._boosts = (float("-inf"), {})  # re-read the ratings now, not in ten seconds
    after = coach.ask(NEAR_TIE, record_gap=False).matches
    assert after[0][0].id == "graphic-design"


def test_record_gap_false_keeps_a_try_out_of_the_gaps(coach):
    coach.ask("best pizza near the office", record_gap=False)
    assert coach.store.gaps(limit=5) == []
    coach.ask("best pizza near the office")
    assert len(coach.store.gaps(limit=5)) == 1


def rate(store, tip_id: str, value: int, *, people: int = 6) -> None:
    """`people` distinct users rate `tip_id` as `value` (+1 useful, -1 not useful)."""
    for n in range(people):
        store.record_vote(
            user=f"U{n}",
            tip_id=tip_id,
            channel="C1",
            message_ts="button",
            reaction="button",
            value=value,
        )
