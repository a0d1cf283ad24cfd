"""What the live base covers, in plain values, for `/aipm help` and App Home.

A team expecting answers on evals, hallucinations or pricing should learn from the help
what the base holds (how many tips, from which sources, on which topics) and how to add
its own, before it finds out by asking.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bot.core.knowledge import TEAM_NOTE, KnowledgeBase


@dataclass(frozen=True)
class Coverage:
    """The served tips, counted.

    `sources` are (note title, tips) for each note the base was built from, most tips
    first; `team` counts tips the team wrote in Slack; `topics` are the most used tags.
    """

    tips: int
    sources: list[tuple[str, int]]
    team: int
    topics: list[str]


def coverage(base: KnowledgeBase, *, topics: int = 8) -> Coverage:
    """Count the tips `base` serves by source, and its `topics` most used tags."""
    live = base.live_tips
    notes = Counter(t.source.note for t in live if t.source.note != TEAM_NOTE)
    tags = Counter(tag for t in live for tag in t.tags)
    return Coverage(
        tips=len(live),
        sources=sorted(notes.items(), key=lambda item: (-item[1], item[0])),
        team=sum(1 for t in live if t.source.note == TEAM_NOTE),
        topics=[tag for tag, _ in sorted(tags.items(), key=lambda i: (-i[1], i[0]))[:topics]],
    )
