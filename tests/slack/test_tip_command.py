"""`/aipm tip` over real HTTP: a fresh tip on every ask, the channel's daily rotation untouched."""

from __future__ import annotations

from bot.core.daily_tip import choose_tip

DAY = "2026-11-30"


def title_of(reply: dict) -> str:
    return reply["blocks"][1]["text"]["text"].split("*")[1]


def test_asking_again_gives_a_tip_not_seen_recently(running_bot):
    base = running_bot.coach.library.base
    asks = min(len(base.live_tips), 6)
    titles = [
        title_of(running_bot.slack.command("tip", user="U1", channel="C1").json())
        for _ in range(asks)
    ]
    assert len(set(titles)) == asks, titles


def test_asking_does_not_move_the_channels_daily_tip(running_bot):
    store, base = running_bot.store, running_bot.coach.library.base
    before = choose_tip(store, base, "C1", DAY)
    for user in ("U1", "U2", "U1"):
        assert running_bot.slack.command("tip", user=user, channel="C1").status == 200
    assert store.posts() == []
    assert choose_tip(store, base, "C1", DAY) == before


def test_the_tip_just_posted_in_the_channel_is_not_offered(running_bot):
    store, base = running_bot.store, running_bot.coach.library.base
    posted = choose_tip(store, base, "C1", DAY)
    claim = store.claim_daily("C1", DAY, posted.id)
    store.mark_posted(claim.id, "1700000000.000100")
    for _ in range(3):
        reply = running_bot.slack.command("tip", user="U1", channel="C1").json()
        assert title_of(reply) != posted.title
