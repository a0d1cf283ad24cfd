"""The pipeline's fitted parameters: rank weights and the decision models, from one data file.

`bot/core/data/answer_model.json` is written by `python -m benchmarks.fit_answers`, which fits
everything by cross-validation on the tuning sets only, never on a held-out set, and records
which sets and how many cases it used.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
SHAPES = ("short", "long")
# What retrieve.Index scores each candidate tip on (each 0..1), in rank-weight order.
SIGNALS = ("lexical", "sem_question", "sem_body")
# What decide.features reads off a ranking, in decision-weight order.
FEATURES = (
    "score",  # the first tip's rank score
    "margin",  # ... minus the second's
    "lexical",  # the first tip's lexical signal
    "semantic",  # its best semantic similarity (nearest curated question or body)
    "sem_margin",  # ... minus the best of any other tip
    "topic_hit",  # a specific word of the message matched it
    "rare_cover",  # share of the message's specific words it covers
    "unknown_rare",  # rare words the base does not know at all
    "topic_gap",  # how much more the message resembles a not-covered subject than the tip
    #                (or than the tip resembles that subject: a tip on pricing covers pricing)
    "length",  # log2 of the message's words
)


@dataclass(frozen=True)
class Logistic:
    """One fitted logistic model: weights over standardised features, a bias, a cut-off."""

    weights: tuple[float, ...]
    bias: float
    threshold: float

    def probability(self, z: Sequence[float]) -> float:
        """P(yes) for standardised features."""
        s = self.bias + sum(w * x for w, x in zip(self.weights, z, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, s))))


@dataclass(frozen=True)
class ShapeModel:
    """The decision for one message shape: feature scaling, the two models, the offer cut."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    sure: Logistic  # P(the first tip is right)
    any: Logistic  # P(a right tip is among the first three)
    suggest: float  # on a decline, offer the closest tips when P(any) is at least this

    def standardise(self, features: Sequence[float]) -> list[float]:
        """Features scaled as the models were fitted."""
        return [(x - m) / s for x, m, s in zip(features, self.mean, self.scale, strict=True)]


def _logistic(where: str, part: dict) -> Logistic:
    weights = tuple(float(w) for w in part["weights"])
    if len(weights) != len(FEATURES):
        raise ValueError(f"{where}: {len(weights)} weights for {len(FEATURES)} features")
    return Logistic(weights, float(part["bias"]), float(part["threshold"]))


def _shape(shape: str, d: dict) -> ShapeModel:
    return ShapeModel(
        mean=tuple(float(x) for x in d["mean"]),
        scale=tuple(float(x) or 1.0 for x in d["scale"]),
        sure=_logistic(f"{shape}.sure", d["sure"]),
        any=_logistic(f"{shape}.any", d["any"]),
        suggest=float(d["suggest"]),
    )


@dataclass(frozen=True)
class AnswerModel:
    """Everything fitted: rank weights (retrieve.SIGNALS order) and one ShapeModel per shape."""

    signals: tuple[str, ...]
    rank_weights: tuple[float, ...]
    features: tuple[str, ...]
    shapes: dict[str, ShapeModel]


@cache
def load(name: str = "answer_model.json") -> AnswerModel:
    """The fitted models shipped in bot/core/data/, read once.

    Raises ValueError naming the file when it is missing a field or has the wrong number of
    weights (refit with `python -m benchmarks.fit_answers`).
    """
    path = DATA / name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"features {data['features']} are not {list(FEATURES)}")
        if tuple(data["signals"]) != SIGNALS:
            raise ValueError(f"signals {data['signals']} are not {list(SIGNALS)}")
        weights = tuple(float(w) for w in data["rank_weights"])
        if len(weights) != len(SIGNALS):
            raise ValueError(f"{len(weights)} rank weights for {len(SIGNALS)} signals")
        out = {shape: _shape(shape, data[shape]) for shape in SHAPES}
        return AnswerModel(SIGNALS, weights, FEATURES, out)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(
            f"{path}: unreadable decision model ({exc}); "
            "refit it with `python -m benchmarks.fit_answers`"
        ) from exc
