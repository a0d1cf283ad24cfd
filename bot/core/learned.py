"""What people taught, as curators review it: each question and tip, who agreed, what holds.

A pair's `status` says whom it changes answers for (see `bot.core.pipeline.adjust`):

* "approved" / "removed": a curator decided it for everyone;
* "shared": enough people agreed and nobody disagreed, so everyone gets it;
* "disputed": people disagree, so it changes only each teacher's own answers;
* "pending": fewer people than `agree_users` taught it: only their own answers change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.knowledge import KnowledgeBase
from bot.core.pipeline.adjust import APPROVED, MATCH, MISMATCH, REMOVED
from bot.store import Store

__all__ = ["MATCH", "MISMATCH", "Pair", "for_curators", "pair_ref", "status"]


@dataclass(frozen=True)
class Pair:
    """One question (by its normalised key) and tip, with what people and curators said."""

    key: str
    tip_id: str
    title: str | None  # None when the tip is no longer in the base
    question: str
    matched: int  # people who said it is what they asked (picked it)
    mismatched: int  # people who said it is not (Not what I asked, None of these)
    last_at: str
    status: str
    verdict: str  # what holds or would hold for everyone: "match" or "mismatch"
    curator: str | None

    @property
    def ref(self) -> str:
        """A short, stable name for the pair (for `aipm-coach learned --approve REF`)."""
        return pair_ref(self.key, self.tip_id)

    @property
    def advice(self) -> str:
        """What a curator can do about it."""
        if self.verdict == MATCH:
            return f"candidate question for {self.tip_id}: add it to the tip's questions"
        return f"answered wrongly with {self.tip_id}: a tip or a question is missing"


def pair_ref(key: str, tip_id: str) -> str:
    """The short name of a (question key, tip) pair: 8 hex digits."""
    return hashlib.sha1(f"{key}\0{tip_id}".encode()).hexdigest()[:8]


def status(row: dict, *, agree_users: int) -> tuple[str, str]:
    """(status, verdict) of a `Store.learned_summary` row."""
    if row["state"] in (APPROVED, REMOVED):
        return row["state"], row["decided"]
    matched, mismatched = row["matched"], row["mismatched"]
    verdict = MATCH if matched >= mismatched else MISMATCH
    if matched and mismatched:
        return "disputed", verdict
    if max(matched, mismatched) >= agree_users:
        return "shared", verdict
    return "pending", verdict


def for_curators(
    store: Store,
    base: KnowledgeBase,
    *,
    agree_users: int,
    limit: int | None = None,
    statuses: Sequence[str] | None = None,
) -> list[Pair]:
    """Learned pairs, most recently taught first (optionally only some statuses)."""
    out = []
    for row in store.learned_summary(limit=limit):
        state, verdict = status(row, agree_users=agree_users)
        if statuses is not None and state not in statuses:
            continue
        tip = base.get(row["tip_id"])
        out.append(
            Pair(
                key=row["key"],
                tip_id=row["tip_id"],
                title=tip.title if tip is not None else None,
                question=row["question"] or "",
                matched=row["matched"],
                mismatched=row["mismatched"],
                last_at=row["last_at"] or "",
                status=state,
                verdict=verdict,
                curator=row["curator"],
            )
        )
    return out
