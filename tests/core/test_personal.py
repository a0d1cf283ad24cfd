"""`/aipm tip` in the core: a fresh tip per ask, none the asker saw recently, rotation untouched."""

from __future__ import annotations

import datetime as dt

from bot.core import knowledge, personal
from bot.core.daily_tip import choose_tip
from tests.conftest import SHIPPED_KNOWLEDGE

DAY = "2026-11-30"


def test_each_ask_gives_a_tip_the_asker_has_not_seen_until_all_were_seen(store):
    base = knowledge.load(SHIPPED_KNOWLEDGE)
    n = len(base.live_tips)
    got = [personal.fresh_tip(store, base, user="U1", channel="C1").id for _ in range(n)]
    assert len(set(got)) == n, "no repeat before every live tip was given once"
    again = personal.fresh_tip(store, base, user="U1", channel="C1").id
    assert again != got[-1] and again == got[0], "the longest unseen comes back first"


def test_each_person_has_their_own_history(store):
    base = knowledge.load(SHIPPED_KNOWLEDGE)
    first = personal.fresh_tip(store, base, user="U1", channel="C1")
    assert personal.fresh_tip(store, base, user="U2", channel="C1") == first
    assert personal.fresh_tip(store, base, user="U1", channel="C1") != first


def test_the_channels_recent_daily_tips_are_not_offered(store):
    base = knowledge.load(SHIPPED_KNOWLEDGE)
    recent = [t.id for t in base.live_tips[:3]]
    for i, tip_id in enumerate(recent):
        post = store.claim_daily("C1", f"2026-11-2{i}", tip_id)
        store.mark_posted(post.id, f"1.{i}")
    got = {personal.fresh_tip(store, base, user="U1", channel="C1").id for _ in range(5)}
    assert not got & set(recent)


def test_asking_leaves_the_channels_daily_rotation_alone(store):
    base = knowledge.load(SHIPPED_KNOWLEDGE)
    post = store.claim_daily("C1", "2026-11-27", base.live_tips[0].id)
    store.mark_posted(post.id, "1.0")
    before = choose_tip(store, base, "C1", DAY)
    history = store.posted_tip_ids("C1")
    for _ in range(7):
        personal.fresh_tip(store, base, user="U1", channel="C1")
    assert store.posted_tip_ids("C1") == history
    assert choose_tip(store, base, "C1", DAY) == before


def test_history_is_kept_short(store):
    base = knowledge.load(SHIPPED_KNOWLEDGE)
    for _ in range(personal.KEEP + 30):
        personal.fresh_tip(store, base, user="U1", channel=None)
    assert len(store.served_tip_ids("U1")) == personal.KEEP
    assert store.served_tip_ids("U1")[-1][1] == dt.datetime.now(dt.UTC).date().isoformat()
