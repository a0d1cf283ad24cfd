"""Benchmark the tip matcher against two baselines, then at scale.

    python -m benchmarks.matching [--questions PATH ...] [--knowledge DIR] [--json]
                                 [--list-misses] [--no-scale] [--sizes 1000,10000]

For each question set (default benchmarks/questions/dev.yaml) it runs three systems on the
same live tips and questions:

* ours: `bot.matcher.Matcher` with its calibrated threshold;
* BM25: the `bm25s` package over each tip's title, tags, curated questions and text
  (lowercased, English stop words removed, no stemming); it has no notion of declining, so
  its decline figures are reported as n/a;
* BM25 t+t: the same over title and text only, as a bot without curated questions would
  index the tips;
* rapidfuzz: `process.extractOne(query, title + " " + text, scorer=fuzz.token_set_ratio)`,
  declining below a ratio of RAPIDFUZZ_THRESHOLD (a fixed cut-off we chose, not tuned).

Top-1 / top-3 are ranking accuracy on answerable questions (the top answer's title + text must
match a wanted marker group), whether or not the system declined; "answered right" also needs
the answer not to be declined. Then it builds synthetic tip bases (real tips plus generated
ones, fixed seed) and reports index build time, per-question latency and memory.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.core import knowledge, text
from bot.core.knowledge import Source, Tip
from bot.core.matcher import Matcher

DEFAULT_QUESTIONS = Path("benchmarks/questions/dev.yaml")
DEFAULT_KNOWLEDGE = Path("knowledge")
RAPIDFUZZ_THRESHOLD = 60.0
SCALE_SIZES = (1000, 10000)
SEED = 20240613


class QuestionSetError(ValueError):
    """A question file is unreadable or malformed; the message names the file and case."""


@dataclass(frozen=True)
class Case:
    """One benchmark question: the wanted marker patterns, or none=True for off-topic."""

    q: str
    want: tuple[re.Pattern, ...] = ()
    want_names: tuple[str, ...] = ()
    none: bool = False


@dataclass
class QuestionSet:
    """A named list of cases loaded from one YAML file."""

    name: str
    cases: list[Case]


def load_questions(path: Path) -> QuestionSet:
    """Load a question set (dev.yaml format); raises QuestionSetError with the problem."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise QuestionSetError(f"{path}: cannot read question set: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise QuestionSetError(f"{path}: must be a mapping with 'groups' and a 'cases' list")
    groups = {}
    for name, pattern in (data.get("groups") or {}).items():
        try:
            groups[name] = re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            raise QuestionSetError(f"{path}: group {name}: bad regex: {exc}") from exc
    cases = []
    for number, raw in enumerate(data["cases"], 1):
        if not isinstance(raw, dict) or not isinstance(raw.get("q"), str):
            raise QuestionSetError(f"{path}: case #{number}: needs a 'q' string")
        if raw.get("none"):
            cases.append(Case(q=raw["q"], none=True))
            continue
        want = raw.get("want")
        names = [want] if isinstance(want, str) else list(want or [])
        unknown = [n for n in names if n not in groups]
        if not names or unknown:
            raise QuestionSetError(
                f"{path}: case #{number} ({raw['q']!r}): want must name groups, unknown: {unknown}"
            )
        cases.append(
            Case(q=raw["q"], want=tuple(groups[n] for n in names), want_names=tuple(names))
        )
    return QuestionSet(name=str(path), cases=cases)


def hits(tip: Tip, case: Case) -> bool:
    """Whether a tip is a right answer for an answerable case."""
    body = f"{tip.title}\n{tip.text}"
    return any(p.search(body) for p in case.want)


# -- systems -------------------------------------------------------------------------------------


class OursSystem:
    name = "ours"
    declines = True

    def __init__(self, tips: list[Tip]):
        self.matcher = Matcher(tips)

    def ask(self, q: str) -> tuple[list[Tip], bool]:
        ans = self.matcher.answer(q)
        return [t for t, _ in ans.matches], not ans.answered


class BM25System:
    name = "BM25"
    declines = False

    @staticmethod
    def document(tip: Tip) -> str:
        """What BM25 indexes for a tip: every field, as ours sees them."""
        return " ".join([tip.title, " ".join(tip.tags), " ".join(tip.questions), tip.text])

    def __init__(self, tips: list[Tip]):
        import bm25s  # dev dependency: only the benchmark needs it

        self._bm25s = bm25s
        self.tips = tips
        corpus = [self.document(t) for t in tips]
        self.retriever = bm25s.BM25()
        self.retriever.index(
            bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False
        )

    def ask(self, q: str) -> tuple[list[Tip], bool]:
        tokens = self._bm25s.tokenize([q], stopwords="en", show_progress=False)
        if not tokens.vocab:
            return [], False
        k = min(3, len(self.tips))
        docs, scores = self.retriever.retrieve(tokens, k=k, show_progress=False)
        ranked = [self.tips[int(d)] for d, s in zip(docs[0], scores[0], strict=True) if s > 0]
        return ranked, False


class BM25TextSystem(BM25System):
    """BM25 over title + text only: the baseline a bot without curated questions would have."""

    name = "BM25 t+t"

    @staticmethod
    def document(tip: Tip) -> str:
        return f"{tip.title} {tip.text}"


class RapidfuzzSystem:
    name = "rapidfuzz"
    declines = True

    def __init__(self, tips: list[Tip]):
        self.tips = tips
        self.choices = [f"{t.title} {t.text}" for t in tips]

    def ask(self, q: str) -> tuple[list[Tip], bool]:
        from rapidfuzz import fuzz, process

        top = process.extract(q, self.choices, scorer=fuzz.token_set_ratio, limit=3)
        if not top:
            return [], True
        ranked = [self.tips[i] for _, _, i in top]
        return ranked, top[0][1] < RAPIDFUZZ_THRESHOLD


SYSTEMS = (OursSystem, BM25System, BM25TextSystem, RapidfuzzSystem)


# -- evaluation ----------------------------------------------------------------------------------


@dataclass
class Result:
    """The figures of one system on one question set."""

    system: str
    top1: float
    top3: float
    answered_right: float | None
    off_topic_declined: float | None
    wrong_declined: float | None
    latency_median_ms: float
    latency_p99_ms: float
    misses: list[str] = field(default_factory=list)


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile (nearest rank) of a non-empty list."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def evaluate(system, cases: list[Case], *, repeat: int = 5) -> Result:
    """Run every case through a system and compute its figures."""
    answerable = [c for c in cases if not c.none]
    off_topic = [c for c in cases if c.none]
    top1 = top3 = right = wrong_declined = declined_off = 0
    latencies: list[float] = []
    misses: list[str] = []
    for case in cases:
        ranked, declined = system.ask(case.q)
        for _ in range(repeat):
            start = time.perf_counter()
            system.ask(case.q)
            latencies.append((time.perf_counter() - start) * 1000)
        if case.none:
            declined_off += declined
            if not declined:
                got = ranked[0].id if ranked else "-"
                misses.append(f"answered off-topic {case.q!r} -> {got}")
            continue
        first = bool(ranked) and hits(ranked[0], case)
        top1 += first
        top3 += any(hits(t, case) for t in ranked[:3])
        right += first and not declined
        wrong_declined += declined
        if not first or declined:
            got = ", ".join(t.id for t in ranked[:3]) or "-"
            flag = " (declined)" if declined else ""
            misses.append(f"{case.q!r} want {'/'.join(case.want_names)} got {got}{flag}")
    n = max(len(answerable), 1)
    return Result(
        system=system.name,
        top1=top1 / n,
        top3=top3 / n,
        answered_right=right / n if system.declines else None,
        off_topic_declined=declined_off / len(off_topic) if system.declines and off_topic else None,
        wrong_declined=wrong_declined / n if system.declines else None,
        latency_median_ms=statistics.median(latencies) if latencies else 0.0,
        latency_p99_ms=percentile(latencies, 99) if latencies else 0.0,
        misses=misses,
    )


# -- synthetic scale -----------------------------------------------------------------------------


def synthetic_tips(real: list[Tip], size: int, *, seed: int = SEED) -> list[Tip]:
    """`size` tips: the real ones plus generated ones from recombined real vocabulary.

    Words are drawn by their frequency in the real base (so common words stay common) mixed
    with Zipf-distributed made-up words, which grow the vocabulary as a real base would.
    """
    rng = random.Random(seed)
    corpus = " ".join(" ".join([t.title, t.text, *t.questions, *t.tags]) for t in real)
    vocab = [w for w in text.words(corpus) if w.isalpha()]
    letters = "abcdefghijklmnopqrstuvwxyz"
    invented = [
        "".join(rng.choice(letters) for _ in range(rng.randint(4, 10))) for _ in range(20000)
    ]
    zipf = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(invented))))
    source = Source(note="synthetic", timestamp="00:00", url="https://example.invalid/synthetic")

    def sentence(lo: int, hi: int) -> str:
        count = rng.randint(lo, hi)
        made_up = rng.choices(invented, cum_weights=zipf, k=count)
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


def _rss_mb() -> float:
    import psutil  # dev dependency

    return psutil.Process().memory_info().rss / 1e6


def scale(real: list[Tip], cases: list[Case], sizes=SCALE_SIZES, *, repeat: int = 5) -> list[dict]:
    """Build time, latency and memory of our matcher on synthetic bases of the given sizes."""
    rows = []
    questions = [c.q for c in cases]
    for size in sizes:
        tips = synthetic_tips(real, size)
        gc.collect()
        before = _rss_mb()
        start = time.perf_counter()
        matcher = Matcher(tips)
        build = time.perf_counter() - start
        gc.collect()
        after = _rss_mb()
        latencies = []
        for q in questions:
            for _ in range(repeat):
                t0 = time.perf_counter()
                matcher.answer(q)
                latencies.append((time.perf_counter() - t0) * 1000)
        answerable = [c for c in cases if not c.none]
        right = sum(
            1 for c in answerable if (m := matcher.answer(c.q).matches) and hits(m[0][0], c)
        )
        rows.append(
            {
                "tips": len(tips),
                "build_s": build,
                "latency_median_ms": statistics.median(latencies),
                "latency_p99_ms": percentile(latencies, 99),
                "index_rss_delta_mb": after - before,
                "process_rss_mb": after,
                "top1_with_distractors": right / max(len(answerable), 1),
            }
        )
        del matcher, tips
    return rows


# -- output --------------------------------------------------------------------------------------


def _fmt(value: float | None, pct: bool = True) -> str:
    if value is None:
        return "n/a"
    return f"{value:.2f}" if pct else f"{value:.3f}"


def render_set(name: str, n_answerable: int, n_off: int, results: list[Result]) -> str:
    """A readable table for one question set."""
    cols = [r.system for r in results]
    rows = [
        ("top-1 accuracy", [_fmt(r.top1) for r in results]),
        ("top-3 accuracy", [_fmt(r.top3) for r in results]),
        ("answered right (top-1, not declined)", [_fmt(r.answered_right) for r in results]),
        ("off-topic declined", [_fmt(r.off_topic_declined) for r in results]),
        ("wrong-decline (answerable)", [_fmt(r.wrong_declined) for r in results]),
        ("latency median ms", [_fmt(r.latency_median_ms, False) for r in results]),
        ("latency p99 ms", [_fmt(r.latency_p99_ms, False) for r in results]),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [f"Question set {name}: {n_answerable} answerable, {n_off} off-topic"]
    lines.append(f"  {'figure':<{width}}  " + "  ".join(f"{c:>10}" for c in cols))
    for label, values in rows:
        lines.append(f"  {label:<{width}}  " + "  ".join(f"{v:>10}" for v in values))
    bm25 = next((r for r in results if r.system == "BM25"), None)
    if bm25 is not None:
        ours = results[0]
        ratio = ours.top1 / bm25.top1 if bm25.top1 else float("inf")
        lines.append(
            f"  ours/BM25 top-1 ratio {ratio:.2f} (difference {ours.top1 - bm25.top1:+.2f});"
            f" BM25 never declines; rapidfuzz declines below {RAPIDFUZZ_THRESHOLD:.0f}"
        )
    bm25_text = next((r for r in results if r.system == BM25TextSystem.name), None)
    if bm25_text is not None:
        ours = results[0]
        lines.append(
            f"  ours vs BM25 over title+text only: {ours.top1:.2f} vs {bm25_text.top1:.2f}"
            f" (difference {ours.top1 - bm25_text.top1:+.2f})"
        )
    return "\n".join(lines)


def render_scale(rows: list[dict]) -> str:
    """A readable table for the scale runs."""
    header = (
        f"  {'tips':>6}  {'build s':>8}  {'median ms':>9}  {'p99 ms':>7}  "
        f"{'index RSS MB':>12}  {'process RSS MB':>14}  {'top-1 w/ distractors':>20}"
    )
    lines = ["Scale (synthetic tip bases, our matcher, questions of the first set)", header]
    for r in rows:
        lines.append(
            f"  {r['tips']:>6}  {r['build_s']:>8.3f}  {r['latency_median_ms']:>9.3f}  "
            f"{r['latency_p99_ms']:>7.3f}  {r['index_rss_delta_mb']:>12.1f}  "
            f"{r['process_rss_mb']:>14.1f}  {r['top1_with_distractors']:>20.2f}"
        )
    return "\n".join(lines)


def run(argv: list[str] | None = None) -> dict:
    """Run the benchmark as the command line asks; returns the figures and prints the tables."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.matching", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--questions", action="append", type=Path, help="question set (repeatable)")
    parser.add_argument("--knowledge", type=Path, default=DEFAULT_KNOWLEDGE)
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    parser.add_argument("--list-misses", action="store_true", help="print failing questions")
    parser.add_argument("--no-scale", action="store_true", help="skip the synthetic scale runs")
    parser.add_argument("--sizes", default=",".join(str(s) for s in SCALE_SIZES))
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per question")
    args = parser.parse_args(argv)
    tips = knowledge.load(args.knowledge).live_tips
    question_sets = [load_questions(p) for p in (args.questions or [DEFAULT_QUESTIONS])]
    systems = [cls(tips) for cls in SYSTEMS]
    report: dict = {"knowledge": str(args.knowledge), "tips": len(tips), "sets": []}
    print(f"Matching benchmark: {len(tips)} tips from {args.knowledge}\n")
    for qs in question_sets:
        results = [evaluate(s, qs.cases, repeat=args.repeat) for s in systems]
        n_off = sum(c.none for c in qs.cases)
        print(render_set(qs.name, len(qs.cases) - n_off, n_off, results))
        if args.list_misses:
            for r in results[:1]:
                for miss in r.misses:
                    print(f"    miss [{r.system}] {miss}")
        print()
        report["sets"].append(
            {
                "name": qs.name,
                "results": [
                    {k: v for k, v in vars(r).items() if k != "misses"} | {"misses": len(r.misses)}
                    for r in results
                ],
            }
        )
    if not args.no_scale:
        sizes = tuple(int(s) for s in args.sizes.split(",") if s.strip())
        rows = scale(tips, question_sets[0].cases, sizes, repeat=args.repeat)
        report["scale"] = rows
        print(render_scale(rows))
        print()
    if args.json:
        print(json.dumps(report, indent=2))
    return report


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; exit status 0 unless the input files are unusable."""
    try:
        run(argv)
    except (QuestionSetError, knowledge.KnowledgeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
