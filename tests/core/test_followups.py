"""Which replies in the coach's thread read as a follow-up question."""

from __future__ import annotations

import pytest

from bot.core.followups import MAX_FOLLOW_UPS, reads_as_question, slot_keys, thread_key


@pytest.mark.parametrize(
    "text",
    [
        "and how do we run a hackathon?",
        "what about evals for agents",
        "should we price it per seat?",
        "Could you say more about pricing",
        "is that true for B2B too?",
    ],
)
def test_questions_read_as_questions(text):
    assert reads_as_question(text)


@pytest.mark.parametrize(
    "text",
    ["thanks, that helps!", "ok?", "why?", "nice one", "lol", "", "we shipped it last week."],
)
def test_chatter_does_not(text):
    assert not reads_as_question(text)


def test_a_thread_has_a_fixed_number_of_follow_up_slots_and_one_key_per_asker():
    assert len(set(slot_keys("C1", "1.5"))) == MAX_FOLLOW_UPS
    assert set(slot_keys("C1", "1.5")).isdisjoint(slot_keys("C1", "1.6"))
    assert thread_key("C1", "1.5", "U1") != thread_key("C1", "1.5", "U2")
