"""Garbage from a local client gets a clear 4xx from the playground, never a traceback or a post."""

from __future__ import annotations

import logging

import pytest

from tests.playground.test_cross_origin import host_of
from tests.test_playground import ANA, Page


def own_headers(url: str, length: str) -> dict:
    return {
        "Host": host_of(url),
        "Origin": url,
        "Content-Type": "application/json",
        "Content-Length": length,
    }


@pytest.mark.parametrize("length", ["abc", "1e3", "\u00b2", "-5"])
def test_a_content_length_that_is_not_a_number_gets_400_and_no_traceback(
    playground, length, capsys, caplog
):
    caplog.set_level(logging.WARNING)
    conn_status, body = _post_with_length(playground.url, length)
    assert conn_status == 400, body
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert not [r for r in caplog.records if r.exc_info]
    assert Page(playground.url).state()["me"] == ANA  # still serving


def _post_with_length(url: str, length: str) -> tuple[int, bytes]:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.putrequest("POST", "/api/send", skip_host=True, skip_accept_encoding=True)
        for name, value in own_headers(url, length).items():
            conn.putheader(name, value)
        conn.endheaders(b"{}")
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()
