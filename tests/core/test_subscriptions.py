import datetime as dt

import pytest
from slack_sdk import WebClient

from benchmarks.rotation import RecordingPoster, make_base
from bot.core.schedule import ScheduleError, due_date
from bot.core.subscriptions import (
    as_json,
    describe,
    next_tip_at,
    post_tip_now,
    preview_tip,
    render_text,
    subscribe,
    unsubscribe,
)
from bot.daily.posting import Poster
from bot.fakeslack.server import FakeSlack
from bot.slack.delivery import SlackDeliverer
from bot.store import Store

KB = make_base(4)


@pytest.fixture
def store(tmp_path):
    store = Store.open(tmp_path / "coach.db")
    yield store
    store.close()


def test_subscribe_stores_and_describes(store):
    row, created = subscribe(store, "C1", "9:30 Europe/Berlin mon,wed", user="U1", default_tz="UTC")
    assert (row["at"], row["tz"], row["days"], row["created_by"]) == (
        "09:30",
        "Europe/Berlin",
        "mon,wed",
        "U1",
    )
    assert store.subscription("C1")["tz"] == "Europe/Berlin"
    assert created is True
    assert describe(row) == "09:30 Europe/Berlin on Mon, Wed"


def test_subscribe_defaults_to_the_users_zone_and_weekdays(store):
    row, _ = subscribe(store, "C1", "", default_tz="America/New_York")
    assert (row["at"], row["tz"], row["days"]) == ("09:00", "America/New_York", "weekdays")


def test_an_unusable_user_zone_falls_back_to_utc(store):
    row, _ = subscribe(store, "C1", [], default_tz="Nowhere/Special")
    assert row["tz"] == "UTC"


def test_changing_one_part_keeps_the_others(store):
    subscribe(store, "C1", "8:00 Asia/Kolkata daily")
    row, created = subscribe(store, "C1", ["10:15"], default_tz="UTC")
    assert (row["at"], row["tz"], row["days"]) == ("10:15", "Asia/Kolkata", "daily")
    assert created is False


def test_resubscribing_unpauses(store):
    subscribe(store, "C1", "")
    store.pause_subscription("C1", "archived")
    row, _ = subscribe(store, "C1", "")
    assert row["paused"] == 0


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("25:00", "not a valid time"),
        ("9:75pm", "24-hour HH:MM"),
        ("9:00 Mars/Base", "Unknown time zone 'Mars/Base'"),
        ("9:00 UTC funday", "I could not read 'funday'"),
    ],
)
def test_bad_input_has_a_clear_message_and_stores_nothing(store, text, fragment):
    with pytest.raises(ScheduleError, match=fragment):
        subscribe(store, "C1", text, default_tz="UTC")
    assert store.subscription("C1") is None


def test_bad_input_leaves_an_existing_subscription_alone(store):
    subscribe(store, "C1", "8:00 UTC")
    with pytest.raises(ScheduleError):
        subscribe(store, "C1", "8:00 Mars/Base")
    assert store.subscription("C1")["at"] == "08:00"


def test_unsubscribe(store):
    subscribe(store, "C1", "")
    assert unsubscribe(store, "C1") is True
    assert store.subscription("C1") is None
    assert unsubscribe(store, "C1") is False


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            {"at": "09:00", "tz": "Europe/Berlin", "days": "weekdays", "paused": 0},
            "09:00 Europe/Berlin on weekdays",
        ),
        (
            {"at": "07:05", "tz": "UTC", "days": "daily", "paused": 0},
            "07:05 UTC on every day",
        ),
        (
            {
                "at": "09:00",
                "tz": "UTC",
                "days": "sat,sun",
                "paused": 1,
                "paused_reason": "the <#C1> channel & co",
            },
            "09:00 UTC on Sat, Sun (paused: the <#C1> channel & co)",
        ),
        (
            {"at": "09:00", "tz": "UTC", "days": "mon", "paused": 1, "paused_reason": None},
            "09:00 UTC on Mon (paused)",
        ),
    ],
)
def test_describe(row, expected):
    assert describe(row) == expected


def test_as_json(store):
    row, _ = subscribe(store, "C1", "9:00 UTC daily")
    store.pause_subscription("C1", "gone")
    assert as_json(store.subscription("C1")) == {
        "channel": "C1",
        "at": "09:00",
        "tz": "UTC",
        "days": "daily",
        "paused": True,
        "topics": [],
    }


def test_post_tip_now_twice_posts_one_daily(store):
    poster = RecordingPoster(store)
    now = dt.datetime(2024, 6, 3, 7, 0, tzinfo=dt.UTC)
    first = post_tip_now(store, KB, poster, "C1", now=now)
    second = post_tip_now(store, KB, poster, "C1", now=now)
    assert first.status == "posted"
    assert (second.status, second.tip_id) == ("already", first.tip_id)
    assert [(p.kind, p.local_date) for p in store.posts("C1")] == [("daily", "2024-06-03")]


def test_post_tip_now_force_adds_a_manual_post_never_a_second_daily(store):
    with FakeSlack() as fake:
        poster = Poster(
            SlackDeliverer(WebClient(token="xoxb-t", base_url=fake.url)),
            store,
            sleep=lambda s: None,
        )
        now = dt.datetime(2024, 6, 3, 7, 0, tzinfo=dt.UTC)
        first = post_tip_now(store, KB, poster, "C1", now=now)
        forced = post_tip_now(store, KB, poster, "C1", force=True, now=now)
        assert forced.ok and forced.tip_id != first.tip_id
        assert [p.kind for p in store.posts("C1")] == ["daily", "manual"]
        assert len(fake.messages("C1")) == 2


def test_post_tip_now_uses_the_subscription_zone_for_today(store):
    subscribe(store, "C1", "9:00 Asia/Tokyo")
    post_tip_now(
        store, KB, RecordingPoster(store), "C1", now=dt.datetime(2024, 6, 3, 23, 0, tzinfo=dt.UTC)
    )
    assert store.posts("C1")[0].local_date == "2024-06-04"


def test_post_tip_now_on_an_empty_base(store):
    assert post_tip_now(store, make_base(0), RecordingPoster(store), "C1") is None


def test_preview_records_nothing(store):
    tip = preview_tip(store, KB, now=dt.datetime(2024, 6, 3, tzinfo=dt.UTC))
    assert tip.id == KB.tips[0].id
    assert store.posts() == []
    assert tip.title in render_text(tip) and tip.source.url in render_text(tip)


BERLIN_FRIDAY_10 = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)  # 10:00 in Berlin, a Friday


def test_a_subscription_made_after_todays_time_waits_for_the_next_scheduled_day(store):
    row, created = subscribe(store, "C1", "09:00 Europe/Berlin weekdays", now=BERLIN_FRIDAY_10)
    assert created and row["starts_on"] == "2026-12-07", "Friday 10:00 -> Monday"
    assert due_date(row, BERLIN_FRIDAY_10 + dt.timedelta(minutes=1)) is None
    monday_9 = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)
    assert due_date(row, monday_9) == "2026-12-07"
    assert next_tip_at(store, row, BERLIN_FRIDAY_10) == monday_9


def test_a_subscription_made_before_todays_time_starts_today(store):
    row, _ = subscribe(store, "C1", "11:00 Europe/Berlin", now=BERLIN_FRIDAY_10)
    assert row["starts_on"] == "2026-12-04"
    assert due_date(row, BERLIN_FRIDAY_10 + dt.timedelta(hours=1)) == "2026-12-04"


def test_changing_a_subscription_keeps_its_first_day(store):
    subscribe(store, "C1", "09:00 Europe/Berlin", now=BERLIN_FRIDAY_10)
    row, created = subscribe(store, "C1", "08:00", now=BERLIN_FRIDAY_10 + dt.timedelta(days=9))
    assert not created and row["starts_on"] == "2026-12-07"


def test_next_tip_is_now_when_todays_is_due_and_not_posted(store):
    row = store.save_subscription("C1", at="09:00", tz="UTC", days="daily")
    now = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)
    assert row["starts_on"] is None and next_tip_at(store, row, now) == now


def test_next_tip_is_tomorrow_once_todays_is_posted(store):
    row = store.save_subscription("C1", at="09:00", tz="UTC", days="daily")
    now = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)
    store.claim_daily("C1", "2026-12-04", "a-tip")
    assert next_tip_at(store, row, now) == dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)
