"""The Slack-free core the adapters call: settings, storage and the live tip base together."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import cast

from bot.core import gaps, ratings
from bot.core.library import Library
from bot.core.pipeline import adjust
from bot.core.pipeline.answer import SLASH, Answer
from bot.settings import Settings
from bot.store import Offer, Store
from bot.store.privacy import pseudonym

log = logging.getLogger(__name__)
BOOST_TTL_SECONDS = 10.0
LESSONS_TTL_SECONDS = 2.0  # other processes' clicks reach this one within this time
MATCH, MISMATCH = adjust.MATCH, adjust.MISMATCH

# What `Coach.teach` says happened to a click.
LEARNED = "learned"  # kept: this person's answers change at once
NOT_KEPT = "not kept"  # the workspace keeps no questions (COACH_LOG_QUESTIONS=0)
TOO_MANY = "too many"  # this person taught `teach_per_hour` times in the last hour
NOT_YOURS = "not yours"  # someone else asked: only the asker teaches on their question
NOT_OFFERED = "not offered"  # the tip was not among those the answer offered


@dataclass
class Coach:
    """What every surface (Slack, terminal, playground) shares."""

    settings: Settings
    store: Store
    library: Library
    _boosts: tuple[float, dict[str, float]] = field(default=(float("-inf"), {}), repr=False)
    _lessons: adjust.Lessons | None = field(default=None, repr=False)
    _lessons_state: tuple[int, int, float] = field(default=(-1, -1, float("-inf")), repr=False)
    _lessons_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

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

    @property
    def config(self):
        """The answer pipeline's parameters (`AnswerConfig`)."""
        return self.library.engine.config

    def person(self, user: str | None) -> str | None:
        """How a person is kept: their id, or (COACH_LOG_USERS=0) a stable pseudonym."""
        if not user:
            return None
        return user if self.settings.log_users else pseudonym(user)

    def ask(
        self,
        question: str,
        *,
        user: str | None = None,
        surface: str = SLASH,
        limit: int = 3,
        record_gap: bool = True,
    ) -> Answer:
        """Answer a message from the base: normalise, retrieve, decide, adjust.

        This is the one place a message is cut: to `settings.max_question` characters, never
        refused. `surface` is where it was asked (slash, mention, dm, shortcut): a long
        message is decided as one. An unanswered question is kept as a gap unless
        `record_gap=False` (e.g. a curator trying the base).
        """
        question = question.strip()[: self.settings.max_question]
        engine = self.library.engine
        wide = max(limit, 3) + 3  # lessons may take tips away: decide on a few more
        message = engine.normaliser.message(question, surface)  # 1. normalise
        found = engine.index.retrieve(message, limit=wide + 3)  # 2. retrieve
        answer = engine.decider.decide(found, limit=wide)  # 3. decide
        lessons = self.lessons()
        with self._lessons_lock:
            lesson = lessons.lookup(message.key, self.person(user))
        answer = adjust.adjust(  # 4. adjust
            answer,
            lesson,
            served=self.library.base.served,
            boosts=self.rating_boosts(),
            config=engine.config,
            limit=limit,
        )
        answer = dataclasses.replace(answer, key=message.key)
        if not answer.answered and record_gap:
            try:
                gaps.record(
                    self.store,
                    question,
                    key=message.key,
                    user=user,
                    log_questions=self.settings.log_questions,
                    log_users=self.settings.log_users,
                )
            except Exception:
                log.exception("could not record an unanswered question")
        return answer

    def offer(
        self, answer: Answer, *, user: str | None, channel: str | None, count: bool = False
    ) -> Offer:
        """Keep what an answer shows (its tips, for whom), so its buttons can name just it.

        With COACH_LOG_QUESTIONS=0 the question itself is not kept. `count` also counts
        the question for `stats` (see `record_asked`) in the same write.
        """
        question = self._kept(answer)
        return self.store.add_offer(
            user=self.person(user),
            channel=channel,
            surface=answer.surface,
            question=question,
            tips=[t.id for t, _ in answer.matches],
            level=answer.level,
            keep_days=self.config.offer_days,
            asked={"key": answer.key, "question": question} if count else None,
        )

    def _kept(self, answer: Answer) -> str:
        """The question as it may be stored: as asked with COACH_LOG_QUESTIONS, else ''."""
        return answer.question if self.settings.log_questions else ""

    def record_asked(self, answer: Answer, *, offer_id: str | None) -> None:
        """Count one question answered in Slack for `stats` (the question only where kept)."""
        self.store.add_asked(
            surface=answer.surface,
            level=answer.level,
            key=answer.key,
            question=self._kept(answer),
            offer_id=offer_id,
        )

    def find_offer(self, offer_id: object) -> Offer | None:
        """The offer a button names, if it exists and has not expired."""
        return self.store.offer(offer_id, keep_days=self.config.offer_days)

    def is_asker(self, offer: Offer, user: str | None) -> bool:
        """Whether `user` is the person the offer answered."""
        return bool(user) and offer.user is not None and offer.user == self.person(user)

    def teach(self, offer: Offer, tip_ids: list[str], verdict: str, *, user: str) -> str:
        """Record that the tips are ("match") or are not ("mismatch") what the offer's asker asked.

        Accepted only from the person the offer answered and only for tips it offered;
        at most `teach_per_hour` lessons a person an hour. Returns LEARNED, NOT_KEPT,
        TOO_MANY, NOT_YOURS or NOT_OFFERED. Never counts for or against a tip's ratings.
        Raises ValueError for an unknown verdict.
        """
        if verdict not in (MATCH, MISMATCH):
            raise ValueError(f"verdict must be {MATCH!r} or {MISMATCH!r}, not {verdict!r}")
        if not tip_ids or any(t not in offer.tips for t in tip_ids):
            return NOT_OFFERED
        if not self.is_asker(offer, user):
            return NOT_YOURS
        if verdict == MISMATCH:  # counted for `stats` even where questions are not kept
            self.store.mark_mismatched(offer.id)
        if not self.settings.log_questions or not offer.question:
            return NOT_KEPT
        person = cast(str, self.person(user))  # is_asker: `user` is a non-empty id
        hour_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
        if self.store.taught_since(person, hour_ago) + len(tip_ids) > self.config.teach_per_hour:
            return TOO_MANY
        key = self.library.engine.normaliser.key(offer.question)
        if not key:
            return NOT_KEPT
        lessons = self.lessons()
        for tip_id in tip_ids:
            seq = self.store.teach(
                key=key, question=offer.question, tip_id=tip_id, user=person, verdict=verdict
            )
            with self._lessons_lock:
                lessons.add_teaching(
                    {"key": key, "tip_id": tip_id, "user": person, "verdict": verdict, "seq": seq}
                )
        return LEARNED

    def decide_pair(
        self, key: str, tip_id: str, *, verdict: str, approve: bool, curator: str, question: str
    ) -> None:
        """A curator approves a pair for everyone, or removes it for everyone."""
        state = adjust.APPROVED if approve else adjust.REMOVED
        seq = self.store.decide_pair(
            key=key, tip_id=tip_id, verdict=verdict, state=state, question=question, curator=curator
        )
        lessons = self.lessons()
        with self._lessons_lock:
            lessons.add_decision(
                {"key": key, "tip_id": tip_id, "state": state, "verdict": verdict, "seq": seq}
            )

    def lessons(self) -> adjust.Lessons:
        """The in-memory lessons, caught up with the database at most every couple of seconds.

        Only rows changed since the last look are read (their `seq`); a full reload happens
        only when rows were removed (clear, forget) or the word lists changed the keys.
        """
        generation, seq, checked = self._lessons_state
        if self._lessons is not None and time.monotonic() - checked < LESSONS_TTL_SECONDS:
            return self._lessons
        with self._lessons_lock:
            try:
                self._catch_up(generation, seq)
            except Exception:  # learning is a nicety here; an answer must not fail for it
                log.exception("could not read learned pairs")
                if self._lessons is None:
                    self._lessons = adjust.Lessons(agree_users=self.config.agree_users)
                self._lessons_state = (generation, seq, time.monotonic())
        return cast(adjust.Lessons, self._lessons)  # set by _catch_up, or just above

    def _catch_up(self, generation: int, seq: int) -> None:
        engine = self.library.engine
        self.store.rekey_learned(engine.normaliser.key, self.library.key_version)
        now_generation, now_seq = self.store.learning_state()
        if self._lessons is None or now_generation != generation:
            lessons = adjust.Lessons(agree_users=self.config.agree_users)
            lessons.extend(self.store.teachings(), self.store.pair_decisions())
            self._lessons = lessons
        elif now_seq > seq:
            since = min(seq, self._lessons.seq)
            self._lessons.extend(
                self.store.teachings(since=since), self.store.pair_decisions(since=since)
            )
        self._lessons_state = (now_generation, now_seq, time.monotonic())

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
