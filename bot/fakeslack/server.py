"""The in-memory Web API served over HTTP on 127.0.0.1, for the tests and the benchmarks.

    with FakeSlack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.url)
        client.chat_postMessage(channel="C1", text="hi")
        assert fake.calls("chat.postMessage")[0].params["channel"] == "C1"

`/api/METHOD` is a Web API call; `/response/TOKEN` a response URL (`fake.response_url`
is one any test may hand out). Scripting and inspection are the WebAPI's own
(`fail_next`, `calls`, `messages`, `add_user`), reachable here too.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import cast
from urllib.parse import urlsplit

from bot.fakeslack.web_api import DROPPED, Answer, WebAPI, parse_args

MAX_BODY = 1024 * 1024


class FakeSlack:
    """A running fake Slack. Use as a context manager (or call start()/stop())."""

    def __init__(self, api: WebAPI | None = None, *, default_tz: str = "UTC"):
        self.api = api or WebAPI(default_tz=default_tz)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> FakeSlack:
        """Serve on 127.0.0.1 at a free port in a background thread."""
        api = self.api

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                _serve(api, self)

            do_GET = do_POST  # noqa: N815

            def log_message(self, *args) -> None:
                pass

        self._server = _Listener(("127.0.0.1", 0), Handler)
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
    def base(self) -> str:
        """http://127.0.0.1:PORT (raises RuntimeError before start())."""
        if self._server is None:
            raise RuntimeError("start the fake Slack first")
        host, port = cast(tuple[str, int], self._server.server_address[:2])
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        """The base URL for `WebClient(base_url=...)`, ending in /api/."""
        return f"{self.base}/api/"

    @property
    def response_url(self) -> str:
        """A response URL the fake records (as `response_url` calls) and answers ok."""
        return f"{self.base}/response/any"

    def fail_next(self, method: str, **script) -> None:
        """See WebAPI.fail_next."""
        self.api.fail_next(method, **script)

    def respond(self, method: str, payload: dict) -> None:
        """Answer every call of `method` with this payload (see WebAPI.respond_fixed)."""
        self.api.respond_fixed(method, payload)

    def add_user(self, user: str, **details) -> None:
        """See WebAPI.add_user."""
        self.api.add_user(user, **details)

    def add_channel(self, channel: str, **details) -> None:
        """See WebAPI.add_channel."""
        self.api.add_channel(channel, **details)

    def calls(self, method: str | None = None) -> list:
        """See WebAPI.calls."""
        return self.api.calls(method)

    def messages(self, channel: str | None = None) -> list[dict]:
        """See WebAPI.messages."""
        return self.api.messages(channel)


def answer_http(api: WebAPI, path: str, query: str, headers: dict, body: bytes) -> Answer:
    """Route one HTTP request under a Web API root: `api/METHOD` or `response/TOKEN`.

    `path` is relative to the root (e.g. "api/chat.postMessage"); shared by this server
    and the playground's, which serves the same API beside its page.
    """
    lower = {k.lower(): v for k, v in headers.items()}
    content_type = lower.get("content-type", "")
    if path.startswith("response/"):
        try:
            data = json.loads(body.decode("utf-8") or "{}")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return Answer(400, {}, b'{"ok": false, "error": "invalid_payload"}')
        return api.response_url(path.removeprefix("response/"), data, headers)
    method = path.rsplit("/", 1)[-1]
    args = parse_args(query, body, content_type)
    if args is None:
        return Answer(200, {}, b'{"ok": false, "error": "invalid_json"}')
    return api.handle(method, args, headers)


class _Listener(ThreadingHTTPServer):
    # Slack does not refuse connections under load; the standard backlog of 5 would.
    request_queue_size = 128


def _serve(api: WebAPI, request: BaseHTTPRequestHandler) -> None:
    parts = urlsplit(request.path)
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        length = -1
    if length < 0 or length > MAX_BODY:
        answer = Answer(413, {}, b'{"ok": false, "error": "request_too_large"}')
    else:
        raw = request.rfile.read(length) if length else b""
        answer = answer_http(
            api, parts.path.lstrip("/"), parts.query, dict(request.headers.items()), raw
        )
    if answer.status == DROPPED:
        request.close_connection = True
        return
    try:
        request.send_response(answer.status)
        request.send_header("Content-Type", "application/json; charset=utf-8")
        request.send_header("Content-Length", str(len(answer.body)))
        for key, value in answer.headers.items():
            request.send_header(key, value)
        request.end_headers()
        request.wfile.write(answer.body)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client gave up (a timeout test)
