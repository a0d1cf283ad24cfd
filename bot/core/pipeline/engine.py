"""What answering needs for one tip base, built once per base and swapped whole on a reload."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.knowledge import Tip
from bot.core.pipeline import fitted, semantic, wordlists
from bot.core.pipeline.answer import SLASH, Answer
from bot.core.pipeline.config import DEFAULT, AnswerConfig
from bot.core.pipeline.decide import Decider, Topics
from bot.core.pipeline.normalise import Normaliser
from bot.core.pipeline.retrieve import Index
from bot.core.pipeline.wordlists import WordLists


@dataclass(frozen=True)
class Engine:
    """The normaliser, the index over the live tips and the decider, for one base."""

    config: AnswerConfig
    normaliser: Normaliser
    index: Index
    decider: Decider

    @classmethod
    def build(
        cls,
        tips: Sequence[Tip],
        *,
        config: AnswerConfig = DEFAULT,
        lists: WordLists | None = None,
        encoder: semantic.Encoder | None = None,
        model: fitted.AnswerModel | None = None,
    ) -> Engine:
        """Index `tips` with the shipped lists and fitted model unless others are given.

        With `config.semantic` the process's shared encoder is used (loaded on first use);
        raises `semantic.EncoderError` when it cannot be loaded.
        """
        lists = lists if lists is not None else wordlists.shipped()
        model = model if model is not None else fitted.load(config.model_file)
        if config.semantic and encoder is None:
            encoder = semantic.shared()
        normaliser = Normaliser(lists)
        index = Index(
            tips, normaliser=normaliser, config=config, encoder=encoder, weights=model.rank_weights
        )
        topics = Topics(lists.decline_topics, index)
        return cls(config, normaliser, index, Decider(index, topics, config, model.shapes))

    @property
    def tips(self) -> list[Tip]:
        """The tips this engine answers from (sorted by id)."""
        return self.index.tips

    def answer(self, text: str, *, surface: str = SLASH, limit: int = 3) -> Answer:
        """Stages 1-3 for one message: normalise, retrieve, decide (what nobody taught yet).

        `Coach.ask` adds stage 4 (what people taught, ratings); callers that judge the base
        itself (a saved tip answering open questions, benchmarks) stop here.
        """
        message = self.normaliser.message(text, surface)
        found = self.index.retrieve(message, limit=limit + 3)
        return self.decider.decide(found, limit=limit)
