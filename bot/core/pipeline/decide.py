"""Stage 3: decide. The answer's one level, from features of the ranking and the message's shape.

Two logistic models per message shape (`short`: a question typed to the bot; `long`: a
shortcut on someone's message, or a mention or DM of more than `long_words` words) read the
features in `FEATURES`: P(the first tip is right) decides "sure", and P(a right tip is among
the first three) decides "unsure" (offer them to pick from); below both, the message is
declined. Their coefficients and cut-offs are in `bot/core/data/answer_model.json`, fitted by
`python -m benchmarks.fit_answers` by cross-validation on the tuning sets only.

Not-covered subjects (`decline_topics.yaml`): how much more the message resembles a subject's
examples than the best tip is a feature of the models (`topic_gap`), and a decline names the
subject when that gap is clear (`topic_floor`, `topic_margin`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy

from bot.core.pipeline import fitted
from bot.core.pipeline.answer import NONE, SHORTCUT, SURE, UNSURE, Answer
from bot.core.pipeline.config import AnswerConfig
from bot.core.pipeline.fitted import FEATURES
from bot.core.pipeline.normalise import Message
from bot.core.pipeline.retrieve import Index, Retrieval
from bot.core.pipeline.wordlists import DeclineTopic


@dataclass(frozen=True)
class TopicMatch:
    """The not-covered subject a message is most like, how much, and how much the best tip
    itself speaks of that subject (cosines)."""

    name: str | None
    similarity: float
    covered: float = 0.0


class Topics:
    """The decline topics, their examples' vectors, and how near each tip is to each topic.

    A tip's nearness to a subject (its best cosine with the subject's examples) is what lets
    a tip on pricing answer pricing questions: the gap that declines a message is measured
    against the better of the message's similarity to the tip and the tip's to the subject.
    """

    def __init__(self, topics: Sequence[DeclineTopic], index: Index) -> None:
        self.topics = tuple(t for t in topics if t.examples)
        self._owners = [i for i, t in enumerate(self.topics) for _ in t.examples]
        examples = [e for t in self.topics for e in t.examples]
        self._vectors = index.encode(examples) if examples and len(index) else None
        self._near: Any = None  # (tips, topics); set whenever `_vectors` is
        if self._vectors is not None:
            per_example = index.similarity(self._vectors)  # (examples, tips)
            owners = numpy.asarray(self._owners)
            self._near = numpy.stack(
                [per_example[owners == i].max(axis=0) for i in range(len(self.topics))], axis=1
            )

    def match(self, retrieval: Retrieval) -> TopicMatch:
        """The subject the message (or one of its sentences) most resembles."""
        vectors = retrieval.unit_vectors
        if self._vectors is None or vectors is None:
            return TopicMatch(None, 0.0)
        sims = (vectors @ self._vectors.T).max(axis=0)
        best = int(numpy.argmax(sims))
        topic = self._owners[best]
        cands = retrieval.candidates
        covered = float(self._near[cands[0].doc, topic]) if cands else 0.0
        return TopicMatch(self.topics[topic].name, float(sims[best]), covered)


def shape(message: Message, config: AnswerConfig) -> str:
    """ "long" for a shortcut or a message of more than `long_words` words, else "short"."""
    if message.surface == SHORTCUT or message.words > config.long_words:
        return "long"
    return "short"


def features(retrieval: Retrieval, index: Index, topic: TopicMatch) -> list[float]:
    """The decision features (FEATURES order) of a retrieval's first tip."""
    words = max(1, retrieval.message.words)
    if not retrieval.candidates:
        return [0.0] * (len(FEATURES) - 1) + [math.log2(words)]
    first = retrieval.candidates[0]
    second = retrieval.candidates[1] if len(retrieval.candidates) > 1 else None
    sem = max(first.signals[1], first.signals[2])
    others = [max(c.signals[1], c.signals[2]) for c in retrieval.candidates[1:]]
    topic_hit, rare_cover, unknown_rare = index.lexical.evidence(retrieval.lexical, first.doc)
    return [
        first.score,
        first.score - (second.score if second else 0.0),
        first.signals[0],
        sem,
        sem - max(others, default=0.0),
        topic_hit,
        rare_cover,
        unknown_rare,
        topic.similarity - max(sem, topic.covered),
        math.log2(words),
    ]


class Decider:
    """Turns a retrieval into an Answer at one level."""

    def __init__(
        self,
        index: Index,
        topics: Topics,
        config: AnswerConfig,
        models: dict[str, fitted.ShapeModel] | None = None,
    ) -> None:
        self.index = index
        self.topics = topics
        self.config = config
        self.models = models if models is not None else fitted.load(config.model_file).shapes

    def decide(self, retrieval: Retrieval, *, limit: int = 3) -> Answer:
        """Stage 3: the answer to a retrieved message; `limit` tips at most in `matches`."""
        message = retrieval.message
        cands = retrieval.candidates
        topic = self.topics.match(retrieval)
        feats = features(retrieval, self.index, topic)
        model = self.models[shape(message, self.config)]
        z = model.standardise(feats)
        p_sure, p_any = model.sure.probability(z), model.any.probability(z)
        matches = [(c.tip, c.score) for c in cands[: max(limit, 1)]]
        base: dict[str, Any] = dict(
            question=message.text, surface=message.surface, features=tuple(feats)
        )
        if not cands:
            return Answer(**base, level=NONE, reason="empty")
        if p_sure >= model.sure.threshold:
            return Answer(**base, level=SURE, matches=matches[:limit], reason="model")
        if p_any >= model.any.threshold:
            return Answer(**base, level=UNSURE, matches=matches[:limit], reason="model")
        named = topic.name if self._names(topic, feats) else None
        offered = matches[:limit] if p_any >= model.suggest and named is None else []
        return Answer(**base, level=NONE, matches=offered, topic=named, reason="model")

    def _names(self, topic: TopicMatch, feats: Sequence[float]) -> bool:
        """Whether a decline should name the subject: the message is clearly about it."""
        gap = feats[FEATURES.index("topic_gap")]
        return (
            topic.name is not None
            and topic.similarity >= self.config.topic_floor
            and gap >= self.config.topic_margin
        )
