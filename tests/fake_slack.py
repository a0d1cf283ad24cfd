"""A small local fake of the Slack Web API, for tests: records calls, answers like Slack.

    with FakeSlack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.url)
        client.chat_postMessage(channel="C1", text="hi")
        assert fake.calls("chat.postMessage")[0].params["channel"] == "C1"

Failures are scripted per method, first in first out:

    fake.fail_next("chat.postMessage", status=429, headers={"Retry-After": "1"})
    fake.fail_next("chat.postMessage", status=500)
    fake.fail_next("chat.postMessage", error="channel_not_found")
    fake.fail_next("chat.postMessage", status=500, post_anyway=True)   # posted, then 500
    fake.fail_next("chat.postMessage", delay=2.0, post_anyway=True)    # slow: client times out

Methods answered: auth.test, chat.postMessage, chat.postEphemeral, chat.update,
chat.delete, views.publish, views.open, views.update, users.info, conversations.history,
conversations.open, conversations.info, reactions.add, and `response_url` (a stand-in
for interactive response URLs); `fake.respond(method, payload)`
sets a fixed answer for any other. Unknown methods get `unknown_method`.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

BOT_USER = "UBOT"
BOT_ID = "BBOT"
TEAM = "T1"
_JSON_FIELDS = ("blocks", "attachments", "metadata", "view", "users")


@dataclass(frozen=True)
class Call:
    """One request the fake received."""

    method: str
    params: dict
    headers: dict
    token_present: bool
    status: int = 200
    response: dict = field(default_factory=dict)


@dataclass
class _Script:
    status: int = 200
    error: str | None = None
    headers: dict = field(default_factory=dict)
    post_anyway: bool = False
    delay: float = 0.0
    body: str | None = None


class FakeSlack:
    """The fake server. Use as a context manager (or call start()/stop())."""

    def __init__(self, *, default_tz: str = "UTC"):
        self.default_tz = default_tz
        self._lock = threading.RLock()
        self._calls: list[Call] = []
        self._scripts: dict[str, deque[_Script]] = defaultdict(deque)
        self._messages: dict[str, list[dict]] = defaultdict(list)
        self._users: dict[str, dict] = {}
        self._fixed: dict[str, dict] = {}
        self._ts = int(time.time()) * 1_000_000
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> FakeSlack:
        """Serve on 127.0.0.1 at a free port in a background thread."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                fake._handle(self)

            do_GET = do_POST  # noqa: N815

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base URL for `WebClient(base_url=...)`, ending in /api/."""
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/api/"

    # -- scripting and inspection --------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        headers: dict | None = None,
        post_anyway: bool = False,
        delay: float = 0.0,
        body: str | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls of `method` fail.

        status 429 answers `ratelimited` (add headers={"Retry-After": "1"}); a 5xx status
        answers an error page; `error` answers HTTP 200 with ok=false and that error;
        `post_anyway` does the real work first (the message exists) and then fails;
        `delay` waits before answering (to make a client time out).
        """
        if status == 200 and error is None and not delay:
            raise ValueError("fail_next needs a status, an error or a delay")
        with self._lock:
            for _ in range(times):
                self._scripts[method].append(
                    _Script(status, error, dict(headers or {}), post_anyway, delay, body)
                )

    def respond(self, method: str, payload: dict) -> None:
        """Answer every call of `method` with this payload (ok=true unless it says otherwise)."""
        with self._lock:
            self._fixed[method] = {"ok": True, **payload}

    def add_user(
        self,
        user: str,
        *,
        tz: str | None = None,
        is_admin: bool = False,
        is_owner: bool = False,
        **extra,
    ) -> None:
        """Define what users.info says about a user (others get default_tz, not admin)."""
        with self._lock:
            self._users[user] = self._user(
                user, tz=tz, is_admin=is_admin, is_owner=is_owner, **extra
            )

    def calls(self, method: str | None = None) -> list[Call]:
        """Every recorded call (of one method), oldest first."""
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def messages(self, channel: str) -> list[dict]:
        """The messages posted to a channel (including edits), oldest first."""
        with self._lock:
            return [dict(m) for m in self._messages.get(channel, [])]

    def reset(self) -> None:
        """Forget calls, messages and scripts."""
        with self._lock:
            self._calls.clear()
            self._scripts.clear()
            self._messages.clear()

    # -- serving ---------------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        method = parts.path.rsplit("/", 1)[-1]
        params = dict(parse_qsl(parts.query))
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        content_type = request.headers.get("Content-Type", "")
        if raw and "json" in content_type:
            params.update(json.loads(raw.decode("utf-8")))
        elif raw:
            params.update(parse_qsl(raw.decode("utf-8")))
        for key in _JSON_FIELDS:
            if isinstance(params.get(key), str) and params[key][:1] in "[{":
                with contextlib.suppress(json.JSONDecodeError):
                    params[key] = json.loads(params[key])
        auth = request.headers.get("Authorization", "")
        token_present = (
            auth.startswith("Bearer ") and len(auth) > 7 or bool(params.pop("token", None))
        )
        headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}

        with self._lock:
            queue = self._scripts.get(method)
            script = queue.popleft() if queue else None
        if script and script.delay and not script.post_anyway:
            time.sleep(script.delay)
        body = self._answer(method, params) if script is None or script.post_anyway else {}
        if script and script.delay and script.post_anyway:
            time.sleep(script.delay)  # done, but the answer comes too late
        status, reply_headers = 200, {}
        if script is not None:
            status = script.status
            reply_headers = script.headers
            if script.error:
                body = {"ok": False, "error": script.error}
            elif status == 429:
                body = {"ok": False, "error": "ratelimited"}
            elif status >= 500:
                body = {"ok": False, "error": "internal_error"}
        with self._lock:
            self._calls.append(Call(method, params, headers, token_present, status, body))
        payload = (script.body if script and script.body is not None else json.dumps(body)).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json; charset=utf-8")
            request.send_header("Content-Length", str(len(payload)))
            for key, value in reply_headers.items():
                request.send_header(key, value)
            request.end_headers()
            request.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def _next_ts(self) -> str:
        with self._lock:
            self._ts += 100
            return f"{self._ts // 1_000_000}.{self._ts % 1_000_000:06d}"

    def _user(
        self,
        user: str,
        *,
        tz: str | None = None,
        is_admin: bool = False,
        is_owner: bool = False,
        **extra,
    ) -> dict:
        return {
            "id": user,
            "team_id": TEAM,
            "name": user.lower(),
            "real_name": f"User {user}",
            "tz": tz or self.default_tz,
            "is_admin": is_admin,
            "is_owner": is_owner,
            "is_primary_owner": False,
            "is_bot": False,
            "deleted": False,
            **extra,
        }

    def _answer(self, method: str, params: dict) -> dict:
        with self._lock:
            if method in self._fixed:
                return dict(self._fixed[method])
            handler = getattr(self, "_m_" + method.replace(".", "_"), None)
            if handler is None:
                return {"ok": False, "error": "unknown_method"}
            return handler(params)

    # Each _m_* answers one Web API method (called with the lock held).

    def _m_auth_test(self, params: dict) -> dict:
        return {
            "ok": True,
            "url": "https://t1.slack.com/",
            "team": "Team One",
            "user": "coach",
            "team_id": TEAM,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _channel(self, params: dict) -> str:
        channel = str(params.get("channel") or "")
        return "D" + channel if channel[:1] in ("U", "W") else channel

    def _m_chat_postMessage(self, params: dict) -> dict:
        channel = self._channel(params)
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        ts = self._next_ts()
        message = {
            "type": "message",
            "user": BOT_USER,
            "bot_id": BOT_ID,
            "ts": ts,
            "text": params.get("text", ""),
            "team": TEAM,
        }
        for key in ("blocks", "attachments", "thread_ts"):
            if params.get(key):
                message[key] = params[key]
        if params.get("metadata"):
            message["metadata"] = params["metadata"]
        self._messages[channel].append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _m_chat_postEphemeral(self, params: dict) -> dict:
        return {"ok": True, "message_ts": self._next_ts()}

    def _m_chat_update(self, params: dict) -> dict:
        channel, ts = self._channel(params), params.get("ts")
        for message in self._messages.get(channel, []):
            if message["ts"] == ts:
                for key in ("text", "blocks", "metadata"):
                    if key in params:
                        message[key] = params[key]
                return {
                    "ok": True,
                    "channel": channel,
                    "ts": ts,
                    "text": message.get("text", ""),
                    "message": dict(message),
                }
        return {"ok": False, "error": "message_not_found"}

    def _m_chat_delete(self, params: dict) -> dict:
        channel, ts = self._channel(params), params.get("ts")
        before = len(self._messages.get(channel, []))
        self._messages[channel] = [m for m in self._messages.get(channel, []) if m["ts"] != ts]
        if len(self._messages[channel]) == before:
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": channel, "ts": ts}

    def _m_views_publish(self, params: dict) -> dict:
        view = params.get("view") or {}
        return {
            "ok": True,
            "view": {"id": "V1", "team_id": TEAM, **(view if isinstance(view, dict) else {})},
        }

    _m_views_open = _m_views_publish
    _m_views_update = _m_views_publish

    def _m_users_info(self, params: dict) -> dict:
        user = str(params.get("user") or "")
        if not user:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": self._users.get(user) or self._user(user)}

    def _m_conversations_history(self, params: dict) -> dict:
        channel = self._channel(params)
        oldest = float(params.get("oldest") or 0)
        latest = float(params.get("latest") or 9e12)
        inclusive = str(params.get("inclusive", "")).lower() in ("1", "true")
        limit = int(params.get("limit") or 100)
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        found = []
        for message in reversed(self._messages.get(channel, [])):
            ts = float(message["ts"])
            inside = (oldest <= ts <= latest) if inclusive else (oldest < ts < latest)
            if not inside:
                continue
            item = dict(message)
            if not with_metadata:
                item.pop("metadata", None)
            found.append(item)
        return {
            "ok": True,
            "messages": found[:limit],
            "has_more": len(found) > limit,
            "response_metadata": {"next_cursor": ""},
        }

    def _m_conversations_open(self, params: dict) -> dict:
        users = params.get("users") or params.get("user") or ""
        first = users[0] if isinstance(users, list) else str(users).split(",")[0]
        return {"ok": True, "channel": {"id": "D" + first}}

    def _m_conversations_info(self, params: dict) -> dict:
        channel = self._channel(params)
        return {"ok": True, "channel": {"id": channel, "is_member": True, "is_archived": False}}

    def _m_reactions_add(self, params: dict) -> dict:
        return {"ok": True}

    def _m_response_url(self, params: dict) -> dict:
        # Tests point interactive payloads' response_url at f"{fake.url}response_url".
        return {"ok": True}
