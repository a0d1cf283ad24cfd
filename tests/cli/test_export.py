"""`export -o` never writes over the live database (or its -wal/-shm), however it is named."""

from __future__ import annotations

import sqlite3

import pytest

from tests.helpers.export import TARGETS, _link  # noqa: F401
from tests.helpers.processes import bot_env, run_cli


@pytest.mark.parametrize("target", TARGETS.values(), ids=TARGETS.keys())
def test_export_over_the_live_database_is_refused_and_the_database_survives(tmp_path, target):
    env = bot_env(tmp_path)
    db = tmp_path / "coach.db"
    assert run_cli(["subscribe", "--channel", "C0123456"], env).returncode == 0
    result = run_cli(["export", "-o", str(target(db))], env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "live database" in result.stderr and "Traceback" not in result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT channel FROM subscriptions").fetchall() == [("C0123456",)]
    assert run_cli(["subscriptions"], env).returncode == 0


def test_export_to_another_file_still_works(tmp_path):
    env = bot_env(tmp_path)
    out = tmp_path / "ratings.json"
    assert run_cli(["export", "-o", str(out)], env).returncode == 0
    assert out.read_text().startswith("{")
