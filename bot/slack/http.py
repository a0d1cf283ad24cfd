"""HTTP mode: a thin guard around Bolt's WSGI adapter, served by waitress.

Bolt's `SlackRequestHandler` does the work and Bolt checks each request's signature
(once). The guard adds only what Bolt lacks: `GET /healthz`, a body-size cap (413), a
timestamp-shape check (Bolt calls `int()` on the header and would answer a 500), and a
clean 400 for a signed body Bolt cannot read. Bolt parses a body before it verifies the
signature, so only when that parse fails does the guard check the signature itself, to
answer 401 (not Slack) or 400 (Slack, but malformed).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_BODY = 256 * 1024
MAX_TIMESTAMP_DIGITS = 12
_REASONS = {200: "OK", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed"}
_REASONS |= {413: "Payload Too Large", 503: "Service Unavailable"}


class InFlight:
    """Counts requests being handled, so a shutdown can wait for them to finish."""

    def __init__(self) -> None:
        self._count = 0
        self._cond = threading.Condition()

    def __enter__(self) -> None:
        with self._cond:
            self._count += 1

    def __exit__(self, *exc) -> None:
        with self._cond:
            self._count -= 1
            self._cond.notify_all()

    @property
    def count(self) -> int:
        """Requests being handled now."""
        return self._count


def timestamp_problem(timestamp: str | None) -> str | None:
    """Why an `X-Slack-Request-Timestamp` cannot be Slack's, or None when it has the shape.

    Only ASCII digits pass: `str.isdigit()` also accepts '¹' and '٣', which `int()` refuses.
    """
    if not timestamp:
        return "missing signature headers"
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > MAX_TIMESTAMP_DIGITS:
        return "malformed timestamp"
    return None


def shape_problem(payload: object) -> str | None:
    """Why a body Bolt parsed cannot be a Slack request, or None when it may be one."""
    if not isinstance(payload, dict):
        return "body is not a JSON object"
    if not ({"type", "command", "ssl_check"} & payload.keys()):
        return "neither an event, an interaction nor a command"
    if payload.get("type") in ("view_submission", "view_closed"):
        # Bolt's middleware reads view.type before any listener runs and raises without it.
        view = payload.get("view")
        if not isinstance(view, dict) or not isinstance(view.get("type"), str):
            return "a view payload without a view"
    return None


class _GuardedHandler(SlackRequestHandler):
    """Bolt's WSGI handler, answering 401/400 when Bolt cannot even read the body."""

    def __init__(self, app: App, verifier: SignatureVerifier):
        super().__init__(app, path=EVENTS_PATH)
        self.verifier = verifier

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        headers = request.get_headers()
        raw = request.environ["wsgi.input"].read(int(request.environ.get("CONTENT_LENGTH") or 0))
        body: str | None = None
        try:
            body = raw.decode("utf-8")
            bolt_request = BoltRequest(body=body, query=request.query_string, headers=headers)
            problem = shape_problem(bolt_request.body)
        except UnicodeDecodeError:
            problem = "body is not UTF-8"
        except Exception as exc:  # Bolt reads ids out of the body; odd shapes make it raise
            problem = f"Bolt cannot read it ({type(exc).__name__})"
        if problem:
            return self._refuse(body, headers, problem)
        try:
            return self.app.dispatch(bolt_request)
        except Exception as exc:  # one line, never a traceback flood; the server keeps serving
            log.error("request failed: %s", type(exc).__name__)
            return BoltResponse(status=500, body="")

    def _refuse(self, body: str | None, headers: dict, problem: str) -> BoltResponse:
        # Slack always sends UTF-8, so a body that is not cannot be Slack's.
        signed = body is not None and self.verifier.is_valid_request(body, headers)
        if not signed:
            log.warning("rejected an unsigned request: %s", problem)
            return BoltResponse(status=401, body="invalid request signature")
        log.warning("rejected a signed request: %s", problem)
        return BoltResponse(status=400, body=problem)


class SlackWSGI:
    """The WSGI application `serve` runs in HTTP mode: the guard, then Bolt's handler."""

    def __init__(
        self,
        app: App,
        *,
        signing_secret: str,
        health: Callable[[], dict],
        extra_routes: dict[str, Callable] | None = None,
    ):
        self.handler = _GuardedHandler(app, SignatureVerifier(signing_secret))
        self.health = health
        self.in_flight = InFlight()
        self.extra_routes = extra_routes or {}
        self.stopping = False

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz" and method in ("GET", "HEAD"):
            report = self.health()
            status = 200 if report.get("ok") else 503
            return _send(start_response, status, json.dumps(report).encode(), "application/json")
        if path in self.extra_routes:
            return self.extra_routes[path](environ, start_response)
        if path != EVENTS_PATH:
            return _send(start_response, 404, b"not found")
        if method != "POST":
            return _send(start_response, 405, b"use POST")
        if self.stopping:
            return _send(start_response, 503, b"shutting down")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            log.warning(
                "rejected a request: body of %s bytes (limit %d)",
                environ.get("CONTENT_LENGTH"),
                MAX_BODY,
            )
            return _send(start_response, 413, b"body too large")
        environ["CONTENT_LENGTH"] = str(length)
        problem = timestamp_problem(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"))
        if problem or not environ.get("HTTP_X_SLACK_SIGNATURE"):
            log.warning("rejected an unsigned request: %s", problem or "missing signature headers")
            return _send(start_response, 401, b"invalid request signature")
        with self.in_flight:
            return self.handler(environ, start_response)


def _send(
    start_response: Callable, status: int, body: bytes, content_type: str = "text/plain"
) -> list[bytes]:
    start_response(
        f"{status} {_REASONS.get(status, 'OK')}",
        [("Content-Type", content_type), ("Content-Length", str(len(body)))],
    )
    return [body]


class HttpServer:
    """waitress serving a WSGI app, with a shutdown that lets in-flight requests finish."""

    def __init__(self, wsgi: SlackWSGI, *, host: str, port: int, threads: int = 4):
        from waitress.server import create_server

        self.wsgi = wsgi
        self.server = create_server(
            wsgi,
            host=host,
            port=port,
            threads=threads,
            ident="aipm-coach",
            max_request_body_size=MAX_BODY * 32,
            clear_untrusted_proxy_headers=True,
            channel_timeout=30,
        )
        self._stop = threading.Event()

    @property
    def port(self) -> int:
        """The port actually bound (useful with port 0)."""
        return int(self.server.effective_port)

    def request_stop(self) -> None:
        """Ask the loop to stop (safe from a signal handler)."""
        self._stop.set()

    def serve(self, *, grace: float = 8.0) -> None:
        """Serve until `request_stop`, then drain: refuse new work, finish what is in flight."""
        from waitress import wasyncore

        server = self.server
        while not self._stop.is_set():
            wasyncore.loop(timeout=0.2, map=server._map, count=1)
        self.wsgi.stopping = True
        # Stop listening: new connections are refused while open ones are drained.
        server.accepting = False
        server.del_channel()
        server.socket.close()
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            busy = self.wsgi.in_flight.count or any(
                getattr(ch, "total_outbufs_len", 0) or getattr(ch, "requests", None)
                for ch in list(server._map.values())
            )
            if not busy:
                break
            wasyncore.loop(timeout=0.05, map=server._map, count=1)
        server.task_dispatcher.shutdown(timeout=1)
        wasyncore.close_all(server._map)
