"""Learned pairs: what people told the bot about a question and a tip, applied to answers.

"Not what I asked" on tip T records a mismatch: the same or a near-identical question
(from anyone) no longer gets T first. Picking a tip from the closest few records a
confirmed match: that question gets that tip first, as a sure answer. Questions are
compared after `normalise`, with rapidfuzz's ratio; the latest verdict on a pair holds.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot.core import levels
from bot.core.knowledge import KnowledgeBase
from bot.core.matcher import Answer
from bot.store import Store
from bot.store.learned import MATCH, MISMATCH

NEAR = 90.0  # rapidfuzz ratio from which two normalised questions count as the same question
MAX_QUESTION = 500  # a learned question is kept to this many characters
_NON_WORD = re.compile(r"[^\w]+")

__all__ = ["MATCH", "MISMATCH", "NEAR", "Lesson", "Lessons", "apply", "normalise", "record"]


def normalise(question: str) -> str:
    """Lower-case words without punctuation or accents' variants: "What's  the IKEA effect?" -> "what s the ikea effect"."""
    text = unicodedata.normalize("NFKC", question or "").casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


@dataclass(frozen=True)
class Lesson:
    """What the learned pairs say about one question: a tip to put first, tips not to."""

    prefer: str | None = None
    avoid: frozenset[str] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return self.prefer is not None or bool(self.avoid)


class Lessons:
    """An in-memory index of learned pairs (rows of `Store.learned()`), searched per question."""

    def __init__(self, rows: Iterable[Mapping]):
        by_norm: dict[str, list[tuple[str, str, str]]] = {}
        for row in rows:
            by_norm.setdefault(row["norm"], []).append(
                (row["tip_id"], row["verdict"], row["last_at"] or "")
            )
        self._by_norm = by_norm
        self._norms = list(by_norm)

    def __len__(self) -> int:
        return sum(len(pairs) for pairs in self._by_norm.values())

    def lookup(self, question: str, *, score_cutoff: float = NEAR) -> Lesson:
        """The lesson for a question: from the nearest taught questions at or above `score_cutoff`.

        For each tip, the verdict taught on the nearest question holds (the latest on a tie);
        of the tips to prefer, the nearest and latest wins.
        """
        if not self._norms:
            return Lesson()
        norm = normalise(question)
        if not norm:
            return Lesson()
        if norm in self._by_norm:
            near = [(norm, 100.0)]
        else:
            near = [
                (choice, score)
                for choice, score, _ in process.extract(
                    norm, self._norms, scorer=fuzz.ratio, score_cutoff=score_cutoff, limit=None
                )
            ]
        verdicts: dict[str, tuple[float, str, str]] = {}
        for choice, score in near:
            for tip_id, verdict, at in self._by_norm[choice]:
                if (score, at) > verdicts.get(tip_id, (-1.0, "", ""))[:2]:
                    verdicts[tip_id] = (score, at, verdict)
        preferred = sorted(
            ((score, at, tip_id) for tip_id, (score, at, v) in verdicts.items() if v == MATCH),
            reverse=True,
        )
        return Lesson(
            prefer=preferred[0][2] if preferred else None,
            avoid=frozenset(t for t, (_, _, v) in verdicts.items() if v == MISMATCH),
        )


def apply(answer: Answer, lesson: Lesson, base: KnowledgeBase) -> Answer:
    """The answer after a lesson: the preferred tip first and sure, avoided tips left out.

    When the tip that would have come first is avoided, the rest of `answer.matches` are
    offered as "unsure", or the question is declined when none is left: no tip outside the
    answer is brought in, so the caller decides how many the matcher may offer (Coach.ask:
    the usual few). A preferred tip no longer served (gone, retired or a draft) is ignored.
    """
    current = levels.level(answer)
    if not lesson:
        return answer
    kept = [(tip, score) for tip, score in answer.matches if tip.id not in lesson.avoid]
    tip = base.served(lesson.prefer) if lesson.prefer else None  # never a draft or gone tip
    if tip is not None:
        scores = [score for t, score in answer.matches if t.id == tip.id]
        best = answer.matches[0][1] if answer.matches else 100.0
        first = (tip, scores[0] if scores else best)
        return levels.with_level(
            answer, levels.SURE, matches=[first] + [m for m in kept if m[0].id != tip.id]
        )
    if current == levels.SURE and answer.matches and answer.matches[0][0].id in lesson.avoid:
        current = levels.UNSURE
    return levels.with_level(answer, current, matches=kept)


def for_curators(store: Store, base: KnowledgeBase, *, limit: int | None = None) -> list[dict]:
    """Learned pairs as curators read them, most recently taught first.

    Each row: question, tip_id, title (or None for a tip no longer in the base), verdict,
    matched, mismatched, last_at, and `advice`: for a confirmed match, add the question to
    the tip's `questions`; for a mismatch, the question was answered wrongly by that tip.
    """
    rows = []
    for row in store.learned(limit=limit):
        tip = base.get(row["tip_id"])
        title = tip.title if tip is not None else None
        if row["verdict"] == MATCH:
            advice = f"candidate question for {row['tip_id']}: add it to the tip's questions"
        else:
            advice = f"answered wrongly with {row['tip_id']}: a tip or a question is missing"
        rows.append(
            {
                "question": row["question"],
                "tip_id": row["tip_id"],
                "title": title,
                "verdict": row["verdict"],
                "matched": row["matched"],
                "mismatched": row["mismatched"],
                "last_at": row["last_at"],
                "advice": advice,
            }
        )
    return rows


def record(
    store: Store,
    question: str,
    tip_id: str,
    verdict: str,
    *,
    user: str | None = None,
) -> str:
    """Keep one verdict ("match" or "mismatch") on a question and tip; returns the normalised question.

    Raises ValueError for an empty question or an unknown verdict (nothing is stored).
    """
    question = (question or "").strip()[:MAX_QUESTION]
    norm = normalise(question)
    if not norm:
        raise ValueError("a learned pair needs a question with at least one word")
    store.add_learned(question=question, norm=norm, tip_id=tip_id, verdict=verdict, user=user)
    return norm
