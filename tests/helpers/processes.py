"""`python -m bot` for the process tier: environment, one-shot runs, `serve` processes.

`run_bot` runs a command as a real process; `run_cli` calls the same `bot.cli.main` in
this process, with the environment, working folder, stdin and output swapped in and put
back, for the many CLI tests that check what a command prints and stores rather than how
a process starts or stops.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bot.fakeslack.sender import SlackSender
from bot.fakeslack.server import FakeSlack
from bot.fakeslack.signing import get
from bot.store import Store
from tests.conftest import BOT_TOKEN, ROOT, SECRET


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bot_env(tmp_path: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACH_", "PORT"))}
    env.update(
        {
            "COACH_DB": str(tmp_path / "coach.db"),
            "COACH_KNOWLEDGE": str(ROOT / "knowledge"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def run_bot(args: list[str], env: dict, *, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_cli(args: list[str], env: dict, *, input: str | None = None) -> subprocess.CompletedProcess:
    """`python -m bot ARGS` called in this process: exit code, stdout and stderr as text."""
    from bot import cli

    saved = dict(os.environ), os.getcwd(), sys.stdin
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    out, err = io.StringIO(), io.StringIO()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(ROOT)
    sys.stdin = io.StringIO(input or "")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(args)
            except SystemExit as exc:  # argparse's usage errors, as `python -m bot` exits
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        os.environ.clear()
        os.environ.update(saved[0])
        os.chdir(saved[1])
        sys.stdin = saved[2]
        root.handlers[:], root.level = handlers, level
    return subprocess.CompletedProcess(
        ["python", "-m", "bot", *args], code, out.getvalue(), err.getvalue()
    )


def socket_serve(tmp_path: Path, fake_slack: FakeSlack, socket_mode, **extra: str):
    """`serve` in Socket Mode against `socket_mode` (a FakeSocketMode) as a real process.

    Returns (the process, its open log file, `tmp_path/socket.log`): the caller stops the
    one and closes the other.
    """
    fake_slack.respond("apps.connections.open", {"url": socket_mode.url})
    env = bot_env(
        tmp_path,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN="xapp-test-0123456789",
        SLACK_API_URL=fake_slack.url,
        **extra,
    )
    log = open(tmp_path / "socket.log", "w")  # noqa: SIM115 - closed by the caller
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return proc, log


class Served:
    """A `serve` process in HTTP mode and a way to talk to it."""

    def __init__(self, tmp_path: Path, fake: FakeSlack, **extra: str):
        self.port = free_port()
        self.log = tmp_path / f"serve-{self.port}.log"
        env = bot_env(
            tmp_path,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=fake.url,
            PORT=str(self.port),
            COACH_HOST="127.0.0.1",
            **extra,
        )
        self._log_file = open(self.log, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"],
            env=env,
            cwd=ROOT,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self.slack = SlackSender(f"{self.url}/slack/events", SECRET, response_url=fake.response_url)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited early:\n{self.log.read_text()}")
            try:
                if get(f"{self.url}/healthz", timeout=1).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"serve did not come up:\n{self.log.read_text()}")

    def stop(self) -> tuple[int, float]:
        """SIGTERM; returns the exit code and how long it took."""
        start = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=15)
        self._log_file.close()
        return code, time.monotonic() - start

    def output(self) -> str:
        if not self._log_file.closed:
            self._log_file.flush()
        return self.log.read_text()


def daily_posts(fake_slack, *, at_least: int = 0, timeout: float = 15) -> list:
    """chat.postMessage calls to the subscribed channel, waiting for `at_least` of them."""
    deadline = time.monotonic() + timeout
    while True:
        posts = [
            c for c in fake_slack.calls("chat.postMessage") if c.params.get("channel") == "CDAILY"
        ]
        if len(posts) >= at_least or time.monotonic() > deadline:
            return posts
        time.sleep(0.05)


def subscribe_at_midnight(tmp_path) -> None:
    store = Store.open(tmp_path / "coach.db")
    store.save_subscription("CDAILY", at="00:00", tz="UTC", days="daily")
    store.close()
