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
        ("how does the EU AI Act affect us", "legal and compliance"),
        ("our inference costs are exploding", "model and infrastructure cost"),
        ("should we fine-tune or use RAG", "model architecture (fine-tuning, RAG)"),
        ("how many users for an A/B test to be significant", "A/B testing and statistics"),
        ("how should we set OKRs this quarter", "planning process (OKRs, roadmaps, agile)"),
        ("make it work with a screen reader", "accessibility"),
        ("go-to-market plan for our assistant", "sales, marketing and go-to-market"),
        ("interview two candidates for the AI PM role", "hiring a team"),
        ("which vendors should we shortlist", "choosing a model or vendor"),  # plural folded
        ("is responsible AI a PM's job", "bias, fairness and ethics"),
    ],
)
def test_triggers_fire_on_their_words(question, topic):
    names = {name for name, _ in topics.triggered(question)}
    assert topic in names


@pytest.mark.parametrize(
    "question",
    [
        "should I wait until the AI market settles",  # "market" is not "marketing"
        "OKRs for AI innovation?",  # no synonym folding: "OKRs" alone is not "set OKRs"
        "why are PMs well positioned in the AI era",  # not "product positioning"
        "how hard is it to get hired as an AI PM",  # hiring oneself is not hiring a team
        "candidates who interview well",  # words out of order
        "act fast on AI",  # "ai act" needs its words in order
        "what responsibilities does an AI PM have",  # not "responsible AI" (same stem)
        "explain the ikea effect",  # not "explainability" (same stem)
        "what's the job description of an AI PM",  # the role, not hiring for it
    ],
)
def test_triggers_do_not_fire_on_lookalikes(question):
    assert topics.triggered(question) == []


def test_words_too_far_apart_do_not_make_a_trigger():
    assert topics.triggered("interview the one or two very best candidates") == []
    assert topics.triggered("interview two candidates") != []


def test_a_tip_covers_a_topic_only_when_it_holds_the_phrase():
    # The tip has "AI" and "act" but not "AI Act": the question is still about regulation.
    scattered = "Agents act on their own; AI should help users."
    assert topics.decline_topic("what does the AI Act mean for us", scattered) == (
        "legal and compliance"
    )
    assert topics.decline_topic("what does the AI Act mean for us", "Read the AI Act.") is None
    assert topics.decline_topic("what does the AI Act mean for us", None) == "legal and compliance"


def test_a_tip_that_mentions_the_subject_answers_it():
    m = Matcher([PROTOTYPE, tip("okr", "Goals for AI work", "Set OKRs on shots on goal.")])
    got = m.answer("how should we set OKRs for AI work")
    assert got.answered and got.topic is None


def test_every_trigger_has_a_content_word():
    # A trigger of stop words only ("the") would fire on nearly every question.
    for name, phrases in topics.DECLINE_TOPICS.items():
        for phrase in phrases:
            content = [w for w in text.words(phrase) if w not in text.STOP_WORDS]
            assert content, (name, phrase)
            assert topics.triggered(phrase), (name, phrase)
