"""`export -o` never writes over the live database (or its -wal/-shm), however it is named."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.test_serve import bot_env, run_bot

TARGETS = {
    "the-file": lambda db: db,
    "its-wal": lambda db: Path(f"{db}-wal"),
    "a-dotted-path": lambda db: db.parent / "." / db.name,
    "a-link-to-it": lambda db: _link(db),
}


def _link(db: Path) -> Path:
    link = db.parent / "link.db"
    link.symlink_to(db)
    return link


@pytest.mark.parametrize("target", TARGETS.values(), ids=TARGETS.keys())
def test_export_over_the_live_database_is_refused_and_the_database_survives(tmp_path, target):
    env = bot_env(tmp_path)
    db = tmp_path / "coach.db"
    assert run_bot(["subscribe", "--channel", "C0123456"], env).returncode == 0
    result = run_bot(["export", "-o", str(target(db))], env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "live database" in result.stderr and "Traceback" not in result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT channel FROM subscriptions").fetchall() == [("C0123456",)]
    assert run_bot(["subscriptions"], env).returncode == 0


def test_export_to_another_file_still_works(tmp_path):
    env = bot_env(tmp_path)
    out = tmp_path / "ratings.json"
    assert run_bot(["export", "-o", str(out)], env).returncode == 0
    assert out.read_text().startswith("{")
