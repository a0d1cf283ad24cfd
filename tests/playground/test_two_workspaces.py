"""`serve --playground --workspaces 2`: one install, two workspaces, each installed through
Slack's OAuth flow at start; the page switches between them and neither sees the other."""

from __future__ import annotations

import json
import urllib.error

import pytest

from bot.playground.server import start_playground
from bot.playground.workspace import SECOND_TEAM, TEAM
from bot.settings import Settings
from tests.helpers.playground import ANA, Page, text_of

FIRST, SECOND = TEAM["id"], SECOND_TEAM["id"]


@pytest.fixture
def two(tmp_path, knowledge_dir):
    settings = Settings(db_path=tmp_path / "coach.db", knowledge_dir=knowledge_dir, scheduler=False)
    running = start_playground(settings, port=0, workspaces=2)
    yield running
    running.stop()


def state(page: Page, team: str) -> dict:
    status, body = page.get(f"/api/state?user={ANA}&team={team}")
    assert status == 200, body
    return json.loads(body)


def said(page: Page, team: str) -> str:
    return " ".join(text_of(m) for m in state(page, team)["messages"])


def test_both_workspaces_installed_the_app_through_the_oauth_flow(two, tmp_path):
    install = two.runtime.install
    assert {row["team"]: row["state"] for row in install.workspaces()} == {
        FIRST: "active",
        SECOND: "active",
    }
    for team in (FIRST, SECOND):
        bot = two.runtime.workspaces.installations.find_bot(enterprise_id=None, team_id=team)
        assert bot is not None and bot.bot_token.startswith(f"xoxb-{team.lower()}-")
    page = Page(two.url)
    shown = state(page, SECOND)
    assert shown["team"]["id"] == SECOND and [t["id"] for t in shown["teams"]] == [FIRST, SECOND]
    assert state(page, "")["team"]["id"] == FIRST


def test_what_one_workspace_does_the_other_never_sees(two, tmp_path):
    page = Page(two.url)
    page.post("/api/send", {"user": ANA, "text": "/aipm subscribe 09:00 UTC daily", "team": FIRST})
    page.post("/api/send", {"user": ANA, "text": "/aipm what is the ikea effect", "team": FIRST})
    assert "Ikea" in said(page, FIRST)
    assert state(page, SECOND)["messages"] == []
    assert "09:00" in state(page, FIRST)["channel"]["topic"]
    assert "No daily tip here yet" in state(page, SECOND)["channel"]["topic"]
    posted = page.post("/api/post-tip", {"force": False, "team": SECOND})
    assert posted["ok"] is True, posted

    def daily(team: str) -> list:
        return [
            m
            for m in two.rooms[team].api.messages()
            if (m.get("metadata") or {}).get("event_payload", {}).get("kind") == "daily"
        ]

    assert [m["metadata"]["event_payload"]["tip_id"] for m in daily(SECOND)] == [posted["tip_id"]]
    assert daily(FIRST) == []
    for team in (FIRST, SECOND):
        assert (tmp_path / "teams" / f"{team}.db").is_file()
    first = two.runtime.workspaces.get(FIRST)
    second = two.runtime.workspaces.get(SECOND)
    assert first is not None and second is not None
    assert [row["at"] for row in first.store.subscriptions()] == ["09:00"]
    assert second.store.subscriptions() == []


def test_a_workspace_the_page_does_not_have_is_a_400(two):
    page = Page(two.url)
    status, body = page.get(f"/api/state?user={ANA}&team=T0NOPE")
    assert status == 400 and "no workspace" in body
    with pytest.raises(urllib.error.HTTPError) as err:
        page.post("/api/send", {"user": ANA, "text": "/aipm tip", "team": "T0NOPE"})
    assert err.value.code == 400
    with pytest.raises(urllib.error.HTTPError) as err:
        page.post("/api/send", {"user": ANA, "text": "/aipm tip", "team": ["T0"]})
    assert err.value.code == 400
