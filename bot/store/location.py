"""Whether the database sits where it will not survive: a RAM file system or the temp folder.

`serve` warns at start when it does (a tmpfs is emptied at every reboot; the system temp
folder is cleaned by the OS), since subscriptions, ratings and team tips would be lost.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

VOLATILE_FILESYSTEMS = frozenset({"tmpfs", "ramfs"})


def mounts(text: str | None = None) -> list[tuple[str, str]]:
    """(mount point, file system type) from /proc/self/mounts (or `text` in that format)."""
    if text is None:
        try:
            text = Path("/proc/self/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return []
    found = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3:
            # Spaces in mount points are written as \040.
            found.append((parts[1].replace("\\040", " "), parts[2]))
    return found


def volatile_reason(
    db_path: Path, *, mount_table: list[tuple[str, str]] | None = None, tempdir: str | None = None
) -> str | None:
    """Why the database at `db_path` would be lost at a reboot or clean-up, or None.

    `mount_table` and `tempdir` default to this machine's (/proc/self/mounts and
    tempfile.gettempdir()).
    """
    folder = Path(db_path).resolve().parent
    table = mounts() if mount_table is None else mount_table
    best = ("", "")
    for point, fstype in table:
        if _within(folder, Path(point)) and len(point) >= len(best[0]):
            best = (point, fstype)
    if best[1] in VOLATILE_FILESYSTEMS:
        return f"it is on a {best[1]} file system ({best[0]}), which is emptied at every reboot"
    temp = Path(tempdir or tempfile.gettempdir()).resolve()
    if _within(folder, temp):
        return f"it is in the system temp folder ({temp}), which the system cleans up"
    return None


def _within(path: Path, folder: Path) -> bool:
    try:
        return os.path.commonpath([path, folder]) == str(folder)
    except ValueError:
        return False
