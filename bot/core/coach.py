"""The Slack-free core the adapters call: settings, storage and the live tip base together."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from bot.core import gaps, learned, levels, ratings
from bot.core.library import Library
from bot.core.matcher import Answer
from bot.settings import Settings
from bot.store import Store

log = logging.getLogger(__name__)
BOOST_TTL_SECONDS = 10.0
OFFER_WINDOW = 3  # the tips an answer offers; a mismatch leaves the rest of these, no others
LESSONS_TTL_SECONDS = 10.0  # other processes' clicks reach this one within this time


@dataclass
class Coach:
    """What every surface (Slack, terminal, playground) shares."""

    settings: Settings
    store: Store
    library: Library
    _boosts: tuple[float, dict[str, float]] = field(default=(float("-inf"), {}), repr=False)
    _lessons: tuple[float, learned.Lessons | None] = field(
        default=(float("-inf"), None), repr=False
    )

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
        never refused. Ratings only break near-ties between answers; learned pairs (people's
        "Not what I asked" and picks) then move or leave out tips, see `bot.core.learned`.
        `record_gap=False` keeps an
        unanswered question out of the gaps (e.g. a curator trying the base).
        """
        question = question.strip()[: self.settings.max_question]
        matcher = self.library.matcher
        lesson = self.lessons().lookup(question)
        # Learned pairs only take tips away from what the matcher would offer (or put a
        # confirmed one first); they never bring up a tip it ranked below the usual few.
        window = max(limit, OFFER_WINDOW) if lesson else limit
        answer = matcher.answer(question, limit=window, boost=self.rating_boosts())
        answer = learned.apply(answer, lesson, self.library.base)
        answer = levels.with_level(answer, levels.level(answer), matches=answer.matches[:limit])
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

    def lessons(self) -> learned.Lessons:
        """The learned pairs, re-read at most every few seconds (at once after `teach`)."""
        loaded_at, lessons = self._lessons
        if lessons is not None and time.monotonic() - loaded_at < LESSONS_TTL_SECONDS:
            return lessons
        try:
            lessons = learned.Lessons(self.store.learned())
        except Exception:  # learning is a nicety here; an answer must not fail for it
            log.exception("could not read learned pairs")
            lessons = lessons or learned.Lessons([])
        self._lessons = (time.monotonic(), lessons)
        return lessons

    def teach(self, question: str, tip_id: str, verdict: str, *, user: str | None = None) -> bool:
        """Record that `tip_id` is ("match") or is not ("mismatch") what `question` asked.

        Kept only when the settings keep questions (`log_questions`); the user id only with
        `log_users`. Returns whether it was kept. Never counts for or against the tip's
        ratings. Raises ValueError for an unknown verdict or an empty question.
        """
        if not self.settings.log_questions:
            return False
        learned.record(
            self.store,
            question[: self.settings.max_question],
            tip_id,
            verdict,
            user=user if self.settings.log_users else None,
        )
        self._lessons = (float("-inf"), self._lessons[1])
        return True

    def close(self) -> None:
        """Close the database cleanly."""
        self.store.close()
