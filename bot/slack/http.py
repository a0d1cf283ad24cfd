"""HTTP mode: Slack's requests checked at the door, then handed to Bolt, served by waitress.

Bolt verifies signatures too, but answers a non-numeric `X-Slack-Request-Timestamp` with a
500 and parses bodies it has not validated; this layer turns every such request into a
clean 401/400/413 with one log line, and adds `GET /healthz`.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from urllib.parse import parse_qs

from slack_bolt import App, BoltRequest
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_BODY = 256 * 1024
MAX_AGE_SECONDS = 60 * 5
_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


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


def check_signature(
    verifier: SignatureVerifier,
    headers: dict[str, str],
    body: bytes,
    *,
    now: Callable[[], float] = time.time,
) -> str | None:
    """Why a request is not from Slack, or None when its v0 signature is valid and fresh."""
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not timestamp or not signature:
        return "missing signature headers"
    if not timestamp.isdigit() or len(timestamp) > 12:
        return "malformed timestamp"
    if abs(now() - int(timestamp)) > MAX_AGE_SECONDS:
        return "stale timestamp"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "body is not UTF-8"
    if not verifier.is_valid(body=text, timestamp=timestamp, signature=signature):
        return "wrong signature"
    return None


def check_body(content_type: str, body: bytes) -> str | None:
    """Why a signed body cannot be a Slack request, or None when it parses."""
    text = body.decode("utf-8")
    try:
        if "application/json" in content_type:
            if not isinstance(json.loads(text), dict):
                return "JSON body is not an object"
            return None
        form = parse_qs(text, keep_blank_values=True)
        if "payload" in form:
            if not isinstance(json.loads(form["payload"][0]), dict):
                return "payload is not an object"
        elif "command" not in form and "ssl_check" not in form:
            return "form body without command or payload"
    except ValueError:
        return "body is not valid JSON"
    return None


class SlackWSGI:
    """The WSGI application `serve` runs in HTTP mode."""

    def __init__(
        self,
        app: App,
        *,
        signing_secret: str,
        health: Callable[[], dict],
        extra_routes: dict[str, Callable] | None = None,
    ):
        self.app = app
        self.verifier = SignatureVerifier(signing_secret)
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
            return self._send(
                start_response, status, json.dumps(report).encode(), "application/json"
            )
        if path in self.extra_routes:
            return self.extra_routes[path](environ, start_response)
        if path != EVENTS_PATH:
            return self._send(start_response, 404, b"not found")
        if method != "POST":
            return self._send(start_response, 405, b"use POST")
        if self.stopping:
            return self._send(start_response, 503, b"shutting down")
        with self.in_flight:
            return self._handle_slack(environ, start_response)

    def _handle_slack(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
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
            return self._send(start_response, 413, b"body too large")
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        content_type = environ.get("CONTENT_TYPE", "")
        headers["content-type"] = content_type
        problem = check_signature(self.verifier, headers, body)
        if problem:
            log.warning("rejected an unsigned request: %s", problem)
            return self._send(start_response, 401, b"invalid request signature")
        problem = check_body(content_type, body)
        if problem:
            log.warning("rejected a signed request: %s", problem)
            return self._send(start_response, 400, problem.encode())
        try:
            request = BoltRequest(
                body=body.decode("utf-8"), query=environ.get("QUERY_STRING", ""), headers=headers
            )
        except Exception as exc:  # Bolt reads ids out of the body; odd shapes make it raise
            log.warning("rejected a signed request Bolt cannot read: %s", type(exc).__name__)
            return self._send(start_response, 400, b"malformed payload")
        try:
            response = self.app.dispatch(request)
        except Exception as exc:  # one line, never a traceback flood; the server keeps serving
            log.error("request failed: %s", type(exc).__name__)
            return self._send(start_response, 500, b"")
        out = (
            response.body.encode("utf-8")
            if isinstance(response.body, str)
            else (response.body or b"")
        )
        out_headers = [
            (k, v)
            for k, values in response.headers.items()
            for v in values
            if k.lower() not in ("content-length",)
        ]
        start_response(
            f"{response.status} {_REASONS.get(response.status, 'OK')}",
            out_headers + [("Content-Length", str(len(out)))],
        )
        return [out]

    @staticmethod
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
