"""Writing a file the safe way: one atomic, no-follow writer for every command that writes.

`write_atomic(target, data)` creates a new temp file in the target's folder with
O_CREAT|O_EXCL|O_NOFOLLOW (`tempfile.mkstemp`), so it never opens an existing file or a
symbolic link (an attacker's `X.partial -> coach.db` is never written through); writes
and fsyncs it through that descriptor alone; checks the path still names the file it
created; renames it over the target (atomic on one file system) and fsyncs the folder.
Any failure removes the temp file and leaves the target as it was. A target that is a
symbolic link, dangling or not, is refused: renaming over it would silently replace the
link, writing through it would write wherever it points.

`refuse_live_target` is the live-database check: `guard` runs it on the target and on the
temp path before anything is written.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path


class UnsafeTarget(Exception):
    """The file cannot be written safely there; the message names the path and the fix."""


def refuse_live_target(live: Path, target: Path, what: str, example: str) -> str | None:
    """Why writing `what` to `target` would overwrite the live database at `live`, or None.

    The live database is its path however spelled (`./`, a symlink, a hard link) and its
    `-wal`/`-shm` files; `example` ends the message with a safe place to write instead.
    """
    live_resolved = live.resolve()
    companions = [Path(f"{live_resolved}-wal"), Path(f"{live_resolved}-shm")]
    same = target.resolve() in (live_resolved, *companions) or any(
        target.exists() and path.exists() and target.samefile(path) for path in (live, *companions)
    )
    if not same:
        return None
    return (
        f"{target}: that is the live database ({live}); {what} over it would lose every "
        f"rating and post in it. Give a new file name, {example}"
    )


def check_target(target: Path, *, example: str) -> None:
    """Raise UnsafeTarget unless `target` can be replaced by a new regular file.

    Refused: a missing folder, a folder, a symbolic link (dangling or not), and anything
    that is not a regular file (a device, pipe or socket).
    """
    if not target.parent.is_dir():
        raise UnsafeTarget(f"{target}: folder {target.parent} does not exist; create it first")
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode):
        raise UnsafeTarget(
            f"{target} is a symbolic link (to {os.readlink(target)}); the coach never writes "
            f"through or over a link. Give the real path or a new file name, {example}"
        )
    if stat.S_ISDIR(st.st_mode):
        raise UnsafeTarget(f"{target} is a folder: give a file name, {example}")
    if not stat.S_ISREG(st.st_mode):
        raise UnsafeTarget(
            f"{target} is not a regular file (a device, pipe or socket): give a file name, "
            f"{example}"
        )


def check_writable(target: Path) -> None:
    """Raise UnsafeTarget when no file can be created in `target`'s folder (before any work)."""
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".probe")
    except OSError as exc:
        raise UnsafeTarget(
            f"{target}: cannot write in {target.parent} ({exc.strerror}); give a folder this "
            "user can write to"
        ) from None
    os.close(fd)
    os.unlink(name)


def write_atomic(
    target: Path | str,
    data: bytes | str,
    *,
    guard: Callable[[Path], None] | None = None,
    mode: int | None = None,
    example: str = "e.g. out.txt",
) -> Path:
    """Replace `target` with a file holding `data` (str is written as UTF-8); returns it.

    `guard(path)` runs on the target and on the temp file before anything is written, and
    raises to stop (the live-database check). `mode` sets the new file's permissions
    (default: the replaced file's, else 0o666 less the umask). Raises UnsafeTarget (see
    `check_target`), whatever `guard` raises, or OSError; the target is then unchanged and
    no temp file is left behind.
    """
    target = Path(target)
    if guard:
        guard(target)
    check_target(target, example=example)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if mode is None:
        mode = _mode_of(target)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    tmp = Path(name)
    created = os.fstat(fd)
    try:
        if guard:
            guard(tmp)
        os.fchmod(fd, mode)
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
        now = os.lstat(tmp)
        if (now.st_dev, now.st_ino) != (created.st_dev, created.st_ino):
            raise UnsafeTarget(
                f"{tmp} was replaced by another file while it was written; nothing was saved. "
                f"Check who else writes in {target.parent}."
            )
        os.replace(tmp, target)
    except BaseException:
        _remove_if_ours(tmp, created)
        raise
    finally:
        os.close(fd)
    _fsync_folder(target.parent)
    return target


def _mode_of(target: Path) -> int:
    try:
        return os.lstat(target).st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _remove_if_ours(tmp: Path, created: os.stat_result) -> None:
    # Only the file this writer created: never what someone renamed into its place.
    with suppress(OSError):
        now = os.lstat(tmp)
        if (now.st_dev, now.st_ino) == (created.st_dev, created.st_ino):
            tmp.unlink()


def _fsync_folder(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk.
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
