"""What the team's ratings say: reaction meanings, a fair ranking for few votes, stats."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.core.knowledge import KnowledgeBase
from bot.core.pipeline.answer import SURE, SURFACES, UNSURE
from bot.store import Store

USEFUL, NOT_USEFUL = 1, -1
Z_95 = 1.96


def reaction_value(name: str, *, useful: Iterable[str], not_useful: Iterable[str]) -> int | None:
    """+1, -1 or None (ignored) for a reaction name; skin tones (`+1::skin-tone-2`) count."""
    base = name.split("::", 1)[0]
    if base in useful:
        return USEFUL
    if base in not_useful:
        return NOT_USEFUL
    return None


def wilson_lower_bound(up: int, down: int, *, z: float = Z_95) -> float:
    """The lower bound of the Wilson score interval of the useful share (0 with no votes).

    Ranks a tip with 3 of 3 useful below one with 40 of 45: few votes mean less certainty.
    """
    n = up + down
    if n == 0:
        return 0.0
    phat = up / n
    centre = phat + z * z / (2 * n)
    spread = z * math.sqrt((phat * (1 - phat) + z * z / (4 * n)) / n)
    return (centre - spread) / (1 + z * z / n)


def net_lower_bound(up: int, down: int, *, z: float = Z_95) -> float:
    """The Wilson lower bound on the -1..1 net rating (useful minus not useful shares).

    Positive only when the team is confident (95 %) that most raters find the tip useful:
    4 of 4, 10 of 12; never 1 of 3 or a lone vote. Swap the arguments for "not useful".
    """
    return 2 * wilson_lower_bound(up, down, z=z) - 1


@dataclass(frozen=True)
class TipScore:
    """A tip's current tally and its rank score."""

    id: str
    title: str
    useful: int
    not_useful: int
    score: float

    def as_dict(self) -> dict:
        """The `stats --json` shape of one tip."""
        return {
            "id": self.id,
            "title": self.title,
            "useful": self.useful,
            "not_useful": self.not_useful,
        }


def scored(tallies: Mapping[str, tuple[int, int]], base: KnowledgeBase) -> list[TipScore]:
    """Every rated tip with its Wilson score, best first (ties: more votes, then id).

    Tips no longer in the base keep their id as title, so history is never hidden.
    """
    out = []
    for tip_id, (up, down) in tallies.items():
        if up + down == 0:
            continue
        tip = base.get(tip_id)
        out.append(
            TipScore(tip_id, tip.title if tip else tip_id, up, down, wilson_lower_bound(up, down))
        )
    out.sort(key=lambda s: (-s.score, -(s.useful + s.not_useful), s.id))
    return out


def favourites(ranked: Iterable[TipScore]) -> list[TipScore]:
    """The scored tips with a positive net lower bound (see `net_lower_bound`), best first."""
    return [s for s in ranked if net_lower_bound(s.useful, s.not_useful) > 0]


def least_useful(ranked: Iterable[TipScore]) -> list[TipScore]:
    """The scored tips the team is confident most find not useful, worst first."""
    worst = [s for s in ranked if net_lower_bound(s.not_useful, s.useful) > 0]
    return sorted(worst, key=lambda s: (-wilson_lower_bound(s.not_useful, s.useful), s.id))


def top(store: Store, base: KnowledgeBase, *, limit: int = 5) -> list[TipScore]:
    """The team's favourite tips (positive net lower bound), best first; may be empty.

    Only tips still served: a favourite that was retired, set back to draft or removed is
    not recommended (`stats` keeps its history).
    """
    ranked = [s for s in scored(store.tip_tallies(), base) if base.served(s.id)]
    return favourites(ranked)[:limit]


def stats(store: Store, base: KnowledgeBase, *, days: int | None = None) -> dict:
    """Posts, ratings and every rated tip's tally (optionally over the last `days` days).

    Shape: {"posts", "ratings", "tips": [{"id","title","useful","not_useful"}], ...}, the
    tips best first by Wilson score; `most_useful` / `least_useful` name the extremes
    (each needs a positive net lower bound, so a tip is in at most one, and both may be empty).
    """
    since = None
    if days is not None:
        since = (dt.datetime.now(dt.UTC) - dt.timedelta(days=days)).isoformat(
            timespec="microseconds"
        )
    counts = store.counts(since=since)
    questions = question_counts(store.asked_counts(since=since))
    ranked = scored(store.tip_tallies(since=since), base)
    most = favourites(ranked)[:3]
    # Disjoint by construction (both bounds cannot pass one half); the filter keeps it so.
    least = [s for s in least_useful(ranked) if s not in most][:3]
    return {
        "posts": counts["posts"],
        "ratings": counts["ratings"],
        "days": days,
        "tips": [s.as_dict() for s in ranked],
        "most_useful": [s.as_dict() for s in most],
        "least_useful": [s.as_dict() for s in least],
        "questions": questions,
        "most_asked": [
            {"question": r["question"] or "", "count": r["count"], "level": r["level"]}
            for r in store.most_asked(since=since)
        ],
    }


OUTCOMES = ("asked", "sure", "unsure", "declined", "mismatched")


def question_counts(rows: Iterable[Mapping]) -> dict[str, dict[str, int]]:
    """`asked` rows summed per surface, plus "all": asked, sure, unsure, declined, mismatched.

    Surfaces appear in a fixed order (slash, mention, dm, shortcut), and only when asked.
    """
    by: dict[str, dict[str, int]] = {}
    for row in rows:
        for surface in (row["surface"], "all"):
            counts = by.setdefault(surface, dict.fromkeys(OUTCOMES, 0))
            counts["asked"] += row["asked"]
            level = row["level"] if row["level"] in (SURE, UNSURE) else "declined"
            counts[level] += row["asked"]
            counts["mismatched"] += row["mismatched"] or 0
    order = [*SURFACES, "all"]
    return {s: by[s] for s in sorted(by, key=lambda s: order.index(s) if s in order else 99)}


def boosts(tallies: Mapping[str, tuple[int, int]]) -> dict[str, float]:
    """A small per-tip nudge from ratings (-1..1), for breaking near-ties between answers."""
    return {
        tip_id: wilson_lower_bound(up, down) - wilson_lower_bound(down, up)
        for tip_id, (up, down) in tallies.items()
        if up + down
    }
