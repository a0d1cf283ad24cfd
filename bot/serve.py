"""`python -m bot serve`: the bot's main job, in Socket Mode or HTTP mode, with its scheduler."""

from __future__ import annotations

import errno
import logging
import signal
import threading
import time
from collections.abc import Callable

from bot.core.coach import Coach
from bot.core.library import Library, Watcher
from bot.settings import Settings
from bot.store.serving import ServingLock

log = logging.getLogger(__name__)
RUNNING_REPLY_SECONDS = 5.0  # at shutdown, after the drain: replies already being sent
CATCH_UP_SECONDS = 30.0  # how often left-over questions (a crashed process's) are looked for
FORGET_EVENTS_AFTER = 2 * 86400.0  # event ids kept this long for deduplication (Slack
# retries for minutes), then deleted so the table does not grow for ever
FORGET_EVENTS_EVERY = 3600.0


class Runtime:
    """Everything `serve` starts, so it can be stopped in the right order."""

    def __init__(
        self,
        settings: Settings,
        coach: Coach,
        *,
        skip_channels: frozenset[str] = frozenset(),
        serving: ServingLock | None = None,
    ):
        """Build the Slack app, the poster and the scheduler; nothing runs until started.

        The scheduler posts in every subscribed channel except `skip_channels` (e.g. the
        playground's simulated channel, which shares the database). `serving` is the
        database's serving lock (bot/store/serving.py), released when the runtime stops.
        """
        from bot.daily.posting import Poster
        from bot.daily.scheduler import Scheduler
        from bot.slack.app import build_app
        from bot.slack.auth import verify_token
        from bot.slack.delivery import SlackDeliverer, make_client
        from bot.slack.lazy_pool import BoundedPool

        self.settings = settings
        self.coach = coach
        self.client = make_client(settings)
        me = verify_token(self.client)
        log.info("signed in to Slack as %s in %s", me.get("user"), me.get("team"))
        self.bot_user = str(me.get("user_id") or "")
        self.poster = Poster(
            SlackDeliverer(self.client, command=settings.command),
            coach.store,
            lease=settings.claim_lease,
        )
        self.executor = BoundedPool()  # lazy listeners: a bounded queue, see lazy_pool
        self.app = build_app(
            coach,
            client=self.client,
            poster=self.poster,
            executor=self.executor,
            token_verified=True,
        )
        self.scheduler = Scheduler(
            coach.store,
            lambda: coach.library.base,
            self.poster,
            tick_seconds=settings.tick_seconds,
            reconcile_age=settings.claim_lease,
            include=lambda channel: channel not in skip_channels,
        )
        self.watcher = Watcher(coach.library)
        self.stopped = threading.Event()
        self.stopping = threading.Event()  # set first at shutdown: catch-up work stops
        self._catch_up_thread: threading.Thread | None = None
        self.started = False
        self.serving = serving
        # Socket Mode sets this to the client's is_connected; HTTP mode has no connection.
        self.connected: Callable[[], bool] | None = None

    def health(self) -> dict:
        """The full health report (the playground's /healthz, for the operator).

        Not ok when the database fails, the scheduler is enabled, was started and its
        thread is no longer running (no daily tip would be posted), or in Socket Mode the
        connection to Slack is down.
        """
        db = self.coach.store.health()
        kb = self.coach.library.health()
        scheduler = {"enabled": self.settings.scheduler, **self.scheduler.health()}
        dead = self.settings.scheduler and self.started and not scheduler["running"]
        report = {"database": db, "knowledge": kb, "scheduler": scheduler}
        ok = bool(db["ok"]) and not dead
        if self.connected is not None:
            report["socket_mode"] = {"connected": bool(self.connected())}
            ok = ok and report["socket_mode"]["connected"]
        return {"ok": ok, **report}

    def public_health(self) -> dict:
        """/healthz for anyone who can reach it: healthy or not, and why, naming no path.

        `checks` has one short entry per part (database, scheduler, and in Socket Mode
        slack); no folder, file name, migration or tip count is given away.
        """
        report = self.health()
        db, scheduler = report["database"], report["scheduler"]
        checks = {"database": "ok" if db["ok"] else db.get("problem", "not usable")}
        if not self.settings.scheduler:
            checks["scheduler"] = "off"
        elif scheduler["running"] or not self.started:
            checks["scheduler"] = "running" if scheduler["running"] else "starting"
        else:
            error = (scheduler.get("error") or "").split(":", 1)[0]
            checks["scheduler"] = "stopped" + (f" ({error})" if error else "")
        if "socket_mode" in report:
            connected = report["socket_mode"]["connected"]
            checks["slack"] = "connected" if connected else "not connected to Slack"
        return {"ok": report["ok"], "checks": checks}

    def reload(self) -> None:
        """SIGHUP: read the knowledge folder again (kept only when valid)."""
        self.coach.library.reload()

    def start_background(self) -> None:
        """Start the knowledge watcher, (unless disabled) the daily-tip scheduler, and the
        catch-up of work a crash or shutdown left undone (people still waiting for a DM)."""
        self.watcher.start()
        if self.settings.scheduler:
            self.scheduler.start()
        self._catch_up_thread = threading.Thread(
            target=self._catch_up, name="catch-up", daemon=True
        )
        self._catch_up_thread.start()
        self.started = True

    def _catch_up(self) -> None:
        """Work a crash or shutdown left undone: people waiting for a DM (once, at start),
        questions claimed but never answered and old event ids (every CATCH_UP_SECONDS)."""
        from bot.slack.context import SlackContext, lookup_client
        from bot.slack.listeners.curation import tell_left_waiting
        from bot.slack.listeners.messages import answer_left_over

        ctx = SlackContext(coach=self.coach, poster=self.poster, lookup=lookup_client(self.client))
        going = lambda: not self.stopping.is_set()  # noqa: E731
        try:
            tell_left_waiting(ctx, self.client, keep_going=going)
        except Exception:  # never takes the bot down; the next save tries again
            log.exception("catching up on people waiting for a tip failed")
        forget_at = 0.0
        while going():
            try:
                answer_left_over(ctx, self.client, bot_user=self.bot_user, keep_going=going)
                if time.monotonic() >= forget_at:
                    self.coach.store.forget_events(older_than=FORGET_EVENTS_AFTER)
                    forget_at = time.monotonic() + FORGET_EVENTS_EVERY
            except Exception:
                log.exception("answering left-over questions failed")
            self.stopping.wait(CATCH_UP_SECONDS)

    def stop_background(self) -> None:
        """Finish work handed off after answers within COACH_SHUTDOWN_SECONDS, release what is
        still queued, stop the scheduler between posts and the watcher, close the database.

        A reply still queued when the time is up is not sent: its event's claim is released,
        so Slack's redelivery or the next start answers it (nothing is lost, nothing waits
        minutes behind a flood).
        """
        self.started = False
        self.stopping.set()
        bound = self.settings.shutdown_seconds
        if self._catch_up_thread is not None:
            self._catch_up_thread.join(bound + RUNNING_REPLY_SECONDS)
        self.executor.shutdown(wait=True)
        if not self.poster.lanes.drain(timeout=bound):
            released = self.poster.lanes.cancel_pending()
            self.poster.lanes.drain(timeout=RUNNING_REPLY_SECONDS)
            log.warning(
                "stopped with %d repl%s still queued: released, so Slack's redelivery or the "
                "next start answers them",
                released,
                "y" if released == 1 else "ies",
            )
        self.scheduler.stop()
        self.watcher.stop()
        self.coach.close()
        if self.serving:
            self.serving.release()


class FleetRuntime:
    """What `serve` starts when one install serves many workspaces (HTTP mode, OAuth).

    COACH_DB holds Bolt's installations and OAuth states and the `workspaces` table; each
    workspace's data is in its own file (bot/slack/workspaces.py). One knowledge watcher,
    one daily-tip thread for every workspace (`Fleet`), one catch-up thread.
    """

    def __init__(self, settings: Settings, library: Library, *, serving: ServingLock | None = None):
        from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore

        from bot.slack.app import build_fleet_app
        from bot.slack.lazy_pool import BoundedPool
        from bot.slack.workspaces import Fleet, Workspaces
        from bot.store import Store

        self.settings = settings
        self.library = library
        self.install = Store.open(settings.db_path)
        installations = SQLite3InstallationStore(
            database=str(settings.db_path), client_id=settings.client_id
        )
        self.workspaces = Workspaces(settings, self.install, library, installations)
        self.executor = BoundedPool()
        self.app = build_fleet_app(self.workspaces, executor=self.executor)
        self.fleet = Fleet(self.workspaces, tick_seconds=settings.tick_seconds)
        self.watcher = Watcher(library, also=self._libraries)
        self.stopping = threading.Event()
        self._catch_up_thread: threading.Thread | None = None
        self.started = False
        self.serving = serving

    def _libraries(self) -> list[Library]:
        # Workspaces with tips of their own hold a library over the shared one.
        return [w.coach.library for w in self.workspaces.opened() if w.has_coach]

    def reload(self) -> None:
        """SIGHUP: read the knowledge folder again; every workspace follows."""
        self.library.reload()

    def health(self) -> dict:
        """The full health report: the install's database, the base, the scheduler, and how
        many workspaces are in each state."""
        db = self.install.health()
        scheduler = {"enabled": self.settings.scheduler, **self.fleet.health()}
        dead = self.settings.scheduler and self.started and not scheduler["running"]
        states: dict[str, int] = {}
        if db["ok"]:
            for row in self.install.workspaces():
                states[row["state"]] = states.get(row["state"], 0) + 1
        report = {
            "database": db,
            "knowledge": self.library.health(),
            "scheduler": scheduler,
            "workspaces": states,
        }
        return {"ok": bool(db["ok"]) and not dead, **report}

    def public_health(self) -> dict:
        """/healthz for anyone: healthy or not and why, naming no path and no workspace."""
        report = self.health()
        db, scheduler = report["database"], report["scheduler"]
        checks = {"database": "ok" if db["ok"] else db.get("problem", "not usable")}
        if not self.settings.scheduler:
            checks["scheduler"] = "off"
        else:
            checks["scheduler"] = (
                "running" if scheduler["running"] or not self.started else "stopped"
            )
        return {"ok": report["ok"], "checks": checks}

    def start_background(self) -> None:
        """Start the watcher, the daily tips of every workspace, and the catch-up."""
        self.watcher.start()
        if self.settings.scheduler:
            self.fleet.start()
        self._catch_up_thread = threading.Thread(
            target=self._catch_up, name="catch-up", daemon=True
        )
        self._catch_up_thread.start()
        self.started = True

    def _catch_up(self) -> None:
        """Each open workspace's left-over work, as `Runtime._catch_up` does for one; with
        COACH_SCHEDULER=0 also the fleet's chores (deletions after the grace period), which
        must happen whether or not this process posts the daily tips."""
        from bot.slack.listeners.curation import tell_left_waiting
        from bot.slack.listeners.messages import answer_left_over

        going = lambda: not self.stopping.is_set()  # noqa: E731
        told: set[str] = set()
        forget_at = 0.0
        while going():
            forget = time.monotonic() >= forget_at
            if not self.settings.scheduler:  # the fleet's tick does them otherwise
                self.fleet.chores()
            for workspace in list(self.workspaces.active()):
                if not going():
                    break
                try:
                    if workspace.team not in told:
                        tell_left_waiting(workspace.ctx, workspace.client, keep_going=going)
                        told.add(workspace.team)
                    answer_left_over(
                        workspace.ctx,
                        workspace.client,
                        bot_user=workspace.bot_user,
                        keep_going=going,
                    )
                    if forget:
                        workspace.store.forget_events(older_than=FORGET_EVENTS_AFTER)
                except Exception:
                    log.exception("catching up in %s failed", workspace.team)
            if forget:
                forget_at = time.monotonic() + FORGET_EVENTS_EVERY
            self.stopping.wait(CATCH_UP_SECONDS)

    def stop_background(self) -> None:
        """As `Runtime.stop_background`, for every open workspace, then close the databases."""
        self.started = False
        self.stopping.set()
        bound = self.settings.shutdown_seconds
        if self._catch_up_thread is not None:
            self._catch_up_thread.join(bound + RUNNING_REPLY_SECONDS)
        self.executor.shutdown(wait=True)
        deadline = time.monotonic() + bound
        for workspace in self.workspaces.opened():
            lanes = workspace.poster.lanes
            if not lanes.drain(timeout=max(deadline - time.monotonic(), 0.0)):
                released = lanes.cancel_pending()
                lanes.drain(timeout=RUNNING_REPLY_SECONDS)
                log.warning("stopped with %d replies still queued in %s", released, workspace.team)
        self.fleet.stop()
        self.watcher.stop()
        self.workspaces.close()
        self.install.close()
        if self.serving:
            self.serving.release()


def install_signals(on_stop, on_reload) -> None:
    """SIGTERM/SIGINT stop gracefully; SIGHUP reloads the knowledge folder."""
    signal.signal(signal.SIGTERM, lambda *_: on_stop())
    signal.signal(signal.SIGINT, lambda *_: on_stop())
    if hasattr(signal, "SIGHUP"):
        signal.signal(
            signal.SIGHUP, lambda *_: threading.Thread(target=on_reload, daemon=True).start()
        )


class ListenError(Exception):
    """HTTP mode cannot listen on COACH_HOST:PORT; the message names the address and the fix."""


def serve_http(
    runtime: Runtime | FleetRuntime, *, host: str, port: int, extra_routes=None, ready=None
) -> int:
    """Serve Slack's HTTP requests until SIGTERM; returns the exit code.

    Raises ListenError (after closing the runtime) when the address cannot be bound: the
    port is taken, or COACH_HOST is not a name or address of this machine.
    """
    from bot.slack.http import HttpServer, SlackWSGI

    wsgi = SlackWSGI(
        runtime.app,
        signing_secret=runtime.settings.signing_secret,
        health=runtime.public_health,
        extra_routes=extra_routes,
    )
    try:
        server = HttpServer(wsgi, host=host, port=port)
    except (OSError, ValueError) as exc:  # waitress raises ValueError for an unknown host
        runtime.stop_background()
        reason = getattr(exc, "strerror", None) or str(exc).rstrip(".")
        if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
            fix = f"Another program uses port {port}: stop it or set PORT to a free port."
        else:
            fix = (
                f"Set COACH_HOST to an address of this machine ({host!r} is not one): "
                "0.0.0.0 for every interface, 127.0.0.1 for this machine only."
            )
        raise ListenError(f"Cannot listen on {host}:{port} ({reason}). {fix}") from None
    install_signals(server.request_stop, runtime.reload)
    runtime.start_background()
    log.info("serving HTTP on http://%s:%s/slack/events", host, server.port)
    if ready:
        ready(server.port)
    try:
        server.serve()
    finally:
        runtime.stop_background()
    log.info("stopped cleanly")
    return 0


def serve_socket(runtime: Runtime) -> int:
    """Serve over Socket Mode until SIGTERM; returns the exit code.

    With COACH_HEALTH_PORT set, /healthz answers on 127.0.0.1 at that port (the public
    report, with the Socket Mode connection). Raises ListenError (after closing the
    runtime) when that port cannot be bound.
    """
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.health import HOST, HealthServer
    from bot.slack.auth import connect_socket_mode

    handler = SocketModeHandler(runtime.app, runtime.settings.app_token)
    runtime.connected = handler.client.is_connected
    health = None
    if runtime.settings.health_port:
        try:
            health = HealthServer(runtime.public_health, port=runtime.settings.health_port)
        except OSError as exc:
            runtime.stop_background()
            port = runtime.settings.health_port
            raise ListenError(
                f"Cannot listen on {HOST}:{port} for COACH_HEALTH_PORT ({exc.strerror}). "
                "Another program uses it: set COACH_HEALTH_PORT to a free port, or leave it unset."
            ) from None
    install_signals(runtime.stopped.set, runtime.reload)
    try:
        connect_socket_mode(handler)  # AppTokenRejected, SlackUnavailable: the caller says why
    except Exception:
        runtime.stop_background()
        raise
    runtime.start_background()
    if health:
        health.start()
    log.info("connected to Slack in Socket Mode")
    runtime.stopped.wait()
    handler.close()
    if health:
        health.stop()
    runtime.stop_background()
    log.info("stopped cleanly")
    return 0


def warn_if_volatile(settings: Settings) -> None:
    """Log a warning when COACH_DB is on a RAM file system or in the system temp folder."""
    from bot.store.location import volatile_reason

    reason = volatile_reason(settings.db_path)
    if reason:
        log.warning(
            "COACH_DB=%s will not survive: %s. Subscriptions, ratings and team tips would be "
            "lost; point COACH_DB at a file on a persistent disk (see docs/operations.md).",
            settings.db_path,
            reason,
        )
