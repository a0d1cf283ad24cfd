"""Garbage from a local client gets a clear 4xx from the playground, never a traceback or a post."""

from __future__ import annotations

import json
import logging

import pytest

from bot.playground.workspace import CHANNEL
from tests.helpers.cross_origin import host_of, raw
from tests.helpers.playground import ANA, Page


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


@pytest.mark.parametrize("force", ["no", "false", 0.5, [False], {"x": 1}])
def test_a_force_that_is_not_a_boolean_is_refused_and_posts_nothing_twice(playground, force):
    page = Page(playground.url)
    assert page.post("/api/post-tip", {"force": False})["status"] == "posted"
    status, body = raw(
        playground.url,
        "POST",
        "/api/post-tip",
        body=json.dumps({"force": force}).encode(),
        headers={
            "Host": host_of(playground.url),
            "Origin": playground.url,
            "Content-Type": "application/json",
        },
    )
    assert status == 400, body
    assert "force" in json.loads(body)["error"]
    posts = [m for m in playground.api.timeline(ANA, CHANNEL["id"]) if m.get("user") != ANA]
    assert len(posts) == 1, posts


def test_a_react_add_that_is_not_a_boolean_is_refused(playground):
    page = Page(playground.url)
    ts = page.post("/api/post-tip", {"force": False})["ts"]
    status, body = raw(
        playground.url,
        "POST",
        "/api/react",
        body=json.dumps({"user": ANA, "ts": ts, "name": "+1", "add": "false"}).encode(),
        headers={
            "Host": host_of(playground.url),
            "Origin": playground.url,
            "Content-Type": "application/json",
        },
    )
    assert status == 400 and "add" in json.loads(body)["error"]
    assert page.post("/api/react", {"user": ANA, "ts": ts, "name": "+1", "add": True})["ok"]


def _post_json(url: str, path: str, data: dict) -> tuple[int, dict]:
    status, body = raw(
        url,
        "POST",
        path,
        body=json.dumps(data).encode(),
        headers={"Host": host_of(url), "Origin": url, "Content-Type": "application/json"},
    )
    return status, json.loads(body)


@pytest.mark.parametrize("typed", [["Charge for results."], 42, {"value": "x"}, True])
def test_a_form_value_that_is_not_text_is_refused_and_nothing_is_saved(playground, typed):
    from tests.helpers.curation_page import FORM

    page = Page(playground.url)
    assert page.send("/aipm add")["ok"]
    view = page.state(ANA)["modal"]
    # str() used to turn ["Charge for results."] into the tip text "['Charge for results.']".
    status, answer = _post_json(
        playground.url,
        "/api/submit",
        {"user": ANA, "view_id": view["id"], "values": {**FORM, "text": typed}},
    )
    assert status == 400 and "'text'" in answer["error"], answer
    assert page.state(ANA)["modal"]["id"] == view["id"]  # the form is still open
    assert playground.runtime.coach.store.team_tips() == []


@pytest.mark.parametrize("field", ["text", "user"])
def test_a_message_field_that_is_not_text_is_refused_and_nothing_is_sent(playground, field):
    page = Page(playground.url)
    before = len(playground.api.timeline(ANA, CHANNEL["id"]))
    data = {"user": ANA, "text": "what is the ikea effect", field: ["what is the ikea effect"]}
    status, answer = _post_json(playground.url, "/api/send", data)
    assert status == 400 and f"'{field}'" in answer["error"], answer
    assert len(playground.api.timeline(ANA, CHANNEL["id"])) == before
    assert page.state()["me"] == ANA
