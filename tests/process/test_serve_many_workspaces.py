"""`python -m bot serve` as one install for many workspaces, a real process over real HTTP.

Two fake workspaces install it through Slack's OAuth flow; it answers each with its own
token, stops cleanly at SIGTERM, and after a restart still serves both without a reinstall
(the installations are in COACH_DB, not in memory).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from bot.fakeslack.grid import Grid
from bot.fakeslack.server import FakeSlack
from bot.fakeslack.signing import get
from tests.conftest import ROOT
from tests.helpers.processes import bot_env, free_port
from tests.helpers.workspaces import CLIENT_ID, CLIENT_SECRET, SECRET, TEAMS, install, sender

IKEA_Q = "what is the ikea effect"


@pytest.fixture
def grid():
    grid = Grid(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    for team, name in TEAMS.items():
        grid.add_team(team, name)
    fake = FakeSlack(grid).start()  # type: ignore[arg-type]
    yield grid, fake
    fake.stop()


def serve(tmp_path, fake: FakeSlack, port: int) -> subprocess.Popen:
    env = bot_env(
        tmp_path,
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.url,
        PORT=str(port),
        COACH_HOST="127.0.0.1",
    )
    log = open(tmp_path / f"serve-{port}.log", "a")  # noqa: SIM115 - the process owns it
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"], env=env, cwd=ROOT, stdout=log, stderr=log
    )
    log.close()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError((tmp_path / f"serve-{port}.log").read_text())
        try:
            if get(f"http://127.0.0.1:{port}/healthz", timeout=1).status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("serve did not come up:\n" + (tmp_path / f"serve-{port}.log").read_text())


def stop(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=15)


def answers(base: str, fake: FakeSlack, grid: Grid, team: str) -> str:
    return sender(base, fake, grid, team).command(IKEA_Q, user="U1").body


def test_two_workspaces_install_a_real_process_that_survives_a_restart(tmp_path, grid):
    grid, fake = grid
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = serve(tmp_path, fake, port)
    try:
        for team in TEAMS:
            status, page = install(base, grid, team)
            assert status == 200, page
        for team in TEAMS:
            assert "Ikea" in answers(base, fake, grid, team)
            assert (tmp_path / "teams" / f"{team}.db").is_file()
        assert stop(proc) == 0
        proc = serve(tmp_path, fake, port)
        # No reinstall: the tokens come from COACH_DB.
        for team in TEAMS:
            assert "Ikea" in answers(base, fake, grid, team)
        # A workspace that never installed gets no answer and leaves no file.
        grid.add_team("TSTRANGER", "Stranger")
        assert "Ikea" not in answers(base, fake, grid, "TSTRANGER")
        assert not (tmp_path / "teams" / "TSTRANGER.db").exists()
        assert stop(proc) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
