"""The small test knowledge base (tests/data/knowledge) and an engine over it."""

from __future__ import annotations

import pytest

from bot.core import knowledge
from bot.core.pipeline.engine import Engine
from tests.helpers.knowledge import SMALL


@pytest.fixture(scope="session")
def small_tips():
    """The six curated tips of the small test base (its draft left out)."""
    return knowledge.load(SMALL).live_tips


@pytest.fixture(scope="session")
def small_engine(small_tips):
    """The shipped pipeline (word lists, encoder, fitted model) over the small base."""
    return Engine.build(small_tips)
