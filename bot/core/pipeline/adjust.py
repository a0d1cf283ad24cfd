"""Stage 4: adjust. What people taught, and the team's ratings, applied to a decided answer.

Teaching is per person first. A person's "Not what I asked" on tip T, or their pick of T from
the closest few, changes that person's answers to that question (by its normalised key) at
once. Everyone's answers change only when:

* `agree_users` distinct people gave the same verdict on the same question and tip, and
  nobody gave the opposite one; or
* a curator approved the pair (App Home's Library, `aipm-coach learned --approve REF`).

A curator's removal keeps a pair out for everyone whatever people agree, until a curator
approves it again. Learned pairs only take tips away from what the decision offered, or put a
confirmed tip first; they never bring in a tip the retrieval did not rank. When the tip that
would come first is one the person rejected, the answer is an honest decline, not another
batch. Ratings only reorder near-ties and never change the level.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from bot.core.knowledge import Tip
from bot.core.pipeline.answer import NONE, SURE, UNSURE, Answer
from bot.core.pipeline.config import AnswerConfig

MATCH, MISMATCH = "match", "mismatch"
APPROVED, REMOVED = "approved", "removed"


@dataclass(frozen=True)
class Lesson:
    """What teaching says about one question for one person."""

    prefer: str | None = None  # the tip to put first, sure
    avoid: frozenset[str] = frozenset()  # tips not to show
    mine: frozenset[str] = frozenset()  # of `avoid`, the ones this person rejected

    def __bool__(self) -> bool:
        return self.prefer is not None or bool(self.avoid)


@dataclass
class _Pair:
    """Everything known about one (question key, tip) pair."""

    votes: dict[str, tuple[str, int]] = field(default_factory=dict)  # user -> (verdict, seq)
    decision: tuple[str, str, int] | None = None  # (state, verdict, seq) by a curator

    def shared(self, agree_users: int) -> tuple[str, int] | None:
        """The verdict that holds for everyone (and its seq), or None."""
        if self.decision is not None:
            state, verdict, seq = self.decision
            return (verdict, seq) if state == APPROVED else None
        verdicts = {v for v, _ in self.votes.values()}
        if len(verdicts) == 1 and len(self.votes) >= agree_users:
            return next(iter(verdicts)), max(s for _, s in self.votes.values())
        return None


class Lessons:
    """An in-memory index of teachings and curator decisions, updated row by row.

    `add_teaching` and `add_decision` take rows as the store returns them (`teachings()`,
    `pair_decisions()`), so a caller applies only what changed since it last looked.
    """

    def __init__(self, *, agree_users: int = 2) -> None:
        self.agree_users = agree_users
        self._pairs: dict[str, dict[str, _Pair]] = {}  # key -> tip id -> pair
        self.seq = 0

    def __len__(self) -> int:
        return sum(len(p.votes) for tips in self._pairs.values() for p in tips.values())

    def _pair(self, key: str, tip_id: str) -> _Pair:
        return self._pairs.setdefault(key, {}).setdefault(tip_id, _Pair())

    def add_teaching(self, row: Mapping) -> None:
        """One person's verdict (a `teachings` row: key, tip_id, user, verdict, seq)."""
        self._pair(row["key"], row["tip_id"]).votes[row["user"]] = (row["verdict"], row["seq"])
        self.seq = max(self.seq, row["seq"])

    def add_decision(self, row: Mapping) -> None:
        """A curator's decision (a `learned_pairs` row: key, tip_id, state, verdict, seq)."""
        pair = self._pair(row["key"], row["tip_id"])
        pair.decision = (row["state"], row["verdict"], row["seq"])
        self.seq = max(self.seq, row["seq"])

    def extend(self, teachings: Iterable[Mapping], decisions: Iterable[Mapping]) -> None:
        """Apply many rows (in seq order within each kind)."""
        for row in teachings:
            self.add_teaching(row)
        for row in decisions:
            self.add_decision(row)

    def lookup(self, key: str, user: str | None) -> Lesson:
        """The lesson for one person asking a question (by its normalised key)."""
        pairs = self._pairs.get(key) if key else None
        if not pairs:
            return Lesson()
        prefer: list[tuple[int, int, str]] = []  # (personal first, seq, tip)
        avoid, mine = set(), set()
        for tip_id, pair in pairs.items():
            own = pair.votes.get(user) if user else None
            if own is not None:  # a person's own verdict holds for them, whatever others say
                verdict, seq = own
                personal = 1
            else:
                held = pair.shared(self.agree_users)
                if held is None:
                    continue
                (verdict, seq), personal = held, 0
            if verdict == MATCH:
                prefer.append((personal, seq, tip_id))
            else:
                avoid.add(tip_id)
                if personal:
                    mine.add(tip_id)
        best = max(prefer)[2] if prefer else None
        return Lesson(prefer=best, avoid=frozenset(avoid - {best}), mine=frozenset(mine))

    def pairs(self) -> list[dict]:
        """Every pair with its votes and decision, for curators (not ordered)."""
        out = []
        for key, tips in self._pairs.items():
            for tip_id, pair in tips.items():
                matched = sum(v == MATCH for v, _ in pair.votes.values())
                out.append(
                    {
                        "key": key,
                        "tip_id": tip_id,
                        "matched": matched,
                        "mismatched": len(pair.votes) - matched,
                        "people": len(pair.votes),
                        "decision": pair.decision[0] if pair.decision else None,
                        "shared": pair.shared(self.agree_users),
                    }
                )
        return out


def adjust(
    answer: Answer,
    lesson: Lesson,
    *,
    served: Callable[[str], Tip | None],
    boosts: Mapping[str, float] | None = None,
    config: AnswerConfig,
    limit: int = 3,
) -> Answer:
    """Stage 4: the answer after what was taught and the team's ratings.

    `served(tip_id)` returns a tip only while it is served (never a draft, retired or gone
    tip), so a taught preference for a tip that went away is ignored.
    """
    matches = list(answer.matches)
    if lesson:
        preferred = served(lesson.prefer) if lesson.prefer else None
        kept = [(t, s) for t, s in matches if t.id not in lesson.avoid]
        if preferred is not None:
            score = next((s for t, s in matches if t.id == preferred.id), None)
            first = (preferred, score if score is not None else (matches[0][1] if matches else 0))
            rest = [m for m in kept if m[0].id != preferred.id]
            return dataclasses.replace(
                answer, level=SURE, matches=[first, *rest][:limit], reason="taught", topic=None
            )
        if matches and matches[0][0].id in lesson.avoid:
            if matches[0][0].id in lesson.mine or not kept or not answer.answered:
                # This person said the first tip is not it: no other batch, an honest "no".
                return dataclasses.replace(answer, level=NONE, matches=[], reason="rejected")
            return dataclasses.replace(answer, level=UNSURE, matches=kept[:limit], reason="taught")
        matches = kept
    if boosts and answer.answered and len(matches) > 1:
        matches = _boosted(matches, boosts, config.boost_points)
    if answer.answered and not matches:
        return dataclasses.replace(answer, level=NONE, matches=[], reason="rejected")
    return dataclasses.replace(answer, matches=matches[:limit])


def _boosted(
    matches: list[tuple[Tip, float]], boosts: Mapping[str, float], points: float
) -> list[tuple[Tip, float]]:
    """Matches reordered by score plus a rating nudge: a team rating (-1..1) times `points`
    times the first tip's score, so only near-ties move."""
    scale = points * max(matches[0][1], 0.0)

    def key(item: tuple[Tip, float]) -> tuple[float, str]:
        tip, score = item
        rating = boosts.get(tip.id, 0.0)
        rating = rating if isinstance(rating, int | float) and math.isfinite(rating) else 0.0
        return (-(score + max(-1.0, min(1.0, rating)) * scale), tip.id)

    return sorted(matches, key=key)
