"""Replay a question stream with simulated feedback: top-1 before and after the bot learns.

    python -m benchmarks.feedback [--questions PATH ...] [--knowledge DIR] [--json]

Each question is asked through the real Coach (a fresh SQLite file, the shipped tips) by a
simulated PM who acts as the Slack buttons let them:

* a sure answer's tip is wrong: they click "Not what I asked" on it, then pick a right tip
  if the bot offers one (the other tips it shows after the click), else "None of these";
* a right tip is offered without being first (unsure picks, "Also relevant", a decline's
  closest topics): they pick it, a confirmed match;
* an unsure answer offers no right tip: "None of these" (a mismatch for each tip offered);
* an off-topic question gets a tip: "Not what I asked" on a sure one, "None of these" on an
  unsure one.

Then the stream is asked again by another person, as typed and as a near-identical
variant (other case, other punctuation, one typo), and top-1 is compared. The check: no question
answered "sure" before a mismatch on tip T is answered with T first after it. Exit status
1 when that check fails. Tune nothing on the held-out set: the default sets are dev.yaml
and own.yaml.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.matching import QuestionSetError, hits, load_questions
from bot.core import knowledge, learned, levels
from bot.core.coach import Coach
from bot.core.knowledge import Tip
from bot.settings import Settings

DEFAULT_SETS = (Path("benchmarks/questions/dev.yaml"), Path("benchmarks/questions/own.yaml"))
DEFAULT_KNOWLEDGE = Path("knowledge")
ASKER, AGAIN = "UPM1", "UPM2"
OFFERED = 3  # how many tips a Slack answer lets the PM pick from
SCALE_PAIRS = 10_000
SEED = 20240613


@dataclass(frozen=True)
class Ask:
    """One question of the stream and how the simulated PM judges a tip (None: off-topic)."""

    question: str
    right: Callable[[Tip], bool] | None


@dataclass
class Replay:
    """What one replay measured."""

    name: str
    answerable: int = 0
    off_topic: int = 0
    top1_before: int = 0
    top1_after: int = 0
    top1_variant_before: int = 0
    top1_variant: int = 0
    mismatches: int = 0
    picks: int = 0
    off_topic_answered_before: int = 0
    off_topic_answered_after: int = 0
    changed_untaught: int = 0  # answers that changed for questions nobody gave feedback on
    violations: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """The figures as plain values (rates over answerable questions)."""
        n = max(self.answerable, 1)
        return {
            "name": self.name,
            "answerable": self.answerable,
            "off_topic": self.off_topic,
            "top1_before": round(self.top1_before / n, 3),
            "top1_after": round(self.top1_after / n, 3),
            "top1_before_variant": round(self.top1_variant_before / n, 3),
            "top1_after_variant": round(self.top1_variant / n, 3),
            "mismatch_clicks": self.mismatches,
            "picks": self.picks,
            "off_topic_answered_before": self.off_topic_answered_before,
            "off_topic_answered_after": self.off_topic_answered_after,
            "changed_untaught": self.changed_untaught,
            "violations": self.violations,
        }


def variant(question: str) -> str:
    """A near-identical way to type the same question: other case, end punctuation, one typo.

    The typo doubles the middle letter of the longest word ("effect" -> "efffect").
    """
    core = question.strip().rstrip("?!. ")
    core = core.lower() if core != core.lower() else core.capitalize()
    words = core.split(" ")
    if words and max(words, key=len):
        i = words.index(max(words, key=len))
        w = words[i]
        words[i] = w[: len(w) // 2] + w[len(w) // 2] + w[len(w) // 2 :]
    return " ".join(words) + "?"


def _first(answer) -> Tip | None:
    return answer.matches[0][0] if answer.answered and answer.matches else None


def _offered(answer) -> list[Tip]:
    """The tips an answer lets the PM pick: the picks of unsure, 'Also relevant', closest topics."""
    tips = [tip for tip, _ in answer.matches]
    if levels.level(answer) == levels.SURE:
        return tips[1:OFFERED]
    return tips[:OFFERED]


def _none_of_these(coach: Coach, question: str, tips: Sequence[Tip], replay: Replay) -> None:
    for tip in tips:
        coach.teach(question, tip.id, "mismatch", user=ASKER)
    replay.mismatches += 1


def simulate(coach: Coach, ask: Ask, replay: Replay) -> tuple[str, str] | None:
    """Ask once as the PM and click as they would; returns (question, tip id) of a sure mismatch."""
    answer = coach.ask(ask.question, user=ASKER, record_gap=False)
    first = _first(answer)
    level = levels.level(answer)
    if ask.right is None:
        if first is None:
            return None
        replay.off_topic_answered_before += 1
        if level == levels.SURE:
            coach.teach(ask.question, first.id, "mismatch", user=ASKER)
            replay.mismatches += 1
            again = coach.ask(ask.question, user=ASKER, limit=OFFERED + 1, record_gap=False)
            offered = [tip for tip, _ in again.matches if tip.id != first.id][:OFFERED]
            if offered:
                _none_of_these(coach, ask.question, offered, replay)
            return ask.question, first.id
        _none_of_these(coach, ask.question, _offered(answer), replay)
        return None
    if first is not None and ask.right(first):
        replay.top1_before += 1
        return None
    sure_mismatch = None
    offered = _offered(answer)
    if first is not None and level == levels.SURE:
        coach.teach(ask.question, first.id, "mismatch", user=ASKER)
        replay.mismatches += 1
        sure_mismatch = (ask.question, first.id)
        # After the click the bot shows the other closest tips to pick from.
        again = coach.ask(ask.question, user=ASKER, limit=OFFERED + 1, record_gap=False)
        offered = [tip for tip, _ in again.matches if tip.id != first.id][:OFFERED]
    right = next((tip for tip in offered if ask.right(tip)), None)
    if right is not None:
        coach.teach(ask.question, right.id, "match", user=ASKER)
        replay.picks += 1
    elif offered and (sure_mismatch or level == levels.UNSURE):
        _none_of_these(coach, ask.question, offered, replay)
    return sure_mismatch


def replay_stream(coach: Coach, asks: Sequence[Ask], *, name: str = "stream") -> Replay:
    """Replay `asks` once with feedback, then again without; the Coach's database learns."""
    replay = Replay(name=name)
    before: dict[str, str | None] = {}
    taught: set[str] = set()
    sure_mismatches: list[tuple[str, str]] = []
    for ask in asks:  # the near-identical variants, before anyone taught the bot anything
        if ask.right is not None:
            near = _first(coach.ask(variant(ask.question), user=AGAIN, record_gap=False))
            replay.top1_variant_before += bool(near and ask.right(near))
    for ask in asks:
        answer = coach.ask(ask.question, user=ASKER, record_gap=False)
        before[ask.question] = getattr(_first(answer), "id", None)
        clicks = replay.mismatches + replay.picks
        found = simulate(coach, ask, replay)
        if replay.mismatches + replay.picks > clicks:
            taught.add(ask.question)
        if found:
            sure_mismatches.append(found)
    for ask in asks:
        if ask.right is None:
            replay.off_topic += 1
            if _first(coach.ask(ask.question, user=AGAIN, record_gap=False)) is not None:
                replay.off_topic_answered_after += 1
            continue
        replay.answerable += 1
        first = _first(coach.ask(ask.question, user=AGAIN, record_gap=False))
        replay.top1_after += bool(first and ask.right(first))
        near = _first(coach.ask(variant(ask.question), user=AGAIN, record_gap=False))
        replay.top1_variant += bool(near and ask.right(near))
        if ask.question not in taught and getattr(first, "id", None) != before[ask.question]:
            replay.changed_untaught += 1
    for question, tip_id in sure_mismatches:
        for asked in (question, variant(question)):
            first = _first(coach.ask(asked, user=AGAIN, record_gap=False))
            if first is not None and first.id == tip_id:
                replay.violations.append(f"{asked!r} still gets {tip_id} first")
    return replay


def asks_from(path: Path) -> list[Ask]:
    """A question set (dev.yaml format) as a stream: right = the set's marker groups."""
    cases = load_questions(path).cases
    return [
        Ask(c.q, None if c.none else (lambda tip, c=c: hits(tip, c)))
        for c in cases  # in file order: the order a team would have asked them
    ]


def open_coach(knowledge_dir: Path, folder: Path) -> Coach:
    """A Coach over the shipped tips and a fresh database in `folder` (keeps questions)."""
    return Coach.open(
        Settings(db_path=folder / "replay.db", knowledge_dir=knowledge_dir, scheduler=False)
    )


def render(replay: Replay) -> str:
    """One set's figures as a few lines."""
    d = replay.as_dict()
    lines = [
        f"{d['name']}: {d['answerable']} answerable, {d['off_topic']} off-topic",
        f"  top-1 before feedback        {d['top1_before']:.3f}",
        f"  top-1 after, same question   {d['top1_after']:.3f}",
        f"  near-identical: before {d['top1_before_variant']:.3f}, "
        f"after {d['top1_after_variant']:.3f}",
        f"  clicks: {d['mismatch_clicks']} 'Not what I asked' or 'None of these', "
        f"{d['picks']} picks; "
        f"{d['changed_untaught']} untaught answers changed",
        f"  off-topic answered: {d['off_topic_answered_before']} before, "
        f"{d['off_topic_answered_after']} after",
        "  check: no sure answer keeps a mismatched tip first: "
        + ("ok" if not d["violations"] else f"FAILED ({len(d['violations'])})"),
    ]
    lines += [f"    {v}" for v in d["violations"]]
    return "\n".join(lines)


def lookup_timing(asks: Sequence[Ask], *, pairs: int = SCALE_PAIRS, seed: int = SEED) -> dict:
    """Per-question time of finding the lesson among `pairs` learned pairs (ms, p50 and p99).

    The pairs are the stream's questions with words shuffled and swapped (fixed seed), so
    many are near the questions asked, as in a workspace that has taught the bot a lot.
    """
    rng = random.Random(seed)
    words = [w for a in asks for w in a.question.lower().split()] or ["question"]
    rows = []
    for i in range(pairs):
        base = rng.choice(asks).question.lower().split() if asks else []
        base = base + [rng.choice(words) for _ in range(rng.randint(0, 3))]
        rng.shuffle(base)
        rows.append(
            {"norm": " ".join(base), "tip_id": f"tip-{i % 500}", "verdict": "match", "last_at": ""}
        )
    lessons = learned.Lessons(rows)
    times = []
    for ask in list(asks) * 3:
        start = time.perf_counter()
        lessons.lookup(variant(ask.question))
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "pairs": pairs,
        "p50_ms": round(statistics.median(times), 3) if times else 0.0,
        "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 3) if times else 0.0,
    }


def run(argv: list[str] | None = None) -> list[Replay]:
    """Replay every set as the command line asks (each on a fresh database); print the figures."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.feedback", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--questions", action="append", type=Path, help="question set (repeatable)")
    parser.add_argument("--knowledge", type=Path, default=DEFAULT_KNOWLEDGE)
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    parser.add_argument(
        "--pairs",
        type=int,
        default=SCALE_PAIRS,
        help="learned pairs for the lookup timing (0: skip)",
    )
    args = parser.parse_args(argv)
    knowledge.load(args.knowledge)  # a broken base is reported before any replay
    replays = []
    for path in args.questions or DEFAULT_SETS:
        with tempfile.TemporaryDirectory() as folder:
            coach = open_coach(args.knowledge, Path(folder))
            try:
                replays.append(replay_stream(coach, asks_from(path), name=str(path)))
            finally:
                coach.close()
        print(render(replays[-1]) + "\n")
    timing = None
    if args.pairs > 0:
        asks = [a for path in args.questions or DEFAULT_SETS for a in asks_from(path)]
        timing = lookup_timing(asks, pairs=args.pairs)
        print(
            f"Learned-pair lookup at {timing['pairs']:,} pairs: p50 {timing['p50_ms']:.3f} ms, "
            f"p99 {timing['p99_ms']:.3f} ms per question"
        )
    if args.json:
        print(json.dumps({"sets": [r.as_dict() for r in replays], "lookup": timing}, indent=2))
    return replays


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: 0 when the check holds, 1 when it fails, 2 on bad input."""
    try:
        replays = run(argv)
    except (QuestionSetError, knowledge.KnowledgeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 1 if any(r.violations for r in replays) else 0


if __name__ == "__main__":
    sys.exit(main())
