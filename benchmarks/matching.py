"""Benchmark the tip matcher on held-out and tuning question sets, against baselines, at scale.

    python -m benchmarks.matching [--questions PATH ...] [--knowledge DIR] [--json]
                                 [--list-misses] [--no-scale] [--no-loqo] [--sizes 1000,10000]

Sets (default: all of them, each printed separately):

* holdout.yaml: written blind from the note, labelled with tip ids afterwards, NEVER tuned on;
  its figures are the headline;
* dev.yaml and own.yaml: tuning sets, labelled with marker groups (regular expressions a
  right tip's title + text matches);
* tune.yaml: a tuning set written from the note with not-covered questions, labelled with tip
  ids like holdout.yaml;
* curated (LOQO): every curated question in knowledge/, asked of a base where that one
  question was removed from its tip; its tip must come first (leave-one-question-out).

Systems, on the same live tips and questions:

* ours: `bot.core.matcher.Matcher`; "declined" means confidence "none" (a tip is shown first
  when it is "sure" or "unsure");
* BM25: the `bm25s` package over every tip field (title, tags, curated questions, text),
  English stop words removed, Snowball-stemmed; it never declines;
* BM25 t+t: the same over title and text only, as a bot without curated questions would have;
* rapidfuzz: `token_set_ratio` of the question against title + text, declining below
  RAPIDFUZZ_THRESHOLD (a fixed cut-off we chose, not tuned).

Top-1 / top-3 count on answerable questions whether or not the system declined. Then it builds
synthetic tip bases (real tips plus generated ones, fixed seed) and reports index build time,
per-question latency and memory.
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
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from bot.core import knowledge, text
from bot.core.knowledge import Source, Tip
from bot.core.matcher import Matcher

QUESTIONS_DIR = Path("benchmarks/questions")
DEFAULT_QUESTIONS = (
    QUESTIONS_DIR / "holdout.yaml",
    QUESTIONS_DIR / "dev.yaml",
    QUESTIONS_DIR / "own.yaml",
    QUESTIONS_DIR / "tune.yaml",
)
TUNING_QUESTIONS = DEFAULT_QUESTIONS[1:]
DEFAULT_KNOWLEDGE = Path("knowledge")
LOQO_NAME = "curated (LOQO)"
RAPIDFUZZ_THRESHOLD = 60.0
SCALE_SIZES = (1000, 10000)
SEED = 20240613
KINDS = ("answerable", "not_covered", "off_topic")


class QuestionSetError(ValueError):
    """A question file is unreadable or malformed; the message names the file and case."""


@dataclass(frozen=True)
class Case:
    """One benchmark question and what a right answer is.

    An answerable case names the right tips by id (`want_ids`) or by marker patterns
    (`want`); `kind` "not_covered" or "off_topic" expects a decline (`none` is True).
    """

    q: str
    want: tuple[re.Pattern, ...] = ()
    want_names: tuple[str, ...] = ()
    want_ids: tuple[str, ...] = ()
    kind: str = "answerable"

    @property
    def none(self) -> bool:
        """Whether the bot should decline this question."""
        return self.kind != "answerable"


@dataclass
class QuestionSet:
    """A named list of cases; LOQO sets also carry the tip base each case is asked of."""

    name: str
    cases: list[Case]
    bases: list[list[Tip]] | None = None


def _load_groups(path: Path, data: dict) -> dict[str, re.Pattern]:
    groups = {}
    for name, pattern in (data.get("groups") or {}).items():
        try:
            groups[name] = re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            raise QuestionSetError(f"{path}: group {name}: bad regex: {exc}") from exc
    return groups


def _load_case(path: Path, number: int, raw: object, groups: dict[str, re.Pattern]) -> Case:
    if not isinstance(raw, dict) or not isinstance(raw.get("q"), str):
        raise QuestionSetError(f"{path}: case #{number}: needs a 'q' string")
    q = raw["q"]
    kind = raw.get("kind", "off_topic" if raw.get("none") else "answerable")
    if kind not in KINDS:
        raise QuestionSetError(
            f"{path}: case #{number} ({q!r}): kind must be one of {', '.join(KINDS)}, got {kind!r}"
        )
    if kind != "answerable" or raw.get("none"):
        return Case(q=q, kind=kind if kind != "answerable" else "off_topic")
    if "ids" in raw:
        ids = raw["ids"]
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise QuestionSetError(
                f"{path}: case #{number} ({q!r}): ids must be a non-empty list of tip ids"
            )
        return Case(q=q, want_ids=tuple(ids))
    want = raw.get("want")
    names = [want] if isinstance(want, str) else list(want or [])
    unknown = [n for n in names if n not in groups]
    if not names or unknown:
        raise QuestionSetError(
            f"{path}: case #{number} ({q!r}): want must name groups, unknown: {unknown}"
        )
    return Case(q=q, want=tuple(groups[n] for n in names), want_names=tuple(names))


def load_questions(path: Path, tip_ids: set[str] | None = None) -> QuestionSet:
    """Load a question set (dev.yaml or holdout.yaml format).

    Raises QuestionSetError naming the file and case; with `tip_ids`, also when a case names
    a tip id the base does not have.
    """
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise QuestionSetError(f"{path}: cannot read question set: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise QuestionSetError(f"{path}: must be a mapping with a 'cases' list")
    groups = _load_groups(path, data)
    cases = [_load_case(path, n, raw, groups) for n, raw in enumerate(data["cases"], 1)]
    if tip_ids is not None:
        for number, case in enumerate(cases, 1):
            missing = [i for i in case.want_ids if i not in tip_ids]
            if missing:
                raise QuestionSetError(
                    f"{path}: case #{number} ({case.q!r}): no live tip with id {missing}"
                )
    return QuestionSet(name=Path(path).name, cases=cases)


def loqo_set(tips: list[Tip]) -> QuestionSet:
    """Every curated question, each asked of the base with that question taken off its tip."""
    cases: list[Case] = []
    bases: list[list[Tip]] = []
    for i, tip in enumerate(tips):
        for j, question in enumerate(tip.questions):
            held = replace(tip, questions=tip.questions[:j] + tip.questions[j + 1 :])
            cases.append(Case(q=question, want_ids=(tip.id,)))
            bases.append(tips[:i] + [held] + tips[i + 1 :])
    return QuestionSet(name=LOQO_NAME, cases=cases, bases=bases)


def hits(tip: Tip, case: Case) -> bool:
    """Whether a tip is a right answer for an answerable case."""
    if case.want_ids:
        return tip.id in case.want_ids
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
        if ans.answered:
            return [t for t, _ in ans.matches], False
        # A decline shows no tips (or a few related ones); top-1/top-3 still measure ranking.
        return [t for t, _ in self.matcher.extract(q, limit=3)], True


class BM25System:
    name = "BM25"
    declines = False

    @staticmethod
    def document(tip: Tip) -> str:
        """What BM25 indexes for a tip: every field, as ours sees them."""
        return " ".join([tip.title, " ".join(tip.tags), " ".join(tip.questions), tip.text])

    def __init__(self, tips: list[Tip]):
        import bm25s  # runtime-free: only the benchmark needs it
        import snowballstemmer

        self._bm25s = bm25s
        self._stemmer = snowballstemmer.stemmer("english")
        self.tips = tips
        corpus = [self.document(t) for t in tips]
        self.retriever = bm25s.BM25()
        tokens = bm25s.tokenize(corpus, stopwords="en", stemmer=self._stemmer, show_progress=False)
        self.retriever.index(tokens, show_progress=False)
        self._vocab = set(tokens.vocab)

    def ask(self, q: str) -> tuple[list[Tip], bool]:
        tokens = self._bm25s.tokenize(
            [q], stopwords="en", stemmer=self._stemmer, return_ids=False, show_progress=False
        )
        known = [[t for t in tokens[0] if t in self._vocab]]
        if not known[0]:
            return [], False
        k = min(3, len(self.tips))
        docs, scores = self.retriever.retrieve(known, k=k, show_progress=False)
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
    """The figures of one system on one question set (None where they do not apply)."""

    system: str
    top1: float
    top3: float
    answered_right: float | None
    wrong_declined: float | None
    not_covered_answered: float | None
    off_topic_declined: float | None
    latency_median_ms: float
    latency_p99_ms: float
    misses: list[str] = field(default_factory=list)


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile (nearest rank) of a non-empty list."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def evaluate(
    make: Callable[[list[Tip]], object], tips: list[Tip], qs: QuestionSet, *, repeat: int = 5
) -> Result:
    """Run every case of a set through a system built by `make` and compute its figures.

    A LOQO set rebuilds the system for each case on that case's base (not timed).
    """
    system = make(tips)
    answerable = [c for c in qs.cases if not c.none]
    not_covered = [c for c in qs.cases if c.kind == "not_covered"]
    off_topic = [c for c in qs.cases if c.kind == "off_topic"]
    top1 = top3 = right = wrong_declined = nc_answered = off_declined = 0
    latencies: list[float] = []
    misses: list[str] = []
    for index, case in enumerate(qs.cases):
        asker = make(qs.bases[index]) if qs.bases is not None else system
        ranked, declined = asker.ask(case.q)
        if qs.bases is None:
            for _ in range(repeat):
                start = time.perf_counter()
                system.ask(case.q)
                latencies.append((time.perf_counter() - start) * 1000)
        got = ", ".join(t.id for t in ranked[:3]) or "-"
        if case.none:
            off_declined += declined and case.kind == "off_topic"
            nc_answered += (not declined) and case.kind == "not_covered"
            if not declined:
                misses.append(f"answered {case.kind} {case.q!r} -> {got}")
            continue
        first = bool(ranked) and hits(ranked[0], case)
        top1 += first
        top3 += any(hits(t, case) for t in ranked[:3])
        right += first and not declined
        wrong_declined += declined
        if not first or declined:
            want = "/".join(case.want_ids or case.want_names)
            flag = " (declined)" if declined else ""
            misses.append(f"{case.q!r} want {want} got {got}{flag}")
    n = max(len(answerable), 1)
    declines = getattr(system, "declines", False)
    return Result(
        system=system.name,
        top1=top1 / n,
        top3=top3 / n,
        answered_right=right / n if declines else None,
        wrong_declined=wrong_declined / n if declines else None,
        not_covered_answered=nc_answered / len(not_covered) if declines and not_covered else None,
        off_topic_declined=off_declined / len(off_topic) if declines and off_topic else None,
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


def render_set(qs: QuestionSet, results: list[Result]) -> str:
    """A readable table for one question set."""
    n_ans = sum(not c.none for c in qs.cases)
    n_nc = sum(c.kind == "not_covered" for c in qs.cases)
    n_off = sum(c.kind == "off_topic" for c in qs.cases)
    cols = [r.system for r in results]
    rows = [
        ("top-1 accuracy", [_fmt(r.top1) for r in results]),
        ("top-3 accuracy", [_fmt(r.top3) for r in results]),
        ("answered right (top-1, not declined)", [_fmt(r.answered_right) for r in results]),
        ("wrong-decline (answerable declined)", [_fmt(r.wrong_declined) for r in results]),
        ("not-covered answered", [_fmt(r.not_covered_answered) for r in results]),
        ("off-topic declined", [_fmt(r.off_topic_declined) for r in results]),
    ]
    if qs.bases is None:
        rows += [
            ("latency median ms", [_fmt(r.latency_median_ms, False) for r in results]),
            ("latency p99 ms", [_fmt(r.latency_p99_ms, False) for r in results]),
        ]
    width = max(len(r[0]) for r in rows)
    lines = [f"Question set {qs.name}: {n_ans} answerable, {n_nc} not covered, {n_off} off-topic"]
    lines.append(f"  {'figure':<{width}}  " + "  ".join(f"{c:>10}" for c in cols))
    for label, values in rows:
        lines.append(f"  {label:<{width}}  " + "  ".join(f"{v:>10}" for v in values))
    ours = results[0]
    bm25 = next((r for r in results if r.system == "BM25"), None)
    if bm25 is not None:
        ratio = ours.top1 / bm25.top1 if bm25.top1 else float("inf")
        verdict = "at least BM25" if ours.top1 >= bm25.top1 else "BELOW BM25"
        lines.append(
            f"  ours/BM25 top-1 ratio {ratio:.2f} (ours {ours.top1:.2f} vs BM25 {bm25.top1:.2f},"
            f" difference {ours.top1 - bm25.top1:+.2f}: {verdict}); BM25 never declines;"
            f" rapidfuzz declines below {RAPIDFUZZ_THRESHOLD:.0f}"
        )
    bm25_text = next((r for r in results if r.system == BM25TextSystem.name), None)
    if bm25_text is not None:
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
    lines = ["Scale (synthetic tip bases, our matcher, every question of the file sets)", header]
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
    parser.add_argument("--no-loqo", action="store_true", help="skip the curated LOQO set")
    parser.add_argument(
        "--tuning", action="store_true", help="only the tuning sets (dev, own, LOQO): no held-out"
    )
    parser.add_argument("--sizes", default=",".join(str(s) for s in SCALE_SIZES))
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per question")
    args = parser.parse_args(argv)
    tips = knowledge.load(args.knowledge).live_tips
    ids = {t.id for t in tips}
    paths = args.questions or (TUNING_QUESTIONS if args.tuning else DEFAULT_QUESTIONS)
    question_sets = [load_questions(p, ids) for p in paths]
    if not args.no_loqo and not args.questions:
        question_sets.append(loqo_set(tips))
    report: dict = {"knowledge": str(args.knowledge), "tips": len(tips), "sets": []}
    print(f"Matching benchmark: {len(tips)} tips from {args.knowledge}\n")
    for qs in question_sets:
        results = [evaluate(cls, tips, qs, repeat=args.repeat) for cls in SYSTEMS]
        print(render_set(qs, results))
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
        cases = [c for qs in question_sets if qs.bases is None for c in qs.cases]
        rows = scale(tips, cases, sizes, repeat=args.repeat)
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
