"""Helpers shared by test_cross_origin.py and the tests beside it (moved out of the test module)."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

from tests.helpers.playground import ANA, Page, page, playground, settings  # noqa: F401 - fixtures


def raw(url: str, method: str, path: str, *, body: bytes = b"", headers: dict) -> tuple[int, bytes]:
    """One request with exactly these headers (http.client adds no Host when one is given)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        if body or method == "POST":
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def host_of(url: str) -> str:
    return urlsplit(url).netloc
