"""Slack's message markup turned back into the question a person typed."""

from __future__ import annotations

import pytest

from bot.slack.message_text import plain_question


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("<@UBOT> should we let users edit this?", "should we let users edit this?"),
        ("<@UBOT>", ""),
        ("  <@UBOT>   <@UBOT>  ", ""),
        # The bot's mention cuts the message: the question after it stands on its own line.
        ("hey <@UBOT> what about <@U2>'s idea?", "hey\nwhat about @U2's idea?"),
        ("<!here> <@UBOT> evals?", "@here\nevals?"),
        ("line one\n\n  line   two", "line one\nline two"),
        ("<!subteam^S1|@pms> evals?", "@pms evals?"),
        ("see <#C1|product> and <https://x.test/a|the doc>", "see #product and the doc"),
        ("see <https://x.test/a>", "see https://x.test/a"),
        ("is p &lt; 0.05 &amp; n &gt; 30 ok?", "is p < 0.05 & n > 30 ok?"),
        ("&amp;lt; stays literal", "&lt; stays literal"),
        ("", ""),
    ],
)
def test_plain_question(text, question):
    assert plain_question(text, bot_user="UBOT") == question


def test_a_long_message_stays_whole_for_the_coach_to_cut():
    assert len(plain_question("<@UBOT> " + "why " * 10_000, bot_user="UBOT")) == 39_999
