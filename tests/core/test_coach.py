"""Coach.ask, the one path every surface asks through."""

from __future__ import annotations

import pytest
import yaml

from bot.core.coach import Coach
from bot.core.matcher import BOOST_POINTS, Matcher
from bot.settings import Settings
from tests.conftest import ROOT


def near_tie(base) -> tuple[str, str, str]:
    """A curated question whose two best tips are within a rating's reach: (q, first, second).

    Found, not hard-coded, so the test keeps meaning the same thing when the tips change.
    """
    matcher = Matcher(base.tips)
    questions = [q for tip in base.tips for q in tip.questions]
    for name in ("dev.yaml", "own.yaml"):
        cases = yaml.safe_load((ROOT / "benchmarks" / "questions" / name).read_text())["cases"]
        questions += [case["q"] for case in cases]
    for question in questions:
        answer = matcher.answer(question)
        if answer.answered and len(answer.matches) > 1:
            (first, s1), (second, s2) = answer.matches[:2]
            if s1 - s2 < BOOST_POINTS:  # the two nudges together move them 2 * BOOST_POINTS
                return question, first.id, second.id
    raise AssertionError("no near tie in the base: the test needs one")


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
    question, first, second = near_tie(coach.library.base)
    before = coach.ask(question, record_gap=False).matches
    assert [t.id for t, _ in before[:2]] == [first, second]
    rate(coach.store, second, +1)
    rate(coach.store, first, -1)
    coach._boosts = (float("-inf"), {})  # re-read the ratings now, not in ten seconds
    after = coach.ask(question, record_gap=False).matches
    assert after[0][0].id == second


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
