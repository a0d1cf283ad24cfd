"""Block Kit for curating: the words people read after asking to be told."""

from __future__ import annotations

import pytest

from bot.slack.curation_blocks import waiting_message


@pytest.mark.parametrize(
    "question",
    ["how should we price our AI add-on?", "pricing!", "pricing.", "how do we price AI"],
)
def test_the_waiting_note_never_ends_a_question_with_two_marks(question):
    text = waiting_message(question, replace=True)["text"].replace("_", "")  # as Slack shows it
    assert "?." not in text and "!." not in text and ".." not in text
    assert text.endswith("Only this request stores who asked.")
