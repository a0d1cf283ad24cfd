"""The live tip base: the last valid knowledge folder and its matcher, reloaded safely."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bot.core import knowledge
from bot.core.knowledge import KnowledgeBase, KnowledgeError
from bot.core.matcher import Matcher

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    """One consistent generation of the base and the matcher built from it."""

    base: KnowledgeBase
    matcher: Matcher
    loaded_at: float


class Library:
    """Holds the current tips and matcher; `reload()` swaps them only for a valid base.

    Readers take `library.current` once per request, so a reload never shows them a
    half-built index. Raises KnowledgeError from the constructor when the folder is
    invalid, so a server refuses to start on a broken base.
    """

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)
        self._lock = threading.Lock()
        self.last_error: KnowledgeError | None = None
        self.current = self._load()
        self._signature = self.current.base.signature

    def _load(self) -> Snapshot:
        base = knowledge.load(self.folder)
        return Snapshot(base=base, matcher=Matcher(base.live_tips), loaded_at=time.time())

    @property
    def base(self) -> KnowledgeBase:
        """The current knowledge base."""
        return self.current.base

    @property
    def matcher(self) -> Matcher:
        """The matcher over the current base's live tips."""
        return self.current.matcher

    def changed(self) -> bool:
        """True when the folder's files differ from those last seen (cheap: stat only)."""
        return knowledge.folder_signature(self.folder) != self._signature

    def reload(self) -> bool:
        """Validate the folder and, if valid, serve it; otherwise keep the last good base.

        Returns True when a new base is now served. Problems are logged as FILE:LINE lines
        and kept in `last_error`.
        """
        with self._lock:
            self._signature = knowledge.folder_signature(self.folder)
            try:
                snapshot = self._load()
            except KnowledgeError as exc:
                self.last_error = exc
                for problem in exc.problems:
                    log.error("knowledge not reloaded: %s", problem)
                log.error("still serving the last good base (%d tips)", len(self.current.base))
                return False
            self.current = snapshot
            self.last_error = None
            log.info("knowledge reloaded: %d tips from %s", len(snapshot.base), self.folder)
            return True

    def reload_if_changed(self) -> bool:
        """Reload when a file changed since the last look; True when a new base is served."""
        return self.changed() and self.reload()

    def health(self) -> dict:
        """The knowledge part of /healthz."""
        return {
            "ok": self.last_error is None,
            "folder": str(self.folder),
            "tips": len(self.current.base),
            "served": len(self.current.base.live_tips),
            "drafts_waiting": len(self.current.base.drafts),
            "errors": [str(p) for p in self.last_error.problems] if self.last_error else [],
        }


class Watcher:
    """Polls the knowledge folder and reloads it on change, in a daemon thread."""

    def __init__(self, library: Library, *, interval: float = 1.0):
        self.library = library
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start polling."""
        self._thread = threading.Thread(target=self._run, name="knowledge-watcher", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.library.reload_if_changed()
            except Exception:  # a watcher must never die; the reason is in the log
                log.exception("knowledge watcher failed")

    def stop(self) -> None:
        """Stop polling and wait for the thread."""
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=2)
