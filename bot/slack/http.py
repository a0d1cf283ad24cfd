"""HTTP mode: a thin guard around Bolt's WSGI adapter, served by waitress.

Bolt's `SlackRequestHandler` does the work and Bolt checks each request's signature
(once). The guard adds only what Bolt lacks: `GET /healthz`, a body-size cap (413), a
timestamp-shape check (Bolt calls `int()` on the header and would answer a 500), and a
clean 400 for a signed body Bolt cannot read (`payload_shapes.shape_problem`). Bolt parses
a body before it verifies the signature, so only when that parse fails does the guard
check the signature itself, to answer 401 (not Slack) or 400 (Slack, but malformed).
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

from bot.digits import is_number
from bot.slack.payload_shapes import shape_problem

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
# Slack's largest message (40,000 characters, sent as `text` and again in `blocks`, an
# emoji as a 12-byte \u escape) is about 1 MB of JSON; 2 MB leaves room for the envelope.
MAX_BODY = 2 * 1024 * 1024
MAX_TIMESTAMP_DIGITS = 12
REQUEST_TIMEOUT = 10.0  # seconds to receive a request's headers and body
CONNECTION_LIMIT = 500
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

    Only ASCII digits pass (`bot.digits.is_number`).
    """
    if not timestamp:
        return "missing signature headers"
    if not is_number(timestamp) or len(timestamp) > MAX_TIMESTAMP_DIGITS:
        return "malformed timestamp"
    return None


# What Bolt raises when a field of the signed body has a type it did not expect.
_SHAPE_ERRORS = (KeyError, TypeError, AttributeError, IndexError, ValueError)


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
        except _SHAPE_ERRORS as exc:
            # Bolt hands listener errors to the app's error handler; what escapes dispatch
            # is Bolt failing to read a field of an unexpected type in the signed body.
            log.warning("rejected a signed request Bolt cannot read: %s", type(exc).__name__)
            return BoltResponse(status=400, body="malformed payload")
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
        flow = self.handler.app.oauth_flow
        if flow is not None and path in (flow.install_path, flow.redirect_uri_path):
            # Many workspaces: Bolt's install page and Slack's redirect back after an install.
            if method != "GET":
                return _send(start_response, 405, b"use GET")
            with self.in_flight:
                return self.handler(environ, start_response)
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


def _deadline_channel():
    """waitress's HTTPChannel, remembering when the request it is receiving began."""
    from waitress.channel import HTTPChannel

    class DeadlineChannel(HTTPChannel):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            # A fresh connection must deliver its first request in time, too.
            self.request_started: float | None = self.creation_time

        def received(self, data: bytes) -> bool:
            if data and self.request_started is None:
                self.request_started = time.time()
            result = super().received(data)
            if self.request is None:  # nothing half-received: the clock stops
                self.request_started = None
            return result

    return DeadlineChannel


class HttpServer:
    """waitress serving a WSGI app, with a shutdown that lets in-flight requests finish.

    Slow clients cannot starve it: a connection must deliver a whole request (headers
    and body) within `request_timeout` seconds of its first byte (or of connecting), or
    it is closed; waitress's own `channel_timeout` only counts silence, so a client
    trickling a byte every few seconds would otherwise hold its connection for ever.
    Up to `connection_limit` connections are open at once. Production still belongs
    behind a buffering proxy (see docs/reliability.md).
    """

    def __init__(
        self,
        wsgi: SlackWSGI,
        *,
        host: str,
        port: int,
        threads: int = 4,
        request_timeout: float = REQUEST_TIMEOUT,
        connection_limit: int = CONNECTION_LIMIT,
    ):
        from waitress.server import BaseWSGIServer, create_server

        self.wsgi = wsgi
        self.request_timeout = request_timeout
        self.server = create_server(
            wsgi,
            host=host,
            port=port,
            threads=threads,
            ident="aipm-coach",
            max_request_body_size=MAX_BODY * 2,
            clear_untrusted_proxy_headers=True,
            channel_timeout=30,
            connection_limit=connection_limit,
            cleanup_interval=1,
        )
        channel_class = _deadline_channel()
        for listener in [self.server, *self.server._map.values()]:
            if isinstance(listener, BaseWSGIServer):
                listener.channel_class = channel_class
                listener.maintenance = self._maintenance(listener.maintenance)
        self._stop = threading.Event()

    def _maintenance(self, waitress_maintenance: Callable[[float], None]) -> Callable:
        def maintenance(now: float) -> None:
            waitress_maintenance(now)  # idle connections (channel_timeout)
            cutoff = now - self.request_timeout
            slow = [
                ch
                for ch in list(self.server._map.values())
                if (getattr(ch, "request_started", None) or now) < cutoff
                and not ch.requests
                and not ch.will_close
            ]
            for channel in slow:
                channel.will_close = True
            if slow:
                log.warning(
                    "closed %d connection(s) that took over %.0f s to send a request",
                    len(slow),
                    self.request_timeout,
                )

        return maintenance

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
