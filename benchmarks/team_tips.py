"""`python -m benchmarks.team_tips`: how fast does a tip written in Slack become answerable?

The real parts, Slack aside: a temporary SQLite store, the shipped knowledge folder, the
`Library` that merges both into one index, and `curation.check_form` / `curation.save`,
exactly what the modal's submission runs. First it stores `--tips` generated team tips
(1,000 by default; fixed seed) and loads them; then it adds `--new` more, one at a time,
timing each from the submitted form to the moment its own question is answered with it
(check + write + index rebuild). Then it times questions against the merged base: the dev
question set and one question of each generated tip.

Reported: seconds to load the team tips, the time-to-answerable of a new tip (median and
max), and per-question latency (median, p95) over the merged base.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bot.core import curation
from bot.core.curation import TipForm
from bot.core.library import Library
from bot.store import Store

ROOT = Path(__file__).resolve().parents[1]
URL = "https://bench.slack.com/app_redirect?app=ABENCH"
WORDS = [
    "roadmap",
    "pricing",
    "churn",
    "onboarding",
    "retention",
    "latency",
    "evals",
    "dataset",
    "labeling",
    "rollout",
    "guardrails",
    "hallucination",
    "prompt",
    "agent",
    "copilot",
    "search",
    "ranking",
    "feedback",
    "survey",
    "interview",
    "stakeholder",
    "budget",
    "hiring",
    "vendor",
    "contract",
    "compliance",
    "privacy",
    "security",
    "launch",
    "beta",
    "metrics",
    "dashboard",
    "funnel",
    "activation",
    "adoption",
    "trust",
    "explainability",
    "fairness",
    "bias",
    "cost",
    "inference",
    "caching",
    "fallback",
    "escalation",
    "support",
    "sales",
    "marketing",
    "positioning",
    "competitor",
    "moat",
    "platform",
    "api",
    "integration",
    "workflow",
    "automation",
    "summarisation",
    "translation",
    "voice",
]


def generated_form(rng: random.Random, number: int) -> TipForm:
    """One plausible tip form with its own distinct words (so each is findable)."""
    words = rng.sample(WORDS, 4)
    own = f"zeta{number:04d}"  # a word only this tip uses, for its answerability check
    return TipForm(
        title=f"{words[0].title()} and {words[1]} for {own}",
        text=f"When {words[0]} meets {words[1]}, check {words[2]} and {words[3]} first. "
        f"Write down what {own} means for the team.",
        questions="\n".join(
            (
                f"how do I handle {words[0]} with {own}",
                f"what about {words[1]} in {own}",
                f"{own} {words[2]} advice",
            )
        ),
        tags=f"{words[0]}, {words[1]}",
        kind=("practice", "concept", "career")[number % 3],
    )


def seed_team(store: Store, library: Library, count: int, rng: random.Random) -> list[str]:
    """Store `count` checked team tips directly (as if written over weeks); returns questions."""
    questions = []
    for number in range(count):
        form = generated_form(rng, number)
        result = curation.check_form(form, library.current, default_url=URL)
        if result.tip is None:
            raise SystemExit(f"generated tip {number} is invalid: {result.errors}")
        # Ids stay unique without re-reading the store: each title holds its own word.
        store.save_team_tip(
            curation.tip_row(result.tip), user="UBENCH", expected_version=0, origin="team"
        )
        questions.append(form.question_list()[0])
    return questions


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the sorted values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(tips: int, new: int, seed: int = 13) -> dict:
    """Run the benchmark; returns the figures."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "coach.db")
        try:
            library = Library(ROOT / "knowledge", team=store)
            started = time.perf_counter()
            team_questions = seed_team(store, library, tips, rng)
            seeded = time.perf_counter() - started
            started = time.perf_counter()
            library.refresh()
            loaded = time.perf_counter() - started
            answerable: list[float] = []
            for number in range(tips, tips + new):
                form = generated_form(rng, number)
                started = time.perf_counter()
                result = curation.check_form(form, library.current, default_url=URL)
                curation.save(store, library, result.tip, user="UBENCH", expected_version=0)
                answer = library.engine.answer(form.question_list()[0])
                answerable.append(time.perf_counter() - started)
                if not (answer.answered and answer.matches[0][0].id == result.tip.id):
                    raise SystemExit(f"new tip {result.tip.id} does not answer its own question")
            dev = yaml.safe_load((ROOT / "benchmarks/questions/dev.yaml").read_text())
            questions = [case["q"] for case in dev["cases"]] + team_questions
            latencies = []
            right = 0
            for question in questions:
                started = time.perf_counter()
                answer = library.engine.answer(question)
                latencies.append(time.perf_counter() - started)
                right += answer.answered
            served = len(library.current.base.live_tips)
        finally:
            store.close()
    return {
        "team_tips": tips,
        "served_tips": served,
        "store_seconds": round(seeded, 3),
        "load_seconds": round(loaded, 3),
        "new_tips_timed": new,
        "answerable_seconds_median": round(statistics.median(answerable), 4),
        "answerable_seconds_max": round(max(answerable), 4),
        "questions": len(latencies),
        "answered": right,
        "question_ms_median": round(statistics.median(latencies) * 1000, 3),
        "question_ms_p95": round(percentile(latencies, 0.95) * 1000, 3),
    }


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run, print the figures."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.team_tips", description=__doc__)
    parser.add_argument("--tips", type=int, default=1000, help="team tips stored first")
    parser.add_argument("--new", type=int, default=20, help="new tips timed one by one")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    data = run(args.tips, args.new)
    if args.json:
        print(json.dumps(data))
        return 0
    print(
        f"{data['team_tips']} team tips stored in {data['store_seconds']} s, "
        f"loaded into one index with the YAML base ({data['served_tips']} tips served) "
        f"in {data['load_seconds']} s"
    )
    print(
        f"a new tip answers its question {data['answerable_seconds_median'] * 1000:.0f} ms "
        f"after it is submitted (median of {data['new_tips_timed']}, "
        f"max {data['answerable_seconds_max'] * 1000:.0f} ms)"
    )
    print(
        f"per question after: median {data['question_ms_median']} ms, "
        f"p95 {data['question_ms_p95']} ms ({data['questions']} questions)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
