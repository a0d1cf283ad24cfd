"""docs/operations.md's tested path: the systemd unit in deploy/, run as written.

The unit is checked with `systemd-analyze verify` (where systemd is installed), then its
ExecStartPre and ExecStart run with its environment (COACH_DB and the health port moved
into the test's folder) as real processes against the project's fake Slack; its health
port answers, and its KillSignal stops it with exit 0.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.store.location import volatile_reason
from tests.conftest import BOT_TOKEN, ROOT
from tests.helpers.processes import bot_env, free_port

UNIT = ROOT / "deploy" / "aipm-coach.service"
INSTALLED = "/opt/aipm-coach/venv/bin/aipm-coach"


def unit_service() -> dict[str, list[str]]:
    """The [Service] section: each key's values in order (Environment= may repeat)."""
    section, found = "", {}
    for raw in UNIT.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "Service":
            key, _, value = line.partition("=")
            found.setdefault(key, []).append(value)
    return found


def console_script() -> str:
    """This environment's `aipm-coach`, standing in for the unit's /opt/aipm-coach/venv one."""
    script = Path(sys.executable).parent / "aipm-coach"
    if not script.exists():
        pytest.skip("aipm-coach is not installed in this environment (pip install .)")
    return str(script)


def test_the_unit_passes_systemd_analyze_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("systemd-analyze is not installed")
    env_file = tmp_path / "aipm-coach.env"
    env_file.write_text("SLACK_BOT_TOKEN=xoxb-x\n")
    unit = tmp_path / "aipm-coach.service"
    unit.write_text(
        UNIT.read_text()
        .replace(INSTALLED, console_script())
        .replace("/etc/aipm-coach.env", str(env_file))
    )
    result = subprocess.run(
        [analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr  # unknown keys are only warned about


def test_the_units_database_is_persistent_and_its_commands_are_the_installed_script():
    service = unit_service()
    env = dict(e.split("=", 1) for e in service["Environment"])
    assert env["COACH_DB"].startswith("/var/lib/aipm-coach/")
    assert service["StateDirectory"] == ["aipm-coach"]
    assert volatile_reason(Path(env["COACH_DB"]), mount_table=[("/", "ext4")]) is None
    for key in ("ExecStartPre", "ExecStart"):
        assert all(cmd.startswith(INSTALLED + " ") for cmd in service[key]), key
    assert service["KillSignal"] == ["SIGTERM"] and service["RestartPreventExitStatus"] == ["2"]


def _get(url: str) -> tuple[int, dict | None]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, None
    except OSError:
        return 0, None


def test_the_unit_runs_as_written(tmp_path, fake_slack):
    from bot.fakeslack.socket_mode import FakeSocketMode

    service = unit_service()
    script = console_script()
    env_lines = dict(e.split("=", 1) for e in service["Environment"])
    port = free_port()
    env = bot_env(
        tmp_path,
        **env_lines,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN="xapp-test-0123456789",
        SLACK_API_URL=fake_slack.url,
    )
    env["COACH_DB"] = str(tmp_path / "state" / Path(env_lines["COACH_DB"]).name)
    (tmp_path / "state").mkdir()
    env["COACH_HEALTH_PORT"] = str(port)
    env.pop("COACH_KNOWLEDGE")  # the unit reads knowledge/ from its WorkingDirectory

    def command(line: str) -> list[str]:
        return [script, *line.removeprefix(INSTALLED).split()]

    (pre,) = service["ExecStartPre"]
    check = subprocess.run(command(pre), env=env, cwd=ROOT, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    socket_mode = FakeSocketMode()
    fake_slack.respond("apps.connections.open", {"url": socket_mode.url})
    (start,) = service["ExecStart"]
    log = tmp_path / "unit.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(command(start), env=env, cwd=ROOT, stdout=out, stderr=out)
    try:
        assert socket_mode.wait_connected(), log.read_text()
        deadline = time.monotonic() + 20
        status, report = _get(f"http://127.0.0.1:{port}/healthz")
        while status != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
            status, report = _get(f"http://127.0.0.1:{port}/healthz")
        assert status == 200, log.read_text()
        assert report["checks"]["slack"] == "connected"
        proc.send_signal(getattr(signal, service["KillSignal"][0]))
        assert proc.wait(timeout=float(service["TimeoutStopSec"][0])) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        socket_mode.close()
    assert (tmp_path / "state" / "coach.db").exists()
