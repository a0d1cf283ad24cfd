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


def test_a_team_tip_that_no_longer_passes_check_is_named_with_how_to_fix_it(tmp_path):
    # Rules tighten (Kind became required): a tip saved before then must not make export
    # blame the knowledge folder, and no half-valid file may be written.
    from bot.store import Store

    env = bot_env(tmp_path)
    store = Store.open(tmp_path / "coach.db")
    source = {"note": "Team tip", "timestamp": "2026-11-01", "url": "https://acme.slack.com/"}
    store.save_team_tip(
        {
            "id": "saved-before-kinds",
            "title": "Saved before kinds",
            "text": "Do the thing.",
            "tags": ["x"],
            "questions": ["how do I do it", "what is the thing", "should we do it"],
            "source": source,
            "status": "curated",
            "kind": None,
        },
        user="U1",
        expected_version=0,
    )
    store.close()
    out = tmp_path / "team.yaml"
    result = run_bot(["knowledge", "export", str(out)], env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "saved-before-kinds" in result.stderr and "Library" in result.stderr
    assert "knowledge base in" not in result.stderr and "Traceback" not in result.stderr
    assert not out.exists() and not (tmp_path / "team.yaml.partial").exists()
