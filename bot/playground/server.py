"""`python -m bot serve --playground`: a local Slack-like page that drives the real bot.

Two loopback servers run side by side. The real bot, built exactly as `serve` builds it
in HTTP mode (Runtime, SlackWSGI, HttpServer), listens on an ephemeral port with a
per-run signing secret and bot token. The playground server answers the page (static
files and a small JSON API), the Slack Web API the bot calls (`/slack-api/METHOD`) and the
response URLs the bot posts to (`/response/TOKEN`). Page actions become signed Slack
requests to the bot (see `page.py`).
"""

from __future__ import annotations

import dataclasses
import errno
import json
import logging
import secrets
import signal
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from bot.digits import is_number
from bot.fakeslack.server import answer_http
from bot.fakeslack.web_api import WebAPI, dm_channel
from bot.playground.page import ASK_SHORTCUT, PageActions
from bot.playground.workspace import CHANNEL, PEOPLE, SECOND_TEAM, TEAM, new_workspace
from bot.settings import Settings
from bot.slack.curation_blocks import SAVE_SHORTCUT

if TYPE_CHECKING:
    from bot.serve import FleetRuntime, Runtime
    from bot.slack.http import HttpServer

# The message shortcuts of manifest.yml, in its order, as the page's ⋮ menu offers them.
SHORTCUTS = ((ASK_SHORTCUT, "Ask the coach about this"), (SAVE_SHORTCUT, "Save as AI-PM tip"))

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
STATIC = Path(__file__).with_name("static")
MAX_BODY = 256 * 1024
TICK_SECONDS = 5.0
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
_SECURITY_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    (
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
    ),
    ("Cache-Control", "no-store"),
]
Reply = tuple[int, str, bytes]


@dataclasses.dataclass
class Room:
    """One workspace the page shows: its fake Slack, what its controls do, its daily tip."""

    api: WebAPI
    actions: PageActions
    post_tip: Callable[..., dict] = lambda **_: {}
    subscription: Callable[[], str] = lambda: ""


class PlaygroundApp:
    """The playground's routes, independent of the HTTP server that carries them.

    `rooms` are the workspaces the page can show, by team id, the first the default (one,
    or two installed through Slack's OAuth flow); `web_api` answers the bot's Web API calls
    and response URLs (the one workspace, or the grid that routes each token to its own).
    """

    def __init__(self, rooms: dict[str, Room], *, port: int, web_api=None):
        self.rooms = rooms
        self.web_api = web_api if web_api is not None else next(iter(rooms.values())).api
        # The bot's full health report, once it runs (the playground is local: paths are fine).
        self.health = lambda: {"ok": False, "error": "the bot is starting"}
        # The only names this server answers to; anything else is another site's request
        # (a DNS-rebinding page reaches 127.0.0.1 with its own name in Host).
        self.hosts = frozenset({f"{HOST}:{port}", f"localhost:{port}"})
        self.origins = frozenset(f"http://{host}" for host in self.hosts)

    def room(self, team: str) -> Room:
        """The workspace `team` ("" for the first); BadField for a team the page has not."""
        if not team:
            return next(iter(self.rooms.values()))
        if team not in self.rooms:
            raise BadField(f"no workspace {team[:20]!r} here")
        return self.rooms[team]

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        """Answer one request: (status, content type, body).

        403 for any Host but this server's, and for a state-changing request whose Origin
        is another site's (the page's own POSTs always carry Origin; the bot's server-side
        calls carry none and present the bot token or a response URL's secret instead).
        """
        if headers.get("host", "").lower() not in self.hosts:
            return 403, "text/plain", b"the playground only answers on 127.0.0.1 or localhost"
        origin = headers.get("origin")
        if method not in ("GET", "HEAD") and origin is not None and origin not in self.origins:
            return 403, "text/plain", b"the playground only answers its own page"
        parts = urlsplit(target)
        path, query = parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))
        if path.startswith(("/slack-api/", "/response/")) and method == "POST":
            answer = answer_http(self.web_api, path.lstrip("/"), parts.query, headers, body)
            return answer.status, "application/json", answer.body
        if method in ("GET", "HEAD"):
            if path in ("/", "/index.html"):
                return _static("index.html")
            if path.startswith("/static/"):
                return _static(path.removeprefix("/static/"))
            if path == "/api/state":
                try:
                    room = self.room(query.get("team", ""))
                except BadField as exc:
                    return _json({"ok": False, "error": str(exc)}, 400)
                return _json(
                    self.state(query.get("user", ""), since=query.get("since", ""), room=room)
                )
            if path == "/healthz":
                report = self.health()
                return _json(report, 200 if report.get("ok") else 503)
            return 404, "text/plain", b"not found"
        if method != "POST" or not path.startswith("/api/"):
            return 405, "text/plain", b"method not allowed"
        if origin is None or media_type(headers) != "application/json":
            # A JSON body from our own page: other sites can only send "simple" types
            # without a CORS preflight, and the page always sends its Origin.
            return 403, "text/plain", b"the playground only answers its own page"
        try:
            data = json.loads(body.decode("utf-8") or "{}")
        except ValueError:
            return _json({"ok": False, "error": "the body is not JSON"}, 400)
        if not isinstance(data, dict):
            return _json({"ok": False, "error": "the body is not a JSON object"}, 400)
        try:
            return self._page_action(path.removeprefix("/api/"), data)
        except BadField as exc:
            return _json({"ok": False, "error": str(exc)}, 400)

    def _page_action(self, name: str, data: dict) -> Reply:
        user = text(data, "user")
        room = self.room(text(data, "team"))
        actions = room.actions
        if name == "send":
            return _json(actions.send(user, text(data, "text"), thread_ts=text(data, "thread_ts")))
        if name == "dm":
            return _json(actions.send_dm(user, text(data, "text")))
        if name == "action":
            return _json(
                actions.click(
                    user,
                    target=text(data, "target"),
                    action_id=text(data, "action_id"),
                    block_id=text(data, "block_id"),
                    value=text(data, "value"),
                )
            )
        if name == "react":
            return _json(
                actions.react(
                    user,
                    ts=text(data, "ts"),
                    name=text(data, "name"),
                    add=flag(data, "add", default=True),
                )
            )
        if name == "home":
            return _json(actions.open_home(user))
        if name == "home-action":
            return _json(
                actions.click_home(
                    user,
                    action_id=text(data, "action_id"),
                    block_id=text(data, "block_id"),
                    value=text(data, "value"),
                )
            )
        if name == "modal-action":
            return _json(
                actions.click_modal(
                    user,
                    view_id=text(data, "view_id"),
                    action_id=text(data, "action_id"),
                    value=text(data, "value"),
                )
            )
        if name == "shortcut":
            return _json(
                actions.shortcut(
                    user,
                    ts=text(data, "ts"),
                    callback_id=text(data, "callback_id"),
                )
            )
        if name == "submit":
            return _json(actions.submit(user, view_id=text(data, "view_id"), values=inputs(data)))
        if name == "close-modal":
            return _json(actions.close_modal(user, view_id=text(data, "view_id")))
        if name == "post-tip":
            return _json(room.post_tip(force=flag(data, "force", default=False)))
        return _json({"ok": False, "error": f"no such action: {name}"}, 404)

    def state(self, user: str, *, since: str = "", room: Room | None = None) -> dict:
        """What the page shows for one person in one workspace; only the version when
        nothing changed since `since`."""
        room = room or self.room("")
        api = room.api
        version = api.version
        if since == str(version):
            return {"version": version, "unchanged": True}
        if user not in api.people:
            user = str(PEOPLE[0]["id"])
        return {
            "version": version,
            "me": user,
            "command": room.actions.command,
            "team": api.team,
            "teams": [
                {"id": r.api.team["id"], "name": r.api.team["name"]} for r in self.rooms.values()
            ],
            "channel": {**CHANNEL, "topic": room.subscription()},
            "bot": {"id": api.bot["id"], "name": api.bot["real_name"]},
            "people": [
                {k: p[k] for k in ("id", "name", "real_name", "tz", "is_admin")} for p in PEOPLE
            ],
            "messages": api.timeline(user, CHANNEL["id"]),
            "dm": api.timeline(user, dm_channel(user)),
            "home": api.homes.get(user),
            "modal": modal_of(api, user),
            "shortcuts": [{"callback_id": c, "name": n} for c, n in SHORTCUTS],
        }


def modal_of(api: WebAPI, user: str) -> dict | None:
    """The modal this person has open (the newest), as the page shows it."""
    with api.lock:
        mine = [m for m in api.modals if m.get("user") == user]
        return json.loads(json.dumps(mine[-1])) if mine else None


class _Handler(BaseHTTPRequestHandler):
    server_version = "aipm-playground"
    app: PlaygroundApp

    def _serve(self) -> None:
        declared = (self.headers.get("Content-Length") or "0").strip()
        if not is_number(declared):
            # int() would also take '١٢' or '+1_0'; a length is plain ASCII digits or nothing.
            self.close_connection = True
            self._reply(400, "text/plain", b"Content-Length is not a number of bytes")
            return
        length = int(declared)
        if length > MAX_BODY:
            self._reply(413, "text/plain", b"body too large")
            return
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            status, kind, out = self.app.handle(self.command, self.path, headers, body)
        except Exception:
            log.exception("playground request failed: %s %s", self.command, self.path.split("?")[0])
            status, kind, out = 500, "text/plain", b"playground error (see the log)"
        self._reply(status, kind, out)

    def _reply(self, status: int, kind: str, out: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(out)))
        for name, value in _SECURITY_HEADERS:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(out)

    do_GET = do_POST = do_HEAD = _serve

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        log.debug("playground: " + format, *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64
    allow_reuse_address = True


@dataclasses.dataclass
class Playground:
    """A running playground: the page at `url`, the real bot behind it; call `stop()`.

    `api` is the (first) workspace the page shows, `rooms` every one of them by team id.
    """

    url: str
    bot_url: str
    api: WebAPI
    runtime: Runtime | FleetRuntime
    rooms: dict[str, Room]
    _httpd: _Server
    _threads: list[threading.Thread]
    _bot_server: HttpServer
    _stopped: bool = False

    def stop(self) -> None:
        """Stop the bot (finishing requests in flight), its background jobs, then the page server."""
        if self._stopped:
            return
        self._stopped = True
        self._bot_server.request_stop()
        self._threads[1].join(timeout=15)
        self.runtime.stop_background()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._threads[0].join(timeout=5)


def _page_server(port: int) -> tuple[_Server, str]:
    httpd = _Server((HOST, port), _Handler)
    return httpd, f"http://{HOST}:{httpd.server_address[1]}"


def _abandon(httpd: _Server, serving) -> None:
    # The bot could not be built: free the database's lock and the page's port.
    if serving:
        serving.release()
    httpd.shutdown()
    httpd.server_close()


def _serve_page(httpd: _Server, app: PlaygroundApp) -> threading.Thread:
    httpd.RequestHandlerClass = type("Handler", (_Handler,), {"app": app})
    thread = threading.Thread(
        target=httpd.serve_forever,
        kwargs={"poll_interval": 0.1},
        name="playground-http",
        daemon=True,
    )
    thread.start()
    return thread


def start_playground(
    settings: Settings, *, port: int | None = None, workspaces: int = 1
) -> Playground:
    """Start the playground on 127.0.0.1 (`port`, default settings.port; 0 picks a free one).

    `workspaces=2` serves two workspaces from one install, each installed through Slack's
    OAuth flow at start (the page switches between them). Returns at once with the page's
    URL. Raises OSError when the port is taken, and KnowledgeError / StoreError as `serve`
    does for a bad knowledge folder or database.
    """
    if workspaces == 2:
        return _start_two(settings, port=port)
    if workspaces != 1:
        raise ValueError("the playground serves one workspace or two")
    from bot.core.coach import Coach
    from bot.daily.scheduler import Scheduler
    from bot.serve import Runtime
    from bot.slack.http import HttpServer, SlackWSGI
    from bot.store.serving import ServingLock

    token = f"xoxb-playground-{secrets.token_hex(12)}"
    secret = secrets.token_hex(32)
    api = new_workspace(token)
    httpd, base_url = _page_server(settings.port if port is None else port)
    actions = PageActions(api, secret=secret, command=settings.command, base_url=base_url)
    room = Room(api, actions)
    app = PlaygroundApp({TEAM["id"]: room}, port=httpd.server_address[1])
    page_thread = _serve_page(httpd, app)
    serving = None
    try:
        bot_settings = dataclasses.replace(
            settings,
            bot_token=token,
            signing_secret=secret,
            app_token="",
            api_url=f"{base_url}/slack-api/",
            host=HOST,
        )
        serving = ServingLock.hold(settings.db_path)  # restore is refused while it runs
        coach = Coach.open(bot_settings)
        runtime = Runtime(bot_settings, coach, serving=serving)
        runtime.scheduler = Scheduler(
            coach.store,
            lambda: coach.library.base,
            runtime.poster,
            tick_seconds=min(settings.tick_seconds, TICK_SECONDS),
            include=lambda channel: channel == CHANNEL["id"],
        )
        wsgi = SlackWSGI(runtime.app, signing_secret=secret, health=runtime.health)
        bot_server = HttpServer(wsgi, host=HOST, port=0)
    except BaseException:
        _abandon(httpd, serving)
        raise
    actions.bot_url = f"http://{HOST}:{bot_server.port}/slack/events"
    room.post_tip = lambda *, force: post_tip(
        runtime.coach.store, runtime.coach.library.base, runtime.poster, force=force
    )
    room.subscription = lambda: describe_subscription(runtime.coach.store, settings.command)
    app.health = runtime.health
    bot_thread = threading.Thread(target=bot_server.serve, name="playground-bot", daemon=True)
    bot_thread.start()
    runtime.start_background()
    return Playground(
        url=base_url,
        bot_url=actions.bot_url,
        api=api,
        runtime=runtime,
        rooms=app.rooms,
        _httpd=httpd,
        _threads=[page_thread, bot_thread],
        _bot_server=bot_server,
    )


def _start_two(settings: Settings, *, port: int | None) -> Playground:
    """Two workspaces from one install: a grid of fake workspaces answers the bot's calls,
    the bot runs as `serve` does with SLACK_CLIENT_ID (FleetRuntime), and each workspace
    installs it through Slack's OAuth flow before the page opens."""
    from bot.core.library import Library
    from bot.fakeslack.grid import Grid
    from bot.serve import FleetRuntime
    from bot.slack.http import HttpServer, SlackWSGI
    from bot.store.serving import ServingLock

    secret = secrets.token_hex(32)
    grid = Grid(client_id="0.playground", client_secret=secrets.token_hex(16), max_calls=None)
    for spec in (TEAM, SECOND_TEAM):
        grid.add_team(spec["id"], spec["name"], people=PEOPLE, channels=[CHANNEL])
    httpd, base_url = _page_server(settings.port if port is None else port)
    rooms = {
        team: Room(
            api, PageActions(api, secret=secret, command=settings.command, base_url=base_url)
        )
        for team, api in grid.teams.items()
    }
    app = PlaygroundApp(rooms, port=httpd.server_address[1], web_api=grid)
    page_thread = _serve_page(httpd, app)
    serving = None
    try:
        bot_settings = dataclasses.replace(
            settings,
            bot_token="",
            app_token="",
            client_id=grid.client_id,
            client_secret=grid.client_secret,
            signing_secret=secret,
            api_url=f"{base_url}/slack-api/",
            host=HOST,
            tick_seconds=min(settings.tick_seconds, TICK_SECONDS),
        )
        serving = ServingLock.hold(settings.db_path)
        runtime = FleetRuntime(bot_settings, Library(settings.knowledge_dir), serving=serving)
        wsgi = SlackWSGI(runtime.app, signing_secret=secret, health=runtime.health)
        bot_server = HttpServer(wsgi, host=HOST, port=0)
    except BaseException:
        _abandon(httpd, serving)
        raise
    bot_base = f"http://{HOST}:{bot_server.port}"
    bot_thread = threading.Thread(target=bot_server.serve, name="playground-bot", daemon=True)
    bot_thread.start()
    for team, room in rooms.items():
        status, page = grid.walk_install(bot_base, team, user=str(PEOPLE[0]["id"]))
        if status != 200:
            log.error("installing the playground app in %s failed: %s", team, page[:200])
        room.actions.bot_url = f"{bot_base}/slack/events"
        room.post_tip = _room_post_tip(runtime, team)
        room.subscription = _room_subscription(runtime, team, settings.command)
    app.health = runtime.health
    runtime.start_background()
    return Playground(
        url=base_url,
        bot_url=f"{bot_base}/slack/events",
        api=grid.teams[TEAM["id"]],
        runtime=runtime,
        rooms=rooms,
        _httpd=httpd,
        _threads=[page_thread, bot_thread],
        _bot_server=bot_server,
    )


def _room_post_tip(runtime: FleetRuntime, team: str) -> Callable[..., dict]:
    def post(*, force: bool) -> dict:
        workspace = runtime.workspaces.get(team)
        if workspace is None:
            return {"ok": False, "status": "removed", "message": "The app is not installed here."}
        return post_tip(
            workspace.store, workspace.coach.library.base, workspace.poster, force=force
        )

    return post


def _room_subscription(runtime: FleetRuntime, team: str, command: str) -> Callable[[], str]:
    def describe() -> str:
        workspace = runtime.workspaces.get(team)
        return describe_subscription(workspace.store, command) if workspace else "Not installed"

    return describe


def post_tip(store, base, poster, *, force: bool) -> dict:
    """The page's "Post today's tip" button: the real daily-post path, to the playground channel."""
    from bot.core import subscriptions

    outcome = subscriptions.post_tip_now(store, base, poster, CHANNEL["id"], force=force)
    if outcome is None:
        return {"ok": False, "status": "empty", "message": "The tip base has no live tips to post."}
    tip = base.get(outcome.tip_id or "")
    title = tip.title if tip else outcome.tip_id
    messages = {
        "posted": f"Posted today's tip: {title}.",
        "reconciled": f"Posted today's tip: {title}.",
        "already": f"Today's tip ({title}) is already posted in #{CHANNEL['name']} for {outcome.local_date}. "
        "Post another one anyway?",
    }
    message = (
        messages.get(outcome.status)
        or f"Not posted ({outcome.status}: {outcome.error or 'no detail'})."
    )
    return {
        "ok": outcome.ok,
        "status": outcome.status,
        "ts": outcome.ts,
        "tip_id": outcome.tip_id,
        "message": message,
    }


def describe_subscription(store, command: str) -> str:
    """The playground channel's daily-tip setting, in words, for the channel header."""
    from bot.slack.blocks import subscription_line

    row = store.subscription(CHANNEL["id"])
    return subscription_line(row) if row else f"No daily tip here yet: try {command} subscribe"


def run_playground(settings: Settings, *, workspaces: int = 1) -> int:
    """Run the playground until Ctrl-C or SIGTERM; returns the exit code (2 when the port is taken)."""
    try:
        playground = start_playground(settings, workspaces=workspaces)
    except OSError as exc:
        if exc.errno not in (errno.EADDRINUSE, errno.EACCES):
            raise
        print(
            f"Cannot listen on {HOST}:{settings.port} ({exc.strerror}). Set PORT to a free port, "
            f"e.g. PORT={settings.port + 1} aipm-coach serve --playground",
            file=sys.stderr,
        )
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if hasattr(signal, "SIGHUP"):
        reload = playground.runtime.reload
        signal.signal(
            signal.SIGHUP, lambda *_: threading.Thread(target=reload, daemon=True).start()
        )
    print(
        f"AI PM Coach playground: {playground.url}  (no Slack needed; Ctrl-C stops it)", flush=True
    )
    print(f"  database {settings.db_path}, knowledge {settings.knowledge_dir}", flush=True)
    # Waiting in short slices keeps the main thread responsive to signals.
    while not stop.wait(0.5):
        pass
    playground.stop()
    print("Playground stopped.", flush=True)
    return 0


class BadField(ValueError):
    """A page request whose field has the wrong JSON type (answered 400, naming the field)."""


def flag(data: dict, name: str, *, default: bool) -> bool:
    """A JSON true/false field of a page request; BadField for anything else ("no", 1, [])."""
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise BadField(f"field {name!r} must be true or false, not {json.dumps(value)[:40]}")
    return value


def text(data: dict, name: str) -> str:
    """A JSON string field of a page request ("" when absent or null); BadField otherwise.

    str() of a list or number would turn ["x"] into the text "['x']" and send or save it.
    """
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadField(f"field {name!r} must be a string, not {json.dumps(value)[:40]}")
    return value


def inputs(data: dict) -> dict[str, str]:
    """A modal's typed inputs ({block_id: text}); BadField for anything but strings or null."""
    values = data.get("values")
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise BadField(f"field 'values' must be an object, not {json.dumps(values)[:40]}")
    return {str(key): text(values, key) for key in values}


def _json(data: dict, status: int = 200) -> Reply:
    return status, "application/json", json.dumps(data, ensure_ascii=False).encode("utf-8")


def _static(name: str) -> Reply:
    # Only files that exist directly in static/: no path can climb out of it.
    files = {p.name: p for p in STATIC.iterdir() if p.is_file()}
    if name not in files:
        return 404, "text/plain", b"not found"
    path = files[name]
    return 200, _TYPES.get(path.suffix, "application/octet-stream"), path.read_bytes()


def media_type(headers: dict[str, str]) -> str:
    """The Content-Type's media type alone, lower case ('text/plain;charset=x' -> 'text/plain')."""
    return headers.get("content-type", "").split(";", 1)[0].strip().lower()
