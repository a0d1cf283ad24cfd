"""Fit the answer pipeline's rank weights and decision models on the tuning sets only.

    python -m benchmarks.fit_answers [--write] [--folds 5]

1. Every tuning case (benchmarks.questionsets.TUNING and curated leave-one-question-out) is
   retrieved once; each tip's signals are kept.
2. Rank weights: a pairwise logistic regression (no bias, L2) on "a right tip's signals minus
   a wrong tip's" over every answerable case.
3. Decision, per message shape (short, long): two logistic regressions on the first tip's
   features (`fitted.FEATURES`), one for "the first tip is right", one for "a right tip is in
   the first three"; negatives are the answerable cases where that fails and every
   not-covered and off-topic message. Cut-offs are chosen on out-of-fold probabilities
   (folds grouped by the right tip, so a tip's paraphrases never sit on both sides):
   "sure" at the lowest probability that no negative reaches and at most 5 % of sure answers
   are wrong; "unsure" where declined answerable and answered negatives, each as a share of
   its target (5 %, 1 in 15), cost least; the "closest topics" offer where no off-topic one
   gets it.
4. Prints out-of-fold figures per set and surface; with --write, writes
   bot/core/data/answer_model.json. No held-out file is ever opened.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass, field, replace
from datetime import date

import numpy

from benchmarks import questionsets
from benchmarks.questionsets import Case, QuestionSet
from bot.core import knowledge
from bot.core.pipeline import decide, fitted, semantic, wordlists
from bot.core.pipeline.config import DEFAULT, AnswerConfig
from bot.core.pipeline.engine import Engine
from bot.core.pipeline.retrieve import Candidate, Retrieval

LOQO_WEIGHT = 0.3  # 315 easy paraphrases must not outweigh the few hundred Slack messages
SURE_WRONG = 0.05  # share of sure answers allowed to be wrong on the tuning sets
TARGET_DECLINED = 0.05  # answerable declined: the target, the cost's unit
TARGET_NEG_ANSWERED = 1 / 15  # not covered or off-topic answered: the same
OUT = fitted.DATA / "answer_model.json"


@dataclass
class Row:
    """One tuning case after retrieval."""

    set: str
    case: Case
    retrieval: Retrieval
    engine: Engine
    weight: float
    features: list[float] = field(default_factory=list)
    shape: str = "short"


def collect(
    tips: list, sets: list[QuestionSet], *, config: AnswerConfig, lists, encoder, model
) -> list[Row]:
    """Retrieve every case of every set with all tips as candidates."""
    rows = []
    engines: dict[int, Engine] = {}
    main = None
    for qs in sets:
        for case in qs.cases:
            if qs.bases is not None:
                engine = engines.get(case.base)
                if engine is None:
                    engine = Engine.build(
                        qs.bases[case.base],
                        config=config,
                        lists=lists,
                        encoder=encoder,
                        model=model,
                    )
                    engines = {case.base: engine}  # one base at a time: bounded memory
            else:
                if main is None:
                    main = Engine.build(
                        tips, config=config, lists=lists, encoder=encoder, model=model
                    )
                engine = main
            message = engine.normaliser.message(case.text, case.surface)
            found = engine.index.retrieve(message, limit=len(engine.index))
            weight = LOQO_WEIGHT if qs.bases is not None else 1.0
            rows.append(Row(qs.name, case, found, engine, weight))
    return rows


def base_tips() -> list:
    """The shipped base's live tips."""
    return knowledge.load("knowledge").live_tips


def fit_logistic(
    x: numpy.ndarray,
    y: numpy.ndarray,
    w: numpy.ndarray,
    *,
    l2: float = 0.01,
    bias: bool = True,
    steps: int = 3000,
    rate: float = 0.5,
) -> tuple[numpy.ndarray, float]:
    """Weighted logistic regression by gradient descent; deterministic."""
    coef = numpy.zeros(x.shape[1])
    b = 0.0
    total = w.sum() or 1.0
    for _ in range(steps):
        z = x @ coef + b
        p = 1.0 / (1.0 + numpy.exp(-numpy.clip(z, -30, 30)))
        err = (p - y) * w
        coef -= rate * (x.T @ err / total + l2 * coef)
        if bias:
            b -= rate * err.sum() / total
    return coef, b


def fit_rank(rows: list[Row]) -> tuple[float, ...]:
    """Rank weights from pairwise differences (right tip minus each wrong one)."""
    diffs, weights = [], []
    for row in rows:
        if not row.case.answerable:
            continue
        cands = row.retrieval.candidates
        right = [c for c in cands if row.case.right(c.tip)]
        if not right:
            continue
        best = max(right, key=lambda c: c.score)
        wrong = [c for c in cands if not row.case.right(c.tip)]
        for c in wrong:
            diffs.append(numpy.subtract(best.signals, c.signals))
            weights.append(row.weight / max(len(wrong), 1))
    x, w = numpy.array(diffs), numpy.array(weights)
    coef, _ = fit_logistic(x, numpy.ones(len(x)), w, bias=False, l2=0.001)
    return tuple(round(float(c), 4) for c in coef)


def rerank(row: Row, weights: tuple[float, ...]) -> None:
    """Re-score a row's candidates with new rank weights and recompute its features."""
    cands = [
        Candidate(
            c.tip, c.doc, c.signals, sum(a * b for a, b in zip(weights, c.signals, strict=True))
        )
        for c in row.retrieval.candidates
    ]
    cands.sort(key=lambda c: (-round(c.score, 6), c.tip.id))
    row.retrieval = replace(row.retrieval, candidates=[c for c in cands if c.score > 0])
    decider = row.engine.decider
    topic = decider.topics.match(row.retrieval)
    row.features = decide.features(row.retrieval, decider.index, topic)
    row.shape = decide.shape(row.retrieval.message, row.engine.config)
    row.topic = topic  # type: ignore[attr-defined]


def labels(row: Row) -> tuple[int, int]:
    """(first tip right, a right tip in the first three) for a row."""
    if not row.case.answerable:
        return 0, 0
    tips = [c.tip for c in row.retrieval.candidates[:3]]
    return int(bool(tips) and row.case.right(tips[0])), int(any(row.case.right(t) for t in tips))


def _group(row: Row) -> str:
    if row.case.answerable:
        return (row.case.ids or ("want:" + "|".join(p.pattern for p in row.case.want),))[0]
    return f"neg:{hash(row.case.q) % 97}"


def out_of_fold(rows: list[Row], folds: int) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Out-of-fold P(sure) and P(any) for rows of one shape, folds grouped by the right tip."""
    groups = sorted({_group(r) for r in rows})
    fold_of = {g: i % folds for i, g in enumerate(groups)}
    p_sure = numpy.zeros(len(rows))
    p_any = numpy.zeros(len(rows))
    for k in range(folds):
        train = [i for i, r in enumerate(rows) if fold_of[_group(r)] != k]
        test = [i for i, r in enumerate(rows) if fold_of[_group(r)] == k]
        if not test or not train:
            continue
        model = fit_shape([rows[i] for i in train])
        for i in test:
            z = model.standardise(rows[i].features)
            p_sure[i] = model.sure.probability(z)
            p_any[i] = model.any.probability(z)
    return p_sure, p_any


def fit_shape(rows: list[Row]) -> fitted.ShapeModel:
    """The two logistic models of one shape (cut-offs left at 0.5; see choose_cutoffs)."""
    x = numpy.array([r.features for r in rows], dtype=float)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    w = numpy.array([r.weight for r in rows])
    ys = numpy.array([labels(r) for r in rows])
    parts = []
    for col in (0, 1):
        coef, b = fit_logistic(z, ys[:, col].astype(float), w)
        parts.append(fitted.Logistic(tuple(map(float, coef)), float(b), 0.5))
    return fitted.ShapeModel(tuple(map(float, mean)), tuple(map(float, scale)), *parts, 0.5)


def choose_cutoffs(
    rows: list[Row], p_sure: numpy.ndarray, p_any: numpy.ndarray
) -> tuple[float, float, float]:
    """(sure, unsure, suggest) cut-offs from out-of-fold probabilities (see module doc)."""
    lab = numpy.array([labels(r) for r in rows])
    negative = numpy.array([not r.case.answerable for r in rows])
    answerable = ~negative
    candidates = sorted(set(numpy.round(p_sure, 4))) + [1.0]
    sure = 1.0
    for t in candidates:
        chosen = p_sure >= t
        if (chosen & negative).any():
            continue
        wrong = (chosen & answerable & (lab[:, 0] == 0)).sum()
        if chosen.sum() and wrong / chosen.sum() <= SURE_WRONG:
            sure = float(t)
            break
    best, unsure = math.inf, sure
    for t in sorted(set(numpy.round(p_any, 4))) + [1.0]:
        t = min(float(t), sure)
        answered = (p_any >= t) | (p_sure >= sure)
        declined = (answerable & ~answered).sum() / max(answerable.sum(), 1)
        neg_answered = (negative & answered).sum() / max(negative.sum(), 1)
        cost = declined / TARGET_DECLINED + neg_answered / TARGET_NEG_ANSWERED
        if cost < best:
            best, unsure = cost, t
    off_topic = numpy.array([r.case.kind == "off_topic" for r in rows])
    highest_off = float(p_any[off_topic].max()) if off_topic.any() else 0.0
    suggest = min(unsure, round(highest_off + 1e-4, 4))
    return sure, unsure, suggest


def levels(rows, p_sure, p_any, cut) -> list[str]:
    """The level each row gets with cut-offs `cut` = (sure, unsure, suggest)."""
    out = []
    for row, ps, pa in zip(rows, p_sure, p_any, strict=True):
        if not row.retrieval.candidates:
            out.append("none")
        elif ps >= cut[0]:
            out.append("sure")
        elif pa >= cut[1]:
            out.append("unsure")
        else:
            out.append("none")
    return out


def report(rows: list[Row], lv: list[str], title: str) -> None:
    """Figures per set and surface: top-1, top-3, declined, negatives answered and sure."""
    print(title)
    print(
        f"  {'set / surface':<22} {'n':>4} {'top-1':>6} {'top-3':>6} {'declined':>9} "
        f"{'wrong sure':>10} {'neg ans':>8} {'neg sure':>9}"
    )
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        key = r.set if r.set != "tuning.yaml" else f"tuning/{r.case.surface}"
        groups.setdefault(key, []).append(i)
    for key, idx in groups.items():
        ans = [i for i in idx if rows[i].case.answerable]
        neg = [i for i in idx if not rows[i].case.answerable]
        top1 = sum(labels(rows[i])[0] for i in ans)
        top3 = sum(labels(rows[i])[1] for i in ans)
        declined = sum(lv[i] == "none" for i in ans)
        wrong_sure = sum(lv[i] == "sure" and not labels(rows[i])[0] for i in ans)
        neg_ans = sum(lv[i] != "none" for i in neg)
        neg_sure = sum(lv[i] == "sure" for i in neg)
        n = max(len(ans), 1)
        print(
            f"  {key:<22} {len(idx):>4} {top1 / n:>6.2f} {top3 / n:>6.2f} {declined / n:>9.2f} "
            f"{wrong_sure:>10} {f'{neg_ans}/{len(neg)}':>8} {neg_sure:>9}"
        )


def fit(
    *,
    config: AnswerConfig = DEFAULT,
    lists=None,
    folds: int = 5,
    quiet: bool = False,
    drop: frozenset[str] = frozenset(),
    tips: list | None = None,
) -> tuple[dict, list[Row], list[str]]:
    """Fit everything; returns the model file's content, the rows and their OOF levels.

    `drop` names signals (fitted.SIGNALS) left out, for the ablation; `tips` replaces the
    shipped base (the ablation strips the situational examples).
    """
    lists = lists if lists is not None else wordlists.shipped()
    tips = tips if tips is not None else base_tips()
    sets = questionsets.tuning_sets(tips)
    encoder = semantic.shared() if config.semantic else None
    start = fitted.AnswerModel(
        fitted.SIGNALS, (1.0,) * len(fitted.SIGNALS), fitted.FEATURES, fitted_placeholder()
    )
    rows = collect(tips, sets, config=config, lists=lists, encoder=encoder, model=start)
    if drop:
        keep = [name not in drop for name in fitted.SIGNALS]
        for row in rows:
            row.retrieval.candidates = [
                replace(
                    c, signals=tuple(s if k else 0.0 for s, k in zip(c.signals, keep, strict=True))
                )
                for c in row.retrieval.candidates
            ]
    weights = fit_rank(rows)
    for row in rows:
        rerank(row, weights)
    content = {
        "fitted_on": [qs.name for qs in sets],
        "cases": len(rows),
        "date": date.today().isoformat(),
        "signals": list(fitted.SIGNALS),
        "rank_weights": list(weights),
        "features": list(fitted.FEATURES),
    }
    lv = ["none"] * len(rows)
    for shape in fitted.SHAPES:
        idx = [i for i, r in enumerate(rows) if r.shape == shape]
        part = [rows[i] for i in idx]
        p_sure, p_any = out_of_fold(part, folds)
        cut = choose_cutoffs(part, p_sure, p_any)
        for i, level in zip(idx, levels(part, p_sure, p_any, cut), strict=True):
            lv[i] = level
        model = fit_shape(part)
        content[shape] = {
            "cases": len(part),
            "mean": list(model.mean),
            "scale": list(model.scale),
            "sure": {
                "weights": list(model.sure.weights),
                "bias": model.sure.bias,
                "threshold": cut[0],
            },
            "any": {
                "weights": list(model.any.weights),
                "bias": model.any.bias,
                "threshold": cut[1],
            },
            "suggest": cut[2],
        }
    if not quiet:
        print(f"rank weights {dict(zip(fitted.SIGNALS, weights, strict=True))}")
        for shape in fitted.SHAPES:
            c = content[shape]
            print(
                f"{shape}: {c['cases']} cases, sure >= {c['sure']['threshold']:.3f}, "
                f"unsure >= {c['any']['threshold']:.3f}, offer >= {c['suggest']:.3f}"
            )
        report(rows, lv, "Out-of-fold figures on the tuning sets (folds grouped by tip)")
    return content, rows, lv


def fitted_placeholder() -> dict:
    """Decision models that are never used: collect() only retrieves."""
    n = len(fitted.FEATURES)
    part = fitted.Logistic((0.0,) * n, 0.0, 0.5)
    shape = fitted.ShapeModel((0.0,) * n, (1.0,) * n, part, part, 0.5)
    return {s: shape for s in fitted.SHAPES}


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fit_answers")
    parser.add_argument("--write", action="store_true", help=f"write {OUT}")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    content, _, _ = fit(folds=args.folds)
    if args.write:
        OUT.write_text(json.dumps(content, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
