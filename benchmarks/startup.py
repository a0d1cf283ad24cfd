"""Start-up and memory: process start to first answered /aipm, and RSS after 1,000 requests.

python -m benchmarks.startup [--runs 5] [--requests 1000] [--json]
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

from benchmarks import harness
from benchmarks.load import command, questions
from bot.fakeslack.server import FakeSlack


def ask(port: int, question: str) -> int:
    body, headers = command(question, "U1")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("POST", "/slack/events", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def first_answer(port: int, proc, *, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("bot exited during start-up")
        try:
            if ask(port, "what is the ikea effect") == 200:
                return
        except OSError:
            time.sleep(0.005)
    raise RuntimeError("no answer in time")


def run(runs: int, requests: int) -> dict:
    qs = questions()
    starts, rss = [], None
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as fake:
        for i in range(runs):
            port = harness.free_port()
            env = harness.env_for(Path(tmp) / "coach.db", fake.url, port)
            began = time.perf_counter()
            proc = harness.start(harness.bot_command(), env, Path(tmp) / f"bot{i}.log")
            first_answer(port, proc)
            starts.append(time.perf_counter() - began)
            if i == runs - 1:
                for n in range(requests):
                    ask(port, qs[n % len(qs)])
                rss = psutil.Process(proc.pid).memory_info().rss
            harness.stop(proc)
    return {
        "runs": runs,
        "first_answer_seconds_median": round(statistics.median(starts), 3),
        "first_answer_seconds_max": round(max(starts), 3),
        "requests": requests,
        "rss_mb_after_requests": round(rss / 2**20, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.runs, args.requests)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"Start-up: process start to first answered /aipm: median {result['first_answer_seconds_median']} s, "
            f"max {result['first_answer_seconds_max']} s over {args.runs} runs"
        )
        print(
            f"Memory: resident {result['rss_mb_after_requests']} MB after {args.requests} requests"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
