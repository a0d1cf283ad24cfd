"""SlackDeliverer over HTTP against the fake Slack: Slack's answers become plain outcomes."""

import ast
import time
from pathlib import Path

import pytest
from slack_sdk import WebClient

from benchmarks.rotation import make_base
from bot.daily.posting import ChannelGone, Refused, Unreachable
from bot.settings import Settings
from bot.slack.delivery import (
    MAX_RATE_LIMIT_WAIT,
    MAYBE_DELIVERED,
    NOT_DELIVERED,
    RETRY_GAP,
    SlackDeliverer,
    make_client,
    post_ephemeral,
    post_message,
    send_dm,
)

TOKEN = "xoxb-test-secret-token"
DAY = "2024-05-06"
TIP = make_base(3).tips[0]


def deliverer(fake, *, sleeps: list | None = None, **client_options) -> SlackDeliverer:
    """A SlackDeliverer on the fake; the rate-limit waits are appended to `sleeps`."""
    sleep = sleeps.append if sleeps is not None else (lambda seconds: None)
    client = make_client(Settings(bot_token=TOKEN, api_url=fake.url), sleep=sleep, **client_options)
    return SlackDeliverer(client, command="/coach")


def test_make_client_uses_the_settings(fake_slack):
    client = make_client(Settings(bot_token=TOKEN, api_url=fake_slack.url))
    assert client.base_url == fake_slack.url and client.token == TOKEN
    assert client.auth_test()["user_id"] == "UBOT"


def test_post_tip_returns_the_ts_and_find_tip_finds_it_by_metadata(fake_slack):
    slack = deliverer(fake_slack)
    ts = slack.post_tip("C1", TIP, kind="shared", local_date=DAY, nonce="n1", shared_by="U7")
    (message,) = fake_slack.messages("C1")
    assert message["ts"] == ts
    assert message["metadata"]["event_payload"] == {
        "tip_id": TIP.id,
        "date": DAY,
        "kind": "shared",
        "nonce": "n1",
    }
    since = time.time() - 600
    assert slack.find_tip("C1", since=since, match={"nonce": "n1"}) == ts
    assert slack.find_tip("C1", since=since, match={"nonce": "other"}) is None


@pytest.mark.parametrize(
    ("script", "kind", "error"),
    [
        ({"status": 500}, Unreachable, "HTTP 500"),
        ({"status": 503}, Unreachable, "HTTP 503"),
        ({"error": "channel_not_found"}, ChannelGone, "channel_not_found"),
        ({"error": "not_in_channel"}, ChannelGone, "not_in_channel"),
        ({"error": "is_archived"}, ChannelGone, "is_archived"),
        ({"error": "account_inactive"}, ChannelGone, "account_inactive"),
        ({"error": "invalid_blocks"}, Refused, "invalid_blocks"),
    ],
)
def test_slack_errors_map_to_plain_outcomes(fake_slack, script, kind, error):
    fake_slack.fail_next("chat.postMessage", **script)
    with pytest.raises(kind) as raised:
        deliverer(fake_slack).post_tip("C1", TIP, kind="daily", local_date=DAY)
    assert type(raised.value) is kind and raised.value.error == error
    assert fake_slack.messages("C1") == []


def test_a_gone_channel_says_why_in_words(fake_slack):
    fake_slack.fail_next("chat.postMessage", error="is_archived")
    with pytest.raises(ChannelGone) as gone:
        deliverer(fake_slack).post_tip("C1", TIP, kind="daily", local_date=DAY)
    assert gone.value.reason == "the channel was archived"


def test_a_timeout_is_unreachable(fake_slack):
    fake_slack.fail_next("chat.postMessage", delay=1.5)
    with pytest.raises(Unreachable):
        deliverer(fake_slack, timeout=1).post_tip("C1", TIP, kind="daily", local_date=DAY)


def test_a_429_is_waited_out_by_the_client_for_retry_after(fake_slack):
    fake_slack.fail_next("chat.postMessage", status=429, headers={"Retry-After": "2"})
    sleeps = []
    slack = deliverer(fake_slack, sleeps=sleeps)
    assert slack.post_tip("C1", TIP, kind="daily", local_date=DAY)
    assert sleeps == [2.0]
    assert [c.status for c in fake_slack.calls("chat.postMessage")] == [429, 200]


def test_a_429_that_outlasts_the_client_waits_is_unreachable(fake_slack):
    fake_slack.fail_next("chat.postMessage", status=429, headers={"Retry-After": "1"}, times=4)
    sleeps = []
    slack = deliverer(fake_slack, sleeps=sleeps)
    with pytest.raises(Unreachable) as raised:
        slack.post_tip("C1", TIP, kind="daily", local_date=DAY)
    assert raised.value.error == "ratelimited"
    assert sleeps == [1.0, 1.0, 1.0]
    assert fake_slack.messages("C1") == []


def test_history_errors_map_like_posting_errors(fake_slack):
    fake_slack.fail_next("conversations.history", status=500)
    with pytest.raises(Unreachable):
        deliverer(fake_slack).find_tip("C1", since=0.0, match={"nonce": "n1"})


def test_tell_paused_dms_the_user_with_the_command(fake_slack):
    deliverer(fake_slack).tell_paused("U42", "C1", "the channel was archived")
    (dm,) = fake_slack.messages("DU42")
    assert "<#C1>" in dm["text"] and "the channel was archived" in dm["text"]
    assert "`/coach subscribe`" in dm["text"]


def test_a_bare_client_without_the_handler_reports_a_429_as_unreachable(fake_slack):
    fake_slack.fail_next("chat.postMessage", status=429, headers={"Retry-After": "1"})
    slack = SlackDeliverer(WebClient(token=TOKEN, base_url=fake_slack.url, retry_handlers=[]))
    with pytest.raises(Unreachable):
        slack.post_tip("C1", TIP, kind="daily", local_date=DAY)
    assert len(fake_slack.calls("chat.postMessage")) == 1


@pytest.mark.parametrize("retry_after", ["86400", "inf", "1e400", "9" * 400])
def test_a_retry_after_beyond_the_cap_gives_up_at_once_instead_of_hanging(fake_slack, retry_after):
    """A 429 asking for a day (or for ever) must not park the poster: it is Unreachable now."""
    fake_slack.fail_next("chat.postMessage", status=429, headers={"Retry-After": retry_after})
    sleeps = []
    with pytest.raises(Unreachable) as raised:
        deliverer(fake_slack, sleeps=sleeps).post_tip("C1", TIP, kind="daily", local_date=DAY)
    assert raised.value.error == "ratelimited"
    assert sleeps == []
    assert len(fake_slack.calls("chat.postMessage")) == 1 and fake_slack.messages("C1") == []


def test_a_retry_after_at_the_cap_is_still_waited_out(fake_slack):
    fake_slack.fail_next(
        "chat.postMessage", status=429, headers={"Retry-After": str(int(MAX_RATE_LIMIT_WAIT))}
    )
    sleeps = []
    assert deliverer(fake_slack, sleeps=sleeps).post_tip("C1", TIP, kind="daily", local_date=DAY)
    assert sleeps == [MAX_RATE_LIMIT_WAIT]


# -- the one classification and retry rule for every outgoing message --------------------


def client_for(fake) -> WebClient:
    return make_client(Settings(bot_token=TOKEN, api_url=fake.url), timeout=1, sleep=lambda s: 0)


@pytest.mark.parametrize(
    ("script", "status", "error"),
    [
        ({"error": "not_in_channel"}, NOT_DELIVERED, "not_in_channel"),
        ({"status": 404}, NOT_DELIVERED, "HTTP 404"),
        (
            {"status": 429, "headers": {"Retry-After": "1"}, "times": 9},
            NOT_DELIVERED,
            "ratelimited",
        ),
        ({"error": "ratelimited"}, NOT_DELIVERED, "ratelimited"),
        ({"status": 503}, MAYBE_DELIVERED, "HTTP 503"),
        ({"delay": 2.0, "post_anyway": True}, MAYBE_DELIVERED, "TimeoutError"),
    ],
    ids=["not-ok", "4xx", "429-storm", "ratelimited", "5xx", "time-out"],
)
def test_post_message_classifies_each_failure_once(fake_slack, script, status, error):
    fake_slack.fail_next("chat.postMessage", **script)
    sent = post_message(client_for(fake_slack), "C1", {"text": "hi"}, retry_dropped=2)
    assert (sent.status, sent.error, sent.call, sent.dropped) == (
        status,
        error,
        "chat.postMessage",
        False,
    )
    assert not sent.ok


def test_only_a_dropped_connection_is_retried_and_only_when_asked(fake_slack):
    fake_slack.fail_next("chat.postMessage", drop=True, times=2)
    once = post_message(client_for(fake_slack), "C1", {"text": "hi"})
    assert once.status == MAYBE_DELIVERED and once.dropped
    paced, sleeps = [], []
    sent = post_message(
        client_for(fake_slack),
        "C1",
        {"text": "hi"},
        pace=paced.append,
        retry_dropped=2,
        sleep=sleeps.append,
    )
    assert sent.ok and sent.ts and paced == ["C1", "C1"] and sleeps == [RETRY_GAP]
    assert [m["text"] for m in fake_slack.messages("C1")] == ["hi"]


def test_send_dm_opens_the_dm_then_posts(fake_slack):
    sent = send_dm(client_for(fake_slack), "U9", {"text": "your tip is here"})
    assert sent.ok and sent.channel == "DU9"
    assert [m["text"] for m in fake_slack.messages("DU9")] == ["your tip is here"]


@pytest.mark.parametrize("script", [{"status": 500}, {"error": "user_not_found"}])
def test_a_dm_whose_conversation_did_not_open_was_surely_not_delivered(fake_slack, script):
    fake_slack.fail_next("conversations.open", **script)
    sent = send_dm(client_for(fake_slack), "U9", {"text": "your tip is here"})
    assert (sent.status, sent.call) == (NOT_DELIVERED, "conversations.open")
    assert fake_slack.calls("chat.postMessage") == []


def test_post_ephemeral_reports_slacks_refusal(fake_slack):
    fake_slack.add_channel("C2", is_member=False)
    sent = post_ephemeral(client_for(fake_slack), "C2", "U1", {"text": "psst"})
    assert (sent.status, sent.error) == (NOT_DELIVERED, "not_in_channel")
    assert post_ephemeral(client_for(fake_slack), "C1", "U1", {"text": "psst"}).ok


SENDS = {"chat_postMessage", "chat_postEphemeral", "conversations_open", "chat_scheduleMessage"}


def test_nothing_but_the_delivery_module_sends_a_message():
    """One way out: no module of bot/ but delivery.py calls a Web API method that sends."""
    root = Path(__file__).resolve().parents[2] / "bot"
    found = []
    for path in sorted(root.rglob("*.py")):
        if path == root / "slack" / "delivery.py" or "fakeslack" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in SENDS:
                found.append(f"{path.relative_to(root)}:{node.lineno} {node.attr}")
    assert found == []
