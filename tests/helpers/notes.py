"""Helpers shared by test_grounding.py and the tests beside it (moved out of the test module)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_bot(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """`python -m bot ARGS` as a user runs it, with COACH_* pointing into tmp_path."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACH_"))}
    clean.update(COACH_DB=str(tmp_path / "coach.db"), **env)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=clean,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
