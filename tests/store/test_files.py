"""`files.write_atomic`: every command's file goes through one exclusive, no-follow temp file.

The attacks of issue 20 item 2, reproduced: a `X.partial -> coach.db` link planted where
the old writers put their temp file, a temp path swapped for a link to the database while
it is written, a dangling link given to `export -o`.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from bot.store import Store, StoreError
from bot.store.files import UnsafeTarget, write_atomic


def _subscriptions(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT channel FROM subscriptions ORDER BY channel").fetchall()


@pytest.fixture
def live(tmp_path) -> Path:
    """A database with two subscriptions, closed again."""
    db = tmp_path / "coach.db"
    store = Store.open(db)
    store.save_subscription("C1", at="09:00", tz="UTC", days="daily")
    store.save_subscription("C2", at="10:00", tz="UTC", days="daily")
    store.close()
    return db


def test_writes_the_data_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "out.txt"
    assert write_atomic(target, "hello\n") == target
    assert target.read_text() == "hello\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_the_guard_sees_the_target_and_a_fresh_temp_file_beside_it(tmp_path):
    seen: list[Path] = []
    target = tmp_path / "out.txt"
    target.write_text("old")
    write_atomic(target, "new", guard=seen.append)
    assert seen[0] == target
    assert seen[1].parent == tmp_path and seen[1] != target
    assert seen[1].name.startswith(".out.txt.") and seen[1].name.endswith(".partial")
    assert target.read_text() == "new" and not seen[1].exists()


def test_a_guard_refusing_the_temp_file_leaves_the_target_and_no_temp(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")

    def refuse_temp(path: Path) -> None:
        if path != target:
            raise StoreError(f"{path}: refused")

    with pytest.raises(StoreError, match="refused"):
        write_atomic(target, "new", guard=refuse_temp)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_a_planted_partial_link_to_the_database_is_never_written_through(tmp_path, live):
    # The old writers wrote `X.partial` with write_text (following a link there).
    target = tmp_path / "team.yaml"
    planted = tmp_path / "team.yaml.partial"
    planted.symlink_to(live)
    write_atomic(target, "tips: []\n")
    assert _subscriptions(live) == [("C1",), ("C2",)]
    assert planted.is_symlink() and os.readlink(planted) == str(live)
    assert target.read_text() == "tips: []\n" and not target.is_symlink()


def test_a_temp_path_swapped_for_a_link_to_the_database_mid_write_is_refused(tmp_path, live):
    # An attacker who can write in the folder renames the temp file away and puts a link
    # to the database in its place after it was created: the writer writes only through
    # its own descriptor, notices the path names another file, and renames nothing.
    target = tmp_path / "out.json"
    before = live.read_bytes()

    def swap(path: Path) -> None:
        if path != target:
            path.rename(tmp_path / "stolen")
            path.symlink_to(live)

    with pytest.raises(UnsafeTarget, match="replaced by another file"):
        write_atomic(target, "{}" * 1000, guard=swap)
    assert live.read_bytes() == before and _subscriptions(live) == [("C1",), ("C2",)]
    assert not target.exists()


@pytest.mark.parametrize("dangling", [False, True])
def test_a_target_that_is_a_link_is_refused_and_left_alone(tmp_path, dangling):
    elsewhere = tmp_path / "elsewhere.txt"
    if not dangling:
        elsewhere.write_text("keep me")
    link = tmp_path / "out.txt"
    link.symlink_to(elsewhere)
    with pytest.raises(UnsafeTarget, match="symbolic link"):
        write_atomic(link, "new")
    assert link.is_symlink()
    assert elsewhere.exists() is (not dangling)
    if not dangling:
        assert elsewhere.read_text() == "keep me"


def test_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    target.write_text("old")

    def full(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)  # the disk, not our code, fails
    with pytest.raises(OSError, match="No space"):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_the_replaced_files_mode_is_kept_and_a_mode_can_be_set(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(target, "new")
    assert target.stat().st_mode & 0o777 == 0o640
    write_atomic(tmp_path / "secret.db", b"x", mode=0o600)
    assert (tmp_path / "secret.db").stat().st_mode & 0o777 == 0o600


# -- every command that writes a file, through the CLI ----------------------------------


def test_knowledge_export_with_a_planted_partial_link_keeps_the_database(cli, tmp_path, live):
    (tmp_path / "team.yaml.partial").symlink_to(live)
    result = cli("knowledge", "export", tmp_path / "team.yaml")
    assert result.code == 0, result.err
    assert _subscriptions(live) == [("C1",), ("C2",)]
    assert (tmp_path / "team.yaml").read_text().startswith("note:")


def test_backup_with_a_planted_partial_link_keeps_the_database(cli, tmp_path, live):
    (tmp_path / "copy.db.partial").symlink_to(live)
    result = cli("backup", tmp_path / "copy.db")
    assert result.code == 0, result.err
    assert _subscriptions(live) == [("C1",), ("C2",)]
    assert _subscriptions(tmp_path / "copy.db") == [("C1",), ("C2",)]


def test_export_to_a_dangling_link_is_refused_and_creates_nothing(cli, tmp_path, live):
    link = tmp_path / "ratings.json"
    link.symlink_to(tmp_path / "nowhere" / "..." / "x.json")
    also = tmp_path / "made.json"
    (tmp_path / "out.json").symlink_to(also)
    for target in (link, tmp_path / "out.json"):
        result = cli("export", "-o", target)
        assert result.code == 2, result.out + result.err
        assert "symbolic link" in result.err and "Traceback" not in result.err
    assert not also.exists()
    assert _subscriptions(live) == [("C1",), ("C2",)]


def test_export_writes_atomically_a_complete_file(cli, tmp_path, live):
    result = cli("export", "--format", "csv", "-o", tmp_path / "ratings.csv")
    assert result.code == 0, result.err
    assert (tmp_path / "ratings.csv").read_text().startswith("record")
    assert not list(tmp_path.glob(".*partial"))


NOTE = """\
---
title: Small note
---
## Habits

- **Ship weekly**: ship something every week.
"""


def test_knowledge_build_refuses_a_knowledge_file_that_is_a_link(cli, tmp_path):
    kdir = tmp_path / "kb"
    kdir.mkdir()
    note = tmp_path / "small.md"
    note.write_text(NOTE)
    outside = tmp_path / "made-elsewhere.yaml"
    (kdir / "small-note.yaml").symlink_to(outside)  # dangling: build would create it
    result = cli("knowledge", "build", note, COACH_KNOWLEDGE=str(kdir))
    assert result.code == 1
    assert "symbolic link" in result.out + result.err
    assert not outside.exists()
    assert cli("knowledge", "build", note, COACH_KNOWLEDGE=str(tmp_path)).code == 0
