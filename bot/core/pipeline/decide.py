"""Stage 3: decide. The answer's one level, from features of the ranking and the message's shape.

Two logistic models per message shape (`short`: a question typed to the bot; `long`: a
shortcut on someone's message, or a mention or DM of more than `long_words` words) read the
features in `FEATURES`: P(the first tip is right) decides "sure", and P(a right tip is among
the first three) decides "unsure" (offer them to pick from); below both, the message is
declined. Their coefficients and cut-offs are in `bot/core/data/answer_model.json`, fitted by
`python -m benchmarks.fit_answers` by cross-validation on the tuning sets only.

Not-covered subjects (`decline_topics.yaml`) come in twice: a trigger phrase in the message
that the best tip's own words lack declines it outright, naming the subject; how much more the
message resembles a subject's examples than the best tip is a feature of the models, and a
decline names the subject when that gap is clear (`topic_floor`, `topic_margin`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy

from bot.core.pipeline import fitted
from bot.core.pipeline.answer import NONE, SHORTCUT, SURE, UNSURE, Answer
from bot.core.pipeline.config import AnswerConfig
from bot.core.pipeline.fitted import FEATURES
from bot.core.pipeline.normalise import Message, Normaliser
from bot.core.pipeline.retrieve import Index, Retrieval
from bot.core.pipeline.wordlists import DeclineTopic


@dataclass(frozen=True)
class TopicMatch:
    """The not-covered subject a message is most about, and how strongly."""

    name: str | None
    similarity: float  # the best cosine between the message (or a sentence) and an example
    triggered: bool  # a trigger phrase occurs in the message and not in the best tip


class Topics:
    """The decline topics, with their examples' vectors and their triggers' terms."""

    def __init__(
        self, topics: Sequence[DeclineTopic], normaliser: Normaliser, index: Index
    ) -> None:
        self.topics = tuple(topics)
        self.normaliser = normaliser
        self._triggers = [
            (t.name, tuple(normaliser.term_list(trigger)))
            for t in self.topics
            for trigger in t.triggers
        ]
        self._triggers = [(name, key) for name, key in self._triggers if key]
        owners, examples = [], []
        for t in self.topics:
            for example in t.examples:
                owners.append(t.name)
                examples.append(example)
        self._owners = owners
        self._vectors = index.encode(examples) if examples else None

    def match(self, retrieval: Retrieval, tip_terms: Sequence[str]) -> TopicMatch:
        """The subject of a message, given the best tip's terms (a trigger they hold is moot)."""
        name, similarity = None, 0.0
        vectors = retrieval.unit_vectors
        if self._vectors is not None and vectors is not None and len(self._owners):
            sims = (vectors @ self._vectors.T).max(axis=0)
            best = int(numpy.argmax(sims))
            name, similarity = self._owners[best], float(sims[best])
        message = [t.term for t in retrieval.lexical.terms]
        for topic, key in self._triggers:
            if _occurs(key, message) and not _occurs(key, tip_terms):
                return TopicMatch(topic, similarity, True)
        return TopicMatch(name, similarity, False)


def _occurs(key: Sequence[str], terms: Sequence[str], *, gap: int = 2) -> bool:
    """Whether `key`'s terms occur in `terms` in order, each within `gap` terms of the last."""
    first = key[0]
    for start, term in enumerate(terms):
        if term != first:
            continue
        at = start
        for want in key[1:]:
            window = terms[at + 1 : at + 2 + gap]
            if want not in window:
                break
            at = at + 1 + list(window).index(want)
        else:
            return True
    return False


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
    sem = max(first.signals[2], first.signals[3])
    others = [max(c.signals[2], c.signals[3]) for c in retrieval.candidates[1:]]
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
        topic.similarity - sem,
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
        first_terms = self.index.lexical.terms_of(cands[0].doc) if cands else ()
        topic = self.topics.match(retrieval, first_terms)
        feats = features(retrieval, self.index, topic)
        model = self.models[shape(message, self.config)]
        z = model.standardise(feats)
        p_sure, p_any = model.sure.probability(z), model.any.probability(z)
        matches = [(c.tip, c.score) for c in cands[: max(limit, 1)]]
        base = dict(question=message.text, surface=message.surface, features=tuple(feats))
        if not cands:
            return Answer(**base, level=NONE, reason="empty")
        if topic.triggered:
            return Answer(**base, level=NONE, topic=topic.name, reason="topic")
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
