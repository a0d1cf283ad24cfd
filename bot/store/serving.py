"""Who is serving a database: a lock every serving process holds for as long as it runs.

`serve` and the playground hold a shared lock (several servers may share one database);
`restore` takes it exclusively, so it is refused while any server runs and no server
starts in the middle of a restore. The lock is an `flock` on `COACH_DB.lock` beside the
database (its real path, links resolved, so every spelling of the path meets the same
lock). The kernel drops it when the process ends, however it ends (kill -9 included), so
there is never a stale lease to clear. The file stays empty and is never deleted
(deleting a lock file lets two processes lock two different files).
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

from bot.store.db import StoreError

log = logging.getLogger(__name__)


def lock_path(db_path: Path) -> Path:
    """The lock file for the database at `db_path`."""
    return Path(f"{Path(db_path).resolve()}.lock")


def _open(db_path: Path) -> int:
    path = lock_path(db_path)
    if not path.parent.is_dir():
        raise StoreError(
            f"{db_path}: folder {Path(db_path).parent} does not exist. Create it or point "
            "COACH_DB at a file on a persistent disk."
        )
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise StoreError(
            f"{path}: cannot open the database's lock file ({exc.strerror}). Make the folder "
            "of COACH_DB writable by this user (SQLite needs that too), and remove the file if "
            "it is a link."
        ) from None


class ServingLock:
    """A held lock on one database; `release()` (or the process ending) lets it go."""

    def __init__(self, fd: int, path: Path):
        self._fd: int | None = fd
        self.path = path

    @classmethod
    def hold(cls, db_path: Path) -> ServingLock:
        """Hold the shared lock a serving process keeps (waiting while a restore runs)."""
        fd = _open(db_path)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("a restore is replacing %s; waiting for it to finish", db_path)
            fcntl.flock(fd, fcntl.LOCK_SH)
        return cls(fd, lock_path(db_path))

    @classmethod
    def exclusive(cls, db_path: Path) -> ServingLock:
        """Take the lock alone; StoreError, naming the fix, while any server holds it."""
        fd = _open(db_path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StoreError(
                f"{db_path} is in use by a running `aipm-coach serve` (or the playground): "
                "stop it first (e.g. `sudo systemctl stop aipm-coach`), run the restore, then "
                "start it again. Nothing was changed."
            ) from None
        return cls(fd, lock_path(db_path))

    @property
    def held(self) -> bool:
        """Whether this lock is still held."""
        return self._fd is not None

    def release(self) -> None:
        """Let the lock go (idempotent)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> ServingLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()
