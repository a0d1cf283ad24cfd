"""`python -m benchmarks.rotation`: does the rating-steered rotation post more useful tips?

A simulated team with hidden tastes rates the daily tip for 120 working days. Each tip has
a hidden probability that a person finds it useful (drawn from a Beta); each day a few of
the team's people react, each with their own bias. The bot side is the real thing: the
Scheduler ticking a real temporary SQLite store, the real rotation, ratings recorded with
`Store.record_vote`. The same teams (same seeds) are run under plain round-robin, under
the rotation, and under the rotation fed perfect ratings (the ceiling its rules allow).

Reported: the mean hidden usefulness of the tips posted on days 31-120 (the share of the
team that finds the day's tip useful) and the ratio to round-robin; for honesty, the share
of distinct tips posted after the first cycle, the longest any tip the ratings do not
dislike waited between posts, and whether every tip was posted in the first cycle.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.core import rotation
from bot.core.knowledge import KnowledgeBase, Source, Tip
from bot.daily.posting import PostOutcome
from bot.daily.scheduler import Scheduler
from bot.store import Store

CHANNEL = "CSIM"
START = dt.date(2024, 1, 1)  # a Monday


class RecordingPoster:
    """A poster that claims and records like the real one but talks to no Slack."""

    def __init__(self, store: Store):
        self.store = store
        self.posted: list[tuple[str, str, str]] = []  # (channel, local_date, tip_id)
        self._ts = 1_700_000_000_000_000

    def post_daily(self, channel: str, tip: Tip, local_date: str) -> PostOutcome:
        claim = self.store.claim_daily(channel, local_date, tip.id)
        if claim is None:
            return PostOutcome("already", channel, tip.id, local_date=local_date)
        self._ts += 100
        ts = f"{self._ts // 1_000_000}.{self._ts % 1_000_000:06d}"
        self.store.mark_posted(claim.id, ts)
        self.posted.append((channel, local_date, tip.id))
        return PostOutcome("posted", channel, tip.id, ts, local_date)

    def reconcile_pending(self, **_kwargs) -> list:
        return []


def make_base(count: int) -> KnowledgeBase:
    """A base of `count` placeholder tips."""
    tips = [
        Tip(
            id=f"tip-{i:02d}",
            title=f"Tip {i}",
            text="...",
            tags=("sim",),
            questions=("a?", "b?", "c?"),
            source=Source("Simulated note", "00:00:00", "https://example.com/"),
        )
        for i in range(count)
    ]
    return KnowledgeBase(tips=tips)


def working_days(count: int) -> list[dt.date]:
    """The first `count` weekdays from START."""
    days, day = [], START
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


@dataclass(frozen=True)
class Team:
    """Hidden tastes: usefulness per tip and a bias per person."""

    usefulness: dict[str, float]
    bias: list[float]
    react_chance: float

    @classmethod
    def draw(
        cls,
        seed: int,
        tip_ids: list[str],
        *,
        alpha: float,
        beta: float,
        people: int,
        react_chance: float,
    ) -> Team:
        rng = random.Random(seed)
        usefulness = {t: rng.betavariate(alpha, beta) for t in tip_ids}
        bias = [rng.gauss(0, 0.1) for _ in range(people)]
        return cls(usefulness, bias, react_chance)


def rate(store: Store, team: Team, tip_id: str, day: str, ts: str, rng: random.Random) -> None:
    """Some of the team react to the day's tip, each with their own noisy opinion."""
    for person, bias in enumerate(team.bias):
        if rng.random() >= team.react_chance:
            continue
        p = min(1.0, max(0.0, team.usefulness[tip_id] + bias))
        useful = rng.random() < p
        store.record_vote(
            user=f"U{person:02d}",
            tip_id=tip_id,
            channel=CHANNEL,
            message_ts=ts,
            reaction="+1" if useful else "-1",
            value=1 if useful else -1,
            at=f"{day}T10:00:00+00:00",
        )


def perfect_tallies(team: Team, people: int = 1000) -> dict[str, tuple[int, int]]:
    """Ratings as if `people` people had each rated every tip exactly as the team feels."""
    return {t: (round(people * u), people - round(people * u)) for t, u in team.usefulness.items()}


def simulate(
    policy: str,
    seed: int,
    args: argparse.Namespace,
    workdir: Path,
    *,
    min_gap: int | None = None,
    max_wait: int | None = None,
) -> tuple[list[str], int]:
    """Run one team under one policy; returns the tip posted each day and the longest wait.

    The longest wait: the most posts a tip went unposted while the ratings did not clearly
    dislike it (checked each day before the pick).

    Policies: "round-robin"; "rotation" (the Scheduler's own path); "oracle" (the rotation
    fed `perfect_tallies`); "variant" (the rotation with `min_gap` / `max_wait`).
    """
    kb = make_base(args.tips)
    ids = [t.id for t in kb.tips]
    team = Team.draw(
        seed, ids, alpha=args.alpha, beta=args.beta, people=args.people, react_chance=args.react
    )
    store = Store.open(workdir / f"{policy}-{min_gap}-{max_wait}-{seed}.db")
    rater = random.Random(seed * 7919 + 1)
    store.save_subscription(CHANNEL, at="09:00", tz="UTC", days="weekdays")
    poster = RecordingPoster(store)
    clock = {"now": dt.datetime.combine(START, dt.time(10), tzinfo=dt.UTC)}
    scheduler = Scheduler(store, lambda: kb, poster, now=lambda: clock["now"])
    posted: list[str] = []
    longest = 0
    try:
        for index, day in enumerate(working_days(args.days)):
            date = day.isoformat()
            clock["now"] = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
            tallies = perfect_tallies(team) if policy == "oracle" else store.tip_tallies()
            longest = max(longest, longest_waiting(ids, posted, tallies))
            if policy == "rotation":
                scheduler.tick()  # the bot's own path: due_date, choose_tip, claim, record
                tip_id = store.daily_post(CHANNEL, date).tip_id
            else:
                if policy == "round-robin":
                    tip_id = ids[index % len(ids)]
                else:
                    tip_id = rotation.next_tip(
                        ids,
                        store.posted_tip_ids(CHANNEL),
                        tallies,
                        seed=f"{CHANNEL}:{date}",
                        min_gap=min_gap,
                        max_wait=max_wait,
                    )
                poster.post_daily(CHANNEL, kb.get(tip_id), date)
            post = store.daily_post(CHANNEL, date)
            rate(store, team, tip_id, date, post.ts, rater)
            posted.append(tip_id)
    finally:
        store.close()
    return posted, longest


def usefulness_share(posted: list[str], team: Team, first: int, last: int) -> float:
    """Mean hidden usefulness of the tips posted on days first..last (1-based, inclusive)."""
    window = posted[first - 1 : last]
    return statistics.fmean(team.usefulness[t] for t in window)


def distinct_share_after(posted: list[str], ids: list[str], first_cycle: int) -> float:
    """The share of the base posted at least once after the first `first_cycle` days."""
    return len(set(posted[first_cycle:]) & set(ids)) / len(ids)


def longest_waiting(ids: list[str], posted: list[str], tallies: dict[str, tuple[int, int]]) -> int:
    """How many posts the longest-waiting tip the ratings do not (now) dislike has waited."""
    since = rotation.posts_since(ids, [(t, "") for t in posted])
    waits = [w for t, w in since.items() if not rotation.clearly_disliked(tallies.get(t))]
    return max(waits, default=0)


def main(argv: list[str] | None = None) -> int:
    """Run the simulation and print the figures; exit 1 if the first cycle missed a tip."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.rotation", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--tips", type=int, default=25)
    parser.add_argument("--people", type=int, default=8, help="team size")
    parser.add_argument("--react", type=float, default=0.4, help="chance a person rates a post")
    parser.add_argument("--alpha", type=float, default=2.0, help="Beta(alpha, beta) of usefulness")
    parser.add_argument("--beta", type=float, default=2.0)
    parser.add_argument("--window", type=int, default=31, help="first day measured")
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="GAP:WAIT",
        help="also run the rotation with this minimum repeat gap and maximum wait (posts)",
    )
    args = parser.parse_args(argv)
    variants = {}
    for text in args.variant:
        try:
            gap, wait = (int(part) for part in text.split(":"))
        except ValueError:
            parser.error(f"--variant wants GAP:WAIT in posts, e.g. 5:100, not {text!r}")
        variants[f"gap {gap}, wait {wait}"] = (gap, wait)

    runs = {"round-robin": ("round-robin", None, None), "rotation": ("rotation", None, None)}
    runs |= {name: ("variant", gap, wait) for name, (gap, wait) in variants.items()}
    runs["oracle"] = ("oracle", None, None)
    shares: dict[str, list[float]] = {name: [] for name in runs}
    distinct: dict[str, list[float]] = {name: [] for name in runs}
    waits: dict[str, list[int]] = {name: [] for name in runs}
    first_cycle_ok: dict[str, bool] = dict.fromkeys(runs, True)
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.seeds):
            ids = [t.id for t in make_base(args.tips).tips]
            team = Team.draw(
                seed,
                ids,
                alpha=args.alpha,
                beta=args.beta,
                people=args.people,
                react_chance=args.react,
            )
            for name, (policy, gap, wait) in runs.items():
                posted, longest = simulate(
                    policy, seed, args, Path(tmp), min_gap=gap, max_wait=wait
                )
                shares[name].append(usefulness_share(posted, team, args.window, args.days))
                distinct[name].append(distinct_share_after(posted, ids, args.tips))
                waits[name].append(longest)
                if set(posted[: args.tips]) != set(ids):
                    first_cycle_ok[name] = False

    n = args.tips
    base = statistics.fmean(shares["round-robin"])
    print(
        f"rotation benchmark: {args.seeds} seeds, {n} tips, {args.days} working days, "
        f"usefulness ~ Beta({args.alpha:g}, {args.beta:g}), {args.people} people, "
        f"each rates with p={args.react:g}"
    )
    print(
        f"rotation defaults: no repeat within {rotation.default_min_gap(n)} posts, a tip not "
        f"disliked (confidence {rotation.DISLIKE_CONFIDENCE:g}) forced back after "
        f"{rotation.default_max_wait(n)} posts, Thompson sampling otherwise"
    )
    print(
        f"{'':<44} {'useful':>6} {'ratio':>6}  {'distinct':>8}  {'longest wait':>12}  first cycle"
    )
    print(
        f"{'(days ' + str(args.window) + '-' + str(args.days) + ', mean over seeds)':<44} "
        f"{'share':>6} {'x r-r':>6}  {'after c1':>8}  {'max (mean)':>12}  every tip once"
    )
    labels = {
        "round-robin": "round-robin",
        "rotation": "rotation (Scheduler, defaults)",
        "oracle": "same rules fed perfect ratings (ceiling)",
    }
    for name in runs:
        mean = statistics.fmean(shares[name])
        print(
            f"  {labels.get(name, 'rotation, ' + name):<42} {mean:>6.3f} {mean / base:>5.2f}x"
            f"  {statistics.fmean(distinct[name]):>8.0%}"
            f"  {max(waits[name]):>5} ({statistics.fmean(waits[name]):>4.1f})"
            f"  {'yes' if first_cycle_ok[name] else 'NO'}"
        )
    print("longest wait: posts a tip went unposted while the ratings did not clearly dislike it")
    ok = all(first_cycle_ok[name] for name in runs if name != "round-robin")
    print(f"every tip posted in the first cycle ({n} days): {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
