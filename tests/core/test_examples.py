"""Every example question the bot suggests is answered right and sure, wherever it is asked."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.core.examples import EXAMPLES
from bot.core.library import Library
from bot.slack.listeners import messages

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "bot" / "playground" / "static"


@pytest.fixture(scope="module")
def engine():
    return Library(ROOT / "knowledge").engine


@pytest.mark.parametrize("surface", ["slash", "mention", "dm"])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.tip_id)
def test_each_example_is_answered_sure_with_its_tip(engine, example, surface):
    answer = engine.answer(example.question, surface=surface)
    assert (answer.level, answer.tip.id) == ("sure", example.tip_id)


def suggested() -> list[str]:
    """Every question the bot's own texts suggest: help, how-to, prompts, placeholders."""
    found = [q for _, q in messages.SUGGESTED_PROMPTS if q not in ("tip", "top")]
    how_to = messages.how_to(SimpleNamespace(command="/aipm"))
    found += re.findall(r"`@AI PM Coach ([^`]+)`", how_to)
    for page in (STATIC / "index.html", STATIC / "app.js"):
        for hint in re.findall(r"e\.g\. ([^\"`(]+)", page.read_text(encoding="utf-8")):
            hint = hint.split(", or ")[0].strip().removeprefix("${state.command} ")
            found.append(hint.removeprefix("/aipm "))
    return found


def test_every_suggested_question_is_answered_sure(engine):
    questions = suggested()
    assert len(questions) >= 5, questions  # 2 prompts, the how-to, 2 placeholders
    for question in questions:
        answer = engine.answer(question)
        assert answer.level == "sure", f"{question!r} is suggested but answered {answer.level}"
