"""A tiny local stand-in for Slack's Socket Mode WebSocket endpoint, for one client.

It answers the WebSocket handshake, says hello, sends the envelopes a test queues, and
records what the client sends back (acks with their response payloads). Plain ws:// on
127.0.0.1: slack_sdk's built-in client uses a plain socket for ports other than 443.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import socket
import struct
import threading
import time

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


def _read_exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def read_frame(sock: socket.socket) -> tuple[int, bytes]:
    """One frame from the client (clients always mask): (opcode, payload)."""
    first, second = _read_exact(sock, 2)
    opcode, length = first & 0x0F, second & 0x7F
    if length == 126:
        length = struct.unpack(">H", _read_exact(sock, 2))[0]
    elif length == 127:
        length = struct.unpack(">Q", _read_exact(sock, 8))[0]
    mask = _read_exact(sock, 4) if second & 0x80 else b"\0\0\0\0"
    data = _read_exact(sock, length)
    return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(data))


def frame(opcode: int, payload: bytes) -> bytes:
    """One unmasked frame from the server."""
    head = bytes([0x80 | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([n])
    elif n < 65536:
        head += bytes([126]) + struct.pack(">H", n)
    else:
        head += bytes([127]) + struct.pack(">Q", n)
    return head + payload


class FakeSocketMode:
    """Serve one Socket Mode connection at `url`; `send(envelope)`, then `replies()`."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._conn: socket.socket | None = None
        self._connected = threading.Event()
        self._lock = threading.Lock()
        self._received: list[dict] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._server.getsockname()[1]}/link"

    def wait_connected(self, timeout: float = 20) -> bool:
        return self._connected.wait(timeout)

    def send(self, envelope: dict) -> None:
        assert self._conn is not None, "no client connected"
        self._conn.sendall(frame(TEXT, json.dumps(envelope).encode()))

    def replies(self, envelope_id: str, *, timeout: float = 10) -> dict | None:
        """The client's ack of an envelope, waiting for it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for message in self._received:
                    if message.get("envelope_id") == envelope_id:
                        return message
            time.sleep(0.02)
        return None

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.close()
        self._server.close()

    def _serve(self) -> None:
        try:
            conn, _ = self._server.accept()
        except OSError:
            return
        request = b""
        while b"\r\n\r\n" not in request:
            request += conn.recv(4096)
        headers = dict(
            line.split(": ", 1) for line in request.decode().split("\r\n")[1:] if ": " in line
        )
        accept = base64.b64encode(
            hashlib.sha1((headers["Sec-WebSocket-Key"] + GUID).encode()).digest()
        ).decode()
        conn.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
            ).encode()
        )
        self._conn = conn
        conn.sendall(frame(TEXT, json.dumps({"type": "hello", "num_connections": 1}).encode()))
        self._connected.set()
        while True:
            try:
                opcode, data = read_frame(conn)
            except (ConnectionError, OSError, ValueError):
                return
            if opcode == PING:
                conn.sendall(frame(PONG, data))
            elif opcode == CLOSE:
                return
            elif opcode == TEXT:
                with self._lock:
                    self._received.append(json.loads(data))
