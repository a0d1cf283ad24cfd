"""`knowledge export PATH` never replaces the live database, nor a device, pipe or socket."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from tests.test_cli_export import TARGETS
from tests.test_serve import bot_env, run_bot


@pytest.mark.parametrize("target", TARGETS.values(), ids=TARGETS.keys())
def test_knowledge_export_over_the_live_database_is_refused(tmp_path, target):
    env = bot_env(tmp_path)
    db = tmp_path / "coach.db"
    assert run_bot(["subscribe", "--channel", "C0123456"], env).returncode == 0
    result = run_bot(["knowledge", "export", str(target(db))], env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "live database" in result.stderr and "Traceback" not in result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT channel FROM subscriptions").fetchall() == [("C0123456",)]


def test_knowledge_export_refuses_a_pipe_and_leaves_it_a_pipe(tmp_path):
    # A device (/dev/stdout, /dev/full) is the same case; a FIFO can be made safely in a test.
    env = bot_env(tmp_path)
    assert run_bot(["subscriptions"], env).returncode == 0
    pipe = tmp_path / "out.yaml"
    os.mkfifo(pipe)
    result = run_bot(["knowledge", "export", str(pipe)], env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "not a regular file" in result.stderr
    assert Path(pipe).is_fifo()
    assert not (tmp_path / "out.yaml.partial").exists()
