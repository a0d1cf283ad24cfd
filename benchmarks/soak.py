"""Soak test: the real Scheduler, a fast fake clock, one simulated year, 50 subscriptions.

    .venv/bin/python -m benchmarks.soak [--days 365] [--subs 50] [--tick-minutes 15]

Subscriptions span DST zones (Europe, North America), the southern hemisphere (Sydney,
Santiago, Auckland), half- and quarter-hour offsets (Kolkata, Kathmandu, Adelaide,
Chatham), times inside DST gaps and overlaps, and weekdays/daily/custom days. A poster
records instead of calling Slack (claims and marks in the real SQLite store). The
scheduler is restarted (a new instance on the same file) a few times along the way.

Checked: exactly one post per channel per scheduled local day, none on other days, each
made at or after its local post time on that local day. Exit 1 if any check fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.rotation import RecordingPoster, make_base
from bot.core.schedule import day_numbers, local_date, post_moment
from bot.daily.scheduler import Scheduler
from bot.store import Store

ZONES = (
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "America/Santiago",
    "Australia/Sydney",
    "Australia/Adelaide",
    "Pacific/Auckland",
    "Pacific/Chatham",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tokyo",
    "Africa/Johannesburg",
    "UTC",
    "America/St_Johns",
    "Asia/Tehran",
    "Pacific/Kiritimati",
)
DAYS = ("weekdays", "daily", "mon,wed,fri", "tue,thu", "sat,sun", "mon", "sun")
# 02:30 falls in the spring-forward gap and the fall-back overlap of EU and US zones.
TIMES = ("09:00", "00:00", "02:30", "01:30", "23:30", "12:15", "17:45", "06:05")
START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


class TimedPoster(RecordingPoster):
    """Records the (simulated) UTC time of every post too."""

    def __init__(self, store: Store, clock: dict):
        super().__init__(store)
        self.clock = clock
        self.when: dict[tuple[str, str], dt.datetime] = {}

    def post_daily(self, channel, tip, day):
        outcome = super().post_daily(channel, tip, day)
        if outcome.status == "posted":
            self.when[(channel, day)] = self.clock["now"]
        return outcome


def make_subscriptions(store: Store, count: int, rng: random.Random) -> list[dict]:
    subs = []
    for index in range(count):
        row = store.save_subscription(
            f"C{index:03d}",
            at=TIMES[index % len(TIMES)] if index < 24 else rng.choice(TIMES),
            tz=ZONES[index % len(ZONES)],
            days=DAYS[index % len(DAYS)],
        )
        subs.append(row)
    return subs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--subs", type=int, default=50)
    parser.add_argument("--tick-minutes", type=float, default=15.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    kb = make_base(25)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "soak.db")
        subs = make_subscriptions(store, args.subs, rng)
        clock = {"now": START}
        poster = TimedPoster(store, clock)
        end = START + dt.timedelta(days=args.days)
        step = dt.timedelta(minutes=args.tick_minutes)
        restarts = sorted(
            rng.randrange(1, int(args.days * 24 * 60 / args.tick_minutes)) for _ in range(5)
        )
        scheduler = Scheduler(store, lambda: kb, poster, now=lambda: clock["now"])
        ticks = 0
        clock["now"] = START + dt.timedelta(minutes=7)  # off the hour: exercises :30 and :45 zones
        while clock["now"] < end:
            if restarts and ticks == restarts[0]:
                restarts.pop(0)
                scheduler = Scheduler(store, lambda: kb, poster, now=lambda: clock["now"])
            scheduler.tick()
            ticks += 1
            clock["now"] += step
        elapsed = time.perf_counter() - started
        problems = check(store, subs, poster, START, end)
        posts = len(store.posts())
        store.close()

    print(
        f"soak: {args.subs} subscriptions, {args.days} simulated days, tick every "
        f"{args.tick_minutes:g} min ({ticks} ticks, 5 restarts)"
    )
    print(
        f"  posts: {posts}, zones: {len({s['tz'] for s in subs})}, run time: {elapsed:.1f} s "
        f"({elapsed / ticks * 1000:.2f} ms per tick)"
    )
    if problems:
        print(f"  FAILED: {len(problems)} problems, first ones:")
        for line in problems[:10]:
            print("   ", line)
        return 1
    print(
        "  ok: exactly one post per channel per scheduled local day, none on other days, "
        "each at or after its local time"
    )
    return 0


def check(
    store: Store, subs: list[dict], poster: TimedPoster, start: dt.datetime, end: dt.datetime
) -> list[str]:
    """Every invariant violation, as text."""
    problems = []
    counts = Counter((p.channel, p.local_date) for p in store.posts() if p.kind == "daily")
    for sub in subs:
        channel, tz = sub["channel"], sub["tz"]
        scheduled = day_numbers(sub["days"])
        # Only local days wholly inside the simulated span are judged.
        day = local_date(tz, start) + dt.timedelta(days=1)
        last = local_date(tz, end) - dt.timedelta(days=1)
        while day <= last:
            key = (channel, day.isoformat())
            expected = 1 if day.weekday() in scheduled else 0
            if counts[key] != expected:
                problems.append(
                    f"{channel} {tz} {sub['days']} {sub['at']}: {day} has "
                    f"{counts[key]} posts, expected {expected}"
                )
            when = poster.when.get(key)
            if when is not None:
                due = post_moment(sub, day)
                if when < due or local_date(tz, when) != day:
                    problems.append(
                        f"{channel} {tz} {sub['at']}: posted {day} at {when} (due {due})"
                    )
            day += dt.timedelta(days=1)
        extra = [d for (c, d), n in counts.items() if c == channel and n > 1]
        problems.extend(f"{channel}: {d} posted more than once" for d in extra)
    return problems


if __name__ == "__main__":
    sys.exit(main())
