"""A tip for one person on request (`/aipm tip`): fresh each time, apart from the daily rotation.

Each person walks through every live tip before any repeats (their own rotation, kept
in the `served` table), skipping the tips just posted in the channel they ask from.
Channel posts are never written here, so asking never moves a channel's daily tip.
"""

from __future__ import annotations

import time

from bot.core import rotation
from bot.core.knowledge import KnowledgeBase, Tip
from bot.store import Store

KEEP = 200  # tips remembered per person; far more than a tip base's size
CHANNEL_RECENT = 5  # the channel's latest posts the asker has probably just read


def fresh_tip(
    store: Store, kb: KnowledgeBase, *, user: str, channel: str | None = None
) -> Tip | None:
    """The next tip for `user` (recorded as given to them), or None when the base is empty.

    Never one of their last n - 1 (n live tips), so nothing repeats until they have had
    every tip; the channel's last few posts are skipped while other tips remain.
    """
    live = [t.id for t in kb.live_tips]
    if not live:
        return None
    if channel:
        just_posted = {tip_id for tip_id, _ in store.posted_tip_ids(channel)[-CHANNEL_RECENT:]}
        live = [t for t in live if t not in just_posted] or live
    tip_id = rotation.next_tip(
        live,
        store.served_tip_ids(user),
        store.tip_tallies(),
        seed=f"{user}:{time.time_ns()}",
        min_gap=len(live) - 1,
        kinds=kb.kinds,
    )
    if tip_id is None:
        return None
    store.record_served(user, tip_id, keep=KEEP)
    return kb.get(tip_id)
