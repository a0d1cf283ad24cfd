"""Start the real `python -m bot serve` (or the bare Bolt app) against the fake Slack Web API."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(db: Path, api_url: str, port: int, **extra: str) -> dict:
    """The environment of a benchmarked bot: fake Slack, its own database, no scheduler."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACH_"))}
    env.update(
        {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": api_url,
            "COACH_DB": str(db),
            "COACH_KNOWLEDGE": str(ROOT / "knowledge"),
            "PORT": str(port),
            "COACH_HOST": "127.0.0.1",
            "COACH_SCHEDULER": "0",
            **extra,
        }
    )
    return env


def start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    """Start a process with its output going to `log`."""
    handle = open(log, "w")  # noqa: SIM115 - the child owns it from here
    return subprocess.Popen(args, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT)


def wait_healthy(port: int, proc: subprocess.Popen, *, timeout: float = 30) -> None:
    """Wait until GET /healthz answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("server did not become healthy")


def stop(proc: subprocess.Popen) -> tuple[int, float]:
    """SIGTERM and wait; returns the exit code and the seconds it took."""
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
    return code, time.monotonic() - started


def bot_command() -> list[str]:
    """The real bot, as `make run` starts it with tokens set."""
    return [sys.executable, "-m", "bot", "serve"]


def bare_command() -> list[str]:
    """The bare Bolt app, for the overhead ratio."""
    return [sys.executable, "-m", "benchmarks.bare_app"]
