"""Helpers shared by test_browser.py and the tests beside it (moved out of the test module)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.playground.server import start_playground
from bot.settings import Settings

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)


ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


TIMEOUT_MS = 15_000


sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed"
)


@pytest.fixture
def playground(tmp_path: Path, knowledge_dir: Path):
    settings = Settings(db_path=tmp_path / "coach.db", knowledge_dir=knowledge_dir, scheduler=False)
    running = start_playground(settings, port=0)
    yield running, settings
    running.stop()


@pytest.fixture
def browser_page():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.set_default_timeout(TIMEOUT_MS)
        try:
            yield page
        finally:
            browser.close()
