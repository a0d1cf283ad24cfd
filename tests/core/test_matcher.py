"""Tests for bot.core.matcher on a small hand-made base, plus one check on the shipped base."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import knowledge
from bot.core.knowledge import Source, Tip
from bot.core.matcher import Answer, Matcher

SOURCE = Source(note="test note", timestamp="00:01", url="https://example.com/v")
ROOT = Path(__file__).resolve().parents[2]


def tip(tip_id: str, title: str, body: str, tags: tuple[str, ...], questions: tuple[str, ...]):
    return Tip(id=tip_id, title=title, text=body, tags=tags, questions=questions, source=SOURCE)


TIPS = [
    tip(
        "ikea-effect",
        "The Ikea effect: leave users some control",
        "Like Betty Crocker's cake mix, people value AI output more when they shape the result.",
        ("ux", "automation"),
        ("what is the ikea effect", "how much should we automate", "let users edit AI output"),
    ),
    tip(
        "rapid-prototyping",
        "Prototype in minutes with Cursor, Replit or v0",
        "Tools like Cursor and Replit let a PM build a working prototype before the meeting.",
        ("prototyping", "tools"),
        ("build a prototype without engineers", "best AI tools for mockups", "demo for a meeting"),
    ),
    tip(
        "hackathons",
        "Run AI hackathons",
        "Hands-on hackathons make AI approachable across the organisation.",
        ("culture", "adoption"),
        ("get the team using AI", "run an AI hackathon", "AI adoption in the company"),
    ),
    tip(
        "llm-basics",
        "Learn how LLMs work",
        "Andrej Karpathy's videos explain how large language models are trained.",
        ("learning", "ml"),
        ("how do LLMs work", "where to learn machine learning", "resources to learn AI"),
    ),
    tip(
        "shots-on-goal",
        "Measure shots on goal",
        "Count the experiments and prototypes your team builds while metrics lag.",
        ("metrics", "experimentation"),
        ("how to measure AI innovation", "what metric for AI exploration", "track experiments"),
    ),
]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(TIPS)


def top(matcher: Matcher, question: str) -> str | None:
    found = matcher.extract(question, limit=1)
    return found[0][0].id if found else None


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what is the ikea effect", "ikea-effect"),
        ("ikea", "ikea-effect"),
        ("cursor", "rapid-prototyping"),
        ("hackathon", "hackathons"),
        ("karpathy", "llm-basics"),
    ],
)
def test_one_word_and_plain_questions_find_their_tip(matcher, question, expected):
    assert top(matcher, question) == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("ikea efect", "ikea-effect"),
        ("hackaton for the team", "hackathons"),
        ("protoyping tools", "rapid-prototyping"),
        ("karpaty videos", "llm-basics"),
    ],
)
def test_typos_are_tolerated(matcher, question, expected):
    assert top(matcher, question) == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("wireframe tool", "rapid-prototyping"),
        ("organise a hack day", "hackathons"),
        ("which KPI for AI bets", "shots-on-goal"),
        ("how does a large language model learn", "llm-basics"),
    ],
)
def test_synonyms_reach_the_tip(matcher, question, expected):
    assert top(matcher, question) == expected


def test_long_question_still_finds_the_tip(matcher):
    question = (
        "So our leadership team has been going back and forth for weeks now about whether we "
        "should bring everyone together for a hackathon so that the whole organisation gets "
        "some hands-on time with AI tools, what do you think?"
    )
    assert top(matcher, question) == "hackathons"
    assert matcher.answer(question).answered


@pytest.mark.parametrize(
    "question",
    [
        "how do I fix my printer",
        "what's the weather tomorrow",
        "VPN keeps dropping",
        "qwerty",
        "asdf",
        "lunch menu",
        "how many vacation days do I have",
    ],
)
def test_off_topic_questions_are_declined(matcher, question):
    assert not matcher.answer(question).answered


@pytest.mark.parametrize(
    "question",
    [
        "",
        "   ",
        "\n\t",
        "😀🎉🔥",
        "!!!???...",
        "<!channel>",
        "日本語の質問",
        "Как дела",
        "كيف حالك",
        "x" * 10_000,
        "ikea " * 2_000,
    ],
)
def test_odd_input_never_crashes_and_answer_is_well_formed(matcher, question):
    got = matcher.answer(question)
    assert isinstance(got, Answer)
    assert isinstance(matcher.extract(question), list)
    assert all(0 <= score <= 100 for _, score in got.matches)


@pytest.mark.parametrize("question", ["", "   ", "😀", "<!channel>", "!!!"])
def test_empty_input_gives_nothing(matcher, question):
    assert matcher.extract(question) == []
    got = matcher.answer(question)
    assert not got.answered and got.matches == []


def test_same_input_same_output(matcher):
    question = "AI tools for the team"
    first = matcher.extract(question, limit=5)
    assert first == matcher.extract(question, limit=5)
    assert first == Matcher(list(reversed(TIPS))).extract(question, limit=5)


def test_ties_are_broken_by_tip_id():
    twin = tip("aaa-twin", TIPS[2].title, TIPS[2].text, TIPS[2].tags, TIPS[2].questions)
    m = Matcher([TIPS[2], twin])
    got = m.extract("hackathon", limit=2)
    assert [t.id for t, _ in got] == ["aaa-twin", "hackathons"]
    assert got[0][1] == got[1][1]


def test_results_are_ranked_best_first_with_scores_in_range(matcher):
    got = matcher.extract("prototype metrics for AI experiments", limit=5)
    scores = [s for _, s in got]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 100 for s in scores)


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_extract_honours_limit(matcher, limit):
    assert len(matcher.extract("AI prototype hackathon metrics", limit=limit)) == limit


def test_extract_honours_score_cutoff(matcher):
    everything = matcher.extract("AI prototype hackathon metrics", limit=5)
    cutoff = everything[1][1]
    kept = matcher.extract("AI prototype hackathon metrics", limit=5, score_cutoff=cutoff)
    assert kept == [item for item in everything if item[1] >= cutoff]
    assert matcher.extract("ikea", score_cutoff=100.1) == []


def test_answer_marks_answered_by_threshold():
    low = Matcher(TIPS, threshold=0.0).answer("ikea")
    high = Matcher(TIPS, threshold=100.1).answer("ikea")
    assert low.answered and low.matches[0][0].id == "ikea-effect"
    assert not high.answered and high.matches[0][0].id == "ikea-effect"


def test_unanswered_question_offers_related_topics_or_nothing(matcher):
    assert matcher.answer("qwerty asdf").matches == []
    weak = Matcher(TIPS, threshold=100.1).answer("prototype metrics")
    assert 1 <= len(weak.matches) <= 3


def test_boost_reorders_near_ties_only():
    twin = tip("aaa-twin", TIPS[2].title, TIPS[2].text, TIPS[2].tags, TIPS[2].questions)
    m = Matcher([TIPS[2], twin, TIPS[0]])
    plain = m.answer("hackathon")
    boosted = m.answer("hackathon", boost={"hackathons": 1.0})
    assert plain.matches[0][0].id == "aaa-twin"
    assert boosted.matches[0][0].id == "hackathons"
    far = m.answer("ikea effect", boost={"hackathons": 1.0, "aaa-twin": 1.0})
    assert far.matches[0][0].id == "ikea-effect"


def test_boost_never_answers_a_declined_question():
    m = Matcher(TIPS, threshold=100.1)
    got = m.answer("ikea", boost={"ikea-effect": 1.0})
    assert not got.answered


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -5.0, 99.0])
def test_odd_boost_values_are_clamped(matcher, value):
    got = matcher.answer("ikea effect", boost={"ikea-effect": value, "hackathons": value})
    assert got.matches[0][0].id == "ikea-effect"


def test_shipped_base_answers_ikea_and_declines_banana_bread():
    m = Matcher(knowledge.load(ROOT / "knowledge").live_tips)
    ikea = m.answer("what is the ikea effect")
    assert ikea.answered
    assert "ikea" in ikea.matches[0][0].title.lower()
    assert not m.answer("recipe for banana bread").answered


# -- property tests: no input text crashes the matcher ------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from bot.core import knowledge as _knowledge  # noqa: E402
from tests.conftest import SHIPPED_KNOWLEDGE  # noqa: E402

_SHIPPED = Matcher(_knowledge.load(SHIPPED_KNOWLEDGE).live_tips)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_gets_a_well_formed_deterministic_answer(question):
    first = _SHIPPED.answer(question)
    again = _SHIPPED.answer(question)
    assert [(t.id, s) for t, s in first.matches] == [(t.id, s) for t, s in again.matches]
    scores = [s for _, s in first.matches]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 100 for s in scores)
    assert len(first.matches) <= 3
    if first.answered:
        assert scores[0] >= _SHIPPED.threshold
