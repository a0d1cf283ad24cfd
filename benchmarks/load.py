"""Load: the real bot under signed /aipm questions and reactions, beside a bare Bolt app.

    python -m benchmarks.load [--seconds 20] [--concurrency 16] [--json]

Serves `python -m bot serve` (HTTP mode, waitress) against the local fake Slack Web API,
sends signed slash commands and signed reaction_added events from `concurrency` workers
for `seconds`, then checks that the rating count in SQLite equals the reactions Slack got
a 200 for. The same load of slash commands then goes to a bare Bolt app (one listener
that only acks) on the same HTTP server, so the bot's overhead is a ratio from one run.

A third run mixes @mentions and DMs (each in its own channel, so Slack's one message per
second per channel never queues them) and Slack-style redeliveries of some of them (same
event_id, X-Slack-Retry-Num). Each worker is one person who waits for the answer before
asking again; the run measures the time from sending each event to the answer's
chat.postMessage arriving at the fake, and counts errors, missing and duplicate answers.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml
from slack_sdk import WebClient

from benchmarks import harness, loadgen
from bot.core import knowledge
from bot.daily.posting import Poster
from bot.fakeslack import payloads
from bot.fakeslack.server import FakeSlack
from bot.fakeslack.signing import signed_headers
from bot.fakeslack.web_api import BOT, TEAM, WebAPI, dm_channel
from bot.slack.delivery import SlackDeliverer
from bot.store import Store

QUESTIONS = harness.ROOT / "benchmarks" / "questions" / "dev.yaml"
CHANNEL = {"id": "C1", "name": "product"}
ANSWER_TIMEOUT = 10.0


def command(question: str, user: str) -> tuple[bytes, dict]:
    """A signed `/aipm QUESTION` from `user`: (body, headers)."""
    body, kind = payloads.slash_command(
        command="/aipm",
        text=question,
        user={"id": user, "name": user.lower()},
        channel=CHANNEL,
        team=TEAM,
        api_app_id=BOT["app_id"],
        response_url="http://127.0.0.1:9/unused",
    )
    return body.encode(), signed_headers(harness.SECRET, body, content_type=kind)


def reaction(user: str, ts: str, event_id: str) -> tuple[bytes, dict]:
    """A signed reaction_added (+1) by `user` on the bot's message at `ts`: (body, headers)."""
    event = payloads.reaction_event(
        user=user, reaction="+1", channel=CHANNEL["id"], ts=ts, item_user=BOT["id"]
    )
    body, kind = payloads.event_callback(
        event, team=TEAM, api_app_id=BOT["app_id"], bot_user=BOT["id"], event_id=event_id
    )
    return body.encode(), signed_headers(harness.SECRET, body, content_type=kind)


def signed_event(event: dict, event_id: str) -> tuple[bytes, dict]:
    """A signed Events API delivery of `event`: (body, headers)."""
    body, kind = payloads.event_callback(
        event, team=TEAM, api_app_id=BOT["app_id"], bot_user=BOT["id"], event_id=event_id
    )
    return body.encode(), signed_headers(harness.SECRET, body, content_type=kind)


def mention(question: str, user: str, channel: str, event_id: str) -> tuple[bytes, dict]:
    """A signed `@AI PM Coach QUESTION` (app_mention) by `user` in `channel`: (body, headers)."""
    event = payloads.app_mention_event(
        user=user, channel=channel, text=f"<@{BOT['id']}> {question}"
    )
    return signed_event(event, event_id)


def dm(question: str, user: str, event_id: str) -> tuple[bytes, dict]:
    """A signed direct message from `user` to the bot (message.im): (body, headers)."""
    event = payloads.message_event(
        user=user, channel=dm_channel(user), text=question, channel_type="im"
    )
    return signed_event(event, event_id)


def conversation_latencies(fake: FakeSlack, sent: dict[str, float], *, wait: float) -> dict:
    """Match each event (by channel) to the answers posted there; latency, missing, duplicates."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        answered = {c.params.get("channel") for c in fake.calls("chat.postMessage")}
        if answered >= sent.keys():
            break
        time.sleep(0.05)
    first: dict[str, float] = {}
    duplicates = 0
    for call in fake.calls("chat.postMessage"):
        channel = call.params.get("channel")
        if channel not in sent:
            continue
        if channel in first:
            duplicates += 1
        else:
            first[channel] = call.at
    latencies = sorted(first[c] - sent[c] for c in first)
    summary = {"events": len(sent), "answered": len(first), "duplicates": duplicates}
    if latencies:
        summary |= {
            "p50_ms": round(statistics.median(latencies) * 1000, 2),
            "p99_ms": round(
                latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 2
            ),
            "max_ms": round(latencies[-1] * 1000, 2),
        }
    return summary


def questions() -> list[str]:
    cases = yaml.safe_load(QUESTIONS.read_text())["cases"]
    return [c["q"] for c in cases]


def start_warmed(command_line: list[str], db: Path, api_url: str, log: Path, warm_up):
    """Start a server process, wait until it is healthy, warm it up for half a second."""
    port = harness.free_port()
    proc = harness.start(command_line, harness.env_for(db, api_url, port), log)
    harness.wait_healthy(port, proc)
    loadgen.run("127.0.0.1", port, "/slack/events", warm_up, concurrency=2, seconds=0.5)
    return port, proc


def run(seconds: float, concurrency: int) -> dict:
    qs = questions()
    with tempfile.TemporaryDirectory() as tmp, FakeSlack(WebAPI(max_calls=None)) as fake:
        db = Path(tmp) / "coach.db"
        store = Store.open(db)
        base = knowledge.load(harness.ROOT / "knowledge")
        ts = (
            Poster(SlackDeliverer(WebClient(token=harness.TOKEN, base_url=fake.url)), store)
            .post_tip("C1", base.get("the-ikea-effect"), kind="shared")
            .ts
        )
        store.close()

        def mixed(worker: int, n: int):
            if n % 2 == 0:
                return ("command", *command(qs[(worker * 7 + n) % len(qs)], f"U{worker}"))
            return ("reaction", *reaction(f"U{worker}x{n}", ts, f"Ev{worker}x{n}"))

        def commands_only(worker: int, n: int):
            return ("command", *command(qs[(worker * 7 + n) % len(qs)], f"U{worker}"))

        def drive(port: int, make, seconds: float):
            return loadgen.run(
                "127.0.0.1", port, "/slack/events", make, concurrency=concurrency, seconds=seconds
            )

        port, proc = start_warmed(
            harness.bot_command(), db, fake.url, Path(tmp) / "bot.log", commands_only
        )
        ours = drive(port, mixed, seconds)
        commands_alone = drive(port, commands_only, seconds)
        sent: dict[str, float] = {}
        sent_lock = threading.Lock()

        last: dict[int, bytes] = {}
        waiting: dict[int, str] = {}

        def conversations(worker: int, n: int):
            # Each worker is one person: they wait for the answer before asking again.
            channel = waiting.pop(worker, None)
            deadline = time.monotonic() + ANSWER_TIMEOUT
            while channel and fake.api.first_post(channel) is None:
                if time.monotonic() > deadline:
                    break
                fake.api.wait_for_change(fake.api.version, 0.05)
            if n % 5 == 4 and worker in last:
                # Slack's redelivery of the previous event (same event_id): must not answer twice.
                body = last.pop(worker)
                headers = signed_headers(
                    harness.SECRET, body.decode(), content_type="application/json"
                )
                return ("retry", body, headers | {"X-Slack-Retry-Num": "1"})
            question = qs[(worker * 7 + n) % len(qs)]
            key = f"{worker}x{n}"
            if n % 2 == 0:
                channel = f"CM{key}"
                request = ("mention", *mention(question, f"U{worker}", channel, f"EvM{key}"))
            else:
                channel = dm_channel(f"UD{key}")
                request = ("dm", *dm(question, f"UD{key}", f"EvD{key}"))
            with sent_lock:
                sent[channel] = time.time()
            last[worker] = request[1]
            waiting[worker] = channel
            return request

        talk = drive(port, conversations, seconds)
        answers = conversation_latencies(fake, sent, wait=30.0)
        code, stop_seconds = harness.stop(proc)
        store = Store.open(db)
        recorded = store.tip_tallies().get("the-ikea-effect", (0, 0))[0]
        store.close()
        accepted = ours.sent.get("reaction", 0) - ours.errors.get("reaction", 0)

        bare_port, bare = start_warmed(
            harness.bare_command(), db, fake.url, Path(tmp) / "bare.log", commands_only
        )
        bare_result = drive(bare_port, commands_only, seconds)
        harness.stop(bare)
    return {
        "seconds": seconds,
        "concurrency": concurrency,
        "bot": {
            "requests_per_second": round(ours.rate(), 1),
            "command": ours.summary("command"),
            "reaction": ours.summary("reaction"),
            "errors": sum(ours.errors.values()),
            "ratings_expected": accepted,
            "ratings_recorded": recorded,
            "counts_exact": accepted == recorded,
            "sigterm_exit_code": code,
            "sigterm_seconds": round(stop_seconds, 2),
        },
        "bare_bolt": {
            "requests_per_second": round(bare_result.rate(), 1),
            "command": bare_result.summary("command"),
            "errors": sum(bare_result.errors.values()),
        },
        "throughput_ratio": _ratio(ours.rate(), bare_result.rate()),
        "conversations": {
            "requests_per_second": round(talk.rate(), 1),
            "mention": talk.summary("mention"),
            "dm": talk.summary("dm"),
            "retry": talk.summary("retry"),
            "errors": sum(talk.errors.values()),
            "event_to_post": answers,
        },
        "commands_alone": {
            "requests_per_second": round(commands_alone.rate(), 1),
            "command": commands_alone.summary("command"),
            "ratio_to_bare": _ratio(commands_alone.rate(), bare_result.rate()),
        },
    }


def _ratio(ours: float, bare: float) -> float | None:
    return round(ours / bare, 2) if bare else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.seconds, args.concurrency)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    bot, bare = result["bot"], result["bare_bolt"]
    print(
        f"Load: concurrency {args.concurrency}, {args.seconds:.0f} s each, signed requests over HTTP"
    )
    print(f"{'':22}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name, row in (
        ("bot /aipm QUESTION", bot["command"]),
        ("bot reaction_added", bot["reaction"]),
        ("bare Bolt ack-only", bare["command"]),
    ):
        print(
            f"{name:22}{row['per_second']:>9}{row['p50_ms']:>9}{row['p99_ms']:>9}{row['errors']:>8}"
        )
    print(
        f"bot total {bot['requests_per_second']} req/s vs bare {bare['requests_per_second']} req/s: "
        f"ratio {result['throughput_ratio']}"
    )
    alone = result["commands_alone"]
    print(
        f"bot /aipm QUESTION alone: {alone['requests_per_second']} req/s, "
        f"p99 {alone['command']['p99_ms']} ms, ratio to bare {alone['ratio_to_bare']}"
    )
    print(
        f"ratings: expected {bot['ratings_expected']}, recorded {bot['ratings_recorded']}, "
        f"exact: {bot['counts_exact']}"
    )
    talk = result["conversations"]
    post = talk["event_to_post"]
    print(
        f"mentions and DMs: {talk['requests_per_second']} req/s acked "
        f"(mention p99 {talk['mention'].get('p99_ms')} ms, DM p99 {talk['dm'].get('p99_ms')} ms, "
        f"{talk['retry'].get('requests', 0)} redeliveries), "
        f"{talk['errors']} errors; event to chat.postMessage p50 {post.get('p50_ms')} ms, "
        f"p99 {post.get('p99_ms')} ms; answered {post['answered']} of {post['events']}, "
        f"{post['duplicates']} duplicates"
    )
    print(f"SIGTERM: exit {bot['sigterm_exit_code']} in {bot['sigterm_seconds']} s")
    errors = bot["errors"] + bare["errors"] + alone["command"].get("errors", 0) + talk["errors"]
    complete = post["answered"] == post["events"] and post["duplicates"] == 0
    return 0 if bot["counts_exact"] and errors == 0 and complete else 1


if __name__ == "__main__":
    sys.exit(main())
