"""The daily tip a channel gets: the rotation's choice for a local date, or the one posted.

Pure functions of the store and the tip base, shared by the scheduler (which posts), the
`post-tip` and `tip` commands (which post now or preview) and the playground.
"""

from __future__ import annotations

import datetime as dt

from bot.core import rotation
from bot.core.channel_topics import channel_topics, tips_for_topics
from bot.core.knowledge import KnowledgeBase, Tip
from bot.core.schedule import local_date
from bot.store import Store


def choose_tip(store: Store, kb: KnowledgeBase, channel: str, day: str) -> Tip | None:
    """The rotation's next tip for a channel on a local date (None when the base is empty).

    Only served tips on the channel's topics (every served tip when it has none, or when
    no tip carries them any more); the first cycle starts with practice tips. Repeatable:
    the exploration draw is seeded by channel and date.
    """
    live = kb.live_tips
    tips = tips_for_topics(live, channel_topics(store.subscription(channel))) or live
    tip_id = rotation.next_tip(
        [t.id for t in tips],
        store.posted_tip_ids(channel),
        store.tip_tallies(),
        seed=f"{channel}:{day}",
        kinds=kb.kinds,
    )
    return kb.get(tip_id) if tip_id else None


def todays_tip(store: Store, kb: KnowledgeBase, channel: str, now: dt.datetime) -> Tip | None:
    """Today's tip for a channel: the one posted today, else the one the rotation would post.

    'Today' is in the channel's subscription time zone (UTC when it has none).
    """
    sub = store.subscription(channel)
    day = local_date(sub["tz"] if sub else "UTC", now).isoformat()
    posted = store.daily_post(channel, day)
    if posted is not None and posted.status in ("posted", "pending") and kb.served(posted.tip_id):
        return kb.served(posted.tip_id)  # not once it was retired since
    return choose_tip(store, kb, channel, day)
