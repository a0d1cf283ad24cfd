"""User text can never become a mention, a link or markup in Slack."""

from __future__ import annotations

import pytest

from bot.slack.mrkdwn import escape, quote


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("a & b", "a &amp; b"),
        ("<@U1|bob>", "&lt;@U1|bob&gt;"),
        ("<https://evil|click>", "&lt;https://evil|click&gt;"),
        ("&lt;", "&amp;lt;"),
    ],
)
def test_escape(raw, safe):
    assert escape(raw) == safe


def test_quote_cuts_and_collapses_whitespace():
    out = quote("a\n\n b " + "x" * 500, limit=20)
    assert len(out) == 20 and out.startswith("a b x") and out.endswith("…")
