"""The first cycle of a channel starts with practice tips (bot.core.rotation)."""

from __future__ import annotations

from pathlib import Path

from bot.core import knowledge
from bot.core.rotation import next_tip

ROOT = Path(__file__).resolve().parents[2]


def first_cycle(base: list[str], kinds: dict, tallies: dict | None = None) -> list[str]:
    history: list[tuple[str, str]] = []
    for day in range(len(base)):
        tip = next_tip(base, history, tallies or {}, seed=f"C1:{day}", kinds=kinds)
        history.append((tip, f"d{day}"))
    return [t for t, _ in history]


def test_practice_then_concept_then_career_in_base_order_within_a_kind():
    base = ["role", "job", "do-a", "idea", "do-b"]
    kinds = {"role": "concept", "job": "career", "do-a": "practice", "idea": "concept"}
    kinds["do-b"] = "practice"
    assert first_cycle(base, kinds) == ["do-a", "do-b", "role", "idea", "job"]


def test_kind_beats_ratings_from_elsewhere_in_the_first_cycle():
    kinds = {"loved-career": "career", "plain-practice": "practice"}
    order = first_cycle(["loved-career", "plain-practice"], kinds, {"loved-career": (9, 0)})
    assert order == ["plain-practice", "loved-career"]


def test_tips_without_a_kind_come_last_and_no_kinds_keeps_base_order():
    assert first_cycle(["x", "y", "z"], {"z": "career"}) == ["z", "x", "y"]
    assert first_cycle(["x", "y", "z"], {}) == ["x", "y", "z"]


def test_the_shipped_base_starts_a_new_channel_with_a_week_of_practice():
    base = knowledge.load(ROOT / "knowledge")
    ids = [t.id for t in base.live_tips]
    kinds = {t.id: t.kind for t in base.live_tips}
    order = first_cycle(ids, kinds)
    assert [kinds[t] for t in order[:5]] == ["practice"] * 5
    assert sorted(order) == sorted(ids)  # still every tip once before any repeat
