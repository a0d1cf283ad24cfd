"""The team-tips benchmark runs on a tiny budget; its counts (not its times) are checked."""

from __future__ import annotations

from benchmarks import team_tips
from bot.core import knowledge
from tests.conftest import SHIPPED_KNOWLEDGE


def test_every_new_tip_answers_and_all_are_served():
    data = team_tips.run(tips=30, new=2)
    shipped = len(knowledge.load(SHIPPED_KNOWLEDGE).live_tips)
    assert data["served_tips"] == shipped + 30 + 2
    assert data["new_tips_timed"] == 2
    assert data["questions"] > 30 and data["answered"] >= 30
