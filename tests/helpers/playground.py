"""Helpers shared by test_server.py and the tests beside it (moved out of the test module)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.playground.server import start_playground
from bot.playground.workspace import PEOPLE
from bot.settings import Settings

ANA, BEN, CHEN = (p["id"] for p in PEOPLE)


class Page:
    """The page's side of the playground: its JSON API, as the browser calls it."""

    def __init__(self, url: str):
        self.url = url

    def post(self, path: str, data: dict, *, content_type: str = "application/json") -> dict:
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(data).encode(),
            headers={"Content-Type": content_type, "Origin": self.url},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def state(self, user: str = ANA) -> dict:
        return json.loads(self.get(f"/api/state?user={user}")[1])

    def send(self, text: str, user: str = ANA) -> dict:
        return self.post("/api/send", {"user": user, "text": text})

    def last(self, user: str = ANA, kind: str | None = None) -> dict:
        messages = [m for m in self.state(user)["messages"] if kind in (None, m["kind"])]
        return messages[-1]


@pytest.fixture
def settings(tmp_path: Path, knowledge_dir: Path) -> Settings:
    return Settings(db_path=tmp_path / "coach.db", knowledge_dir=knowledge_dir, scheduler=False)


@pytest.fixture
def playground(settings: Settings):
    running = start_playground(settings, port=0)
    yield running
    running.stop()


@pytest.fixture
def page(playground) -> Page:
    return Page(playground.url)


def text_of(message: dict) -> str:
    return json.dumps(message.get("blocks") or []) + message.get("text", "")
