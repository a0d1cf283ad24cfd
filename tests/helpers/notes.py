"""Helpers shared by the notes tests: the command line with COACH_* pointing into a folder."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.helpers.processes import run_cli

ROOT = Path(__file__).resolve().parents[2]


def run_cli_at(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """`aipm-coach ARGS` as a user runs it (`bot.cli.main`, in this process), with the
    database in `tmp_path` and `env` on top of an environment without SLACK_* or COACH_*."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACH_"))}
    clean.update(COACH_DB=str(tmp_path / "coach.db"), **env)
    return run_cli(args, clean)
