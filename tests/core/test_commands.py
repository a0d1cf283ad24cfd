"""Subcommands run only on their own syntax; everything else is a question."""

from __future__ import annotations

import pytest

from bot.core.commands import Parsed, parse, suggestion
from bot.slack.subcommands import SUBCOMMANDS

NAMES = list(SUBCOMMANDS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("help", "")),
        ("   ", ("help", "")),
        ("help", ("help", "")),
        ("HELP", ("help", "")),
        ("help?", ("help", "")),
        ("  tip  ", ("tip", "")),
        ("top", ("top", "")),
        ("stats", ("stats", "")),
        ("stats 7", ("stats", "7")),
        ("gaps", ("gaps", "")),
        ("gaps 20", ("gaps", "20")),
        ("unsubscribe", ("unsubscribe", "")),
        ("subscription", ("subscription", "")),
        ("subscribe", ("subscribe", "")),
        ("subscribe 09:00 Europe/Berlin", ("subscribe", "09:00 Europe/Berlin")),
        ("subscribe 9am weekdays", ("subscribe", "9am weekdays")),
        ("subscribe 9 am Europe/Berlin", ("subscribe", "9 am Europe/Berlin")),
        ("subscribe 9:30 p.m. mon-thu", ("subscribe", "9:30 p.m. mon-thu")),
        ("subscribe 0900 EST", ("subscribe", "0900 EST")),
        ("subscribe mon, wed, fri 17:30", ("subscribe", "mon, wed, fri 17:30")),
        ("Subscribe daily UTC", ("subscribe", "daily UTC")),
        ("subscribe 25:99", ("subscribe", "25:99")),
        ("subscribe 08:30 Europe/Berlinn", ("subscribe", "08:30 Europe/Berlinn")),
    ],
)
def test_subcommands_with_their_own_syntax(text, expected):
    assert parse(text, NAMES) == Parsed(*expected)


@pytest.mark.parametrize(
    "text",
    [
        "help me prioritise my AI roadmap",
        "top ways to get my team using AI",
        "stats literacy for PMs",
        "stats: which metrics matter for an AI feature",
        "gaps in my AI strategy",
        "gaps 0",
        "gaps ²",
        "gaps ፩",
        "gaps 20 questions",
        "tip for talking to my boss",
        "subscribe to which newsletters as an AI PM",
        "subscribe my team to an AI hackathon",
        "unsubscribe users who churn",
        "subscription pricing for AI features",
        "helpful ways to prototype",
        "tips",
        "what is the ikea effect",
        "frobnicate",
    ],
)
def test_everything_else_is_a_question(text):
    parsed = parse(text, NAMES)
    assert parsed.is_question
    assert parsed.rest == text.strip()


def test_a_name_the_caller_does_not_offer_is_a_question():
    assert parse("tip", ["help"]).is_question
    assert parse("", ["tip"]) == Parsed(None, "")


def test_a_subcommand_without_an_argument_syntax_takes_none():
    assert parse("library", ["library"]) == Parsed("library", "")
    assert parse("library of prompts", ["library"]).is_question


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("subscibe 9:00", "subscribe 9:00"),
        ("Subscibe 9:00 Europe/Berlin weekdays", "subscribe 9:00 Europe/Berlin weekdays"),
        ("unsubscibe", "unsubscribe"),
        ("stat 7", "stats 7"),
        ("gap 5", "gaps 5"),
        ("hlep", "help"),
        ("tpo", "top"),
    ],
)
def test_a_mistyped_subcommand_is_suggested_with_its_arguments(typed, meant):
    assert suggestion(typed, SUBCOMMANDS) == meant


@pytest.mark.parametrize(
    "typed",
    [
        "subscribe 9:00",  # a subcommand already
        "help me prioritise",  # a known word: a question
        "tips for evals",  # `tip` takes no arguments
        "stat week",  # `stats` takes a number
        "tap",  # as near `tip` as `top`
        "toolz",  # three edits from any name
        "what is evals",
        "9:00",
        "sübscribe 9:00",
        "",
    ],
)
def test_anything_else_stays_a_question(typed):
    assert suggestion(typed, SUBCOMMANDS) is None
