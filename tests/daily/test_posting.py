import logging
import time

import pytest
from slack_sdk import WebClient

from benchmarks.rotation import make_base
from bot.daily.posting import ChannelGone, Poster
from bot.fakeslack.server import FakeSlack
from bot.settings import Settings
from bot.slack.blocks import tip_message
from bot.slack.delivery import SlackDeliverer, make_client
from bot.store import Store

TOKEN = "xoxb-test-secret-token"
DAY = "2024-05-06"


class FakeTime:
    """An injected clock that advances only when the code sleeps."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(round(seconds, 3))
        self.now += seconds

    def clock(self):
        return self.now


@pytest.fixture
def fake():
    with FakeSlack() as server:
        yield server


@pytest.fixture
def store(tmp_path):
    store = Store.open(tmp_path / "coach.db")
    yield store
    store.close()


@pytest.fixture
def clock():
    return FakeTime()


@pytest.fixture
def poster(fake, store, clock):
    client = make_client(Settings(bot_token=TOKEN, api_url=fake.url), timeout=1, sleep=clock.sleep)
    return Poster(SlackDeliverer(client), store, sleep=clock.sleep, clock=clock.clock)


TIP = make_base(3).tips[0]


def tip_messages(fake, channel):
    return [
        m for m in fake.messages(channel) if m.get("metadata", {}).get("event_type") == "aipm_tip"
    ]


def test_post_daily_posts_once_with_metadata(fake, store, poster):
    first = poster.post_daily("C1", TIP, DAY)
    second = poster.post_daily("C1", TIP, DAY)
    assert first.status == "posted" and first.ok
    assert second.status == "already"
    messages = tip_messages(fake, "C1")
    assert len(messages) == 1
    assert messages[0]["metadata"]["event_payload"] == {
        "tip_id": TIP.id,
        "date": DAY,
        "kind": "daily",
    }
    call = fake.calls("chat.postMessage")[0]
    assert call.token_present and "link_names" not in call.params and "parse" not in call.params
    post = store.daily_post("C1", DAY)
    assert (post.status, post.ts) == ("posted", first.ts)


def test_rate_limit_is_waited_out_by_the_client_handler(fake, store, tmp_path):
    fake.fail_next("chat.postMessage", status=429, headers={"Retry-After": "1"})
    client = make_client(Settings(bot_token=TOKEN, api_url=fake.url))
    outcome = Poster(SlackDeliverer(client), store, sleep=lambda s: None).post_daily("C1", TIP, DAY)
    assert outcome.status == "posted"
    assert [c.status for c in fake.calls("chat.postMessage")] == [429, 200]
    assert len(tip_messages(fake, "C1")) == 1


def test_rate_limit_waits_retry_after_on_the_injected_sleep(fake, poster, clock):
    fake.fail_next("chat.postMessage", status=429, headers={"Retry-After": "3"})
    outcome = poster.post_daily("C1", TIP, DAY)
    assert outcome.status == "posted"
    assert 3.0 in clock.sleeps
    assert fake.calls("conversations.history") == []  # a 429 posted nothing: no need to look
    assert len(tip_messages(fake, "C1")) == 1


def test_server_error_is_checked_then_retried(fake, store, poster, clock):
    fake.fail_next("chat.postMessage", status=500)
    outcome = poster.post_daily("C1", TIP, DAY)
    assert outcome.status == "posted"
    assert [c.method for c in fake.calls()] == [
        "chat.postMessage",
        "conversations.history",
        "chat.postMessage",
    ]
    assert fake.calls("conversations.history")[0].params["include_all_metadata"] in (
        "1",
        "true",
        True,
    )
    assert clock.sleeps[0] == 1.0
    assert len(tip_messages(fake, "C1")) == 1
    assert store.daily_post("C1", DAY).status == "posted"


def test_posted_then_500_is_reconciled_not_reposted(fake, store, poster):
    fake.fail_next("chat.postMessage", status=500, post_anyway=True)
    outcome = poster.post_daily("C1", TIP, DAY)
    messages = tip_messages(fake, "C1")
    assert outcome.status == "reconciled" and outcome.ok
    assert len(messages) == 1
    assert len(fake.calls("chat.postMessage")) == 1
    assert store.daily_post("C1", DAY).ts == messages[0]["ts"]


def test_timeout_after_posting_is_reconciled(fake, store, poster):
    fake.fail_next("chat.postMessage", delay=1.5, post_anyway=True, status=200, error=None)
    outcome = poster.post_daily("C1", TIP, DAY)
    assert outcome.status == "reconciled"
    assert len(tip_messages(fake, "C1")) == 1


def test_persistent_outage_gives_up_and_releases_the_claim(fake, store, poster, clock):
    fake.fail_next("chat.postMessage", status=503, times=4)
    outcome = poster.post_daily("C1", TIP, DAY)
    assert outcome.status == "deferred" and not outcome.ok
    assert clock.sleeps == [1.0, 2.0, 4.0]
    assert store.daily_post("C1", DAY) is None  # the next tick may try again
    assert tip_messages(fake, "C1") == []


def test_other_slack_errors_release_the_claim(fake, store, poster):
    fake.fail_next("chat.postMessage", error="invalid_blocks")
    outcome = poster.post_daily("C1", TIP, DAY)
    assert (outcome.status, outcome.error) == ("failed", "invalid_blocks")
    assert store.daily_post("C1", DAY) is None


@pytest.mark.parametrize(
    "error", ["channel_not_found", "not_in_channel", "is_archived", "account_inactive"]
)
def test_channel_gone_pauses_and_tells_the_subscriber_once(fake, store, poster, error):
    store.save_subscription("C1", at="09:00", tz="UTC", days="daily", user="U42")
    fake.fail_next("chat.postMessage", error=error)
    first = poster.post_daily("C1", TIP, DAY)
    fake.fail_next("chat.postMessage", error=error)
    second = poster.post_daily("C1", TIP, "2024-05-07")
    assert first.status == second.status == "paused"
    assert store.subscription("C1")["paused"] == 1
    assert store.daily_post("C1", DAY) is None
    dms = fake.messages("DU42")
    assert len(dms) == 1 and "<#C1>" in dms[0]["text"] and "/aipm subscribe" in dms[0]["text"]


def test_post_tip_records_a_non_daily_post(fake, store, poster):
    outcome = poster.post_tip("C1", TIP, kind="shared", shared_by="U7")
    assert outcome.ok
    (post,) = store.posts("C1")
    assert (post.kind, post.ts, post.tip_id) == ("shared", outcome.ts, TIP.id)
    assert "Shared by <@U7>" in str(tip_messages(fake, "C1")[0]["blocks"])


def test_post_tip_after_500_finds_its_own_message_by_nonce(fake, store, poster):
    poster.post_tip("C1", TIP, kind="shared")  # same tip, same day: must not be mistaken
    fake.fail_next("chat.postMessage", status=500, post_anyway=True)
    outcome = poster.post_tip("C1", TIP, kind="manual")
    assert outcome.status == "reconciled"
    assert len(tip_messages(fake, "C1")) == 2
    assert [p.kind for p in store.posts("C1")] == ["shared", "manual"]


def test_posts_to_one_channel_are_paced_a_second_apart(fake, poster, clock):
    poster.post_tip("C1", TIP, kind="manual")
    poster.post_tip("C2", TIP, kind="manual")  # another channel: no wait
    assert clock.sleeps == []
    poster.post_tip("C1", TIP, kind="manual")
    assert clock.sleeps == [1.0]


def test_reconcile_pending_marks_found_and_releases_missing(fake, store, poster):
    found = store.claim_daily("C1", DAY, TIP.id)
    missing = store.claim_daily("C2", DAY, TIP.id)
    client = WebClient(token=TOKEN, base_url=fake.url)
    client.chat_postMessage(
        channel="C1", **tip_message(TIP, local_date=DAY, header="h", kind="daily")
    )
    outcomes = {o.channel: o.status for o in poster.reconcile_pending()}
    assert outcomes == {"C1": "reconciled", "C2": "released"}
    assert store.daily_post("C1", DAY).status == "posted"
    assert store.daily_post("C1", DAY).id == found.id
    assert store.daily_post("C2", DAY) is None and missing.id
    assert store.pending_claims() == []


def test_reconcile_pending_keeps_claims_when_slack_is_down(fake, store, poster):
    store.claim_daily("C1", DAY, TIP.id)
    fake.fail_next("conversations.history", status=500)
    (outcome,) = poster.reconcile_pending()
    assert outcome.status == "unknown"
    assert store.daily_post("C1", DAY).status == "pending"


def test_reconcile_pending_skips_young_claims(store, poster, fake):
    store.claim_daily("C1", DAY, TIP.id)
    assert poster.reconcile_pending(min_age=120) == []
    assert fake.calls() == []


def test_logs_never_contain_the_token(fake, store, poster, caplog):
    caplog.set_level(logging.DEBUG)
    store.save_subscription("C9", at="09:00", tz="UTC", days="daily", user="U1")
    fake.fail_next("chat.postMessage", status=500)
    fake.fail_next("chat.postMessage", error="channel_not_found")
    poster.post_daily("C1", TIP, DAY)
    poster.post_daily("C9", TIP, DAY)
    assert caplog.records
    assert TOKEN not in caplog.text


class GoneChannel:
    """A Deliverer with no Slack behind it: every channel is gone."""

    def __init__(self):
        self.told = []

    def post_tip(self, channel, tip, **options):
        raise ChannelGone("gone", "the room was closed")

    def find_tip(self, channel, *, since, match, until=None):
        return None

    def tell_paused(self, user, channel, reason):
        self.told.append((user, channel, reason))


def test_the_protocol_runs_on_any_deliverer(store):
    store.save_subscription("C1", at="09:00", tz="UTC", days="daily", user="U42")
    deliverer = GoneChannel()
    poster = Poster(deliverer, store, sleep=lambda s: None)
    first = poster.post_daily("C1", TIP, DAY)
    second = poster.post_daily("C1", TIP, "2024-05-07")
    assert (first.status, first.error) == (second.status, second.error) == ("paused", "gone")
    assert store.subscription("C1")["paused_reason"] == "the room was closed"
    assert store.daily_post("C1", DAY) is None
    assert deliverer.told == [("U42", "C1", "the room was closed")]


def test_a_poster_that_lost_its_claim_stops_before_posting_again(fake, store, clock):
    """Issue 15 item 2: the owner renews its lease while it waits; once it is gone, it stops."""
    client = make_client(Settings(bot_token=TOKEN, api_url=fake.url), timeout=1, sleep=clock.sleep)
    poster = Poster(SlackDeliverer(client), store, sleep=clock.sleep, clock=clock.clock, lease=1.0)
    taken = []

    def lose_the_claim(seconds):
        # While A backs off, its lease runs out (a long pause) and B takes the claim over.
        if taken:
            return
        claim = store.daily_post("C1", DAY)
        with store.transaction() as db:
            db.execute("UPDATE posts SET lease_until = '2000-01-01' WHERE id = ?", [claim.id])
        taken.append(store.take_over_claim(claim.id, "B", 60, min_age=0))
        time.sleep(0.5)  # A's heartbeat (every lease/4) notices

    poster.sleep = lose_the_claim
    fake.fail_next("chat.postMessage", status=500)
    outcome = poster.post_daily("C1", TIP, DAY)
    assert taken == [True]
    assert outcome.status == "unknown" and outcome.error == "claim lost"
    assert tip_messages(fake, "C1") == []
    assert store.daily_post("C1", DAY).status == "pending", "B settles it, not A"


def test_pacing_forgets_channels_whose_slot_has_passed(poster, clock):
    from bot.daily.posting import PACE_PRUNE_AT

    for n in range(3 * PACE_PRUNE_AT):  # every DM is a channel of its own
        poster.pace(f"D{n}")
        clock.now += 0.01
    assert poster.paced_channels <= PACE_PRUNE_AT
    poster.pace("D1")
    poster.pace("D1")
    assert clock.sleeps and clock.sleeps[-1] == 1.0, "a channel in use is still paced"


def test_a_half_made_post_settles_under_a_distributed_apps_history_limits(fake, store):
    # Outside the Marketplace Slack answers conversations.history with at most 15 messages,
    # one call a minute (here a second); 20 messages after the post need a second page.
    fake.api.history_limit, fake.api.history_window = 15, 1.0
    client = make_client(Settings(bot_token=TOKEN, api_url=fake.url), timeout=5)
    poster = Poster(SlackDeliverer(client), store)  # real sleeps: Retry-After is waited out
    claim = store.claim_daily("C1", DAY, TIP.id)
    WebClient(token=TOKEN, base_url=fake.url).chat_postMessage(
        channel="C1", **tip_message(TIP, local_date=DAY, header="h", kind="daily")
    )
    for n in range(20):
        fake.api.add_user_message("U1", "C1", f"chatter {n}")
    (outcome,) = poster.reconcile_pending()
    assert outcome.status == "reconciled" and store.daily_post("C1", DAY).id == claim.id
    history = fake.calls("conversations.history")
    assert all(int(c.params["limit"]) <= 15 for c in history)
    assert [c.status for c in history].count(429) >= 1, "the limit was hit and waited out"
    assert all("latest" in c.params for c in history), "the look-up is bounded in time"
