"""Reaction meanings, the Wilson ranking and the team's stats."""

from __future__ import annotations

import pytest

from bot.core import knowledge, ratings
from bot.settings import DEFAULT_NOT_USEFUL, DEFAULT_USEFUL
from tests.conftest import SHIPPED_KNOWLEDGE


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("+1", 1),
        ("thumbsup", 1),
        ("heart", 1),
        ("bulb", 1),
        ("+1::skin-tone-4", 1),
        ("-1", -1),
        ("thumbsdown", -1),
        ("eyes", None),
        ("", None),
    ],
)
def test_reaction_value(name, value):
    assert (
        ratings.reaction_value(name, useful=DEFAULT_USEFUL, not_useful=DEFAULT_NOT_USEFUL) == value
    )


def test_wilson_prefers_many_votes_over_a_few():
    assert ratings.wilson_lower_bound(40, 5) > ratings.wilson_lower_bound(3, 0)
    assert ratings.wilson_lower_bound(0, 0) == 0.0
    assert 0 < ratings.wilson_lower_bound(1, 0) < 1


def test_top_ranks_by_wilson_not_raw_counts(store):
    base = knowledge.load(SHIPPED_KNOWLEDGE)
    a, b, c = (t.id for t in base.tips[:3])
    for i in range(4):
        store.record_vote(
            user=f"U{i}", tip_id=a, channel="C", message_ts="1", reaction="+1", value=1
        )
    for i in range(12):
        store.record_vote(
            user=f"U{i}",
            tip_id=b,
            channel="C",
            message_ts="2",
            reaction="+1",
            value=1 if i < 10 else -1,
        )
    store.record_vote(user="U1", tip_id=c, channel="C", message_ts="3", reaction="-1", value=-1)
    top = ratings.top(store, base)
    assert [s.id for s in top] == [b, a]


def test_stats_report_tallies_and_extremes(store):
    base = knowledge.load(SHIPPED_KNOWLEDGE)
    a, b = base.tips[0].id, base.tips[1].id
    for i in range(4):
        store.record_vote(
            user=f"U{i}", tip_id=a, channel="C", message_ts="1", reaction="+1", value=1
        )
        store.record_vote(
            user=f"U{i}", tip_id=b, channel="C", message_ts="2", reaction="-1", value=-1
        )
    store.add_post("C", "1", a, kind="daily", local_date="2026-11-28")
    data = ratings.stats(store, base, days=30)
    assert data["posts"] == 1 and data["ratings"] == 8
    assert {t["id"]: (t["useful"], t["not_useful"]) for t in data["tips"]} == {a: (4, 0), b: (0, 4)}
    assert data["most_useful"][0]["id"] == a and data["least_useful"][0]["id"] == b


def test_ratings_of_tips_gone_from_the_base_are_kept_by_id(store):
    base = knowledge.load(SHIPPED_KNOWLEDGE)
    store.record_vote(
        user="U1", tip_id="retired-tip", channel="C", message_ts="1", reaction="+1", value=1
    )
    assert ratings.stats(store, base)["tips"][0]["title"] == "retired-tip"


def test_boosts_only_nudge():
    nudges = ratings.boosts({"a": (10, 0), "b": (0, 10), "c": (0, 0)})
    assert nudges["a"] > 0 > nudges["b"] and "c" not in nudges
    assert all(-1 <= v <= 1 for v in nudges.values())
