"""The live tip base: the YAML folder plus the team's tips, merged in one index, reloaded safely.

Team tips (written in Slack, kept in SQLite) are layered over the YAML base by id: a team
tip with the id of a YAML tip replaces it (an edit or a retirement made in Slack, or a team
tip exported to YAML and committed), so no tip is ever served twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from bot.core import knowledge
from bot.core.knowledge import KnowledgeBase, KnowledgeError, Source, Tip
from bot.core.pipeline import wordlists
from bot.core.pipeline.config import DEFAULT, AnswerConfig
from bot.core.pipeline.engine import Engine

TEAM_FILE = "team tips (database)"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    """One consistent generation of the base and the matcher built from it."""

    base: KnowledgeBase
    engine: Engine
    loaded_at: float
    yaml: KnowledgeBase | None = None
    team: dict[str, dict] = field(default_factory=dict)

    @property
    def yaml_base(self) -> KnowledgeBase:
        """The YAML folder's tips alone, before the team's layer."""
        return self.yaml if self.yaml is not None else self.base

    def is_team(self, tip_id: str) -> bool:
        """True when the served version of this tip comes from the team's layer."""
        return tip_id in self.team

    def team_row(self, tip_id: str) -> dict | None:
        """The stored team version of a tip (with `version`, `origin`, who and when), or None."""
        return self.team.get(tip_id)


class TeamTips(Protocol):
    """Where team tips come from (the Store): current rows and a cheap change fingerprint."""

    def team_tips(self) -> list[dict]: ...

    def team_tips_revision(self) -> tuple: ...


def team_tip(row: dict) -> Tip:
    """A stored team tip row as a Tip (rows were validated with knowledge's rules on save)."""
    source = row["source"]
    return Tip(
        id=row["id"],
        title=row["title"],
        text=row["text"],
        tags=tuple(row["tags"]),
        questions=tuple(row["questions"]),
        source=Source(
            note=source["note"],
            timestamp=source.get("timestamp") or "",
            url=source.get("url") or "",
            quote=source.get("quote") or "",
        ),
        status=row["status"],
        file=TEAM_FILE,
        kind=row.get("kind") or None,
    )


def merge(yaml_base: KnowledgeBase, rows: list[dict]) -> KnowledgeBase:
    """The YAML tips with team rows replacing those of the same id, then the team's new tips."""
    team = {row["id"]: team_tip(row) for row in rows}
    tips = [team.pop(tip.id, tip) for tip in yaml_base.tips]
    tips.extend(team.values())
    return KnowledgeBase(tips=tips, folder=yaml_base.folder, signature=yaml_base.signature)


class Library:
    """Holds the current tips and answer engine; `reload()` swaps them only for a valid base.

    Readers take `library.current` once per request, so a reload never shows them a
    half-built index. Raises KnowledgeError from the constructor when the folder is
    invalid, so a server refuses to start on a broken base. With `team` (the Store), the
    team's tips are merged in; `refresh()` serves a newly saved one at once.

    `Library.over(shared, team)` is one workspace's library when one install serves many:
    the YAML folder is read and watched once (by `shared`); a workspace without tips of its
    own serves `shared`'s very snapshot, so a thousand of them cost one index.
    """

    current: Snapshot

    def __init__(
        self,
        folder: Path | str,
        *,
        team: TeamTips | None = None,
        config: AnswerConfig = DEFAULT,
        lists: wordlists.WordLists | None = None,
        shared: Library | None = None,
    ):
        self.folder = Path(folder)
        self.team = team
        self.config = config
        self.lists = lists if lists is not None else wordlists.shipped()
        self.shared = shared
        self._lock = threading.Lock()
        self.last_error: KnowledgeError | None = None
        self._revision = self._team_revision()
        self._shared_seen: Snapshot | None = shared.current if shared is not None else None
        self.current = self._load()
        self._signature = self.current.base.signature

    @classmethod
    def over(cls, shared: Library, team: TeamTips) -> Library:
        """One workspace's library: `shared`'s YAML base with `team`'s tips layered over it."""
        return cls(
            shared.folder, team=team, config=shared.config, lists=shared.lists, shared=shared
        )

    def _team_revision(self) -> tuple:
        return self.team.team_tips_revision() if self.team is not None else ()

    def _load(self, yaml_base: KnowledgeBase | None = None) -> Snapshot:
        rows = self.team.team_tips() if self.team is not None else []
        if self.shared is not None:
            current = self._shared_seen = self.shared.current
            if not rows:
                return current  # nothing of the workspace's own: the shared index serves
            yaml_base = current.yaml_base
        yaml_base = yaml_base or knowledge.load(self.folder)
        for row in rows:
            shadowed = yaml_base.get(row["id"])
            if row["origin"] == "team" and shadowed and shadowed.title != row["title"]:
                # An exported tip committed to YAML keeps its title; another title means a
                # YAML tip took a team tip's id, and the team's version is what is served.
                log.warning(
                    "team tip '%s' hides a different YAML tip with its id (%s): rename one",
                    row["id"],
                    shadowed.file,
                )
        base = merge(yaml_base, rows)
        return Snapshot(
            base=base,
            engine=Engine.build(base.live_tips, config=self.config, lists=self.lists),
            loaded_at=time.time(),
            yaml=yaml_base,
            team={row["id"]: row for row in rows},
        )

    def refresh(self) -> Snapshot:
        """Re-read the team's tips (not the folder) and serve them; returns the new snapshot.

        Call after saving a team tip: the next question is answered from the new index.
        """
        with self._lock:
            self._revision = self._team_revision()
            self.current = self._load(self.current.yaml_base)
            return self.current

    def _shared_changed(self) -> bool:
        return self.shared is not None and self.shared.current is not self._shared_seen

    @property
    def base(self) -> KnowledgeBase:
        """The current knowledge base."""
        return self.current.base

    @property
    def engine(self) -> Engine:
        """The answer pipeline over the current base's live tips."""
        return self.current.engine

    @property
    def key_version(self) -> str:
        """What learned-pair keys depend on (the word lists): stored keys are rebuilt on change."""
        return wordlists.fingerprint(self.lists)

    def changed(self) -> bool:
        """True when the folder's files or the team's tips differ from those last seen.

        Cheap (stat calls and one small query), so another process's saves are picked up
        by the watcher too.
        """
        if self.shared is not None:
            return self._shared_changed() or self._team_revision() != self._revision
        return (
            knowledge.folder_signature(self.folder) != self._signature
            or self._team_revision() != self._revision
        )

    def reload(self) -> bool:
        """Validate the folder and, if valid, serve it; otherwise keep the last good base.

        Returns True when a new base is now served. Problems are logged as FILE:LINE lines
        and kept in `last_error`. Over a shared library, takes up the shared base as it is.
        """
        if self.shared is not None:
            self.refresh()
            return True
        with self._lock:
            self._signature = knowledge.folder_signature(self.folder)
            self._revision = self._team_revision()
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
            "team_tips": len(self.current.team),
            "errors": [str(p) for p in self.last_error.problems] if self.last_error else [],
        }


class Watcher:
    """Polls the knowledge folder and reloads it on change, in a daemon thread.

    `also` gives the libraries layered over `library` (one per workspace with tips of its
    own), which follow it and their own team's saves on the same poll.
    """

    def __init__(
        self,
        library: Library,
        *,
        interval: float = 1.0,
        also: Callable[[], Iterable[Library]] = lambda: (),
    ):
        self.library = library
        self.also = also
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start polling."""
        self._thread = threading.Thread(target=self._run, name="knowledge-watcher", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            for library in (self.library, *self.also()):
                try:
                    library.reload_if_changed()
                except Exception:  # a watcher must never die; the reason is in the log
                    log.exception("knowledge watcher failed")

    def stop(self) -> None:
        """Stop polling and wait for the thread."""
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=2)
