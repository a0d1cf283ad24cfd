"""Favourites need a positive lower bound, and no tip is both most and least useful."""

from __future__ import annotations

import pytest

from bot.core import knowledge, ratings
from tests.conftest import SHIPPED_KNOWLEDGE


def vote(store, tip_id: str, up: int, down: int) -> None:
    for i in range(up + down):
        store.record_vote(
            user=f"U{tip_id}{i}",
            tip_id=tip_id,
            channel="C",
            message_ts=tip_id,
            reaction="+1" if i < up else "-1",
            value=1 if i < up else -1,
        )


@pytest.fixture
def base():
    return knowledge.load(SHIPPED_KNOWLEDGE)


@pytest.mark.parametrize(
    ("up", "down", "favourite"),
    [(1, 2, False), (1, 0, False), (2, 2, False), (3, 0, False), (4, 0, True), (10, 2, True)],
)
def test_a_favourite_needs_a_positive_net_lower_bound(store, base, up, down, favourite):
    tip = base.tips[0].id
    vote(store, tip, up, down)
    assert (ratings.net_lower_bound(up, down) > 0) is favourite
    assert ([s.id for s in ratings.top(store, base)] == [tip]) is favourite
    assert ([r["id"] for r in ratings.stats(store, base)["most_useful"]] == [tip]) is favourite


def test_one_up_two_down_is_no_favourite(store, base):
    vote(store, base.tips[0].id, 1, 2)
    assert ratings.top(store, base) == []


@pytest.mark.parametrize(
    "tallies",
    [
        [(1, 0), (0, 1)],
        [(1, 1), (2, 1)],
        [(5, 0), (0, 5)],
        [(6, 1), (3, 3), (0, 7), (1, 0)],
        [(9, 9), (9, 9)],
    ],
)
def test_no_tip_is_in_both_lists(store, base, tallies):
    ids = [t.id for t in base.tips[: len(tallies)]]
    for tip_id, (up, down) in zip(ids, tallies, strict=True):
        vote(store, tip_id, up, down)
    data = ratings.stats(store, base)
    most = {r["id"] for r in data["most_useful"]}
    least = {r["id"] for r in data["least_useful"]}
    assert not most & least
    for tip_id, (up, down) in zip(ids, tallies, strict=True):
        assert (tip_id in most) == (ratings.net_lower_bound(up, down) > 0)
        assert (tip_id in least) == (ratings.net_lower_bound(down, up) > 0)


def test_slack_top_lists_no_tip_rated_one_up_two_down(running_bot, base):
    loved, disliked = base.tips[0], base.tips[1]
    vote(running_bot.store, loved.id, 5, 0)
    vote(running_bot.store, disliked.id, 1, 2)
    text = running_bot.slack.command("top").json()["text"]
    assert loved.title in text and disliked.title not in text


@pytest.mark.parametrize("status", ["gone", "draft", None])
def test_top_recommends_only_tips_still_served_and_stats_keep_the_history(store, base, status):
    import dataclasses

    retired, kept = base.tips[0].id, base.tips[1].id
    vote(store, retired, 10, 0)
    vote(store, kept, 5, 0)
    tips = [dataclasses.replace(t, status=status) if t.id == retired else t for t in base]
    if status is None:  # removed from the base altogether
        tips = [t for t in base if t.id != retired]
    now = knowledge.KnowledgeBase(tips)
    assert [s.id for s in ratings.top(store, now)] == [kept]
    assert retired in [r["id"] for r in ratings.stats(store, now)["tips"]]
