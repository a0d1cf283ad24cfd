"""`python -m bot serve`: the bot's main job, in Socket Mode or HTTP mode, with its scheduler."""

from __future__ import annotations

import errno
import logging
import signal
import threading
from concurrent.futures import ThreadPoolExecutor

from bot.core.coach import Coach
from bot.core.library import Watcher
from bot.settings import Settings

log = logging.getLogger(__name__)
LANE_DRAIN_SECONDS = 10.0  # replies still queued per channel at shutdown get this long


class Runtime:
    """Everything `serve` starts, so it can be stopped in the right order."""

    def __init__(
        self, settings: Settings, coach: Coach, *, skip_channels: frozenset[str] = frozenset()
    ):
        """Build the Slack app, the poster and the scheduler; nothing runs until started.

        The scheduler posts in every subscribed channel except `skip_channels` (e.g. the
        playground's simulated channel, which shares the database).
        """
        from bot.daily.posting import Poster
        from bot.daily.scheduler import Scheduler
        from bot.slack.app import build_app
        from bot.slack.auth import verify_token
        from bot.slack.delivery import SlackDeliverer, make_client

        self.settings = settings
        self.coach = coach
        self.client = make_client(settings)
        me = verify_token(self.client)
        log.info("signed in to Slack as %s in %s", me.get("user"), me.get("team"))
        self.poster = Poster(
            SlackDeliverer(self.client, command=settings.command),
            coach.store,
            lease=settings.claim_lease,
        )
        self.executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="slack-lazy")
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

    def health(self) -> dict:
        """/healthz: the database, knowledge and scheduler state.

        Not ok when the database fails or the scheduler is enabled, was started and its
        thread is no longer running (no daily tip would be posted).
        """
        db = self.coach.store.health()
        kb = self.coach.library.health()
        scheduler = {"enabled": self.settings.scheduler, **self.scheduler.health()}
        dead = self.settings.scheduler and self.started and not scheduler["running"]
        return {
            "ok": bool(db["ok"]) and not dead,
            "database": db,
            "knowledge": kb,
            "scheduler": scheduler,
        }

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
        from bot.slack.context import SlackContext, lookup_client
        from bot.slack.listeners.curation import tell_left_waiting

        ctx = SlackContext(coach=self.coach, poster=self.poster, lookup=lookup_client(self.client))
        try:
            tell_left_waiting(ctx, self.client, keep_going=lambda: not self.stopping.is_set())
        except Exception:  # never takes the bot down; the next save tries again
            log.exception("catching up on people waiting for a tip failed")

    def stop_background(self) -> None:
        """Finish work handed off after answers, stop the scheduler between posts and the
        watcher, and close the database."""
        self.started = False
        self.stopping.set()
        if self._catch_up_thread is not None:
            self._catch_up_thread.join(LANE_DRAIN_SECONDS)  # at most the DM in flight
        self.executor.shutdown(wait=True)
        if not self.poster.lanes.drain(timeout=LANE_DRAIN_SECONDS):
            log.warning(
                "stopped with replies still queued in %d channel(s)", self.poster.lanes.busy
            )
        self.scheduler.stop()
        self.watcher.stop()
        self.coach.close()


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


def serve_http(runtime: Runtime, *, host: str, port: int, extra_routes=None, ready=None) -> int:
    """Serve Slack's HTTP requests until SIGTERM; returns the exit code.

    Raises ListenError (after closing the runtime) when the address cannot be bound: the
    port is taken, or COACH_HOST is not a name or address of this machine.
    """
    from bot.slack.http import HttpServer, SlackWSGI

    wsgi = SlackWSGI(
        runtime.app,
        signing_secret=runtime.settings.signing_secret,
        health=runtime.health,
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
    install_signals(server.request_stop, runtime.coach.library.reload)
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
    """Serve over Socket Mode until SIGTERM; returns the exit code."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.slack.auth import connect_socket_mode

    handler = SocketModeHandler(runtime.app, runtime.settings.app_token)
    install_signals(runtime.stopped.set, runtime.coach.library.reload)
    try:
        connect_socket_mode(handler)  # AppTokenRejected, SlackUnavailable: the caller says why
    except Exception:
        runtime.stop_background()
        raise
    runtime.start_background()
    log.info("connected to Slack in Socket Mode")
    runtime.stopped.wait()
    handler.close()
    runtime.stop_background()
    log.info("stopped cleanly")
    return 0
