"""Helpers shared by test_cli_export.py and the tests beside it (moved out of the test module)."""

from __future__ import annotations

from pathlib import Path

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
