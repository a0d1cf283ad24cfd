"""Fit the answer / unsure / decline model on the tuning sets and store it in the repo.

    python -m benchmarks.fit_confidence [--knowledge DIR] [--dry-run]

Examples come only from sets we may tune on, never from holdout.yaml:

* every curated question in knowledge/, asked with that question left out of its tip
  (positive when its tip comes first);
* the same questions asked with their whole tip left out (a stand-in for "the base has no
  tip on this"; weighted LOTO_WEIGHT, since another tip sometimes answers them well);
* dev.yaml, own.yaml and tune.yaml (answerable ones positive when a right tip comes first;
  off-topic and not-covered ones negative).

Rows a decline topic (`bot.core.topics`) already declines are left out of the fit: the rule
decides them, whatever the model says.

A logistic regression (`bot.core.confidence.fit`) is fitted in FOLDS folds grouped by tip;
the out-of-fold probabilities choose the two cut-offs: "unsure" is the highest that declines at
most MAX_DECLINED of the answerable questions, and "sure" is the lowest whose first tips are
right at least SURE_PRECISION of the time. The final weights are fitted on
everything and written with the cut-offs to bot/core/data/confidence.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from dataclasses import replace
from pathlib import Path

from benchmarks.matching import (
    DEFAULT_KNOWLEDGE,
    TUNING_QUESTIONS,
    hits,
    load_questions,
)
from bot.core import confidence, knowledge
from bot.core.knowledge import Tip
from bot.core.matcher import Matcher

FOLDS = 5
LOTO_WEIGHT = 0.25
SURE_PRECISION = 0.9
MAX_DECLINED = 0.05  # cross-validated share of answerable questions we accept to decline


def examples(tips: list[Tip]) -> list[dict]:
    """Feature rows with label, weight, group and kind, from the tuning sets only."""
    rows = []
    full = Matcher(tips)
    for i, tip in enumerate(tips):
        without_tip = Matcher(tips[:i] + tips[i + 1 :])
        for j, q in enumerate(tip.questions):
            held = replace(tip, questions=tip.questions[:j] + tip.questions[j + 1 :])
            ans = Matcher(tips[:i] + [held] + tips[i + 1 :]).answer(q)
            first = bool(ans.matches) and ans.matches[0][0].id == tip.id
            rows.append(_row(ans, int(first), 1.0, tip.id, "answerable"))
            gone = without_tip.answer(q)
            rows.append(_row(gone, 0, LOTO_WEIGHT, tip.id, "loto"))
    ids = {t.id for t in tips}
    for path in TUNING_QUESTIONS:
        for n, case in enumerate(load_questions(path, ids).cases):
            ans = full.answer(case.q)
            group = f"{path.name}#{n % FOLDS}"
            if case.none:
                rows.append(_row(ans, 0, 1.0, group, "negative"))
            else:
                first = bool(ans.matches) and hits(ans.matches[0][0], case)
                rows.append(_row(ans, int(first), 1.0, group, "answerable"))
    return rows


def _row(ans, label: int, weight: float, group: str, kind: str) -> dict:
    feats = list(ans.features) or [0.0] * len(confidence.FEATURES)
    return {"x": feats, "y": label, "w": weight, "group": group, "kind": kind, "topic": ans.topic}


def _fold(group: str) -> int:
    return zlib.crc32(group.encode()) % FOLDS


def modelled(row: dict) -> bool:
    """Whether the model decides this row: not gated out, and no decline topic fired.

    A question a not-covered topic declines is declined whatever the model says, so it
    must not pull the weights (tune.yaml's not-covered questions would otherwise teach the
    model what the topic list already handles).
    """
    return confidence.gated_in(row["x"]) and row["topic"] is None


def out_of_fold(rows: list[dict]) -> list[float]:
    """Each row's probability from a model fitted on the other folds (0 when not modelled)."""
    probs = [0.0] * len(rows)
    for k in range(FOLDS):
        train = [r for r in rows if _fold(r["group"]) != k and modelled(r)]
        w, b = confidence.fit(
            [r["x"] for r in train], [r["y"] for r in train], weights=[r["w"] for r in train]
        )
        model = confidence.Model(tuple(w), b, 1.0, 1.0)
        for i, r in enumerate(rows):
            if _fold(r["group"]) == k and modelled(r):
                probs[i] = model.probability(r["x"])
    return probs


def choose_cutoffs(rows: list[dict], probs: list[float]) -> tuple[float, float, dict]:
    """The (sure, unsure) cut-offs and the cross-validated figures they give."""
    grid = [i / 100 for i in range(5, 96)]
    answerable = [(p, r) for p, r in zip(probs, rows, strict=True) if r["kind"] == "answerable"]
    negatives = [(p, r) for p, r in zip(probs, rows, strict=True) if r["kind"] != "answerable"]
    neg_w = sum(r["w"] for _, r in negatives) or 1.0

    def declined(t: float) -> float:
        return sum(p < t for p, _ in answerable) / max(len(answerable), 1)

    # The highest cut-off that still shows a tip for all but MAX_DECLINED of the answerable
    # questions: declining is for questions the base has nothing on, which the negatives and
    # the decline topics stand for.
    unsure = max((t for t in grid if declined(t) <= MAX_DECLINED), default=grid[0])
    # probs are 0 for gated-out rows, so they count as declined at every cut-off.
    sure = next(
        (
            t
            for t in grid
            if t >= unsure
            and (shown := [r["y"] for p, r in answerable if p >= t])
            and sum(shown) / len(shown) >= SURE_PRECISION
        ),
        grid[-1],
    )
    figures = {
        "answerable": len(answerable),
        "negatives": len(negatives),
        "answerable_declined": round(sum(p < unsure for p, _ in answerable) / len(answerable), 3),
        "negatives_answered_weighted": round(
            sum(r["w"] for p, r in negatives if p >= unsure) / neg_w, 3
        ),
        "off_topic_answered": sum(
            1 for p, r in negatives if r["kind"] == "negative" and p >= unsure
        ),
        "off_topic": sum(1 for _, r in negatives if r["kind"] == "negative"),
        "sure_share_of_answerable": round(
            sum(p >= sure for p, _ in answerable) / len(answerable), 3
        ),
    }
    return sure, unsure, figures


def main(argv: list[str] | None = None) -> int:
    """Fit, print the cross-validated figures, and write the model unless --dry-run."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fit_confidence")
    parser.add_argument("--knowledge", type=Path, default=DEFAULT_KNOWLEDGE)
    parser.add_argument("--dry-run", action="store_true", help="print, do not write the model")
    args = parser.parse_args(argv)
    tips = knowledge.load(args.knowledge).live_tips
    rows = examples(tips)
    probs = out_of_fold(rows)
    sure, unsure, figures = choose_cutoffs(rows, probs)
    gated = [r for r in rows if modelled(r)]
    w, b = confidence.fit(
        [r["x"] for r in gated], [r["y"] for r in gated], weights=[r["w"] for r in gated]
    )
    data = {
        "weights": {name: round(v, 4) for name, v in zip(confidence.FEATURES, w, strict=True)},
        "bias": round(b, 4),
        "sure": sure,
        "unsure": unsure,
        "fitted_by": "python -m benchmarks.fit_confidence (tuning sets only, never holdout)",
        "cross_validated": figures,
    }
    print(json.dumps(data, indent=2))
    if not args.dry_run:
        confidence.MODEL_FILE.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {confidence.MODEL_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
