"""The health port: `GET /healthz` on 127.0.0.1:COACH_HEALTH_PORT, for a Socket Mode worker.

In Socket Mode nothing else listens, so a supervisor or a platform's health check has
nothing to probe; this small server answers the same public report as HTTP mode's
/healthz (200 when healthy, 503 with the reasons when not). It binds to 127.0.0.1 only.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log = logging.getLogger(__name__)
HOST = "127.0.0.1"


class HealthServer:
    """Serve `report()` at /healthz in a background thread; `stop()` closes the port."""

    def __init__(self, report: Callable[[], dict], *, port: int):
        """Bind 127.0.0.1:`port` (0 picks a free one); raises OSError when it is taken."""

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the standard library's name
                if self.path.split("?", 1)[0] != "/healthz":
                    self._send(404, b"not found", "text/plain")
                    return
                data = report()
                body = json.dumps(data).encode()
                self._send(200 if data.get("ok") else 503, body, "application/json")

            do_HEAD = do_GET  # noqa: N815

            def _send(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def log_message(self, format: str, *args) -> None:  # noqa: A002
                pass  # a probe every few seconds is not worth a log line

        self._server = ThreadingHTTPServer((HOST, port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.2},
            name="health-port",
            daemon=True,
        )

    @property
    def port(self) -> int:
        """The port it listens on."""
        return self._server.server_address[1]

    def start(self) -> None:
        """Start answering."""
        self._thread.start()
        log.info("serving /healthz on http://%s:%d/healthz", HOST, self.port)

    def stop(self) -> None:
        """Stop answering and close the port."""
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()
