"""Slow clients (issue 15 item 7): trickling connections cannot starve HTTP mode."""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.core.coach import Coach
from bot.fakeslack.sender import SlackSender
from bot.slack.app import build_app
from bot.slack.http import HttpServer, SlackWSGI
from tests.conftest import make_settings

pytestmark = pytest.mark.faults


@pytest.fixture
def serve(fake_slack, knowledge_dir, db_path):
    """Start the real app over HTTP with the given HttpServer options; stopped afterwards."""
    started = []

    def start(**options) -> tuple[HttpServer, SlackSender]:
        settings = make_settings(fake_slack, knowledge_dir, db_path)
        coach = Coach.open(settings)
        executor = ThreadPoolExecutor(max_workers=2)
        wsgi = SlackWSGI(
            build_app(coach, executor=executor),
            signing_secret=settings.signing_secret,
            health=lambda: {"ok": True},
        )
        server = HttpServer(wsgi, host="127.0.0.1", port=0, **options)
        threading.Thread(target=server.serve, daemon=True).start()
        started.append((server, executor, coach))
        url = f"http://127.0.0.1:{server.port}/slack/events"
        return server, SlackSender(
            url, settings.signing_secret, response_url=fake_slack.response_url
        )

    yield start
    for server, executor, coach in started:
        server.request_stop()
        executor.shutdown(wait=True)
        coach.close()


class Tricklers:
    """`count` connections each sending one header byte every `every` seconds."""

    def __init__(self, port: int, count: int, every: float = 0.5):
        self.socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
        self.closed_by_server: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)
        self._thread.start()

    def _run(self, every: float) -> None:
        header = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 10_000
        sent = 0
        while not self._stop.wait(every):
            for i, sock in enumerate(self.socks):
                if i in self.closed_by_server:
                    continue
                try:
                    sock.sendall(header[sent : sent + 1])
                except OSError:
                    self.closed_by_server.add(i)
            sent += 1

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        for sock in self.socks:
            sock.close()


def test_signed_requests_are_answered_while_200_slow_clients_hold_connections(serve):
    server, slack = serve()
    slow = Tricklers(server.port, 200)
    try:
        time.sleep(1)  # every slow client is connected and trickling
        reply = slack.command("what is the ikea effect")
        assert reply.status == 200
    finally:
        slow.close()


def test_a_client_trickling_its_headers_is_cut_off(serve):
    server, slack = serve(request_timeout=1, connection_limit=20)
    slow = Tricklers(server.port, 30, every=0.2)
    try:
        deadline = time.monotonic() + 10
        while len(slow.closed_by_server) < 30 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(slow.closed_by_server) == 30, "each trickling connection was closed"
        assert slack.command("what is the ikea effect").status == 200
    finally:
        slow.close()
