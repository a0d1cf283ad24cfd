"""Per-message time of Coach.ask end to end, per surface, and with 100,000 learned pairs.

    python -m benchmarks.latency [--pairs 100000] [--repeat 3] [--json]

1. Every held-out and tuning message, asked through `Coach.ask` on a fresh database (each
   asked as a new text, so the encoder's cache never helps): p50 / p99 per surface.
2. The same with `--pairs` teachings in the database (random keys, 40 people) while another
   thread teaches one new lesson a second through `Coach.teach`, the way clicks arrive: the
   lessons are caught up in place, never reloaded.

Whole-process figures (start-up, memory) are in `benchmarks.startup`; serving over HTTP at
16 concurrent askers in `benchmarks.load`.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks import questionsets
from bot.core import knowledge
from bot.core.coach import Coach
from bot.core.pipeline.answer import SURFACES
from bot.settings import Settings

SEED = 20240613


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))]


def messages() -> list[questionsets.Case]:
    tips = knowledge.load("knowledge").live_tips
    sets = questionsets.held_out_sets(tips) + questionsets.tuning_sets(tips)
    return [c for qs in sets if qs.bases is None for c in qs.cases]


def time_asks(coach: Coach, cases, repeat: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {s: [] for s in SURFACES}
    for r in range(repeat):
        for n, case in enumerate(cases):
            text = f"{case.text} {'.' * (r + 1)}{n % 7 * ' '}"  # a new text each time
            start = time.perf_counter()
            coach.ask(text, user=f"U{n % 40}", surface=case.surface, record_gap=False)
            times[case.surface].append((time.perf_counter() - start) * 1000)
    return times


def fill(coach: Coach, pairs: int, rng: random.Random) -> None:
    tips = [t.id for t in coach.library.base.live_tips]
    words = [w for t in coach.library.base.live_tips for w in t.title.lower().split()]
    rows = []
    for n in range(pairs):
        question = " ".join(rng.choices(words, k=5)) + f" {n}"
        rows.append(
            {
                "key": coach.library.engine.normaliser.key(question),
                "question": question,
                "tip_id": rng.choice(tips),
                "user": f"U{n % 40}",
                "verdict": rng.choice(("match", "mismatch")),
            }
        )
    coach.store.add_teachings(rows)


def run(pairs: int, repeat: int) -> dict:
    cases = messages()
    out: dict = {"messages": len(cases), "repeat": repeat}
    with tempfile.TemporaryDirectory() as tmp:
        coach = Coach.open(Settings(db_path=Path(tmp) / "a.db", knowledge_dir=Path("knowledge")))
        try:
            coach.ask("warm up", record_gap=False)
            times = time_asks(coach, cases, repeat)
        finally:
            coach.close()
        out["surfaces"] = {
            s: {"n": len(v), "p50_ms": statistics.median(v), "p99_ms": percentile(v, 99)}
            for s, v in times.items()
            if v
        }
        every = [t for v in times.values() for t in v]
        out["all"] = {"p50_ms": statistics.median(every), "p99_ms": percentile(every, 99)}
        coach = Coach.open(Settings(db_path=Path(tmp) / "b.db", knowledge_dir=Path("knowledge")))
        stop = threading.Event()
        taught = [0]
        try:
            rng = random.Random(SEED)
            started = time.perf_counter()
            fill(coach, pairs, rng)
            out["fill_s"] = time.perf_counter() - started
            started = time.perf_counter()
            coach.lessons()
            out["first_load_s"] = time.perf_counter() - started

            def teach() -> None:
                n = 0
                while not stop.wait(1.0):
                    answer = coach.ask(f"teaching question {n}", user="UTEACH", record_gap=False)
                    offer = coach.offer(answer, user="UTEACH", channel="C1")
                    if offer.tips:
                        coach.teach(offer, [offer.tips[0]], "mismatch", user="UTEACH")
                        taught[0] += 1
                    n += 1

            teacher = threading.Thread(target=teach, daemon=True)
            teacher.start()
            busy = time_asks(coach, cases, repeat)
        finally:
            stop.set()
            coach.close()
        many = [t for v in busy.values() for t in v]
        out["with_pairs"] = {
            "pairs": pairs,
            "taught_during": taught[0],
            "p50_ms": statistics.median(many),
            "p99_ms": percentile(many, 99),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.latency")
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    out = run(args.pairs, args.repeat)
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(f"Coach.ask, {out['messages']} messages x {out['repeat']}, each a new text")
    for surface, f in out["surfaces"].items():
        print(f"  {surface:<9} n={f['n']:>5}  p50 {f['p50_ms']:6.2f} ms  p99 {f['p99_ms']:6.2f} ms")
    print(
        f"  {'all':<9}          p50 {out['all']['p50_ms']:6.2f} ms  p99 {out['all']['p99_ms']:6.2f} ms"
    )
    w = out["with_pairs"]
    print(
        f"With {w['pairs']:,} learned pairs (filled in {out['fill_s']:.1f} s, first read "
        f"{out['first_load_s']:.2f} s) and one lesson taught a second ({w['taught_during']} "
        f"during the run): p50 {w['p50_ms']:.2f} ms  p99 {w['p99_ms']:.2f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
