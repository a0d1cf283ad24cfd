"""Benchmark the answer pipeline per question set and surface, beside plain baselines.

    python -m benchmarks.matching [--sets held-out,tuning] [--json] [--list-misses]
                                 [--no-scale] [--sizes 1000,10000] [--repeat N]

Every set in benchmarks.questionsets is printed separately, and each set's cases by surface
(slash, mention, dm, shortcut); the held-out sets come first and are the headline. A mention
is read as the Slack adapter reads it (`plain_question`: the bot's own mention dropped).

Systems, on the same live tips:

* ours: stages 1-3 of the pipeline (`Engine.answer`: what the bot says before anyone taught
  it anything); "declined" means level "none";
* BM25: textbook BM25 (`bm25s`) over every tip field (title, tags, curated questions, text),
  English stop words removed, Snowball-stemmed; it never declines;
* MiniLM: the shipped sentence encoder alone (all-MiniLM-L6-v2), a tip's score its best cosine
  over its title + text and each curated question; it never declines.

Figures per row: top-1 and top-3 (answerable cases, declined or not), answerable declined,
sure answers that were wrong, and for not-covered and off-topic messages how many got a tip
and how many a sure one. `--list-misses` lists the misses of the tuning sets only: a
held-out set's misses are never printed, so nobody tunes on them by reading them.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import random
import statistics
import sys
import time
from dataclasses import dataclass, field

from benchmarks import questionsets
from benchmarks.questionsets import Case, QuestionSet, QuestionSetError
from bot.core import knowledge
from bot.core.knowledge import Source, Tip
from bot.core.pipeline import normalise, semantic
from bot.core.pipeline.answer import SURFACES
from bot.core.pipeline.config import DEFAULT
from bot.core.pipeline.engine import Engine

SCALE_SIZES = (1000, 10000)
SEED = 20240613


def text_of(case: Case) -> str:
    """The message as the bot reads it after the Slack adapter."""
    return case.text


class Ours:
    """The pipeline's stages 1-3 over a base."""

    name = "ours"

    def __init__(self, tips: list[Tip], *, config=DEFAULT) -> None:
        self.engine = Engine.build(tips, config=config)

    def ask(self, case: Case) -> tuple[list[Tip], str]:
        answer = self.engine.answer(text_of(case), surface=case.surface, limit=3)
        if answer.answered:
            return [t for t, _ in answer.matches], answer.level
        found = self.engine.index.retrieve(answer_message(self.engine, case), limit=3)
        return [c.tip for c in found.candidates], "none"


def answer_message(engine: Engine, case: Case):
    return engine.normaliser.message(text_of(case), case.surface)


class Bm25:
    """Textbook BM25 over every field, stemmed, stop words removed; never declines."""

    name = "BM25"

    def __init__(self, tips: list[Tip]) -> None:
        import bm25s  # a dev dependency: only the benchmark needs it
        import snowballstemmer

        self._bm25s = bm25s
        self._stemmer = snowballstemmer.stemmer("english")
        self.tips = tips
        corpus = [
            " ".join([t.title, " ".join(t.tags), " ".join(t.questions), t.text]) for t in tips
        ]
        tokens = bm25s.tokenize(corpus, stopwords="en", stemmer=self._stemmer, show_progress=False)
        self.retriever = bm25s.BM25()
        self.retriever.index(tokens, show_progress=False)
        self._vocab = set(tokens.vocab)

    def ask(self, case: Case) -> tuple[list[Tip], str]:
        tokens = self._bm25s.tokenize(
            [text_of(case)],
            stopwords="en",
            stemmer=self._stemmer,
            return_ids=False,
            show_progress=False,
        )
        known = [t for t in tokens[0] if t in self._vocab]
        if not known:
            return [], "sure"
        docs, scores = self.retriever.retrieve(
            [known], k=min(3, len(self.tips)), show_progress=False
        )
        return [self.tips[int(d)] for d, s in zip(docs[0], scores[0], strict=True) if s > 0], "sure"


class MiniLM:
    """The shipped sentence encoder alone; never declines."""

    name = "MiniLM"

    def __init__(self, tips: list[Tip]) -> None:
        self.encoder = semantic.shared()
        self.tips = tips
        self.body = self.encoder.embed([f"{t.title}. {t.text}" for t in tips])
        self.questions = [self.encoder.embed(list(t.questions)) for t in tips]

    def ask(self, case: Case) -> tuple[list[Tip], str]:
        v = self.encoder.embed_one(text_of(case))
        scores = []
        for i, tip in enumerate(self.tips):
            best = float(self.body[i] @ v)
            if len(self.questions[i]):
                best = max(best, float((self.questions[i] @ v).max()))
            scores.append((-best, tip.id, tip))
        return [t for _, _, t in sorted(scores)[:3]], "sure"


SYSTEMS = (Ours, Bm25, MiniLM)


@dataclass
class Row:
    """One system's figures on the cases of one set and surface."""

    answerable: int = 0
    top1: int = 0
    top3: int = 0
    declined: int = 0
    sure: int = 0
    wrong_sure: int = 0
    not_covered: int = 0
    off_topic: int = 0
    nc_answered: int = 0
    off_answered: int = 0
    neg_sure: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, case: Case, tips: list[Tip], level: str) -> None:
        got = ", ".join(t.id for t in tips) or "-"
        if not case.answerable:
            answered = level != "none"
            if case.kind == "not_covered":
                self.not_covered += 1
                self.nc_answered += answered
            else:
                self.off_topic += 1
                self.off_answered += answered
            self.neg_sure += level == "sure"
            if answered:
                self.misses.append(f"[{case.surface}] {level} on {case.kind}: {case.q!r} -> {got}")
            return
        self.answerable += 1
        first = bool(tips) and case.right(tips[0])
        self.top1 += first
        self.top3 += any(case.right(t) for t in tips[:3])
        self.declined += level == "none"
        self.sure += level == "sure"
        self.wrong_sure += level == "sure" and not first
        if not first or level == "none":
            want = "/".join(case.ids) or "markers"
            self.misses.append(f"[{case.surface}] {level}: {case.q!r} want {want} got {got}")

    def figures(self) -> dict:
        n = max(self.answerable, 1)
        negatives = self.not_covered + self.off_topic
        return {
            "answerable": self.answerable,
            "top1": self.top1 / n,
            "top3": self.top3 / n,
            "declined": self.declined / n,
            "sure": self.sure / n,
            "wrong_sure": self.wrong_sure,
            "not_covered": self.not_covered,
            "not_covered_answered": self.nc_answered,
            "off_topic": self.off_topic,
            "off_topic_answered": self.off_answered,
            "negatives_answered": (self.nc_answered + self.off_answered) / max(negatives, 1),
            "negatives_sure": self.neg_sure,
        }


def evaluate(qs: QuestionSet, tips: list[Tip]) -> dict[str, dict[str, Row]]:
    """{system: {surface or "all": Row}} for one set (a LOQO set rebuilds per case)."""
    out: dict[str, dict[str, Row]] = {}
    for make in SYSTEMS:
        rows: dict[str, Row] = {}
        shared = make(tips) if qs.bases is None else None
        for case in qs.cases:
            system = shared if shared is not None else make(qs.bases[case.base])
            found, level = system.ask(case)
            for key in (case.surface, "all"):
                rows.setdefault(key, Row()).add(case, found, level)
        out[make.name] = rows
    return out


def render(qs: QuestionSet, results: dict[str, dict[str, Row]]) -> str:
    """One table: a row per surface (and all), ours in full, the baselines' top-1 beside."""
    label = "HELD OUT (never tuned on)" if qs.held_out else "tuning"
    n = len(qs.cases)
    lines = [f"{qs.name} [{label}]: {n} cases"]
    head = (
        f"  {'surface':<9} {'n':>4} {'top-1':>6} {'top-3':>6} {'sure':>5} {'declined':>8} "
        f"{'wrong sure':>10} {'not covered ans':>15} {'off-topic ans':>13} {'neg sure':>8} "
        f"{'BM25 top-1':>10} {'MiniLM top-1':>12}"
    )
    lines.append(head)
    ours = results["ours"]
    keys = [s for s in SURFACES if s in ours] + (["all"] if len(ours) > 2 else [])
    for key in keys:
        row = ours[key].figures()
        bm25 = results["BM25"][key].figures()["top1"]
        minilm = results["MiniLM"][key].figures()["top1"]
        lines.append(
            f"  {key:<9} {row['answerable']:>4} {row['top1']:>6.2f} {row['top3']:>6.2f} "
            f"{row['sure']:>5.2f} {row['declined']:>8.2f} {row['wrong_sure']:>10} "
            f"{row['not_covered_answered']:>8}/{row['not_covered']:<6} "
            f"{row['off_topic_answered']:>6}/{row['off_topic']:<6} {row['negatives_sure']:>8} "
            f"{bm25:>10.2f} {minilm:>12.2f}"
        )
    return "\n".join(lines)


# -- scale ---------------------------------------------------------------------------------


def synthetic_tips(real: list[Tip], size: int, *, seed: int = SEED) -> list[Tip]:
    """`size` tips: the real ones plus generated ones from recombined real vocabulary."""
    rng = random.Random(seed)
    corpus = " ".join(" ".join([t.title, t.text, *t.questions, *t.tags]) for t in real)
    vocab = [w for w in normalise.words(corpus) if w.isalpha()]
    letters = "abcdefghijklmnopqrstuvwxyz"
    invented = [
        "".join(rng.choice(letters) for _ in range(rng.randint(4, 10))) for _ in range(20000)
    ]
    zipf = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(invented))))
    source = Source(note="synthetic", timestamp="00:00", url="https://example.invalid/synthetic")

    def sentence(lo: int, hi: int) -> str:
        made_up = rng.choices(invented, cum_weights=zipf, k=rng.randint(lo, hi))
        return " ".join(rng.choice(vocab) if rng.random() < 0.7 else w for w in made_up)

    tips = list(real)
    for i in range(max(0, size - len(real))):
        tips.append(
            Tip(
                id=f"synthetic-{i:05d}",
                title=sentence(3, 7).capitalize(),
                text=sentence(35, 80)[:600],
                tags=tuple(sentence(1, 2) for _ in range(rng.randint(1, 3))),
                questions=tuple(sentence(4, 10) for _ in range(rng.randint(3, 5))),
                source=source,
            )
        )
    return tips


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile (nearest rank) of a non-empty list."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def _rss_mb() -> float:
    import psutil  # dev dependency

    return psutil.Process().memory_info().rss / 1e6


def scale(real: list[Tip], cases: list[Case], sizes, *, repeat: int) -> list[dict]:
    """Build time, per-message latency and memory of the pipeline on synthetic bases."""
    rows = []
    for size in sizes:
        tips = synthetic_tips(real, size)
        gc.collect()
        before = _rss_mb()
        start = time.perf_counter()
        engine = Engine.build(tips)
        build = time.perf_counter() - start
        gc.collect()
        after = _rss_mb()
        latencies = []
        for case in cases:
            text = text_of(case)
            engine.answer(text, surface=case.surface)  # the message's vector is cached after
            for _ in range(repeat):
                t0 = time.perf_counter()
                engine.answer(text + " " * _, surface=case.surface)  # a new text: no cache
                latencies.append((time.perf_counter() - t0) * 1000)
        right = sum(
            1
            for c in cases
            if c.answerable
            and (m := engine.answer(text_of(c), surface=c.surface).matches)
            and c.right(m[0][0])
        )
        rows.append(
            {
                "tips": len(tips),
                "build_s": build,
                "latency_median_ms": statistics.median(latencies),
                "latency_p99_ms": percentile(latencies, 99),
                "index_rss_delta_mb": after - before,
                "process_rss_mb": after,
                "top1_with_distractors": right / max(sum(c.answerable for c in cases), 1),
            }
        )
        del engine, tips
    return rows


def render_scale(rows: list[dict]) -> str:
    """The scale runs as a table."""
    lines = [
        "Scale (synthetic bases; every held-out message, each asked as a new text)",
        f"  {'tips':>6}  {'build s':>8}  {'median ms':>9}  {'p99 ms':>7}  {'index MB':>8}  "
        f"{'process MB':>10}  {'top-1 w/ distractors':>20}",
    ]
    for r in rows:
        lines.append(
            f"  {r['tips']:>6}  {r['build_s']:>8.2f}  {r['latency_median_ms']:>9.2f}  "
            f"{r['latency_p99_ms']:>7.2f}  {r['index_rss_delta_mb']:>8.1f}  "
            f"{r['process_rss_mb']:>10.1f}  {r['top1_with_distractors']:>20.2f}"
        )
    return "\n".join(lines)


def run(argv: list[str] | None = None) -> dict:
    """Run as the command line asks; returns the figures and prints the tables."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.matching")
    parser.add_argument("--sets", default="held-out,tuning", help="held-out, tuning or both")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    parser.add_argument("--list-misses", action="store_true", help="misses of tuning sets")
    parser.add_argument("--no-scale", action="store_true")
    parser.add_argument("--sizes", default=",".join(str(s) for s in SCALE_SIZES))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    wanted = {s.strip() for s in args.sets.split(",") if s.strip()}
    if not wanted <= {"held-out", "tuning"}:
        parser.error("--sets takes held-out, tuning or both")
    tips = knowledge.load("knowledge").live_tips
    sets: list[QuestionSet] = []
    if "held-out" in wanted:
        sets += questionsets.held_out_sets(tips)
    if "tuning" in wanted:
        sets += questionsets.tuning_sets(tips)
    report: dict = {"tips": len(tips), "sets": []}
    print(f"Answer benchmark: {len(tips)} tips, model {semantic.shared().info['model']}\n")
    for qs in sets:
        results = evaluate(qs, tips)
        print(render(qs, results))
        if args.list_misses and not qs.held_out:
            for miss in results["ours"]["all" if "all" in results["ours"] else "slash"].misses:
                print(f"    miss {miss}")
        print()
        report["sets"].append(
            {
                "name": qs.name,
                "held_out": qs.held_out,
                "surfaces": {
                    system: {k: r.figures() for k, r in rows.items()}
                    for system, rows in results.items()
                },
            }
        )
    if not args.no_scale and "held-out" in wanted:
        sizes = tuple(int(s) for s in args.sizes.split(",") if s.strip())
        cases = [c for qs in sets if qs.held_out for c in qs.cases]
        rows = scale(tips, cases, sizes, repeat=args.repeat)
        report["scale"] = rows
        print(render_scale(rows))
    if args.json:
        print(json.dumps(report, indent=2))
    return report


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; exit status 0 unless an input file is unusable (2)."""
    try:
        run(argv)
    except (QuestionSetError, knowledge.KnowledgeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
