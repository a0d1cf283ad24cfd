"""Curated "not covered" topics: declined by name, even when a generic word overlaps a tip."""

from __future__ import annotations

import pytest

from bot.core import text, topics
from bot.core.knowledge import Source, Tip
from bot.core.matcher import Matcher

SOURCE = Source(note="test note", timestamp="00:01", url="https://example.com/v")


def tip(tip_id: str, title: str, body: str) -> Tip:
    return Tip(id=tip_id, title=title, text=body, tags=(), questions=(), source=SOURCE)


PROTOTYPE = tip(
    "prototype",
    "Prototype AI features in minutes",
    "Build a working AI prototype with Cursor before the meeting.",
)
PRICING = tip(
    "pricing",
    "Price AI features by usage",
    "Pricing an AI feature by usage keeps margins as model costs change.",
)


def test_a_question_about_a_topic_is_declined_with_its_name():
    m = Matcher([PROTOTYPE])
    got = m.answer("how should we price our AI prototype")
    assert got.confidence == "none" and not got.answered
    assert got.topic == "pricing"
    assert got.matches == []


def test_the_overlapping_word_alone_still_finds_the_tip():
    m = Matcher([PROTOTYPE])
    got = m.answer("how do I build an AI prototype")
    assert got.answered and got.topic is None


def test_a_tip_on_the_topic_makes_it_answerable_again():
    m = Matcher([PROTOTYPE, PRICING])
    got = m.answer("how should we price our AI feature")
    assert got.answered and got.topic is None
    assert got.matches[0][0].id == "pricing"


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("are we GDPR compliant", "legal and compliance"),
        ("what salary should I ask for", "salary and compensation"),
        ("how do we stop prompt injection", "security"),
    ],
)
def test_triggers_fire_on_their_words(question, topic):
    names = {name for name, _ in topics.triggered(set(text.term_list(question)))}
    assert topic in names


def test_every_trigger_keeps_all_its_words():
    # A trigger that lost a word to the stop list ("go to market" -> "market") would fire on
    # far more questions than it names.
    for name, phrases in topics.DECLINE_TOPICS.items():
        for phrase in phrases:
            content = [w for w in text.words(phrase) if w not in text.STOP_WORDS]
            assert len(text.term_list(phrase)) == len(content), (name, phrase)
