"""What the pipeline says to one message: an `Answer` with exactly one level."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.knowledge import Tip

SURE, UNSURE, NONE = "sure", "unsure", "none"
LEVELS = (SURE, UNSURE, NONE)

SLASH, MENTION, DM, SHORTCUT = "slash", "mention", "dm", "shortcut"
SURFACES = (SLASH, MENTION, DM, SHORTCUT)


@dataclass(frozen=True)
class Answer:
    """The answer to one message.

    `level` is "sure" (show `matches[0]`), "unsure" (offer `matches` to pick from) or "none"
    (decline; `matches` then holds related topics only when plausibly related, and `topic`
    may name the not-covered subject the message is about, e.g. "pricing"). `answered` is
    derived from the level. `reason` says which stage set the level ("model", "topic",
    "taught", "rejected", "empty"); `features` are the decision model's inputs.

    Raises ValueError for an unknown level, an unknown surface, or a level other than
    "none" without a tip to show.
    """

    question: str
    level: str = NONE
    matches: list[tuple[Tip, float]] = field(default_factory=list)
    topic: str | None = None
    surface: str = SLASH
    reason: str = "empty"
    features: tuple[float, ...] = ()
    key: str = ""  # the message's normalised key (see `Normaliser.message`), for `stats`

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, not {self.level!r}")
        if self.surface not in SURFACES:
            raise ValueError(f"surface must be one of {SURFACES}, not {self.surface!r}")
        if self.level != NONE and not self.matches:
            raise ValueError(f"a {self.level!r} answer needs a tip to show")

    @property
    def answered(self) -> bool:
        """True when a tip is shown first (the level is sure or unsure)."""
        return self.level != NONE

    @property
    def tip(self) -> Tip | None:
        """The tip shown first, or None for a decline."""
        return self.matches[0][0] if self.answered else None
