import datetime as dt
import threading
import time

import pytest
from slack_sdk import WebClient

from benchmarks.rotation import RecordingPoster, make_base
from bot.core.daily_tip import todays_tip
from bot.daily.posting import Poster
from bot.daily.scheduler import Scheduler
from bot.fakeslack.server import FakeSlack
from bot.slack.delivery import SlackDeliverer
from bot.store import Store

KB = make_base(5)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def store(tmp_path):
    store = Store.open(tmp_path / "coach.db")
    yield store
    store.close()


def scheduler_for(store, clock, poster=None):
    poster = poster or RecordingPoster(store)
    return Scheduler(store, lambda: KB, poster, now=clock), poster


class TickCountingPoster(RecordingPoster):
    """Counts ticks by the reconcile call every tick starts with: at 2, one tick is complete."""

    def __init__(self, store):
        super().__init__(store)
        self.ticks = 0

    def reconcile_pending(self, **kwargs):
        self.ticks += 1
        return super().reconcile_pending(**kwargs)


def dailies(store, channel="C1"):
    return [(p.local_date, p.status) for p in store.posts(channel) if p.kind == "daily"]


@pytest.mark.parametrize(
    ("tz", "before", "due", "day"),
    [
        (
            "Europe/Berlin",
            at(2024, 3, 31, 6, 59),
            at(2024, 3, 31, 7, 0),
            "2024-03-31",
        ),  # spring forward
        (
            "Europe/Berlin",
            at(2024, 10, 27, 7, 59),
            at(2024, 10, 27, 8, 0),
            "2024-10-27",
        ),  # fall back
        ("America/New_York", at(2024, 3, 10, 12, 59), at(2024, 3, 10, 13, 0), "2024-03-10"),
        ("America/New_York", at(2024, 11, 3, 13, 59), at(2024, 11, 3, 14, 0), "2024-11-03"),
    ],
)
def test_posts_at_local_nine_across_dst(store, tz, before, due, day):
    store.save_subscription("C1", at="09:00", tz=tz, days="daily")
    clock = Clock(before)
    scheduler, poster = scheduler_for(store, clock)
    assert scheduler.tick() == []
    clock.now = due
    (result,) = scheduler.tick()
    assert (result.local_date, result.status) == (day, "posted")
    clock.now = due + dt.timedelta(hours=1)  # the fall-back hour repeats 02:00-03:00: still once
    assert scheduler.tick() == []
    assert dailies(store) == [(day, "posted")]


def test_weekends_are_skipped_for_weekdays(store):
    store.save_subscription("C1", at="09:00", tz="UTC", days="weekdays")
    clock = Clock(at(2024, 1, 5, 8, 0))  # Friday
    scheduler, _ = scheduler_for(store, clock)
    for hour in range(0, 24 * 4, 1):  # Friday 08:00 to Tuesday 08:00
        clock.now = at(2024, 1, 5, 8, 0) + dt.timedelta(hours=hour)
        scheduler.tick()
    assert [d for d, _ in dailies(store)] == ["2024-01-05", "2024-01-08"]


def test_catch_up_later_the_same_day_but_not_a_previous_day(store):
    store.save_subscription("C1", at="09:00", tz="Europe/Berlin", days="weekdays")
    clock = Clock(at(2024, 1, 8, 15, 0))  # Monday 16:00 Berlin: down since before 09:00
    scheduler, _ = scheduler_for(store, clock)
    assert [r.local_date for r in scheduler.tick()] == ["2024-01-08"]
    clock.now = at(2024, 1, 10, 7, 0)  # down all Tuesday; Wednesday 08:00 Berlin
    assert scheduler.tick() == []
    clock.now = at(2024, 1, 10, 8, 0)
    scheduler.tick()
    assert [d for d, _ in dailies(store)] == ["2024-01-08", "2024-01-10"]


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def test_midnight_subscription_posts_once_on_start_and_not_again_on_restart(tmp_path, caplog):
    path = tmp_path / "coach.db"
    clock = Clock(at(2024, 2, 1, 23, 0, 30))  # 00:00:30 on 2 Feb in Berlin
    first_store = Store.open(path)
    first_store.save_subscription("C1", at="00:00", tz="Europe/Berlin", days="daily")
    first_poster = TickCountingPoster(first_store)
    first = Scheduler(first_store, lambda: KB, first_poster, now=clock, tick_seconds=0.01)
    first.start()
    assert wait_for(lambda: first_poster.ticks >= 2)
    first.stop(timeout=5)
    assert "did not stop" not in caplog.text
    assert len(first_poster.posted) == 1
    first_store.close()

    second_store = Store.open(path)
    clock.now += dt.timedelta(minutes=5)
    second_poster = TickCountingPoster(second_store)
    second = Scheduler(second_store, lambda: KB, second_poster, now=clock, tick_seconds=0.01)
    second.start()
    assert wait_for(lambda: second_poster.ticks >= 2)
    second.stop(timeout=5)
    assert second_poster.posted == []
    assert dailies(second_store) == [("2024-02-02", "posted")]
    second_store.close()


def test_two_schedulers_on_one_file_at_the_same_moment_post_once(tmp_path):
    path = tmp_path / "coach.db"
    setup = Store.open(path)
    for channel in ("C1", "C2", "C3"):
        setup.save_subscription(channel, at="09:00", tz="UTC", days="daily")
    clock = Clock(at(2024, 4, 2, 9, 0))
    stores = [Store.open(path), Store.open(path)]
    schedulers = [scheduler_for(s, clock) for s in stores]
    barrier = threading.Barrier(2)
    errors = []

    def run(scheduler):
        try:
            barrier.wait()
            scheduler.tick()
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s, _ in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(len(p.posted) for _, p in schedulers) == 3
    for channel in ("C1", "C2", "C3"):
        assert dailies(setup, channel) == [("2024-04-02", "posted")]
    for s in [*stores, setup]:
        s.close()


class ExplodingPoster(RecordingPoster):
    def post_daily(self, channel, tip, local_date):
        if channel == "C1":
            raise RuntimeError("boom")
        return super().post_daily(channel, tip, local_date)


def test_one_bad_channel_does_not_stop_the_others(store):
    for channel in ("C1", "C2"):
        store.save_subscription(channel, at="09:00", tz="UTC", days="daily")
    scheduler, poster = scheduler_for(store, Clock(at(2024, 4, 2, 9, 0)), ExplodingPoster(store))
    results = {r.channel: r.status for r in scheduler.tick()}
    assert results == {"C1": "error", "C2": "posted"}
    assert [c for c, _, _ in poster.posted] == ["C2"]


def test_a_failing_channel_is_retried_later_not_every_tick(store):
    store.save_subscription("C1", at="09:00", tz="UTC", days="daily")
    clock = Clock(at(2024, 4, 2, 9, 0))
    scheduler, _ = scheduler_for(store, clock, ExplodingPoster(store))
    assert len(scheduler.tick()) == 1
    clock.now += dt.timedelta(seconds=30)
    assert scheduler.tick() == []
    clock.now += dt.timedelta(minutes=2)
    assert len(scheduler.tick()) == 1


def test_stop_takes_effect_between_posts(store):
    for channel in ("C1", "C2", "C3"):
        store.save_subscription(channel, at="09:00", tz="UTC", days="daily")

    class StoppingPoster(RecordingPoster):
        def post_daily(self, channel, tip, local_date):
            scheduler.stop(timeout=0)
            return super().post_daily(channel, tip, local_date)

    scheduler, poster = scheduler_for(store, Clock(at(2024, 4, 2, 9, 0)), StoppingPoster(store))
    assert len(scheduler.tick()) == 1
    assert len(poster.posted) == 1


def test_paused_subscriptions_are_not_posted(store):
    store.save_subscription("C1", at="09:00", tz="UTC", days="daily")
    store.pause_subscription("C1", "archived")
    scheduler, poster = scheduler_for(store, Clock(at(2024, 4, 2, 9, 0)))
    assert scheduler.tick() == []


def test_channels_outside_the_schedulers_scope_are_left_alone(store):
    store.save_subscription("C1", at="09:00", tz="UTC", days="daily")
    store.save_subscription("C0PLAYGRND", at="09:00", tz="UTC", days="daily")
    poster = RecordingPoster(store)
    scheduler = Scheduler(
        store,
        lambda: KB,
        poster,
        now=Clock(at(2024, 4, 2, 9, 0)),
        include=lambda channel: channel != "C0PLAYGRND",
    )
    assert [r.channel for r in scheduler.tick()] == ["C1"]
    assert dailies(store, "C0PLAYGRND") == []


def test_todays_tip_is_what_gets_posted(store):
    store.save_subscription("C1", at="09:00", tz="UTC", days="daily")
    clock = Clock(at(2024, 4, 2, 8, 0))
    scheduler, _ = scheduler_for(store, clock)
    for day in range(1, 8):  # some history so the pick is not simply the first tip
        store.claim_daily("C1", f"2024-03-0{day}", KB.tips[day % 5].id)
    preview = todays_tip(store, KB, "C1", clock.now)
    clock.now = at(2024, 4, 2, 9, 0)
    (result,) = scheduler.tick()
    assert result.tip_id == preview.id
    assert todays_tip(store, KB, "C1", clock.now).id == preview.id


def test_channel_not_found_pauses_one_and_posts_the_others_over_http(store):
    with FakeSlack() as fake:
        for channel in ("C1", "C2", "C3"):
            store.save_subscription(channel, at="09:00", tz="UTC", days="daily", user="U1")
        poster = Poster(
            SlackDeliverer(WebClient(token="xoxb-t", base_url=fake.url)),
            store,
            sleep=lambda s: None,
        )
        clock = Clock(at(2024, 4, 2, 9, 0))
        scheduler, _ = scheduler_for(store, clock, poster)
        fake.fail_next("chat.postMessage", error="channel_not_found")  # C1 is first
        results = {r.channel: r.status for r in scheduler.tick()}
        clock.now = at(2024, 4, 3, 9, 0)
        next_day = {r.channel for r in scheduler.tick()}
        assert results == {"C1": "paused", "C2": "posted", "C3": "posted"}
        assert next_day == {"C2", "C3"}
        assert store.subscription("C1")["paused"] == 1
        assert len(fake.messages("DU1")) == 1
        assert len(fake.messages("C2")) == 2 and fake.messages("C1") == []


def test_todays_tip_retired_after_its_post_is_not_shown_again(store):
    import dataclasses

    from bot.core.knowledge import KnowledgeBase

    store.save_subscription("C1", at="09:00", tz="UTC", days="daily")
    clock = Clock(at(2024, 4, 2, 9, 0))
    scheduler, _ = scheduler_for(store, clock)
    (result,) = scheduler.tick()
    retired = KnowledgeBase(
        [dataclasses.replace(t, status="gone") if t.id == result.tip_id else t for t in KB.tips]
    )
    shown = todays_tip(store, retired, "C1", clock.now)
    assert shown is not None and shown.id != result.tip_id and shown.status == "curated"
