"""An answer's level: "sure" (show the tip), "unsure" (offer a few to pick) or "none" (decline).

The matcher decides the level (`Answer.confidence`); this module reads it, and lets the
Coach change it after the matcher (learned pairs). Until the matcher reports a level of
its own, one is derived here from `answered` and the best score, without changing any
answer the bot gave before: answered is "sure", and an unanswered question whose best tip
came close to the threshold is "unsure".
"""

from __future__ import annotations

import dataclasses

from bot.core.knowledge import Tip
from bot.core.matcher import DEFAULT_THRESHOLD, Answer

SURE, UNSURE, NONE = "sure", "unsure", "none"
LEVELS = (SURE, UNSURE, NONE)
UNSURE_SHARE = 0.75  # a best score within 75 % of the threshold is worth offering


@dataclasses.dataclass(frozen=True)
class _Levelled(Answer):
    # Stands in for the matcher's own `confidence` and `topic` until it has them.
    confidence: str = NONE
    topic: str | None = None


_NATIVE = {f.name for f in dataclasses.fields(Answer)} >= {"confidence", "topic"}


def level(answer: Answer, *, threshold: float = DEFAULT_THRESHOLD) -> str:
    """The answer's level; derived from `answered` and the best score if the matcher gave none."""
    given = getattr(answer, "confidence", None)
    if given in LEVELS:
        return given
    if answer.answered and answer.matches:
        return SURE
    if answer.matches and answer.matches[0][1] >= UNSURE_SHARE * threshold:
        return UNSURE
    return NONE


def levelled(answer: Answer, *, threshold: float = DEFAULT_THRESHOLD) -> Answer:
    """The answer with its level set: the matcher's own, or the one derived by `level`.

    A derived decline keeps no related topics: only a matcher that reports levels can tell
    which topics are plausibly related (no "banana bread -> breaking into AI PM").
    """
    lvl = level(answer, threshold=threshold)
    if getattr(answer, "confidence", None) in LEVELS:
        return answer
    return with_level(answer, lvl, matches=[] if lvl == NONE else None)


def topic(answer: Answer) -> str | None:
    """The not-covered subject the matcher declined, if it named one ("pricing")."""
    value = getattr(answer, "topic", None)
    return value if isinstance(value, str) and value else None


def with_level(
    answer: Answer, lvl: str, *, matches: list[tuple[Tip, float]] | None = None
) -> Answer:
    """A copy of `answer` at level `lvl` (optionally other matches); `answered` follows the level.

    An answer with no matches left can only be "none". Raises ValueError for an unknown level.
    """
    if lvl not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {lvl!r}")
    matches = list(answer.matches if matches is None else matches)
    if not matches:
        lvl = NONE
    changes = {"answered": lvl != NONE, "matches": matches, "confidence": lvl}
    if _NATIVE:
        return dataclasses.replace(answer, **changes)
    return _Levelled(question=answer.question, topic=topic(answer), **changes)
