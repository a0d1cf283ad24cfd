"""`Store.backup` and `python -m bot backup`: never over the live database, folders get a dated name."""

from __future__ import annotations

import os
import re
import sqlite3

import pytest

from bot.store import StoreError
from tests.helpers.processes import bot_env, run_cli


def _posts(path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT COUNT(*) FROM posts").fetchone()[0]


@pytest.mark.parametrize("how", ["same path", "relative path", "folder name clash", "hard link"])
def test_backup_refuses_the_live_database(store, how, monkeypatch):
    store.claim_daily("C1", "2026-11-30", "the-ikea-effect")
    live = store.path
    if how == "same path":
        target = live
    elif how == "relative path":
        monkeypatch.chdir(live.parent)
        target = live.name
    elif how == "folder name clash":
        target = live.parent  # a folder target used to become folder/<live name>
    else:
        target = live.parent / "alias.db"
        os.link(live, target)
    before = live.stat().st_ino
    if how == "folder name clash":
        written = store.backup(target)
        assert written.parent == live.parent and written.name != live.name
        assert _posts(written) == 1
    else:
        with pytest.raises(StoreError, match="live database"):
            store.backup(target)
    assert live.stat().st_ino == before
    assert _posts(live) == 1


def test_backup_refuses_the_wal_and_shm_files(store):
    store.claim_daily("C1", "2026-11-30", "the-ikea-effect")
    for suffix in ("-wal", "-shm"):
        with pytest.raises(StoreError, match="live database"):
            store.backup(str(store.path) + suffix)
    assert _posts(store.path) == 1


def test_a_folder_target_gets_a_timestamped_name_and_never_overwrites(store, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    first = store.backup(folder)
    second = store.backup(folder)
    assert first.parent == folder and second.parent == folder
    assert re.fullmatch(r"coach-\d{8}T\d{6}Z(-\d+)?\.db", first.name), first.name
    assert first != second and first.exists() and second.exists()


def test_cli_backup_of_the_database_folder_or_file_exits_2_and_keeps_posts(tmp_path):
    env = bot_env(tmp_path)
    db = tmp_path / "coach.db"
    assert run_cli(["subscribe", "--channel", "C1"], env).returncode == 0
    inode = db.stat().st_ino
    result = run_cli(["backup", str(db)], env)
    assert result.returncode == 2, result.stderr
    assert "live database" in result.stderr and str(db) in result.stderr
    assert "Traceback" not in result.stderr
    assert db.stat().st_ino == inode
    folder = run_cli(["backup", str(tmp_path)], env)
    assert folder.returncode == 0, folder.stderr
    copies = [p for p in tmp_path.glob("coach-*.db")]
    assert len(copies) == 1 and copies[0].name in folder.stdout
    assert db.stat().st_ino == inode
    with sqlite3.connect(copies[0]) as conn:
        assert conn.execute("SELECT channel FROM subscriptions").fetchall() == [("C1",)]
