"""Decide answer / unsure / decline from a few features of a match, with a fitted model.

A tiny rule comes first: no specific topic word matched, no answer. Past it, a plain
logistic regression gives P(the first tip is right) from the features in FEATURES: our best
score and its margin, how much of the question's rare vocabulary the tip covers, unknown rare
words, and whether plain BM25 backs the same tip with a clear lead of its own. Its
coefficients and the two cut-offs live in bot/core/data/confidence.json, written by
`python -m benchmarks.fit_confidence`, which fits them by cross-validation on the tuning sets
only (curated questions left out one at a time, dev.yaml, own.yaml, tune.yaml), never on the
held-out set."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MODEL_FILE = Path(__file__).resolve().parent / "data" / "confidence.json"
FEATURES = (
    "best",
    "margin",
    "rare_cover",
    "topic_hit",
    "unknown_rare",
    "bm25_agree",
    "bm25_margin",
)
SURE, UNSURE, NONE = "sure", "unsure", "none"


@dataclass(frozen=True)
class Model:
    """Logistic-regression weights (one per feature), a bias, and the two cut-offs."""

    weights: tuple[float, ...]
    bias: float
    sure: float  # P at or above which the first tip is shown as the answer
    unsure: float  # P at or above which the closest tips are offered as "not sure"

    def probability(self, features: Sequence[float]) -> float:
        """P(the first tip is right) for one feature vector (in FEATURES order)."""
        z = self.bias + sum(w * x for w, x in zip(self.weights, features, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def level(self, features: Sequence[float]) -> str:
        """The level for one feature vector: "sure", "unsure" or "none".

        A question where no specific topic word matched the tip is declined outright: on
        the tuning sets that is 13 of 14 off-topic questions and under 2 % of answerable
        ones with the right tip first, a split no linear weight finds among the others.
        """
        if not gated_in(features):
            return NONE
        p = self.probability(features)
        if p >= self.sure:
            return SURE
        return UNSURE if p >= self.unsure else NONE


def gated_in(features: Sequence[float]) -> bool:
    """Whether a specific topic word matched (the rule before the regression)."""
    return features[FEATURES.index("topic_hit")] >= 0.5


@cache
def model() -> Model:
    """The shipped model, read once from MODEL_FILE.

    Raises ValueError naming the file when it is missing a field or has the wrong number of
    weights (refit with `python -m benchmarks.fit_confidence`).
    """
    try:
        data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
        weights = tuple(float(data["weights"][name]) for name in FEATURES)
        return Model(
            weights=weights,
            bias=float(data["bias"]),
            sure=float(data["sure"]),
            unsure=float(data["unsure"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(
            f"{MODEL_FILE}: unreadable confidence model ({exc!r}); "
            "refit it with `python -m benchmarks.fit_confidence`"
        ) from exc


def fit(
    rows: Sequence[Sequence[float]],
    labels: Sequence[int],
    *,
    weights: Sequence[float] | None = None,
    l2: float = 0.001,
    steps: int = 4000,
    rate: float = 1.0,
) -> tuple[list[float], float]:
    """Fit logistic-regression weights and bias by gradient descent (plain Python).

    `weights` are per-example weights (default 1); `l2` penalises large coefficients so a
    handful of negatives cannot push one feature to an extreme. Deterministic.
    """
    n_feat = len(rows[0]) if rows else 0
    ex_w = list(weights) if weights is not None else [1.0] * len(rows)
    total = sum(ex_w) or 1.0
    w = [0.0] * n_feat
    b = 0.0
    for _ in range(steps):
        grad_w = [0.0] * n_feat
        grad_b = 0.0
        for x, y, ew in zip(rows, labels, ex_w, strict=True):
            z = b + sum(wi * xi for wi, xi in zip(w, x, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            err = (p - y) * ew
            grad_b += err
            for i in range(n_feat):
                grad_w[i] += err * x[i]
        for i in range(n_feat):
            w[i] -= rate * (grad_w[i] / total + l2 * w[i])
        b -= rate * grad_b / total
    return w, b
