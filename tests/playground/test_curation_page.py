"""The playground's modals and shortcut over its page API, driving the real bot."""

from __future__ import annotations

import pytest
import yaml

from bot.playground.server import start_playground
from bot.playground.workspace import CHANNEL, PEOPLE
from bot.settings import Settings
from bot.slack import curation_blocks as cb
from tests.conftest import ROOT
from tests.helpers.curation_page import FORM  # noqa: F401
from tests.helpers.playground import Page

ANA, BEN, _ = (p["id"] for p in PEOPLE)  # Ana is a workspace admin, so she curates
QUESTION = "how should we price our AI feature"


@pytest.fixture
def page(tmp_path, knowledge_dir):
    settings = Settings(db_path=tmp_path / "coach.db", knowledge_dir=knowledge_dir, scheduler=False)
    running = start_playground(settings, port=0)
    yield Page(running.url)
    running.stop()


def modal(page: Page, user: str = ANA) -> dict | None:
    return page.state(user)["modal"]


def test_add_shows_field_errors_then_saves_and_answers(page):
    assert page.send("/aipm add")["ok"]
    view = modal(page)
    assert view["title"]["text"] == "Add a tip"
    bad = page.post(
        "/api/submit", {"user": ANA, "view_id": view["id"], "values": {**FORM, "questions": "one"}}
    )
    assert "questions" in bad["errors"]
    shown = modal(page)
    assert shown["errors"]["questions"].startswith("Write at least 3")
    assert shown["typed"]["title"] == FORM["title"]  # what was typed stays in the form
    good = page.post("/api/submit", {"user": ANA, "view_id": view["id"], "values": FORM})
    assert good.get("updated") and "Tip saved" in modal(page)["title"]["text"]
    page.post("/api/close-modal", {"user": ANA, "view_id": view["id"]})
    assert modal(page) is None
    page.send(f"/aipm {QUESTION}", user=BEN)
    assert FORM["title"] in page.last(BEN)["text"]


def test_a_non_curator_gets_no_modal(page):
    page.send("/aipm add", user=BEN)
    assert modal(page, BEN) is None
    assert "only curators" in page.last(BEN)["text"]


def test_the_shortcut_opens_the_form_prefilled_with_the_message(page):
    page.send("Evals first, then the feature.", user=BEN)
    ts = page.last(BEN)["ts"]
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())["features"]["shortcuts"]
    assert page.state()["shortcuts"] == [
        {"callback_id": s["callback_id"], "name": s["name"]} for s in manifest
    ], "the ⋮ menu offers the manifest's message shortcuts, in its order"
    assert page.post("/api/shortcut", {"user": ANA, "ts": ts, "callback_id": cb.SAVE_SHORTCUT})[
        "ok"
    ]
    inputs = {b["block_id"]: b["element"].get("initial_value") for b in modal(page)["blocks"]}
    assert inputs["text"] == "Evals first, then the feature."
    assert f"/archives/{CHANNEL['id']}/p{ts.replace('.', '')}" in inputs["link"]


def test_the_library_in_app_home_edits_and_retires(page):
    page.send("/aipm add")
    page.post("/api/submit", {"user": ANA, "view_id": modal(page)["id"], "values": FORM})
    page.post("/api/close-modal", {"user": ANA, "view_id": modal(page)["id"]})
    home = page.post("/api/home", {"user": ANA})["view"]
    value = "price-ai-features-on-outcomes:1"
    assert any(
        e.get("value") == value
        for b in home["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    )
    page.post("/api/home-action", {"user": ANA, "action_id": cb.EDIT_ACTION, "value": value})
    assert modal(page)["title"]["text"] == "Edit a tip"
    page.post("/api/close-modal", {"user": ANA, "view_id": modal(page)["id"]})
    page.post("/api/home-action", {"user": ANA, "action_id": cb.RETIRE_ACTION, "value": value})
    page.send(f"/aipm {QUESTION}", user=BEN)
    assert FORM["title"] not in page.last(BEN)["text"]
