"""Topics a channel cares about: validated against the tip base's tags, used to filter tips."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.core.knowledge import Tip


class TopicError(ValueError):
    """Topics that are not tags of the tip base; the message lists the ones there are."""

    def __init__(self, unknown: Sequence[str], known: Sequence[str]):
        self.unknown = list(unknown)
        self.known = list(known)
        super().__init__(
            f"Unknown topic{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
            f"Use tags of the tip base, comma-separated (e.g. ux,strategy): {', '.join(known)}."
        )


def known_topics(tips: Iterable[Tip]) -> list[str]:
    """Every tag of `tips` (pass the served ones), sorted."""
    return sorted({tag for tip in tips for tag in tip.tags})


def parse_topics(raw: str | Iterable[str], known: Iterable[str]) -> tuple[str, ...]:
    """The topics in `raw` ('ux, strategy', '#ux strategy' or a list), lowercased, in order.

    Returns () for no topics (every tip). Raises TopicError naming each unknown topic
    and listing the known ones.
    """
    parts = re.split(r"[,\s]+", raw) if isinstance(raw, str) else list(raw)
    topics = tuple(dict.fromkeys(p.strip().lstrip("#").lower() for p in parts if p.strip()))
    topics = tuple(t for t in topics if t)
    known_list = sorted(set(known))
    unknown = [t for t in topics if t not in known_list]
    if unknown:
        raise TopicError(unknown, known_list)
    return topics


def tips_for_topics(tips: Sequence[Tip], topics: Sequence[str]) -> list[Tip]:
    """The tips with at least one of `topics` among their tags, in order (all for no topics)."""
    if not topics:
        return list(tips)
    wanted = set(topics)
    return [tip for tip in tips if wanted & set(tip.tags)]
