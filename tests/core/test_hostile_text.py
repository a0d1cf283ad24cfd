"""Slack's longest message (40,000 characters) of hostile text is read in linear time.

A pattern that rescans the rest of the text at each position turns one such message into
seconds of CPU per worker (a '?' run before an 'x' took 6 s in `commands.parse`). A child
with a generous time limit turns such a regression into a failure; no timing is asserted.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.core import commands, text
from bot.slack.listeners.commands import SUBCOMMANDS

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = {
    "question-marks": "a" + "?" * 39_998 + "x",
    "open-mentions": "<@" * 20_000,
    "open-specials": "<!" * 20_000,
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_message_is_parsed_and_tokenised_without_rescanning(name):
    code = (
        "import sys; from bot.core import commands, text; "
        "from bot.slack.listeners.commands import SUBCOMMANDS; "
        "t = sys.stdin.read(); "
        "[commands.parse(t, list(SUBCOMMANDS)) for _ in range(40)]; "
        "[text.terms(t) for _ in range(40)]"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        input=HOSTILE[name],
        capture_output=True,
        text=True,
        timeout=20,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-500:]


def test_the_linear_forms_read_the_same():
    names = list(SUBCOMMANDS)
    assert commands.parse("help?!.", names).name == "help"
    assert commands.parse("help?x", names).is_question
    assert text.words("hi <@U123|ana> and <!channel> <@ there") == ["hi", "and", "there"]
