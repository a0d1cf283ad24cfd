"""A running playground and its page API, for the playground's own tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.playground.server import start_playground
from bot.settings import Settings
from tests.helpers.playground import Page


@pytest.fixture
def page(tmp_path: Path, knowledge_dir: Path):
    settings = Settings(db_path=tmp_path / "coach.db", knowledge_dir=knowledge_dir, scheduler=False)
    running = start_playground(settings, port=0)
    yield Page(running.url)
    running.stop()


@pytest.fixture
def playground(tmp_path: Path, knowledge_dir: Path):
    """A running playground (its page at `.url`, its fake Slack at `.api`)."""
    settings = Settings(db_path=tmp_path / "coach.db", knowledge_dir=knowledge_dir, scheduler=False)
    running = start_playground(settings, port=0)
    yield running
    running.stop()
