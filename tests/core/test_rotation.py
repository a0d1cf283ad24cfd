import random

import pytest

from bot.core.rotation import (
    clearly_disliked,
    default_max_wait,
    default_min_gap,
    next_tip,
    posts_since,
    prob_below_half,
)

BASE = [f"t{i}" for i in range(10)]
FIRST_CYCLE = [(t, f"d{i}") for i, t in enumerate(BASE)]


def run(base, history, tallies, days, *, channel="C1", start=0, **options):
    """Pick `days` tips in a row, appending each to the history; returns the picks."""
    history = list(history)
    picks = []
    for day in range(start, start + days):
        tip = next_tip(base, history, tallies, seed=f"{channel}:{day}", **options)
        picks.append(tip)
        history.append((tip, f"d{day}"))
    return picks


def gaps_between_posts(picks, tip):
    """How many other posts came between consecutive posts of `tip`."""
    days = [i for i, t in enumerate(picks) if t == tip]
    return [b - a - 1 for a, b in zip(days, days[1:], strict=False)]


def test_empty_base_gives_none():
    assert next_tip([], [("t1", "2024-01-01")], {}) is None


def test_first_cycle_follows_base_order_without_ratings():
    assert run(BASE, [], {}, len(BASE)) == BASE


@pytest.mark.parametrize("seed", range(5))
def test_first_cycle_posts_every_tip_once_before_any_repeat(seed):
    rng = random.Random(seed)
    tallies = {t: (rng.randrange(5), rng.randrange(5)) for t in BASE}
    picks = run(BASE, [], tallies, len(BASE), channel=f"C{seed}")
    assert sorted(picks) == sorted(BASE)


def test_ratings_from_elsewhere_order_the_first_cycle():
    picks = run(BASE, [], {"t7": (3, 0), "t0": (0, 3)}, len(BASE))
    assert picks[0] == "t7"
    assert picks[-1] == "t0"


def test_new_tips_come_first():
    history = [(t, f"d{i}") for i, t in enumerate(BASE[:5])]
    base = [*BASE[:5], "new"]  # a later build added 'new' and dropped t5..t9
    assert next_tip(base, history, {"t1": (9, 0)}, seed="x") == "new"


def test_tip_added_after_many_cycles_is_posted_next_even_among_favourites():
    tallies = {t: (8, 0) for t in BASE}
    history = FIRST_CYCLE + [
        (t, f"e{i}") for i, t in enumerate(run(BASE, FIRST_CYCLE, tallies, 30))
    ]
    picks = run([*BASE, "new"], history, tallies, 2, start=40)
    assert picks[0] == "new"
    assert picks[1] != "new"


def test_removed_tips_are_never_picked_and_do_not_crash():
    history = [("gone", "d0"), *FIRST_CYCLE, ("gone", "d11")]
    picks = run(BASE, history, {"gone": (9, 0)}, 2 * len(BASE), start=12)
    assert "gone" not in picks
    assert None not in picks


def test_useful_tip_comes_back_before_a_not_useful_one():
    base = [f"t{i}" for i in range(12)]  # minimum gap 5: both a and b are allowed at once
    base[0], base[1] = "a", "b"
    history = [(t, f"d{i}") for i, t in enumerate(base)]
    tallies = {"a": (3, 0), "b": (0, 1)}  # b is rated down, but not clearly disliked
    a_first = 0
    for channel in range(50):
        picks = run(base, history, tallies, 12, channel=f"C{channel}", start=12)
        if "b" not in picks or ("a" in picks and picks.index("a") < picks.index("b")):
            a_first += 1
    assert a_first >= 45


def test_useful_tip_is_posted_more_often_than_an_unrated_one():
    base = ["a", *[f"t{i}" for i in range(11)]]
    history = [(t, f"d{i}") for i, t in enumerate(base)]
    tallies = {"a": (6, 0)} | {t: (3, 3) for t in base[2:]}  # base[1] unrated
    picks = run(base, history, tallies, 60, start=12)
    assert picks.count("a") > picks.count(base[1]) > 0


def test_clearly_disliked_tip_is_not_posted_after_the_first_cycle_while_others_are():
    tallies = {"t4": (0, 3)}
    picks = run(BASE, FIRST_CYCLE, tallies, 60, start=10)
    assert "t4" not in picks
    assert set(picks) == set(BASE) - {"t4"}


def test_disliked_tips_fill_in_rather_than_break_the_repeat_gap():
    tallies = {t: (0, 5) for t in BASE[3:]}  # three liked tips, minimum gap 5
    picks = run(BASE, FIRST_CYCLE, tallies, 30, start=10)
    assert all(p not in picks[max(0, i - 5) : i] for i, p in enumerate(picks))
    assert set(picks) & set(BASE[3:])


def test_no_disliking_when_confidence_is_none():
    picks = run(BASE, FIRST_CYCLE, {"t4": (0, 9)}, 60, start=10, dislike_confidence=None)
    assert "t4" in picks


@pytest.mark.parametrize(("n", "seed"), [(6, 0), (10, 1), (25, 2), (40, 3)])
def test_minimum_repeat_gap_is_respected(n, seed):
    base = [f"t{i}" for i in range(n)]
    rng = random.Random(seed)
    tallies = {t: (rng.randrange(9), rng.randrange(3)) for t in base}
    picks = run(base, [], tallies, 4 * n, channel=f"C{seed}")
    gap = min(default_min_gap(n), n - 1)
    for i, pick in enumerate(picks):
        assert pick not in picks[max(0, i - gap) : i]


def test_liked_tip_among_favourites_is_not_buried():
    base = [*[f"fav{i}" for i in range(9)], "meh"]
    tallies = {t: (8, 0) for t in base[:9]} | {"meh": (2, 2)}
    history = [(t, f"d{i}") for i, t in enumerate(base)]
    picks = run(base, history, tallies, 100, start=10)
    waits = [picks.index("meh"), *gaps_between_posts(picks, "meh")]
    assert max(waits) <= default_max_wait(len(base))


def test_unrated_tip_added_later_is_posted_and_then_not_buried():
    tallies = {t: (8, 0) for t in BASE}
    base = [*BASE, "late"]
    history = [*FIRST_CYCLE, ("t0", "d10"), ("t1", "d11")]
    picks = run(base, history, tallies, 80, start=12)
    assert picks[0] == "late"
    assert max(gaps_between_posts(picks, "late")) <= default_max_wait(len(base))


@pytest.mark.parametrize(("n", "gap", "wait"), [(1, 5, 2), (4, 5, 8), (10, 5, 20), (30, 10, 60)])
def test_defaults(n, gap, wait):
    assert default_min_gap(n) == gap
    assert default_max_wait(n) == wait


def test_tiny_bases_still_rotate():
    assert run(["a"], [], {}, 3) == ["a", "a", "a"]
    assert run(["a", "b"], [], {"a": (9, 0)}, 4) == ["a", "b", "a", "b"]


def test_overrides_change_gap_and_wait():
    tallies = {"t0": (9, 0)} | {t: (4, 4) for t in BASE[1:]}
    picks = run(BASE, FIRST_CYCLE, tallies, 30, start=10, min_gap=1, max_wait=1000)
    assert picks.count("t0") >= 10


def test_everything_disliked_still_posts():
    picks = run(["a", "b"], [("a", "d0"), ("b", "d1")], {"a": (0, 9), "b": (0, 9)}, 6, start=2)
    assert set(picks) == {"a", "b"}


def test_same_inputs_same_pick():
    tallies = {t: (2, 1) for t in BASE}
    picks = {next_tip(BASE, FIRST_CYCLE, tallies, seed="C1:2024-05-01") for _ in range(5)}
    assert len(picks) == 1
    assert run(BASE, FIRST_CYCLE, tallies, 20, start=10) == run(
        BASE, FIRST_CYCLE, tallies, 20, start=10
    )


def test_posts_since_counts_posts_of_removed_tips():
    history = [("a", "d0"), ("gone", "d1"), ("b", "d2"), ("a", "d3"), ("gone", "d4")]
    assert posts_since(["a", "b", "c"], history) == {"a": 1, "b": 2}


@pytest.mark.parametrize(
    ("useful", "not_useful", "expected"),
    [(0, 0, 0.5), (0, 1, 0.75), (1, 0, 0.25), (0, 3, 0.9375), (3, 3, 0.5)],
)
def test_prob_below_half(useful, not_useful, expected):
    assert prob_below_half(useful, not_useful) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("tally", "disliked"),
    [
        (None, False),
        ((0, 0), False),
        ((0, 1), False),
        ((0, 2), True),
        ((1, 3), True),
        ((1, 2), False),
        ((5, 5), False),
    ],
)
def test_clearly_disliked(tally, disliked):
    assert clearly_disliked(tally) is disliked


def test_longest_waiting_overdue_tip_comes_back_first():
    base = ["y", "x", *[f"t{i}" for i in range(8)]]
    history = [("x", "d0"), ("y", "d1"), *[(f"t{i % 8}", f"e{i}") for i in range(24)]]
    assert next_tip(base, history, {"t0": (9, 0)}, seed="s") == "x"
