"""User text can never become a mention, a link or markup in Slack."""

from __future__ import annotations

import pytest

from bot.slack.mrkdwn import escape, quote, shorten


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


def test_shorten_cuts_at_a_word_boundary():
    text = "Ship the smallest thing that teaches you something, it is much easier to learn"
    out = shorten(text, 60)
    assert out == "Ship the smallest thing that teaches you something, it is…"
    assert len(out) <= 60 and text.startswith(out[:-1])


def test_shorten_leaves_short_text_alone_and_cuts_one_long_word_inside_it():
    assert shorten("  short   text ", 60) == "short text"
    assert shorten("see https://" + "x" * 100, 30) == "see https://" + "x" * 17 + "…"
