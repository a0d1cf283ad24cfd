"""The playground answers only its own page: Origin, exact media type and Host are checked."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from bot.playground.workspace import CHANNEL
from bot.store import Store
from tests.helpers.cross_origin import host_of, raw  # noqa: F401
from tests.helpers.playground import ANA, Page, page, playground, settings  # noqa: F401 - fixtures

EVIL = "http://evil.example"


def nothing_happened(playground, settings) -> None:  # noqa: F811 - fixture names
    assert playground.api.timeline(ANA, CHANNEL["id"]) == []
    store = Store.open(settings.db_path)
    try:
        assert store.subscriptions() == [] and store.posts() == []
    finally:
        store.close()


SEND = json.dumps({"user": ANA, "text": "/aipm subscribe 09:00 UTC"}).encode()


@pytest.mark.parametrize(
    ("extra", "why"),
    [
        ({"Origin": EVIL, "Content-Type": "text/plain;charset=application/json"}, "no-cors trick"),
        ({"Origin": EVIL, "Content-Type": "application/json"}, "foreign origin"),
        ({"Origin": "null", "Content-Type": "application/json"}, "sandboxed frame"),
        ({"Content-Type": "application/json"}, "no origin at all"),
        ({"Origin": "{self}", "Content-Type": "text/plain;charset=application/json"}, "media type"),
        ({"Origin": "{self}", "Content-Type": "application/jsonx"}, "media type prefix"),
        ({"Origin": "http://127.0.0.1:1", "Content-Type": "application/json"}, "other port"),
    ],
)
def test_state_changing_requests_from_elsewhere_get_403(playground, settings, extra, why):  # noqa: F811
    headers = {"Host": host_of(playground.url)}
    headers.update({k: v.replace("{self}", playground.url) for k, v in extra.items()})
    for path in ("/api/send", "/api/post-tip", "/api/react"):
        body = SEND if path == "/api/send" else b'{"force": true}'
        status, _ = raw(playground.url, "POST", path, body=body, headers=headers)
        assert status == 403, (why, path, status)
    nothing_happened(playground, settings)


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "127.0.0.1:1", ""])
@pytest.mark.parametrize("path", ["/api/state", "/", "/static/app.js", "/slack-api/auth.test"])
def test_a_foreign_host_header_gets_403_on_every_route(playground, host, path):  # noqa: F811
    headers = {"Host": host} if host else {}
    status, body = raw(playground.url, "GET", path, headers=headers)
    assert status == 403, (host, path)
    assert b"Ana" not in body and b"messages" not in body


def test_the_web_api_refuses_a_browser_on_another_origin(playground):  # noqa: F811
    status, _ = raw(
        playground.url,
        "POST",
        "/slack-api/chat.postMessage",
        body=f"channel={CHANNEL['id']}&text=hi".encode(),
        headers={
            "Host": host_of(playground.url),
            "Origin": EVIL,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert status == 403


def test_the_page_itself_still_works_through_localhost_too(playground, settings):  # noqa: F811
    page_ = Page(playground.url)
    assert page_.send("/aipm what is the ikea effect")["ok"]
    port = urlsplit(playground.url).port
    status, body = raw(
        playground.url,
        "GET",
        f"/api/state?user={ANA}",
        headers={"Host": f"localhost:{port}"},
    )
    assert status == 200 and json.loads(body)["me"] == ANA
    status, _ = raw(
        playground.url,
        "POST",
        "/api/send",
        body=json.dumps({"user": ANA, "text": "/aipm help"}).encode(),
        headers={
            "Host": f"localhost:{port}",
            "Origin": f"http://localhost:{port}",
            "Content-Type": "application/json; charset=utf-8",
        },
    )
    assert status == 200
