"""The Slack-free core the adapters call: settings, storage and the live tip base together."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from bot.core import gaps, ratings
from bot.core.library import Library
from bot.core.matcher import Answer
from bot.settings import Settings
from bot.store import Store

log = logging.getLogger(__name__)
BOOST_TTL_SECONDS = 10.0


@dataclass
class Coach:
    """What every surface (Slack, terminal, playground) shares."""

    settings: Settings
    store: Store
    library: Library
    _boosts: tuple[float, dict[str, float]] = field(default=(float("-inf"), {}), repr=False)

    @classmethod
    def open(cls, settings: Settings) -> Coach:
        """Load the knowledge folder and open the database named by the settings.

        Raises KnowledgeError or StoreError with messages naming the file and the fix.
        """
        store = Store.open(settings.db_path)
        try:
            library = Library(settings.knowledge_dir, team=store)
        except BaseException:
            store.close()
            raise
        return cls(settings=settings, store=store, library=library)

    def ask(
        self, question: str, *, user: str | None = None, limit: int = 3, record_gap: bool = True
    ) -> Answer:
        """Answer a question from the base; an unanswered one is kept as a gap.

        This is the one place a question is cut: to `settings.max_question` characters,
        never refused. Ratings only break near-ties between answers. `record_gap=False`
        keeps an unanswered question out of the gaps (e.g. a curator trying the base).
        """
        question = question.strip()[: self.settings.max_question]
        answer = self.library.matcher.answer(question, limit=limit, boost=self.rating_boosts())
        if not answer.answered and record_gap:
            try:
                gaps.record(
                    self.store,
                    question,
                    user=user,
                    log_questions=self.settings.log_questions,
                    log_users=self.settings.log_users,
                )
            except Exception:
                log.exception("could not record an unanswered question")
        return answer

    def rating_boosts(self) -> dict[str, float]:
        """Per-tip nudges from the team's ratings, re-read at most every few seconds.

        Ratings only break near-ties, so a few seconds' lag is harmless, and it keeps an
        aggregate query off every answer's path.
        """
        loaded_at, nudges = self._boosts
        if time.monotonic() - loaded_at < BOOST_TTL_SECONDS:
            return nudges
        try:
            nudges = ratings.boosts(self.store.tip_tallies())
        except Exception:  # ratings are a nicety here; an answer must not fail for them
            log.exception("could not read ratings for ranking")
        self._boosts = (time.monotonic(), nudges)
        return nudges

    def close(self) -> None:
        """Close the database cleanly."""
        self.store.close()
