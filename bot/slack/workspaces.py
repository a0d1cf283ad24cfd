"""One install serving many workspaces: each workspace's database, coach, client and poster.

With SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (and no SLACK_BOT_TOKEN) the bot serves
Bolt's OAuth install flow; Bolt keeps the installations (tokens) and OAuth states in
COACH_DB through slack-sdk's SQLite stores, and the `workspaces` table there says who
installed it and whether the coach may post there. Each workspace's own data lives in
`<team>.db` in the workspaces folder (COACH_TEAMS_DIR): the very schema and code a single
workspace uses, so no query can read or change another workspace's rows, and deleting a
workspace's data is deleting its file.

`Workspaces.attach` (a Bolt middleware) hands every request the SlackContext of the
workspace it came from; `Fleet` posts the daily tips of every active workspace, finding
each one's token itself, since a scheduled post has no request to take one from.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import replace
from pathlib import Path

from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore

from bot.core.coach import Coach
from bot.core.library import Library
from bot.daily.posting import Poster
from bot.daily.scheduler import Scheduler, TickLoop, TickResult
from bot.settings import TEAM_ID, Settings
from bot.slack.context import CONTEXT_KEY, SlackContext, lookup_client
from bot.slack.delivery import SlackDeliverer, make_client
from bot.store import Store
from bot.store.workspaces import ACTIVE, PAUSED

log = logging.getLogger(__name__)
WORKSPACES_KEY = "aipm_workspaces"  # where `Workspaces.attach` puts itself in Bolt's context

# The bot scopes the install asks for: manifest.yml's (a test keeps the two the same).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "app_mentions:read",
    "im:history",
    "assistant:write",
    "im:write",
    "reactions:read",
    "users:read",
    "channels:history",
    "groups:history",
)

# What Slack answers a call made with a token it no longer honours: the workspace is paused
# (nothing is posted there) until it installs the app again.
REFUSED_TOKEN = frozenset(
    {"invalid_auth", "token_revoked", "account_inactive", "not_authed", "token_expired"}
)


def team_key(team_id: object, enterprise_id: object = None) -> str | None:
    """The id a workspace's data is filed under: its team id, or its enterprise id for an
    org-wide install; None when neither is a Slack id (never a path from a payload)."""
    for value in (team_id, enterprise_id):
        if isinstance(value, str) and TEAM_ID.match(value):
            return value
    return None


class Workspace:
    """One installed workspace: its database, Slack client and poster; its coach on first use."""

    def __init__(self, team: str, settings: Settings, store: Store, shared: Library, token: str):
        self.team = team
        self.settings = settings
        self.store = store
        self.shared = shared
        self.token = token
        self.client = make_client(replace(settings, bot_token=token))
        self.poster = Poster(
            SlackDeliverer(self.client, command=settings.command), store, lease=settings.claim_lease
        )
        self.bot_user = ""
        self._coach: Coach | None = None
        self._ctx: SlackContext | None = None
        self._lock = threading.Lock()
        self.scheduler = Scheduler(
            store,
            lambda: self.coach.library.base,
            self.poster,
            tick_seconds=settings.tick_seconds,
            reconcile_age=settings.claim_lease,
        )

    @property
    def coach(self) -> Coach:
        """The workspace's coach: the shared YAML base with this workspace's own tips."""
        with self._lock:
            if self._coach is None:
                library = Library.over(self.shared, self.store)
                self._coach = Coach(settings=self.settings, store=self.store, library=library)
            return self._coach

    @property
    def has_coach(self) -> bool:
        """True once a request or a post needed the workspace's coach."""
        return self._coach is not None

    @property
    def ctx(self) -> SlackContext:
        """What this workspace's listeners are given (see bot/slack/context.py)."""
        coach = self.coach
        with self._lock:
            if self._ctx is None:
                self._ctx = SlackContext(
                    coach=coach, poster=self.poster, lookup=lookup_client(self.client)
                )
            return self._ctx

    def use_token(self, token: str) -> None:
        """Post with `token` from now on (a reinstall gave a new one)."""
        with self._lock:
            if token == self.token:
                return
            self.token = token
            self.client = make_client(replace(self.settings, bot_token=token))
            self.poster.deliverer = SlackDeliverer(self.client, command=self.settings.command)
            if self._ctx is not None:
                self._ctx.lookup = lookup_client(self.client)

    def close(self) -> None:
        """Close the workspace's database (its lanes are drained by the caller first)."""
        self.store.close()


class Workspaces:
    """The installed workspaces, opened on first use; thread-safe."""

    def __init__(
        self,
        settings: Settings,
        install: Store,
        shared: Library,
        installations: InstallationStore,
    ):
        self.settings = settings
        self.install = install  # COACH_DB: the `workspaces` table beside Bolt's stores
        self.shared = shared
        self.installations = installations
        self.folder = settings.workspaces_dir
        self._open: dict[str, Workspace] = {}
        self._lock = threading.RLock()

    def path(self, team: str) -> Path:
        """The workspace's database file."""
        return self.folder / f"{team}.db"

    def bot(self, team: str) -> Bot | None:
        """The workspace's bot (token, bot user) from the installation store, or None."""
        enterprise = (self.install.workspace(team) or {}).get("enterprise") or None
        bot = self.installations.find_bot(enterprise_id=enterprise, team_id=team)
        if bot is None and team.startswith("E"):
            bot = self.installations.find_bot(
                enterprise_id=team, team_id=None, is_enterprise_install=True
            )
        return bot if bot is not None and bot.bot_token else None

    def token(self, team: str) -> str | None:
        """The workspace's bot token from the installation store, or None."""
        bot = self.bot(team)
        return bot.bot_token if bot is not None else None

    def get(self, team: str | None) -> Workspace | None:
        """The workspace, opened if need be; None unless it installed the app and is active
        or paused (a removed workspace's data is never opened again, only deleted)."""
        if team is None or not TEAM_ID.match(team):
            return None
        with self._lock:
            # The registry decides, not this process's cache: another process (or the CLI)
            # may have removed the workspace.
            row = self.install.workspace(team)
            if row is None or row["state"] not in (ACTIVE, PAUSED):
                found = self._open.pop(team, None)
                if found is not None:
                    found.close()
                return None
            found = self._open.get(team)
            if found is not None and self.path(team).exists():
                return found
            if found is not None:
                # Someone deleted the file under the running bot: writing on would lose every
                # change at the next start, so the workspace starts afresh now, loudly.
                log.error(
                    "the database of %s (%s) was deleted while the bot ran; it starts empty",
                    team,
                    self.path(team),
                )
                self._open.pop(team)
                found.close()
            bot = self.bot(team)
            if bot is None:
                return None
            self.folder.mkdir(parents=True, exist_ok=True)
            store = Store.open(self.path(team))
            workspace = Workspace(
                team, self.settings.for_team(team), store, self.shared, str(bot.bot_token)
            )
            workspace.bot_user = bot.bot_user_id or ""
            self._open[team] = workspace
            return workspace

    def opened(self) -> list[Workspace]:
        """The workspaces open in this process."""
        with self._lock:
            return list(self._open.values())

    def active(self) -> Iterator[Workspace]:
        """Every active workspace, opened as it comes."""
        for row in self.install.workspaces(state=ACTIVE):
            workspace = self.get(row["team"])
            if workspace is not None:
                yield workspace

    # -- Bolt ------------------------------------------------------------------------------

    def attach(self, context: dict, next: Callable[[], None]) -> None:
        """Bolt middleware: the request's workspace's SlackContext as `context["aipm"]`.

        A request Bolt authorized comes from an installed workspace; one the registry does
        not know yet (installed before this process recorded it) is recorded now.
        """
        context[WORKSPACES_KEY] = self
        team = team_key(context.get("team_id"), context.get("enterprise_id"))
        workspace = self.get(team)
        known = team is not None and self.install.workspace(team) is not None
        if workspace is None and team and context.get("bot_token") and not known:
            self.install.record_install(
                team, enterprise=context.get("enterprise_id"), team_name=None
            )
            workspace = self.get(team)
        if workspace is not None:
            token = context.get("bot_token")
            if isinstance(token, str) and token:
                workspace.use_token(token)
            context[CONTEXT_KEY] = workspace.ctx
            if context.get("bot_user_id"):
                workspace.bot_user = str(context["bot_user_id"])
        next()

    def installed(self, installation: Installation) -> bool:
        """Bolt's OAuth flow saved an installation: record the workspace (a reinstall
        reactivates a paused or removed one, and keeps its data unless it was deleted).

        False for an org-wide install of an Enterprise Grid org, which is not served: its
        token is deleted again and nothing is recorded (each workspace installs on its own,
        so each keeps its own data).
        """
        if installation.is_enterprise_install:
            enterprise = installation.enterprise_id
            try:
                self.installations.delete_all(enterprise_id=enterprise, team_id=None)
            except Exception:
                log.exception("could not delete the org-wide install of %s", enterprise)
            log.warning("refused an org-wide install in %s: install it per workspace", enterprise)
            return False
        team = team_key(installation.team_id, installation.enterprise_id)
        if team is None:
            raise ValueError("the installation names no Slack team")
        self.install.record_install(
            team, enterprise=installation.enterprise_id, team_name=installation.team_name
        )
        workspace = self.get(team)
        if workspace is not None and installation.bot_token:
            workspace.use_token(installation.bot_token)
            workspace.bot_user = installation.bot_user_id or ""
            workspace.scheduler.retry_now()  # what the old token failed is due again
        log.info("installed in %s (%s)", team, installation.team_name or "no name")
        return True

    # -- pausing, removing, deleting -------------------------------------------------------

    def pause(self, team: str, reason: str) -> None:
        """Slack refused the workspace's token: post nothing there until it reinstalls."""
        if self.install.pause_workspace(team, reason):
            log.warning("paused %s: Slack refused its token (%s)", team, reason)

    def remove(self, team: str, reason: str, *, happened: object = None) -> str | None:
        """The app was uninstalled: forget its tokens, stop posting, and delete its data after
        COACH_DELETE_AFTER_DAYS (at once when 0). Returns when it will be deleted.

        `happened` is the event's `event_time` (seconds): an uninstall Slack redelivers after
        the workspace installed again is from before that install and changes nothing.
        """
        if self._installed_since(team, happened):
            log.info("%s installed again after it was %s; that event is stale", team, reason)
            return None
        self._forget_tokens(team)
        after = self.install.remove_workspace(
            team, keep_days=self.settings.delete_after_days, reason=reason
        )
        self._close(team)
        log.info("removed from %s (%s); its data is deleted after %s", team, reason, after)
        if after is not None and self.settings.delete_after_days == 0:
            self.delete(team)
        return after

    def _forget_tokens(self, team: str) -> None:
        # The store files a workspace of an Enterprise Grid org under (enterprise, team).
        enterprise = (self.install.workspace(team) or {}).get("enterprise") or None
        try:
            self.installations.delete_all(enterprise_id=enterprise, team_id=team)
        except Exception:  # logged; the registry still stops every post there
            log.exception("could not delete the installation of %s", team)

    def _installed_since(self, team: str, happened: object) -> bool:
        if not isinstance(happened, int | float) or isinstance(happened, bool):
            return False
        row = self.install.workspace(team)
        if row is None or row["state"] not in (ACTIVE, PAUSED):
            return False
        # event_time is whole seconds: only an install a full second later is surely newer.
        after = dt.datetime.fromtimestamp(happened + 1, dt.UTC).isoformat(timespec="microseconds")
        return row["installed_at"] > after

    def delete(self, team: str) -> bool:
        """Delete the workspace's data now (its database file and the files beside it) and
        its installation; True when there was a workspace. The registry row stays, nameless,
        so the deletion is on record."""
        if not TEAM_ID.match(team) or self.install.workspace(team) is None:
            return False
        self._forget_tokens(team)
        self._close(team)
        for suffix in ("", "-wal", "-shm", "-journal"):
            with suppress(FileNotFoundError):
                Path(f"{self.path(team)}{suffix}").unlink()
        self.install.mark_deleted(team)
        log.info("deleted the data of %s", team)
        return True

    def delete_due(self) -> list[str]:
        """Delete every removed workspace whose grace period is over; returns their ids."""
        due = self.install.deletions_due()
        for team in due:
            self.delete(team)
        return due

    def _close(self, team: str) -> None:
        with self._lock:
            workspace = self._open.pop(team, None)
        if workspace is not None:
            workspace.poster.lanes.drain(timeout=self.settings.shutdown_seconds)
            workspace.close()

    def close(self) -> None:
        """Close every open workspace's database."""
        with self._lock:
            opened, self._open = list(self._open.values()), {}
        for workspace in opened:
            workspace.close()


class Fleet(TickLoop):
    """The daily tips of every active workspace: one thread, each workspace's own scheduler.

    Each tick deletes the data of workspaces past their grace period, then for each active
    workspace takes its current token from the installation store and runs its scheduler
    (claims per channel and local date in the workspace's own database, so exactly one post
    per team, channel and day however many processes run). A workspace whose token Slack
    refuses is paused, and the others go on.
    """

    def __init__(self, workspaces: Workspaces, *, tick_seconds: float):
        super().__init__(tick_seconds=tick_seconds)
        self.workspaces = workspaces

    def chores(self) -> None:
        """Delete the data of removed workspaces whose grace period ended, and the install
        links that lapsed unused (also run without the scheduler, see FleetRuntime)."""
        for chore, what in (
            (self.workspaces.delete_due, "deleting removed workspaces' data"),
            (lambda: self.workspaces.install.prune_oauth_states(now=time.time()), "pruning"),
        ):
            try:
                chore()
            except Exception:
                log.exception("%s failed", what)

    def tick(self) -> dict[str, list[TickResult]]:
        """One pass over every active workspace; what each one's scheduler did."""
        done: dict[str, list[TickResult]] = {}
        self.chores()
        for workspace in self.workspaces.active():
            if self._stop.is_set():
                break
            try:
                token = self.workspaces.token(workspace.team)
                if token is None:
                    self.workspaces.pause(workspace.team, "no installation")
                    continue
                workspace.use_token(token)
                results = workspace.scheduler.tick()
            except Exception:
                log.exception("daily tips of %s failed", workspace.team)
                continue
            done[workspace.team] = results
            refused = next((r.error for r in results if r.error in REFUSED_TOKEN), None)
            if refused:
                self.workspaces.pause(workspace.team, refused)
        return done

    def stop(self, timeout: float = 30.0) -> None:
        """Stop between workspaces (each one's scheduler between posts) and wait up to
        `timeout` seconds."""
        self._stop.set()
        for workspace in self.workspaces.opened():
            workspace.scheduler.stop(0)
        super().stop(timeout)
