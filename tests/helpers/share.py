"""Helpers shared by test_share.py and the tests beside it (moved out of the test module)."""

from __future__ import annotations

from bot.slack.blocks import SHARE_ACTION

QUESTION = "what is the ikea effect"


IKEA = "the-ikea-effect"


def share_value(reply: dict) -> str:
    """The Share button's value in an answer."""
    for block in reply["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == SHARE_ACTION:
                return element["value"]
    raise AssertionError("no Share button")
