"""Memory soak: the real `python -m bot serve` under 100,000+ signed requests, RSS over time.

    .venv/bin/python -m benchmarks.memory_soak [--requests 100000] [--warm-up 20000] [--json]

Serves the bot in HTTP mode against the local fake Slack (in this process) and sends a
mix Slack would: slash-command questions, reactions on tip messages, @mentions across 300
channels, DMs from 600 people, App Home opens and Share clicks. The warm-up puts a word
never seen before in every question, so every bounded cache (words, pages, pacing) is full
before measuring; in the measured part a fifth of the questions still carry a new word.
After every `--step` requests it samples the bot's resident memory (RSS) and threads.
Memory is judged flat when RSS grows by less than `--tolerance-mb` (default 3 MB) from the
end of the warm-up to the end; exit 1 otherwise, or when any request failed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import psutil
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
CHANNELS = 300
PEOPLE = 600
TIP_MESSAGES = 20
# Out of 100: what each request is (the rest are slash commands).
MIX = (("reaction", 20), ("mention", 8), ("dm", 8), ("home", 4), ("share", 4))
NEW_WORDS = 0.2


def _signed(body: str, kind: str) -> tuple[bytes, dict]:
    return body.encode(), signed_headers(harness.SECRET, body, content_type=kind)


def _event(event: dict, event_id: str) -> tuple[bytes, dict]:
    body, kind = payloads.event_callback(
        event, team=TEAM, api_app_id=BOT["app_id"], bot_user=BOT["id"], event_id=event_id
    )
    return _signed(body, kind)


class Traffic:
    """Builds the n-th request of a worker: (kind, body, headers), all signed as Slack signs."""

    def __init__(
        self,
        questions: list[str],
        tip_messages: list[tuple[str, str]],
        seed: int,
        response_url: str,
    ):
        self.questions = questions
        self.tip_messages = tip_messages
        self.seed = seed
        self.response_url = response_url
        self.new_words = NEW_WORDS  # share of questions with a word never seen before

    def __call__(self, worker: int, n: int) -> loadgen.Request:
        rng = random.Random(self.seed * 1_000_003 + worker * 100_003 + n)
        key = f"{self.seed}w{worker}n{n}"
        user = f"U{rng.randrange(PEOPLE):05d}"
        question = rng.choice(self.questions)
        if rng.random() < self.new_words:  # a word nobody used before: new cache keys
            question += " " + "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(9))
        roll, kind = rng.randrange(100), "command"
        for name, share in MIX:
            if roll < share:
                kind = name
                break
            roll -= share
        if kind == "reaction":
            channel, ts = rng.choice(self.tip_messages)
            event = payloads.reaction_event(
                added=rng.random() < 0.7,
                user=user,
                reaction=rng.choice(("+1", "-1", "heart")),
                channel=channel,
                ts=ts,
                item_user=BOT["id"],
            )
            return (kind, *_event(event, f"EvR{key}"))
        if kind == "mention":
            channel = f"CS{rng.randrange(CHANNELS):04d}"
            event = payloads.app_mention_event(
                user=user, channel=channel, text=f"<@{BOT['id']}> {question}"
            )
            return (kind, *_event(event, f"EvM{key}"))
        if kind == "dm":
            event = payloads.message_event(
                user=user, channel=dm_channel(user), text=question, channel_type="im"
            )
            return (kind, *_event(event, f"EvD{key}"))
        if kind == "home":
            event = payloads.app_home_opened_event(user=user, dm_channel=dm_channel(user))
            return (kind, *_event(event, f"EvH{key}"))
        if kind == "share":
            channel = f"CS{rng.randrange(CHANNELS):04d}"
            tip_id = rng.choice(("the-ikea-effect", "ai-platform-pms"))
            body, content = payloads.block_actions(
                action={"action_id": "share_tip", "block_id": f"rate:{tip_id}", "value": tip_id},
                user={"id": user, "name": user.lower()},
                channel={"id": channel, "name": "product"},
                team=TEAM,
                api_app_id=BOT["app_id"],
                response_url=self.response_url,
                message=None,
                message_ts=f"17000{n:08d}.000100",
                ephemeral=True,
            )
            return (kind, *_signed(body, content))
        body, content = payloads.slash_command(
            command="/aipm",
            text=question,
            user={"id": user, "name": user.lower()},
            channel={"id": f"CS{rng.randrange(CHANNELS):04d}", "name": "product"},
            team=TEAM,
            api_app_id=BOT["app_id"],
            response_url=self.response_url,
        )
        return (kind, *_signed(body, content))


def sample(proc: psutil.Process) -> dict:
    """The bot process's RSS (MB), threads and open files now."""
    return {
        "rss_mb": round(proc.memory_info().rss / 2**20, 1),
        "threads": proc.num_threads(),
        "open_files": len(proc.open_files()),
    }


def run(
    requests: int,
    warm_up: int,
    step: int,
    concurrency: int,
    seed: int,
    *,
    slow_slack: bool = False,
) -> dict:
    """Start the bot, send `warm_up` requests (every question with a new word, so bounded
    caches fill), then `requests` of the usual mix, sampling RSS every `step`."""
    questions = [c["q"] for c in yaml.safe_load(QUESTIONS.read_text())["cases"]]
    # The fake keeps only its latest calls; its messages are this process's memory, not the bot's.
    with tempfile.TemporaryDirectory() as tmp, FakeSlack(WebAPI(max_calls=2000)) as fake:
        db = Path(tmp) / "coach.db"
        store = Store.open(db)
        base = knowledge.load(harness.ROOT / "knowledge")
        poster = Poster(SlackDeliverer(WebClient(token=harness.TOKEN, base_url=fake.url)), store)
        tip_messages = []
        for n in range(TIP_MESSAGES):
            channel = f"CS{n:04d}"
            outcome = poster.post_tip(channel, base.get("the-ikea-effect"), kind="shared")
            tip_messages.append((channel, outcome.ts))
        store.close()
        port = harness.free_port()
        log = Path(tmp) / "bot.log"
        bot = harness.start(harness.bot_command(), harness.env_for(db, fake.url, port), log)
        try:
            harness.wait_healthy(port, bot)
            proc = psutil.Process(bot.pid)
            # A slow Slack: response URLs that refuse connections, which slack-sdk retries
            # with back-off, so the work after each click waits seconds for Slack.
            response_url = "http://127.0.0.1:9/refused" if slow_slack else fake.response_url
            traffic = Traffic(questions, tip_messages, seed, response_url)
            samples = [{"requests": 0, **sample(proc)}]
            sent = errors = 0
            started = time.monotonic()
            phase = 0
            total = warm_up + requests
            while sent < total:
                phase += 1
                traffic.new_words = 1.0 if sent < warm_up else NEW_WORDS
                result = loadgen.run(
                    "127.0.0.1",
                    port,
                    "/slack/events",
                    lambda w, n, phase=phase: traffic(w, phase * 1_000_000 + n),
                    concurrency=concurrency,
                    seconds=3600,
                    max_requests=min(step, (warm_up if sent < warm_up else total) - sent),
                )
                sent += result.total()
                errors += sum(result.errors.values())
                samples.append({"requests": sent, **sample(proc)})
                print(
                    f"  {sent:>7} requests  RSS {samples[-1]['rss_mb']:6.1f} MB  "
                    f"threads {samples[-1]['threads']:3d}  errors {errors}"
                    + ("  (warm-up)" if sent <= warm_up else ""),
                    flush=True,
                )
            elapsed = time.monotonic() - started
            code, stop_seconds = harness.stop(bot)
        finally:
            if bot.poll() is None:
                bot.kill()
        db_mb = round(db.stat().st_size / 2**20, 1)
        log_tail = log.read_text(errors="replace").splitlines()[-15:]
    return {
        "log_tail": log_tail,
        "requests": sent,
        "warm_up": warm_up,
        "errors": errors,
        "seconds": round(elapsed, 1),
        "per_second": round(sent / elapsed, 1),
        "samples": samples,
        "exit_code": code,
        "stop_seconds": round(stop_seconds, 2),
        "db_mb": db_mb,
    }


def judge(report: dict, *, tolerance_mb: float) -> dict:
    """RSS at start, after the warm-up and at the end; flat when it grew less than
    `tolerance_mb` from the warm-up to the end."""
    samples = report["samples"]
    warm = next(s for s in samples if s["requests"] >= report["warm_up"])
    end = samples[-1]
    after = [s["rss_mb"] for s in samples if s["requests"] >= warm["requests"]]
    growth = round(end["rss_mb"] - warm["rss_mb"], 1)
    return {
        "rss_start_mb": samples[0]["rss_mb"],
        "rss_warm_mb": warm["rss_mb"],
        "rss_end_mb": end["rss_mb"],
        "rss_max_after_warm_mb": max(after),
        "growth_after_warm_mb": growth,
        "per_10k_after_warm_mb": round(
            growth / max(1, (end["requests"] - warm["requests"]) / 10_000), 2
        ),
        "flat": growth < tolerance_mb,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--warm-up", type=int, default=20_000)
    parser.add_argument("--step", type=int, default=5_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--tolerance-mb", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--slow-slack",
        action="store_true",
        help="response URLs that refuse connections: work after the answer backs up",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    print(
        f"memory soak: {args.warm_up} warm-up and {args.requests} measured signed requests "
        "against python -m bot serve"
    )
    report = run(
        args.requests,
        args.warm_up,
        args.step,
        args.concurrency,
        args.seed,
        slow_slack=args.slow_slack,
    )
    verdict = judge(report, tolerance_mb=args.tolerance_mb)
    if args.json:
        print(json.dumps(report | verdict, indent=2))
    print(
        f"  {report['requests']} requests in {report['seconds']} s ({report['per_second']}/s), "
        f"{report['errors']} errors; database {report['db_mb']} MB; SIGTERM exit "
        f"{report['exit_code']} in {report['stop_seconds']} s"
    )
    print(
        f"  RSS: start {verdict['rss_start_mb']} MB, after warm-up {verdict['rss_warm_mb']} MB, "
        f"end {verdict['rss_end_mb']} MB (max {verdict['rss_max_after_warm_mb']} MB); "
        f"{verdict['growth_after_warm_mb']:+} MB after warm-up "
        f"({verdict['per_10k_after_warm_mb']:+} MB per 10,000 requests)"
    )
    ok = verdict["flat"] and report["errors"] == 0 and report["exit_code"] == 0
    if report["exit_code"] != 0:
        print("  the bot's last log lines:", *report["log_tail"], sep="\n    ")
    print("  ok: memory flat after warm-up" if ok else "  FAILED: memory grows or requests failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
