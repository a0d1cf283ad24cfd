"""Every emoji code the bot sends is one the playground can show (no raw `:codes:` on the page)."""

from __future__ import annotations

import ast
import re

from tests.conftest import ROOT

CODE = re.compile(r"(?<![\w:]):([a-z0-9_+\-]*[a-z+\-][a-z0-9_+\-]*):(?![\w:])")


def codes_in(source: str) -> set[str]:
    """The `:emoji:` codes in the string literals (f-strings included) of `source`."""
    return {
        match.group(1)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        for match in CODE.finditer(node.value)
    }


def page_emoji() -> set[str]:
    js = (ROOT / "bot" / "playground" / "static" / "render.js").read_text()
    table = js[js.index("const EMOJI") : js.index("};", js.index("const EMOJI"))]
    return set(re.findall(r'"([a-z0-9_+\\-]+)":\s*"', table))


def test_the_page_shows_every_emoji_code_the_slack_side_sends():
    sent = set().union(*(codes_in(p.read_text()) for p in (ROOT / "bot" / "slack").rglob("*.py")))
    assert {"+1", "leftwards_arrow_with_hook", "white_check_mark"} <= sent, "the walk finds codes"
    assert sorted(sent - page_emoji()) == []


def test_the_walk_finds_codes_in_plain_and_formatted_strings_only():
    source = 'x = ":rocket: go"\ny = f":tada: {x} :memory: 09:00:00"\n# :comment:\n'
    assert codes_in(source) == {"rocket", "tada", "memory"}
