"""Reactions on tip messages become ratings, exactly once; App Home is published."""

from __future__ import annotations

import json
import threading

import pytest
from slack_sdk import WebClient

from bot.daily.posting import Poster
from bot.slack.blocks import tip_message
from bot.slack.delivery import SlackDeliverer
from tests.conftest import BOT_TOKEN, wait_until
from tests.helpers.events import IKEA, share  # noqa: F401

HACK = "hackathons"


def tallies(bot) -> dict:
    return bot.store.tip_tallies()


def test_thumbs_up_on_a_tip_is_a_useful_rating(running_bot):
    ts = share(running_bot)
    assert running_bot.slack.reaction("+1", user="U1", channel="C1", ts=ts).status == 200
    assert tallies(running_bot) == {IKEA: (1, 0)}


def test_retried_event_changes_nothing(running_bot):
    ts = share(running_bot)
    running_bot.slack.reaction("+1", user="U1", channel="C1", ts=ts, event_id="Ev1")
    running_bot.slack.reaction("+1", user="U1", channel="C1", ts=ts, event_id="Ev1", retry=1)
    running_bot.slack.reaction("+1", user="U1", channel="C1", ts=ts, event_id="Ev1", retry=2)
    assert tallies(running_bot) == {IKEA: (1, 0)}
    assert running_bot.store.db["votes"].count == 1


def test_added_removed_and_readded(running_bot):
    ts = share(running_bot)
    slack = running_bot.slack
    slack.reaction("+1", user="U1", channel="C1", ts=ts)
    slack.reaction("+1", user="U1", channel="C1", ts=ts, removed=True)
    assert tallies(running_bot) == {}
    slack.reaction("+1", user="U1", channel="C1", ts=ts)
    assert tallies(running_bot) == {IKEA: (1, 0)}


def test_one_opinion_per_person_latest_stands(running_bot):
    ts = share(running_bot)
    slack = running_bot.slack
    slack.reaction("heart", user="U1", channel="C1", ts=ts)
    slack.reaction("fire", user="U1", channel="C1", ts=ts)
    assert tallies(running_bot) == {IKEA: (1, 0)}
    slack.reaction("-1", user="U1", channel="C1", ts=ts)
    assert tallies(running_bot) == {IKEA: (0, 1)}
    slack.reaction("-1", user="U1", channel="C1", ts=ts, removed=True)
    assert tallies(running_bot) == {IKEA: (1, 0)}, "falls back to the latest remaining reaction"


def test_skin_tone_variants_count(running_bot):
    ts = share(running_bot)
    running_bot.slack.reaction("+1::skin-tone-3", user="U1", channel="C1", ts=ts)
    assert tallies(running_bot) == {IKEA: (1, 0)}


def test_other_reactions_are_ignored(running_bot):
    ts = share(running_bot)
    running_bot.slack.reaction("eyes", user="U1", channel="C1", ts=ts)
    assert tallies(running_bot) == {}


def test_reaction_by_the_bot_itself_is_ignored(running_bot):
    ts = share(running_bot)
    assert running_bot.slack.reaction("+1", user="UBOT", channel="C1", ts=ts).status == 200
    assert tallies(running_bot) == {}


def test_reaction_on_someone_elses_message_is_ignored(running_bot):
    share(running_bot)
    reply = running_bot.slack.reaction("+1", user="U1", channel="C1", ts="1.000001", item_user="U5")
    assert reply.status == 200
    assert tallies(running_bot) == {}


def test_reaction_on_an_unknown_bot_message_without_metadata_is_ignored(running_bot):
    reply = running_bot.slack.reaction("+1", user="U1", channel="C1", ts="1700000000.000100")
    assert reply.status == 200
    assert tallies(running_bot) == {}


def test_reaction_on_a_file_is_ignored(running_bot):
    event = {
        "type": "reaction_added",
        "user": "U1",
        "reaction": "+1",
        "item_user": "UBOT",
        "item": {"type": "file", "file": "F1"},
        "event_ts": "1.2",
    }
    assert running_bot.slack.event(event).status == 200
    assert tallies(running_bot) == {}


def test_message_known_only_by_its_metadata_is_recognised(running_bot):
    tip = running_bot.coach.library.base.get(HACK)
    client = WebClient(token=BOT_TOKEN, base_url=running_bot.fake.url)
    ts = client.chat_postMessage(
        channel="C7", **tip_message(tip, local_date="2026-11-02", header="Tip", kind="daily")
    )["ts"]
    assert running_bot.store.post_by_ts("C7", ts) is None, "as after restoring an old backup"
    running_bot.slack.reaction("+1", user="U1", channel="C7", ts=ts)
    assert tallies(running_bot) == {HACK: (1, 0)}
    assert running_bot.store.post_by_ts("C7", ts).tip_id == HACK
    history = running_bot.fake.calls("conversations.history")
    assert history and history[-1].params["channel"] == "C7"


def test_many_concurrent_events_are_counted_exactly(running_bot):
    ts = share(running_bot)
    users = [f"U{i:03d}" for i in range(60)]

    def react(user: str) -> None:
        name = "+1" if int(user[1:]) % 3 else "-1"
        running_bot.slack.reaction(name, user=user, channel="C1", ts=ts, event_id=f"E{user}")
        running_bot.slack.reaction(
            name, user=user, channel="C1", ts=ts, event_id=f"E{user}", retry=1
        )

    threads = [threading.Thread(target=react, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert tallies(running_bot) == {IKEA: (40, 20)}


def test_app_home_is_published_with_the_persons_ratings(running_bot):
    ts = share(running_bot)
    running_bot.slack.reaction("+1", user="U1", channel="C1", ts=ts)
    running_bot.slack.command("subscribe 09:00 Europe/Berlin", channel="C1")
    event = {
        "type": "app_home_opened",
        "user": "U1",
        "channel": "D1",
        "tab": "home",
        "event_ts": "1.1",
    }
    assert running_bot.slack.event(event).status == 200
    publish = running_bot.calls("views.publish", at_least=1)[-1]
    assert publish.params["user_id"] == "U1"
    view = json.dumps(publish.params["view"])
    assert "Tips you rated" in view and "Ikea" in view and "Europe/Berlin" in view
    assert "Daily tip in <#C1> at 09:00" in view


def test_a_reaction_during_a_database_lock_is_retried_by_slack_and_counted_once(running_bot):
    import sqlite3

    ts = share(running_bot)
    running_bot.store.busy_timeout_ms = 100  # the server's threads open their connections later
    blocker = sqlite3.connect(running_bot.store.path)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        first = running_bot.slack.reaction("+1", user="U1", channel="C1", ts=ts, event_id="EvLock")
    finally:
        blocker.rollback()
        blocker.close()
    assert first.status == 500, "a 5xx makes Slack deliver the event again"
    retry = running_bot.slack.reaction(
        "+1", user="U1", channel="C1", ts=ts, event_id="EvLock", retry=1
    )
    assert retry.status == 200
    assert tallies(running_bot) == {IKEA: (1, 0)}


@pytest.mark.parametrize(
    "failure",
    [{"status": 500}, {"status": 429, "headers": {"Retry-After": "1"}}, {"error": "fatal_error"}],
    ids=["http-500", "http-429", "ok-false"],
)
def test_a_failed_message_look_up_answers_5xx_so_slack_redelivers(running_bot, failure):
    """Issue 15 item 4: when we cannot tell whether it is a tip, the rating must not be lost."""
    tip = running_bot.coach.library.base.get(HACK)
    client = WebClient(token=BOT_TOKEN, base_url=running_bot.fake.url)
    ts = client.chat_postMessage(
        channel="C7", **tip_message(tip, local_date="2026-11-02", header="Tip", kind="daily")
    )["ts"]
    running_bot.fake.fail_next("conversations.history", **failure)
    first = running_bot.slack.reaction("+1", user="U1", channel="C7", ts=ts, event_id="EvLook")
    assert first.status >= 500, "a 2xx here tells Slack the rating was handled"
    assert tallies(running_bot) == {}
    retry = running_bot.slack.reaction(
        "+1", user="U1", channel="C7", ts=ts, event_id="EvLook", retry=1
    )
    assert retry.status == 200
    assert tallies(running_bot) == {HACK: (1, 0)}


def test_reactions_during_a_slow_daily_post_leave_one_posts_row(running_bot):
    """Issue 15 item 3: people react while chat.postMessage is still answering."""
    tip = running_bot.coach.library.base.get(IKEA)
    poster = Poster(
        SlackDeliverer(WebClient(token=BOT_TOKEN, base_url=running_bot.fake.url)),
        running_bot.store,
    )
    running_bot.fake.fail_next("chat.postMessage", delay=1.5, post_anyway=True)
    outcome = []
    posting = threading.Thread(
        target=lambda: outcome.append(poster.post_daily("C1", tip, "2026-11-30"))
    )
    posting.start()
    messages = wait_until(lambda: running_bot.fake.messages("C1"), 1, 5.0)
    ts = messages[0]["ts"]
    replies = []
    reactors = [
        threading.Thread(
            target=lambda u=u: replies.append(
                running_bot.slack.reaction("+1", user=u, channel="C1", ts=ts)
            )
        )
        for u in ("U1", "U2", "U3", "U4", "U5")
    ]
    for t in reactors:
        t.start()
    for t in reactors:
        t.join()
    posting.join()
    assert [r.status for r in replies] == [200] * 5
    assert outcome[0].status == "posted" and outcome[0].ts == ts
    assert [(p.ts, p.kind) for p in running_bot.store.posts("C1")] == [(ts, "daily")]
    assert running_bot.store.counts()["posts"] == 1
    assert tallies(running_bot) == {IKEA: (5, 0)}
