"""An answer's level: "sure" (show the tip), "unsure" (offer a few to pick) or "none" (decline).

The matcher decides the level (`Answer.confidence`, from its fitted model); this module
reads it, and lets the Coach change it after the matcher (learned pairs) while keeping
`answered` in step: a tip is shown first exactly when the level is not "none".
"""

from __future__ import annotations

import dataclasses

from bot.core.knowledge import Tip
from bot.core.matcher import Answer

SURE, UNSURE, NONE = "sure", "unsure", "none"
LEVELS = (SURE, UNSURE, NONE)


def level(answer: Answer) -> str:
    """The answer's level; "none" for anything the matcher did not mark sure or unsure."""
    given = getattr(answer, "confidence", None)
    if given in (SURE, UNSURE) and answer.answered and answer.matches:
        return given
    return NONE


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
    return dataclasses.replace(answer, answered=lvl != NONE, matches=matches, confidence=lvl)
