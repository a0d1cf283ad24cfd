"""The many-workspaces benchmark runs end to end on a tiny budget (figures not asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT


def fleet(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.fleet", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_due_post_goes_out_once_per_workspace():
    result = fleet("--workspaces", "6", "--subs", "24", "--zones", "3", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["doubled"] == 0 and data["second_tick_outcomes"] == {}
    assert data["posted"] == data["catch_up"]["posted"] + data["nine_am"]["due"]
    assert data["nine_am"]["due"] == 8 and data["files_mb"] > 0


def test_garbage_sizes_are_refused_with_a_message():
    result = fleet("--workspaces", "0")
    assert result.returncode == 2 and "--workspaces" in result.stderr
