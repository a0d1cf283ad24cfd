"""The load and start-up benchmarks run end to end on a tiny budget (figures not asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT


def run(module: str, *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{module}", *args, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_load_benchmark_counts_ratings_exactly():
    data = run("load", "--seconds", "0.5", "--concurrency", "2")
    assert data["bot"]["counts_exact"] is True
    assert data["bot"]["ratings_recorded"] > 0
    assert data["bot"]["sigterm_exit_code"] == 0
    assert set(data) >= {"bot", "bare_bolt", "throughput_ratio", "commands_alone", "conversations"}
    talk = data["conversations"]
    assert talk["errors"] == 0 and talk["mention"]["requests"] > 0 and talk["dm"]["requests"] > 0
    post = talk["event_to_post"]
    assert post["answered"] == post["events"] > 0 and post["duplicates"] == 0


def test_startup_benchmark_reports_time_and_memory():
    data = run("startup", "--runs", "1", "--requests", "20")
    assert data["first_answer_seconds_median"] > 0 and data["rss_mb_after_requests"] > 0
